"""Benchmark: load the demo world through intake, against the fastest raw insert.

For each database (SQLite file, PostgreSQL) and each size (about 100,000 and 1,000,000
events) it runs, each in a fresh database and its own process (so peak memory is that run's):

- generate: the demo world's records, generated and validated, stored nowhere;
- ours:     the same records through intake.record_batch (the path every import takes);
- raw:      the same rows inserted by the fastest route (executemany on SQLite, COPY on
            PostgreSQL) with ids assigned in Python and no checks.

It prints events per second, the ratio ours/raw (throughput), the same ratio with the
shared generation time taken out of both, and peak memory, and writes them to
bench/results/ingest-<timestamp>.json. It is not a test: it passes or fails nothing.

    .venv/bin/python bench/ingest.py                       # both sizes, both databases
    .venv/bin/python bench/ingest.py --scales medium --databases sqlite
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from databases import fresh_database  # bench/databases.py

HERE = Path(__file__).resolve().parent
SEED = 2019


# -- workers (run in a child process with SAFEGUARD_DATABASE_URL set) ----------------------


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world(scale: str):
    from safeguard.demo.world import generate

    return generate(SEED, scale)


def work_generate(scale: str) -> dict:
    """Generate and validate the world without storing it."""
    counts: dict[str, int] = {}
    for record in _world(scale):
        counts[record.type] = counts.get(record.type, 0) + 1
    return {"records": counts}


def work_ours(scale: str) -> dict:
    """Record the world through intake.record_batch, as `safeguard demo` does."""
    from safeguard.intake.recording import record_batch

    summary = record_batch(_world(scale), source="bench", batch_size=5000)
    return {"records": dict(summary.created)}


def work_raw(scale: str) -> dict:
    """Insert the same rows by the fastest route the database has, with no checks."""
    from django.db import connection, transaction

    from safeguard.records import models as m

    ids: dict[str, dict[tuple[str, str], int]] = {}
    agencies: dict[str, int] = {}
    counts: dict[str, int] = {}
    pending: dict[type, list[dict]] = {}
    stamp = datetime.now(UTC)
    next_id: dict[str, int] = {}

    def new_id(kind: str) -> int:
        next_id[kind] = next_id.get(kind, 0) + 1
        return next_id[kind]

    def ref(kind: str, r) -> int | None:
        return None if r is None else ids[kind][(r.agency, r.ref)]

    def flush() -> None:
        for model, rows in pending.items():
            _raw_insert(connection, model, rows)
        pending.clear()

    def add(model, row) -> None:
        pending.setdefault(model, []).append(row)

    models = {
        "person": m.Person,
        "phone": m.Phone,
        "item": m.Item,
        "location": m.Location,
        "event": m.Event,
        "link": m.Link,
    }
    n = 0
    with transaction.atomic():
        for record in _world(scale):
            kind = record.type
            counts[kind] = counts.get(kind, 0) + 1
            if kind == "charging_review":
                continue  # a workflow record (one in a few thousand), not a POLE row
            if kind == "agency":
                flush()
                agency = m.Agency.objects.create(**record.model_dump(exclude={"type"}))
                agencies[record.code] = agency.pk
                continue
            pk = new_id(kind)
            ids.setdefault(kind, {})[(record.agency, record.ref)] = pk
            base = {
                "id": pk,
                "agency_id": agencies[record.agency],
                "source_ref": record.ref,
                "source_hash": "",
                "recorded_at": stamp,
            }
            data = record.model_dump(
                exclude={
                    "type",
                    "agency",
                    "ref",
                    "other_names",
                    "participants",
                    "objects",
                    "location",
                    "from_person",
                    "from_phone",
                    "to_person",
                    "to_phone",
                    "to_location",
                    "to_item",
                    "event",
                },
                mode="json" if kind in {"phone", "item", "person"} else "python",
            )
            if kind == "event":
                data["location_id"] = ref("location", record.location)
                for p in record.participants:
                    add(
                        m.Participation,
                        {
                            "event_id": pk,
                            "person_id": ref("person", p.person),
                            "role": p.role,
                            "occurred_at": record.occurred_at,
                            "age_at_event": None,
                        },
                    )
                for o in record.objects:
                    add(
                        m.EventObject,
                        {
                            "event_id": pk,
                            "role": o.role,
                            "phone_id": ref("phone", o.phone),
                            "item_id": ref("item", o.item),
                            "holder_id": ref("person", o.holder),
                        },
                    )
            elif kind == "link":
                (ft, fr), (tt, tr) = record.endpoints()
                data[f"from_{ft}_id"] = ref(ft, fr)
                data[f"to_{tt}_id"] = ref(tt, tr)
                data["event_id"] = ref("event", record.event)
            elif kind == "person":
                for name in record.other_names:
                    add(m.PersonName, {"person_id": pk, **name.model_dump()})
            add(models[kind], base | data)
            n += 1
            if n % 5000 == 0:
                flush()
        flush()
    return {"records": counts}


def _raw_insert(connection, model, rows: list[dict]) -> None:
    """executemany / COPY of complete rows (ids included where the row has one)."""
    from safeguard.records.bulk import column_plan, write_values

    plan = column_plan(model, with_id="id" in rows[0])
    values = [[conv(r.get(key)) if conv else r.get(key) for _, key, conv in plan] for r in rows]
    write_values(model._meta.db_table, [column for column, _, _ in plan], values)


WORKERS = {"generate": work_generate, "ours": work_ours, "raw": work_raw}


def worker(mode: str, scale: str) -> None:
    _setup()
    started = time.perf_counter()
    result = WORKERS[mode](scale)
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# -- orchestration ----------------------------------------------------------------------


def run(mode: str, db: str, scale: str) -> dict:
    url, drop = fresh_database(db, mode)
    env = {
        **os.environ,
        "SAFEGUARD_DATABASE_URL": url,
        "SAFEGUARD_VAR_DIR": tempfile.mkdtemp(prefix="sg-bench-var-"),
    }
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", mode, "--scale", scale],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stderr)
        raise
    finally:
        drop()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", nargs="+", default=["medium", "large"])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--worker", choices=sorted(WORKERS))
    parser.add_argument("--scale")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.scale)
        return

    results = []
    for scale in args.scales:
        gen = run("generate", "sqlite", scale)
        events = gen["records"].get("event", 0)
        print(f"{scale}: {events:,} events; generating them takes {gen['seconds']:.1f} s")
        for db in args.databases:
            ours = run("ours", db, scale)
            raw = run("raw", db, scale)
            row = {
                "scale": scale,
                "database": db,
                "events": events,
                "records": gen["records"],
                "generate_s": round(gen["seconds"], 2),
                "ours_s": round(ours["seconds"], 2),
                "raw_s": round(raw["seconds"], 2),
                "ours_events_per_s": round(events / ours["seconds"]),
                "raw_events_per_s": round(events / raw["seconds"]),
                "ratio_ours_over_raw": round(raw["seconds"] / ours["seconds"], 3),
                "ratio_storage_only": round(
                    max(raw["seconds"] - gen["seconds"], 0.001)
                    / max(ours["seconds"] - gen["seconds"], 0.001),
                    3,
                ),
                "ours_peak_rss_mib": round(ours["peak_rss_mib"]),
                "raw_peak_rss_mib": round(raw["peak_rss_mib"]),
            }
            results.append(row)
            print(
                f"  {db:10} ours {row['ours_s']:7.1f} s ({row['ours_events_per_s']:,} ev/s, "
                f"peak {row['ours_peak_rss_mib']} MiB)  raw {row['raw_s']:7.1f} s "
                f"({row['raw_events_per_s']:,} ev/s)  ratio {row['ratio_ours_over_raw']} "
                f"(storage only {row['ratio_storage_only']})"
            )
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
    }
    out = HERE / "results" / f"ingest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
