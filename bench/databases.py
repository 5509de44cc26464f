"""Fresh, throw-away databases for the benchmarks: a SQLite file or a PostgreSQL database."""

import os
import subprocess
import tempfile
from collections.abc import Callable

PG_SERVER = os.environ.get("SAFEGUARD_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def fresh_database(db: str, label: str) -> tuple[str, Callable[[], object]]:
    """Return the URL of a new empty database and a function that drops it."""
    if db == "sqlite":
        folder = tempfile.mkdtemp(prefix="sg-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: subprocess.run(["rm", "-rf", folder])
    name = f"sg_bench_{label}_{os.getpid()}"
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}", lambda: psql(f'DROP DATABASE IF EXISTS "{name}"')


def psql(sql: str) -> None:
    """Run one statement on the PostgreSQL server's maintenance database."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)
