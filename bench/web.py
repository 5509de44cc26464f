"""Benchmark: the web application under load, on PostgreSQL with the demo world loaded.

It loads the demo world (seed 2019) into a PostgreSQL database (unless it is there already),
makes bench accounts (police officers of Merseyside and MASH workers of Liverpool children's
services, the demo's force and city), starts gunicorn as docs/operations.md runs it in
production (DEBUG off, its options for a 2-core host; plain HTTP, no proxy) on a free port,
and runs simulated users, each in its own thread with its own HTTP session, for a fixed
time. Each user signs in once through the sign-in form, then loops with no pause between
requests (a closed loop: the worst case for a given number of users; --think adds a pause)
over:

- child:    the child page of a random child in their scope, the full record (the purpose
            question, asked once per child and session, is answered the first time, timed
            apart as `purpose-form` and `purpose`);
- queue:    the safeguarding queue;
- record:   recording an event (officers only): POST /api/events with a unique ref, a stop
            and search, missing episode, found out of area or arrest of one of the force's
            children, with the officer's API token (intake, re-screening, duties, audit);
- encounter: the same through the record-an-encounter form (officers only): the form for
            one of the force's children (`encounter-form`), its POST (`encounter`, timed
            alone: the save) and the outcome page it leads to (`encounter-outcome`);
- baseline: the sign-in page, requested the same way in the same loop: a page that reads
            no record. Each kind's latencies are also given as a ratio to it.

It prints p50/p95/p99 latency, counts and errors per kind (an error is an unexpected status
or an exception), the targets of issue #5 with met / not met, and writes them with the
machine and the settings to bench/results/web-<timestamp>.json. The client runs on the same
machine as the server and the database, and takes some of its CPU.

    .venv/bin/python bench/web.py                          # large world, 20 users, 60 s
    .venv/bin/python bench/web.py --reuse                  # keep the world loaded before
    .venv/bin/python bench/web.py --scale small --users 5 --seconds 10 --drop

The default database is bench_web_<scale> on the local PostgreSQL server (created, and
recreated unless --reuse; dropped at the end with --drop). With --database-url the script
uses that database as it is: it never creates or drops it, and loads the world only if the
database holds no events.
"""

import argparse
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from databases import PG_SERVER, psql  # bench/databases.py

HERE = Path(__file__).resolve().parent
SEED = 2019
FORCE = "merseyside"
PARTNER = "liverpool_childrens_services"
PREFIX = "bench-web-"
# gunicorn as docs/operations.md recommends for a 2-core host: 2 processes x 4 threads.
WORKERS = 2
THREADS = 4
# p95 targets of issue #5, in milliseconds.
TARGETS = {"child": 300, "queue": 300, "record": 500, "encounter": 500}
EXPECTED = {
    "sign-in": {302},
    "purpose-form": {200},
    "purpose": {302},
    "child": {200},
    "queue": {200},
    "record": {201},
    "encounter-form": {200},
    "encounter": {302},
    "encounter-outcome": {200},
    "baseline": {200},
}
ENCOUNTERS = (
    ("stop_search", "subject"),
    ("missing_episode", "missing_person"),
    ("found_out_of_area", "missing_person"),
    ("arrest", "suspect"),
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="token" value="([^"]+)"')
LONDON = ZoneInfo("Europe/London")


# -- preparing the database (run in a child process with SAFEGUARD_DATABASE_URL set) -------


def prepare(scale: str, officers: int, mash: int, children: int) -> dict:
    """Migrate, load the world if absent, make bench accounts; return what the users need."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from safeguard.demo.scenario import resolve_scale
    from safeguard.records.models import Event

    call_command("migrate", verbosity=0)
    expected = resolve_scale(scale).events
    present = Event.objects.count()
    loaded_s = None
    if present == 0:
        from safeguard.demo.loading import load_world
        from safeguard.safeguarding import escalation

        print(f"loading the {scale} demo world (about {expected:,} events)...", file=sys.stderr)
        started = time.perf_counter()
        load_world(SEED, scale)
        escalation.escalate()  # as `safeguard demo` does: the story stopped on its last day
        loaded_s = round(time.perf_counter() - started, 1)
        print(f"loaded in {loaded_s} s", file=sys.stderr)
    elif present < 0.9 * expected:
        raise SystemExit(
            f"the database holds {present:,} events, not the {scale} world's {expected:,}: "
            "use another database (or the default one without --reuse)"
        )
    users = _accounts(officers, mash, children)
    return {"events": Event.objects.count(), "loaded_s": loaded_s, "users": users}


def _accounts(officers: int, mash: int, children: int) -> list[dict]:
    from axes.utils import reset as reset_lockout
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from safeguard.accounts import policy
    from safeguard.accounts.roles import Role
    from safeguard.accounts.services import create_member
    from safeguard.api import tokens
    from safeguard.api.models import ApiToken
    from safeguard.clock import now
    from safeguard.records.models import Agency, Person
    from safeguard.screening.models import Screening

    rng = random.Random(SEED)
    users = get_user_model()
    plan = [(f"{PREFIX}officer-{i}", Role.OFFICER, FORCE) for i in range(1, officers + 1)]
    plan += [(f"{PREFIX}mash-{i}", Role.MASH_WORKER, PARTNER) for i in range(1, mash + 1)]
    # The force's children still under 18 today, whom an officer might meet now.
    today = now().date()
    adult_born = today.replace(year=today.year - 18)
    screened = Screening.objects.values("person_id")
    young = [
        list(row)
        for row in Person.objects.filter(
            agency__code=FORCE, id__in=screened, date_of_birth__gt=adult_born
        ).values_list("id", "source_ref")
    ]
    if not young:
        raise SystemExit(f"no child of {FORCE} under 18 with a screening: is the world loaded?")
    out = []
    with transaction.atomic():
        for username, role, agency in plan:
            password = secrets.token_urlsafe(16)
            user = users.objects.filter(username=username).first()
            if user is None:
                user = create_member(username, password, Agency.objects.get(code=agency), role).user
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
                reset_lockout(username=username)
            scope = list(policy.persons(user).filter(id__in=screened).values_list("id", flat=True))
            if not scope:
                raise SystemExit(f"{username} sees no screened child: is the world loaded?")
            row = {
                "username": username,
                "password": password,
                "role": role.value,
                "children": rng.sample(scope, min(children, len(scope))),
            }
            if role == Role.OFFICER:
                ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=now())
                row["token"] = tokens.issue(username, "bench/web.py").token
                row["record"] = rng.sample(young, min(children, len(young)))
            out.append(row)
    return out


# -- the simulated users ------------------------------------------------------------------


@dataclass
class Tally:
    """Latencies (ms), errors and statuses of each kind of request, shared by the users."""

    ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    samples: dict[str, int] = field(default_factory=dict)  # the first distinct errors, counted
    lock: threading.Lock = field(default_factory=threading.Lock)
    rss_mib: list[int] = field(default_factory=list)  # each gunicorn worker's, at the end
    client_cpu_s: float = 0.0  # CPU time the simulated users took from the same machine

    def add(self, kind: str, ms: float, status: str, ok: bool, note: str = "") -> None:
        with self.lock:
            self.ms.setdefault(kind, []).append(ms)
            seen = self.statuses.setdefault(kind, {})
            seen[status] = seen.get(status, 0) + 1
            if not ok:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                text = f"{kind}: {status} {note}"[:300]
                if text in self.samples or len(self.samples) < 10:
                    self.samples[text] = self.samples.get(text, 0) + 1


class User:
    """One person at a browser (a session cookie) and, for officers, their API token."""

    def __init__(self, base: str, spec: dict, tally: Tally, run: str, think: float, rng):
        import requests

        self.base, self.spec, self.tally, self.run = base, spec, tally, run
        self.think, self.rng = think, rng
        self.http = requests.Session()
        self.answered: set[int] = set()
        self.n = 0

    def timed(self, kind: str, method: str, path: str, wrong: str = "", **kwargs):
        """Make one request and tally it; return the response, or None if it failed.

        A response fails if its status is not the one expected for its kind, or if `wrong`
        is given and appears in its body (the purpose question asked again, for example).
        """
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, allow_redirects=False, timeout=60, **kwargs
            )
        except Exception as exc:  # every failure counts as an error
            ms = (time.perf_counter() - started) * 1000
            self.tally.add(kind, ms, type(exc).__name__, False, str(exc))
            return None
        ms = (time.perf_counter() - started) * 1000
        status = str(response.status_code)
        ok = response.status_code in EXPECTED[kind]
        note = "" if ok else f"{method} {path} -> {response.headers.get('Location', '')}"
        if ok and wrong and wrong in response.text:
            ok, note = False, f"{method} {path}: the answer holds {wrong!r}"
        self.tally.add(kind, ms, status, ok, note)
        return response if ok else None

    def sign_in(self) -> bool:
        try:
            form = self.http.get(self.base + "/sign-in/", timeout=60)
        except Exception as exc:
            self.tally.add("sign-in", 0.0, type(exc).__name__, False, str(exc))
            return False
        token = CSRF.search(form.text)
        if token is None:
            self.tally.add("sign-in", 0.0, str(form.status_code), False, "no sign-in form")
            return False
        answer = self.timed(
            "sign-in",
            "POST",
            "/sign-in/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.spec["username"],
                "password": self.spec["password"],
                "next": "",
            },
        )
        return answer is not None

    def child(self) -> None:
        pk = self.rng.choice(self.spec["children"])
        path = f"/children/{pk}/"
        if pk not in self.answered:
            form = self.timed("purpose-form", "GET", path)
            token = CSRF.search(form.text) if form is not None else None
            if token is None:
                return
            data = {"csrfmiddlewaretoken": token.group(1), "purpose": "benchmark: case review"}
            if not self.timed("purpose", "POST", path, data=data):
                return
            self.answered.add(pk)
        self.timed("child", "GET", path, wrong='name="purpose"')

    def queue(self) -> None:
        self.timed("queue", "GET", "/queue/")

    def record(self) -> None:
        self.n += 1
        kind, role = self.rng.choice(ENCOUNTERS)
        body = {
            "agency": FORCE,
            "ref": f"{PREFIX}{self.run}-{self.spec['username']}-{self.n}",
            "kind": kind,
            "occurred_at": datetime.now(UTC).isoformat(),
            "summary": "Recorded by bench/web.py",
            "participants": [{"person": self.rng.choice(self.spec["record"])[1], "role": role}],
        }
        self.timed(
            "record",
            "POST",
            "/api/events",
            json=body,
            headers={"Authorization": f"Bearer {self.spec['token']}"},
        )

    def encounter(self) -> None:
        """Record an encounter with the form, as an officer does, and open its outcome."""
        pk = self.rng.choice(self.spec["record"])[0]
        form = self.timed("encounter-form", "GET", f"/encounters/new/?person={pk}")
        csrf = CSRF.search(form.text) if form is not None else None
        token = FORM_TOKEN.search(form.text) if form is not None else None
        if csrf is None or token is None:
            return
        when = datetime.now(LONDON) - timedelta(minutes=10)
        kind, _ = self.rng.choice(ENCOUNTERS)
        data = {
            "csrfmiddlewaretoken": csrf.group(1),
            "token": token.group(1),
            "person": str(pk),
            "kind": kind,
            **{"when_day": when.day, "when_month": when.month, "when_year": when.year},
            "when_time": f"{when:%H:%M}",
            "place_kind": "street",
            "place_name": "Lime Street",
            "place_force": FORCE,
            "summary": "Recorded by bench/web.py",
        }
        saved = self.timed("encounter", "POST", "/encounters/new/", data=data)
        if saved is not None:
            self.timed("encounter-outcome", "GET", saved.headers["Location"])

    def baseline(self) -> None:
        self.timed("baseline", "GET", "/sign-in/")

    def loop(self, start: threading.Barrier, until: list[float]) -> None:
        signed_in = self.sign_in()
        start.wait()
        if not signed_in:
            return
        steps = [self.child, self.queue, self.baseline]
        if "token" in self.spec:
            steps += [self.record, self.encounter]
        self.rng.shuffle(steps)  # not every user in step with the others
        while time.perf_counter() < until[0]:
            for step in steps:
                step()
                if self.think:
                    time.sleep(self.rng.uniform(0, 2 * self.think))
                if time.perf_counter() >= until[0]:
                    break


# -- orchestration ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, var: str, port: int, workers: int, threads: int):
    """Start gunicorn as in production (docs/operations.md), DEBUG off; wait until it answers."""
    import requests

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_"))}
    env.update(
        SAFEGUARD_DATABASE_URL=url,
        SAFEGUARD_VAR_DIR=var,
        SAFEGUARD_SECRET_KEY=secrets.token_urlsafe(64),
        SAFEGUARD_ALLOWED_HOSTS="127.0.0.1",
        SAFEGUARD_LOG_LEVEL="WARNING",
    )
    log = open(Path(var) / "gunicorn.log", "w")  # closed by the caller
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "safeguard.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}"),
            *("--workers", str(workers), "--threads", str(threads)),
            *("--timeout", "60", "--graceful-timeout", "30", "--keep-alive", "5"),
            *("--max-requests", "2000", "--max-requests-jitter", "200"),
            *("--access-logfile", str(Path(var) / "access.log"), "--no-control-socket"),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.close()
            tail = Path(log.name).read_text()[-3000:]
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}):\n{tail}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/sign-in/", timeout=5).status_code == 200:
                return server, log
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    server.terminate()
    log.close()
    tail = Path(log.name).read_text()[-3000:]
    raise SystemExit(f"gunicorn did not answer within 120 s:\n{tail}")


def memory_mib(master: int) -> list[int]:
    """The resident memory of each of gunicorn's worker processes, in MiB (Linux only)."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        sizes = []
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024))
        return sizes
    except OSError:
        return []


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(tally: Tally, seconds: float) -> dict[str, dict]:
    rows = {}
    base = tally.ms.get("baseline")
    for kind in EXPECTED:
        ms = tally.ms.get(kind)
        if not ms:
            continue
        row = {
            "count": len(ms),
            "errors": tally.errors.get(kind, 0),
            # Sign-ins happen before the timed loop: no rate.
            "per_s": None if kind == "sign-in" else round(len(ms) / seconds, 1),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "mean_ms": round(statistics.fmean(ms), 1),
            "max_ms": round(max(ms), 1),
            "statuses": tally.statuses.get(kind, {}),
        }
        if base and kind != "baseline":
            row["p50_over_baseline"] = round(row["p50_ms"] / percentile(base, 50), 2)
            row["p95_over_baseline"] = round(row["p95_ms"] / percentile(base, 95), 2)
        if kind in TARGETS:
            row["target_p95_ms"] = TARGETS[kind]
            row["met"] = row["p95_ms"] < TARGETS[kind] and row["errors"] == 0
        rows[kind] = row
    return rows


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().split()[1]
        memory_gib = round(int(memory) / 1024 / 1024, 1)
    except OSError:
        memory_gib = None
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib,
        "system": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def database(args) -> tuple[str, bool]:
    """Return the database URL, and whether this script made it (so may drop it)."""
    if args.database_url:
        return args.database_url, False
    name = f"bench_web_{args.scale}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and not args.reuse:
        psql(f'DROP DATABASE "{name}"')
        exists = None
    if not exists:
        psql(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}", True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to use as it is")
    parser.add_argument(
        "--scale", default="large", choices=("tiny", "small", "medium", "large"), help="world"
    )
    parser.add_argument("--users", type=int, default=20, help="simulated users (default 20)")
    parser.add_argument("--seconds", type=float, default=60, help="how long (default 60)")
    parser.add_argument("--think", type=float, default=0, help="mean pause between requests, s")
    parser.add_argument("--mash-share", type=float, default=0.2, help="share of MASH workers")
    parser.add_argument("--children", type=int, default=25, help="children each user works on")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per process")
    parser.add_argument("--reuse", action="store_true", help="keep the world if loaded before")
    parser.add_argument("--drop", action="store_true", help="drop the default database after")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    mash = max(1, round(args.users * args.mash_share)) if args.users > 1 else 0
    officers = args.users - mash
    if args.worker:
        print(json.dumps(prepare(args.scale, officers, mash, args.children)))
        return

    host = machine()  # before anything runs: the load average says how quiet it was
    url, ours = database(args)
    var = tempfile.mkdtemp(prefix="sg-bench-web-")
    try:
        result = run(args, url, var, officers, mash)
        result["machine"] = host | {"postgresql": postgres_version(url)}
        out = HERE / "results" / f"web-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(result, indent=2))
        print(f"written to {out}")
    finally:
        shutil.rmtree(var, ignore_errors=True)
        if ours and args.drop:
            psql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')
            print(f"dropped {url.rsplit('/', 1)[1]}")


def safeguard(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run a `safeguard` command against the bench database."""
    return subprocess.run(
        [sys.executable, "-m", "safeguard", *args],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )


def run(args, url: str, var: str, officers: int, mash: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_"))}
    env.update(SAFEGUARD_DATABASE_URL=url, SAFEGUARD_VAR_DIR=var)
    started = time.perf_counter()
    prepared = subprocess.run(
        [sys.executable, __file__, "--worker", "prepare", "--scale", args.scale]
        + ["--users", str(args.users), "--mash-share", str(args.mash_share)]
        + ["--children", str(args.children)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    ready = json.loads(prepared.stdout.strip().splitlines()[-1])
    print(
        f"{args.scale} world: {ready['events']:,} events"
        + (f", loaded in {ready['loaded_s']} s" if ready["loaded_s"] else " (already loaded)")
        + f"; prepared in {time.perf_counter() - started:.1f} s"
    )

    tally, elapsed, log = load(args, url, var, ready["users"])
    rows = summarise(tally, elapsed)
    print(
        f"{len(ready['users'])} users ({officers} officers, {mash} MASH), {elapsed:.1f} s, "
        f"gunicorn {args.workers} workers x {args.threads} threads, think {args.think} s"
    )
    header = f"  {'kind':18}{'count':>7}{'errors':>7}{'req/s':>7}"
    header += f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p95/base':>9}  target"
    print(header)
    for kind, row in rows.items():
        target = ""
        if kind in TARGETS:
            verdict = "met" if row["met"] else "NOT MET"
            target = f"p95 < {TARGETS[kind]} ms, no errors: {verdict}"
        print(
            f"  {kind:18}{row['count']:>7}{row['errors']:>7}{row['per_s'] or '':>7}"
            f"{row['p50_ms']:>9}{row['p95_ms']:>9}{row['p99_ms']:>9}"
            f"{row.get('p95_over_baseline', ''):>9}  {target}"
        )
    timed = [r for k, r in rows.items() if k != "sign-in"]
    total = sum(r["count"] for r in timed)
    errors = sum(r["errors"] for r in rows.values())
    print(f"  all: {total} requests in the loop ({total / elapsed:.1f}/s), {errors} errors")
    print(f"  gunicorn workers' memory at the end: {', '.join(map(str, tally.rss_mib))} MiB")
    print(
        f"  the simulated users took {tally.client_cpu_s} s of CPU "
        f"({100 * tally.client_cpu_s / elapsed:.0f}% of one core) from the same machine"
    )
    for sample, count in tally.samples.items():
        print(f"  error ({count}x): {sample}")
    if errors:
        print("  the server's log ends:\n    " + "\n    ".join(log.splitlines()[-20:]))
    # Twenty users wrote to the audit log at once: its hash chain must still be whole.
    verified = safeguard(env, "audit", "verify", "--json")
    audit = json.loads(verified.stdout) if verified.stdout.strip() else {"ok": False}
    print(
        f"  audit log after the run: {'intact' if audit.get('ok') else 'NOT INTACT'}, "
        f"{audit.get('entries', 0):,} entries"
    )
    return {
        "settings": {
            "scale": args.scale,
            "events": ready["events"],
            "users": len(ready["users"]),
            "officers": officers,
            "mash_workers": mash,
            "seconds": round(elapsed, 1),
            "think_s": args.think,
            "children_per_user": args.children,
            "gunicorn": {"workers": args.workers, "threads": args.threads, "timeout": 60},
            "gunicorn_worker_rss_mib": tally.rss_mib,
            "client_cpu_s": tally.client_cpu_s,
            "database": url.rsplit("/", 1)[1],
        },
        "targets_p95_ms": TARGETS,
        "all_met": all(rows.get(k, {}).get("met") for k in TARGETS) and errors == 0,
        "results": rows,
        "error_samples": tally.samples,
        "audit_log_intact": bool(audit.get("ok")),
    }


def load(args, url: str, var: str, specs: list[dict]) -> tuple[Tally, float, str]:
    """Start the server, sign every user in, let them loop; return the tally and the log."""
    port = free_port()
    server, log = start_server(url, var, port, args.workers, args.threads)
    tally = Tally()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    rng = random.Random(SEED)
    base = f"http://127.0.0.1:{port}"
    users = [User(base, s, tally, run_id, args.think, random.Random(rng.random())) for s in specs]
    until = [float("inf")]
    start = threading.Barrier(len(users) + 1)
    threads = [threading.Thread(target=u.loop, args=(start, until), daemon=True) for u in users]
    try:
        for t in threads:
            t.start()
        start.wait()  # every user has signed in (or failed to)
        before = resource.getrusage(resource.RUSAGE_SELF)
        began = time.perf_counter()
        until[0] = began + args.seconds
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_SELF)
        tally.client_cpu_s = round(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1
        )
        tally.rss_mib = memory_mib(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return tally, elapsed, Path(log.name).read_text()


if __name__ == "__main__":
    main()
