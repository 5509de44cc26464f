"""screening.parallel: a re-screen in several processes stores what one process would."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import transaction

from safeguard.screening import parallel

SAFEGUARD = str(Path(sys.executable).with_name("safeguard"))

# Run on a database of its own, in a file on SQLite (forked workers cannot share an
# in-memory one) or on the PostgreSQL server the suite runs on, with chunks of 10 children
# so that the tiny world makes several tasks.
PROBE = """
from datetime import UTC, datetime
from safeguard.screening import parallel, services
from safeguard.screening.models import Screening
services.CHUNK = 10
at = datetime(2025, 3, 1, tzinfo=UTC)  # the tiny world's records end on 26 February 2025
print(parallel.can_fork())
levels = parallel.rescreen(dict.fromkeys(services.children_at(at), at), workers={workers})
print(sorted(levels.items()))
print(sorted(Screening.objects.values_list("person_id", "level", "outcome", "screened_at")))
"""


def _safeguard(*args: str, var: Path, url: str | None = None) -> str:
    env = {"PATH": "/usr/bin:/bin", "SAFEGUARD_VAR_DIR": str(var)}
    if url:
        env["SAFEGUARD_DATABASE_URL"] = url
    out = subprocess.run(
        [SAFEGUARD, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def _psql(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


Copy = Callable[[Path], str | None]


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory) -> Iterator[Copy]:
    """Load the tiny demo world once; yield a function that makes a fresh copy of it.

    The copy is made in the folder given (its var dir) and, on PostgreSQL, as a database
    made from the loaded one as a template; the function returns the copy's URL.
    """
    url = os.environ.get("SAFEGUARD_DATABASE_URL", "")
    server = url.rsplit("/", 1)[0] if url.startswith("postgres") else None
    base = tmp_path_factory.mktemp("tiny")
    made: list[str] = []
    name = f"sg_test_parallel_{os.getpid()}"
    if server:
        _psql(server, f'DROP DATABASE IF EXISTS "{name}"')
        _psql(server, f'CREATE DATABASE "{name}"')
    _safeguard("demo", "--scale", "tiny", "--no-serve", var=base, url=server and f"{server}/{name}")

    def copy(var: Path) -> str | None:
        shutil.copytree(base, var)
        if not server:
            return None
        made.append(f"{name}_{len(made)}")
        _psql(server, f'CREATE DATABASE "{made[-1]}" TEMPLATE "{name}"')
        return f"{server}/{made[-1]}"

    yield copy
    if server:
        for database in (*made, name):
            _psql(server, f'DROP DATABASE IF EXISTS "{database}"')


def test_two_workers_store_what_one_process_does(tiny_world, tmp_path):
    results = {}
    for workers in (1, 2):
        var = tmp_path / f"w{workers}"
        url = tiny_world(var)
        probe = PROBE.format(workers=workers)
        results[workers] = _safeguard("shell", "-v", "0", "-c", probe, var=var, url=url)
    one, two = results[1].splitlines(), results[2].splitlines()
    assert one[0] == two[0] == "None"  # a database of its own: workers can be used
    levels = dict(eval(one[1]))  # noqa: S307 - our own probe's printed list
    assert sum(levels.values()) > 0 and len(levels) > 1  # results changed, at several levels
    assert one[1:] == two[1:]  # the same screenings stored, for the same persons


def test_the_command_screens_in_workers_and_says_what_changed(tiny_world, tmp_path):
    var = tmp_path / "run"
    url = tiny_world(var)
    run = ("screening", "run", "--at", "2025-03-01", "--workers", "2")
    out = _safeguard(*run, var=var, url=url)
    assert out.startswith("screened ") and " changed (none " in out
    again = _safeguard(*run, var=var, url=url)
    assert again.rstrip().endswith("0 changed (none 0, low 0, medium 0, high 0)")


@pytest.mark.django_db
def test_workers_are_not_used_inside_a_transaction():
    with transaction.atomic():
        assert parallel.can_fork() == "inside a transaction, which other processes could not see"
