"""Benchmark: the offender schedule for the size of the national register.

- pure:   offenders/schedule.compute over --offenders synthetic offenders (default 70,000,
          about the 70,052 registered sex offenders of England and Wales in March 2024),
          seeded: risk bands, some plan intervals, statuses, visits, reviews, notifications
          made and pending. Against a baseline in the same run: a plain loop doing only the
          date arithmetic of the next visit (last visit plus the level's months), as a ratio.
          Target of issue 8: under 10 s on 2 cores (it runs on one).
- db:     the same number of offenders stored in a fresh SQLite database (a temporary
          SAFEGUARD_VAR_DIR) with three visits, a review and two notifications each, then
          services.recompute (every Schedule row recomputed and upserted in chunks) timed.
          Storing them is not timed. --no-db leaves it out.

It prints the figures and writes them to bench/results/offenders-<timestamp>.json with the
machine and its load average (the machine may be shared). It is not a test.

    .venv/bin/python bench/offenders.py
    .venv/bin/python bench/offenders.py --offenders 10000 --no-db
"""

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2024
AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)
TARGET_S = 10
BANDS = ("low", "medium", "high", "very_high")
WEIGHTS = (45, 35, 15, 5)  # most registered offenders are assessed low or medium


def _setup(var: str) -> None:
    os.environ["SAFEGUARD_VAR_DIR"] = var
    os.environ.pop("SAFEGUARD_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def synthetic(n: int, seed: int = SEED) -> list:
    """Return n seeded offenders' facts (schedule.Facts)."""
    from safeguard.offenders.schedule import Facts, Pending

    rng = random.Random(seed)
    found = []
    for i in range(1, n + 1):
        registered = date(2010, 1, 1) + timedelta(days=rng.randrange(5500))
        seen = AT.date() - timedelta(days=rng.randrange(1, 420))
        last = datetime.combine(seen, datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=rng.randrange(8, 21)
        )
        pending = ()
        if rng.random() < 0.05:
            pending = (Pending("change", AT - timedelta(days=rng.randrange(10))),)
        elif rng.random() < 0.02:
            pending = (Pending("foreign_travel", AT + timedelta(days=rng.randrange(1, 30)), AT),)
        found.append(
            Facts(
                id=i,
                registered_on=registered,
                status="active" if rng.random() < 0.9 else "in_custody",
                rm2000=rng.choices(BANDS, WEIGHTS)[0],
                oasys_rosh=rng.choices(("", *BANDS), (50, *WEIGHTS))[0],
                plan_months=rng.choice((None, None, None, 2, 4)),
                last_seen=seen,
                last_visit=last,
                visits=rng.randrange(1, 60),
                last_review=AT.date() - timedelta(days=rng.randrange(1, 500)),
                last_notified=AT.date() - timedelta(days=rng.randrange(1, 400)),
                pending=pending,
            )
        )
    return found


def baseline(facts: list, months: dict[str, int]) -> int:
    """The date arithmetic alone: last visit plus the level's months (no rules, no reasons)."""
    from safeguard.offenders.schedule import add_months

    overdue, today = 0, AT.date()
    for f in facts:
        overdue += add_months(f.last_seen, months[f.rm2000]) < today
    return overdue


def pure(facts: list, table) -> int:
    from safeguard.offenders.schedule import compute

    today = AT.date()
    return sum(1 for f in facts if (d := compute(f, table, AT).visit_due) and d < today)


def _timed(fn):
    started, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - started, time.process_time() - cpu, out


def store(n: int, seed: int = SEED) -> dict:
    """Store n offenders with their records in the (fresh, migrated) database; return counts."""
    from django.db import transaction

    from safeguard.offenders.models import NotificationRecord, Offender, RiskReview, Visit
    from safeguard.records.models import Agency, Person

    rng = random.Random(seed)
    force = Agency.objects.create(code="bench", kind="police_force", name="Bench Police")
    now = datetime.now(UTC)
    with transaction.atomic():
        Person.objects.bulk_create(
            Person(agency=force, source_ref=f"P{i}", source_hash="", recorded_at=now)
            for i in range(n)
        )
        people = list(Person.objects.order_by("id").values_list("id", flat=True))
        Offender.objects.bulk_create(
            Offender(
                person_id=p,
                agency=force,
                reference=f"V{i}",
                mappa_category=1,
                rm2000=rng.choices(BANDS, WEIGHTS)[0],
                registered_on=date(2010, 1, 1) + timedelta(days=rng.randrange(5500)),
                team=f"Team {i % 40}",
            )
            for i, p in enumerate(people)
        )
        ids = list(Offender.objects.order_by("id").values_list("id", flat=True))
        Visit.objects.bulk_create(
            Visit(
                offender_id=o,
                at=AT - timedelta(days=rng.randrange(1, 700), hours=rng.randrange(12)),
                outcome=rng.choice(("seen", "seen", "seen", "not_seen")),
                announced=rng.random() < 0.5,
            )
            for o in ids
            for _ in range(3)
        )
        RiskReview.objects.bulk_create(
            RiskReview(
                offender_id=o,
                kind="arms",
                completed_at=AT - timedelta(days=rng.randrange(1, 500)),
                level="medium",
            )
            for o in ids
        )
        NotificationRecord.objects.bulk_create(
            NotificationRecord(
                offender_id=o,
                kind=kind,
                trigger_at=AT - timedelta(days=rng.randrange(1, 400)),
                notified_at=None if kind == "change" and rng.random() < 0.1 else AT,
            )
            for o in ids
            for kind in ("initial", "change")
        )
    return {"offenders": len(ids), "visits": 3 * len(ids), "notifications": 2 * len(ids)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offenders", type=int, default=70_000)
    parser.add_argument("--no-db", action="store_true", help="leave out the database recompute")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent / "src"))
    var = tempfile.mkdtemp(prefix="bench-offenders-")
    _setup(var)
    from safeguard.offenders import rules
    from safeguard.offenders.schedule import Table

    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "commit": _commit(),
        "load_before": _load(),
    }
    print(", ".join(f"{k} {v}" for k, v in machine.items() if k != "system"), flush=True)
    table = Table(rules.current())
    facts = synthetic(args.offenders)
    base_s, base_cpu, base_overdue = _timed(lambda: baseline(facts, table.visit_months))
    pure_s, pure_cpu, pure_overdue = _timed(lambda: pure(facts, table))
    figures: dict = {
        "offenders": args.offenders,
        "baseline_s": round(base_s, 3),
        "baseline_cpu_s": round(base_cpu, 3),
        "pure_s": round(pure_s, 3),
        "pure_cpu_s": round(pure_cpu, 3),
        "ratio_pure_to_baseline": round(pure_s / base_s, 1),
        "pure_per_second": round(args.offenders / pure_s),
        "target_s": TARGET_S,
        "visits_overdue_pure": pure_overdue,
        "visits_overdue_baseline": base_overdue,
    }
    print(
        f"pure schedule: {args.offenders:,} offenders in {pure_s:.2f} s (cpu {pure_cpu:.2f} s, "
        f"{figures['pure_per_second']:,}/s); baseline date arithmetic {base_s:.3f} s; "
        f"ratio {figures['ratio_pure_to_baseline']}x; target under {TARGET_S} s",
        flush=True,
    )
    if not args.no_db:
        from django.core.management import call_command

        from safeguard.offenders import services

        call_command("migrate", verbosity=0)
        store_s, _, stored = _timed(lambda: store(args.offenders))
        db_s, db_cpu, done = _timed(lambda: services.recompute(AT))
        again_s, _, _ = _timed(lambda: services.recompute(AT))
        figures |= {
            "db": "sqlite",
            "stored": stored,
            "store_s": round(store_s, 2),
            "recompute_s": round(db_s, 2),
            "recompute_cpu_s": round(db_cpu, 2),
            "recompute_again_s": round(again_s, 2),
            "ratio_recompute_to_pure": round(db_s / pure_s, 1),
        }
        print(
            f"database recompute (SQLite): {done:,} schedules in {db_s:.2f} s (cpu "
            f"{db_cpu:.2f} s), again {again_s:.2f} s; {figures['ratio_recompute_to_pure']}x "
            f"the pure schedule (storing the records took {store_s:.1f} s, not counted)",
            flush=True,
        )
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    machine["load_after"] = _load()
    out = HERE / "results" / f"offenders-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "figures": figures}, indent=2))
    print(f"peak memory {figures['peak_rss_mib']} MiB; written to {out}")


if __name__ == "__main__":
    main()
