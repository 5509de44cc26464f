"""Benchmark: import the Metropolitan Police's stop-and-search months from data.police.uk.

The 11 monthly files in ../shared/data/police_uk_metropolitan_stop_and_search_2018-04_2019-02
(151,900 rows, April 2018 to February 2019), or the first --files of them, on each database
(a SQLite file in a fresh SAFEGUARD_VAR_DIR; a PostgreSQL database made for the run and
dropped after it), each run in its own process so that peak memory is that run's:

- parse:   each file read and each row turned into its validated records (police_uk_files,
           police_uk_rows, as import_file does), stored nowhere: the same-run baseline that
           the import is compared with (import seconds / parse seconds), since the machine
           is noisy. No database is read; its peak memory is the floor of any import.
- import:  migrate a fresh database (not timed), then police_uk_loading.import_file for each
           file in turn in one process, each file in its own transaction, as
           `safeguard import-police-uk` does: intake's Recorder stores the records in
           batches and runs the safeguarding pipeline (screening of children, duties, legal
           tools, charging check) on the new events. Per file: rows, seconds, rows a second,
           and the process's peak resident set (ru_maxrss) after it; "flat" means the peak
           after the last file is not much above the peak after the first (their ratio is
           shown). Totals: rows, seconds, rows a second. Then what was stored: events,
           persons, places, screenings, and the duties opened by kind (referrals of children
           to children's services show that the pipeline ran).
- memory:  with --memory, the import again in another process under tracemalloc, for the
           peak of the Python heap during each file (tracemalloc slows allocation, so its
           timings are not the figures).

Target of issue 7: the 11 files in under 60 s on 2 cores on SQLite; peak memory flat in the
number of rows. It prints the figures and writes them to
bench/results/police_uk-<timestamp>.json with the machine and its load average (the machine
may be shared). It is not a test: it passes or fails nothing.

    .venv/bin/python bench/police_uk.py                        # SQLite and PostgreSQL
    .venv/bin/python bench/police_uk.py --db sqlite --files 2  # a quick run
    .venv/bin/python bench/police_uk.py --db sqlite --memory   # and the tracemalloc pass
"""

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import machine  # bench/machine.py
from databases import PG_SERVER, fresh_database  # bench/databases.py

HERE = Path(__file__).resolve().parent
DATA = (
    HERE.parent.parent
    / "shared"
    / "data"
    / "police_uk_metropolitan_stop_and_search_2018-04_2019-02"
)
TARGET_S = 60
DATABASES = ("sqlite", "postgres")


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _files(folder: Path, n: int | None) -> list[Path]:
    from safeguard.importers import police_uk_loading as loading

    return loading.paths_of([str(folder)])[:n]


# -- workers (each in its own process) ------------------------------------------------------


def work_parse(paths: list[Path]) -> dict:
    """Read every row and make its validated records, as import_file does; store nothing."""
    from safeguard.importers import police_uk_files as files
    from safeguard.importers import police_uk_format
    from safeguard.importers import police_uk_loading as loading
    from safeguard.importers import police_uk_rows as rows_

    fmt = police_uk_format.current()
    per_file, made = [], Counter()
    for path in paths:
        started, cpu = time.perf_counter(), time.process_time()
        kind, data = files.rows(path, files.named(path).kind)
        if kind != files.STOP_AND_SEARCH:
            sys.exit(f"{path.name}: a {kind} file; this bench reads stop-and-search files")
        force_id = loading.force_of(path, None)
        force = fmt.forces[force_id]
        ctx = rows_.Context(
            agency=force.code,
            force_name=force.name,
            territorial=force_id not in loading.NATIONAL,
            fmt=fmt,
        )
        n = 0
        for row in data:
            n += 1
            for record in rows_.stop_search(row, ctx):
                made[record.type] += 1
        took = time.perf_counter() - started
        per_file.append(
            {
                "file": path.name,
                "rows": n,
                "s": took,
                "cpu_s": time.process_time() - cpu,
                "rss_after_mib": _rss_mib(),
            }
        )
    return {"files": per_file, "records": dict(made)}


def work_import(paths: list[Path], memory: bool) -> dict:
    """Import each file in its own transaction, as `safeguard import-police-uk` does."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from safeguard.importers import police_uk_loading as loading
    from safeguard.records.models import Event, Location, Person
    from safeguard.safeguarding.models import Duty
    from safeguard.screening.models import Screening

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    if memory:
        tracemalloc.start()
    per_file = []
    for path in paths:
        if memory:
            tracemalloc.reset_peak()
        begun, cpu = time.perf_counter(), time.process_time()
        result = loading.import_file(path, by="bench/police_uk.py")
        took = time.perf_counter() - begun
        entry = {
            "file": path.name,
            "rows": result.rows,
            "s": took,
            "cpu_s": time.process_time() - cpu,
            "rows_per_s": result.rows / took,
            "rss_after_mib": _rss_mib(),
            "created": dict(result.summary.created),
        }
        if memory:
            entry["python_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        per_file.append(entry)
        # Printed as it goes (stderr), for a long run watched.
        print(
            f"  {path.name}: {took:.1f} s, peak {entry['rss_after_mib']:.0f} MiB", file=sys.stderr
        )
    if memory:
        tracemalloc.stop()
    duties = dict(Duty.objects.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    return {
        "vendor": connection.vendor,
        "server": _server_version(connection),
        "migrate_s": migrate_s,
        "files": per_file,
        "stored": {
            "events": Event.objects.count(),
            "persons": Person.objects.count(),
            "locations": Location.objects.count(),
            "screenings": Screening.objects.count(),
        },
        "duties": duties,
    }


def _server_version(connection) -> str:
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def worker(args) -> None:
    _setup()
    paths = _files(Path(args.data), args.files)
    if args.worker == "parse":
        result = work_parse(paths)
    else:
        result = work_import(paths, memory=args.worker == "memory")
    result["peak_rss_mib"] = _rss_mib()
    print(json.dumps(result))


# -- orchestration --------------------------------------------------------------------------


def _run(mode: str, db: str, args) -> dict:
    """Run one worker in a process of its own, on a fresh database it drops afterwards."""
    var = tempfile.mkdtemp(prefix="sg-bench-var-")
    if db == "sqlite":  # the fresh SAFEGUARD_VAR_DIR's own file, removed with it
        url, drop = f"sqlite:///{var}/safeguard.sqlite3", lambda: None
    else:
        url, drop = fresh_database("postgresql", "puk")
    env = {**os.environ, "SAFEGUARD_DATABASE_URL": url, "SAFEGUARD_VAR_DIR": var}
    command = [sys.executable, __file__, "--worker", mode, "--data", args.data]
    if args.files:
        command += ["--files", str(args.files)]
    try:
        out = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
    finally:
        drop()
        shutil.rmtree(var, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _totals(run: dict, parse: dict) -> dict:
    files = run["files"]
    rows = sum(f["rows"] for f in files)
    seconds = sum(f["s"] for f in files)
    cpu = sum(f["cpu_s"] for f in files)
    parse_s = sum(f["s"] for f in parse["files"])
    parse_cpu = sum(f["cpu_s"] for f in parse["files"])
    first, last = files[0]["rss_after_mib"], files[-1]["rss_after_mib"]
    return {
        "rows": rows,
        "s": seconds,
        "rows_per_s": rows / seconds,
        "cpu_s": cpu,
        "ratio_to_parse": seconds / parse_s,
        "cpu_ratio_to_parse": cpu / parse_cpu,
        "peak_rss_first_file_mib": first,
        "peak_rss_last_file_mib": last,
        "peak_rss_last_over_first": last / first,
    }


def _print_run(db: str, run: dict, totals: dict) -> None:
    t = totals
    met = "met" if t["s"] < TARGET_S else "not met"
    print(
        f"{db} ({run['server']}): migrated in {run['migrate_s']:.1f} s (not timed); "
        f"load {run['load_start']} -> {run['load_end']}",
        flush=True,
    )
    for f in run["files"]:
        heap = f" heap peak {f['python_peak_mib']:6.1f} MiB" if "python_peak_mib" in f else ""
        print(
            f"  {f['file'][:7]} {f['rows']:7,} rows {f['s']:6.1f} s (CPU {f['cpu_s']:5.1f} s) "
            f"{f['rows_per_s']:7,.0f} rows/s  peak RSS {f['rss_after_mib']:6.0f} MiB{heap}"
        )
    target = f": under {TARGET_S} s {met}" if db == "sqlite" else ""
    print(
        f"  total {t['rows']:,} rows in {t['s']:.1f} s{target}; {t['rows_per_s']:,.0f} rows/s; "
        f"{t['ratio_to_parse']:.2f} x the parse alone\n"
        f"  CPU of this process {t['cpu_s']:.1f} s ({t['cpu_ratio_to_parse']:.2f} x the parse's; "
        "on PostgreSQL the server's is not counted)\n"
        f"  peak RSS after the first file {t['peak_rss_first_file_mib']:.0f} MiB, after the "
        f"last {t['peak_rss_last_file_mib']:.0f} MiB (x{t['peak_rss_last_over_first']:.2f})\n"
        f"  stored {run['stored']}; duties opened {run['duties']}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--files", type=int, help="the first N files only (a quick run)")
    parser.add_argument("--data", default=str(DATA), help="the folder of the files")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="a tracemalloc pass too (slower; its times are not the figures)",
    )
    parser.add_argument("--worker", choices=("parse", "import", "memory"))
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    info = machine.describe(postgres_server=PG_SERVER)
    settings = {
        "db": args.db,
        "files": args.files,
        "data": args.data,
        "memory": args.memory,
        "target_s": TARGET_S,
    }
    out = HERE / "results" / f"police_uk-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    print(", ".join(f"{k} {v}" for k, v in info.items() if k != "system"), flush=True)
    results: dict = {"parse": None, "runs": {}}

    def write() -> None:
        # Written after each part, so that a long run interrupted keeps what it measured.
        out.write_text(json.dumps({"machine": info, "settings": settings, **results}, indent=2))

    parse = _run("parse", "sqlite", args)
    results["parse"] = parse
    parse_s = sum(f["s"] for f in parse["files"])
    rows = sum(f["rows"] for f in parse["files"])
    print(
        f"parse alone: {len(parse['files'])} files, {rows:,} rows in {parse_s:.1f} s "
        f"({rows / parse_s:,.0f} rows/s), records {parse['records']}, peak RSS "
        f"{parse['peak_rss_mib']:.0f} MiB",
        flush=True,
    )
    write()
    for db in DATABASES if args.db == "both" else (args.db,):
        load_start = machine.load()
        run = _run("import", db, args)
        run["load_start"], run["load_end"] = load_start, machine.load()
        run["totals"] = _totals(run, parse)
        results["runs"][db] = run
        _print_run(db, run, run["totals"])
        write()
        if args.memory:
            m = _run("memory", db, args)
            results["runs"][f"{db}_memory"] = m
            print(
                "  memory pass (tracemalloc; its times are slowed): Python heap peak per file "
                + ", ".join(f"{f['python_peak_mib']:.0f}" for f in m["files"])
                + f" MiB; peak RSS {m['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
            write()
    info["load_average_end"] = machine.load()
    write()
    print(f"written to {out}")


if __name__ == "__main__":
    main()
