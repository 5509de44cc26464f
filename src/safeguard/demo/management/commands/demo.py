"""`safeguard demo`: load the synthetic county-lines world, make demo accounts, and serve."""

import io
import json
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from safeguard.accounts.models import Membership
from safeguard.accounts.roles import Role
from safeguard.clock import now
from safeguard.demo.accounts import ensure_accounts, username_for
from safeguard.demo.loading import load_world
from safeguard.demo.progress import story_end
from safeguard.demo.scenario import load_scenario, resolve_scale
from safeguard.demo.world import World
from safeguard.intake.errors import RecordingRejected
from safeguard.intake.recording import Summary
from safeguard.network import targets
from safeguard.offenders.models import Offender
from safeguard.records.ages import UK
from safeguard.safeguarding import escalation, inspection


class Command(BaseCommand):
    help = (
        "Generate and load the synthetic county-lines demo world (the same seed always gives "
        "the same world), create one demo account per role, then serve the web application."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2019, help="decides the whole world")
        parser.add_argument(
            "--scale",
            default="small",
            choices=list(load_scenario().scales),
            help="size of the world (small: about 30,000 events; large: about a million)",
        )
        parser.add_argument("--labels", help="write the ground truth (JSON) to this file")
        parser.add_argument("--no-serve", action="store_true", help="load and stop; do not serve")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on")
        parser.add_argument(
            "--real-clock",
            action="store_true",
            help="run on today's date, not from the end of the demo's story (its deadlines "
            "then long past)",
        )

    def handle(self, *args, seed, scale, labels, no_serve, host, port, real_clock, **options):
        call_command("migrate", interactive=False, verbosity=0)
        tty = self.stdout.isatty()
        started = time.perf_counter()
        self.stdout.write(f"Generating and loading the {scale} demo world (seed {seed})...")
        try:
            if tty:
                summary = self._load_with_bar(seed, scale, labels)
            else:
                summary = load_world(seed, scale, labels)
        except RecordingRejected as exc:
            clash = "already recorded with different content" in exc.errors[0].reason
            hint = (
                "This database already holds other records under the demo's refs (most likely "
                "a demo world of another seed or scale). Load this one into a fresh database "
                "(set SAFEGUARD_VAR_DIR or SAFEGUARD_DATABASE_URL). "
                if clash
                else ""
            )
            raise CommandError(f"Nothing was loaded. {hint}First refusal: {exc.errors[0]}") from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Loaded in {elapsed:.1f} s.")
        if not real_clock:
            self._start_clock(story_end(World(seed, scale).ctx.end))
        self._network()
        accounts = self._accounts_table()  # before escalating: the supervisor is told
        # Before escalating, so that any duty its alerts open is escalated too.
        registered, caseload = self._offenders()
        self._escalate()
        self._print(self._summary_table(summary), tty)
        self._print(self._counts_table("Victim-first figures", inspection.figures()), tty)
        self._print(registered, tty)
        if caseload:
            self.stdout.write(caseload)
        if labels:
            self.stdout.write(f"Ground truth written to {labels} (the system never reads it).")
        self._print(accounts, tty)
        self.stdout.write(
            "Passwords are new on every run and are not stored anywhere else: note them now. "
            "The administrator and the analyst are asked for a second factor after their "
            "password: add their TOTP secret to an authenticator app (as a time-based key) "
            "and enter the code it shows. Their secrets are new on every run too."
        )
        if not no_serve:
            call_command("serve", host=host, port=port)

    def _network(self) -> None:
        """Say what the network analysis run while loading found (demo.loading)."""
        run = targets.latest_run()
        if run is None:
            return
        lines = list(run.lines.all())
        self.stdout.write(
            f"Network analysis {run.pk}: {len(lines)} county lines, "
            f"{sum(line.people for line in lines):,} people and "
            f"{sum(line.children for line in lines):,} children in them "
            "(safeguard network run; the network pages show them)."
        )

    def _start_clock(self, present) -> None:
        """Run from the moment the demo's story stops (safeguard.clock), here and in the
        server started below, so that its deadlines, queue and trends are current."""
        start = present.isoformat()
        settings.CLOCK_START = start
        os.environ["SAFEGUARD_CLOCK_START"] = start  # inherited by `serve`'s gunicorn
        self.stdout.write(
            f"The clock starts at {present:%A %-d %B %Y %H:%M %Z}, when the demo's story stops "
            "(--real-clock to run on today's date)."
        )

    def _load_with_bar(self, seed: int, scale: str, labels: str | None) -> Summary:
        expected = resolve_scale(scale).events
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("events"),
            TimeElapsedColumn(),
        )
        with Progress(*columns) as bar:
            task = bar.add_task("Generating and loading", total=expected)
            update: Callable[[int], None] = lambda n: bar.update(  # noqa: E731
                task, completed=n, total=max(expected, n)
            )
            summary = load_world(seed, scale, labels, progress=update)
            bar.update(task, total=bar.tasks[0].completed)
        return summary

    def _offenders(self) -> tuple[Table, str]:
        """Run the offender schedule now, as `safeguard offenders schedule` does (recompute,
        raise the safeguarding alerts, tell the teams' supervisors of what is overdue); return
        its figures and a sentence on the demo offender manager's own caseload."""
        out = io.StringIO()
        call_command("offenders", "schedule", "--json", stdout=out)
        table = self._counts_table("Registered offenders (Merseyside)", json.loads(out.getvalue()))
        manager = username_for(Role.OFFENDER_MANAGER)
        member = Membership.objects.filter(user__username=manager).first()
        if member is None:
            return table, ""
        today = now().astimezone(UK).date()
        caseload = Offender.objects.filter(offender_manager=member.user_id)
        late = caseload.filter(
            Q(schedule__next_visit_due__lt=today)
            | Q(schedule__review_due__lt=today)
            | Q(schedule__notifications_overdue__gt=0)
        )
        return table, (
            f"{manager} ({member.team or 'no team'}) manages {caseload.count()} of them, "
            f"{late.count()} with something overdue."
        )

    def _escalate(self) -> None:
        """Escalate what is overdue now: the demo's story stopped on its day of action."""
        done = escalation.escalate()
        self.stdout.write(
            f"Escalated {done[1]} overdue duties to their force's supervisors, {done[2]} again "
            "with its safeguarding leads; the demo accounts (Merseyside) are told of their "
            "force's in the application and by e-mail (printed above by the console back end)."
        )

    @staticmethod
    def _counts_table(title: str, counts: dict[str, int]) -> Table:
        table = Table(title=title)
        table.add_column("figure")
        table.add_column("count", justify="right")
        for key, count in counts.items():
            table.add_row(key.replace("_", " "), f"{count:,}")
        return table

    @staticmethod
    def _summary_table(summary: Summary) -> Table:
        table = Table(title="Records loaded")
        for column in ("kind", "new", "already present"):
            table.add_column(column, justify="left" if column == "kind" else "right")
        for kind in sorted(set(summary.created) | set(summary.unchanged)):
            table.add_row(kind, f"{summary.created[kind]:,}", f"{summary.unchanged[kind]:,}")
        return table

    @staticmethod
    def _accounts_table() -> Table:
        table = Table(title="Demo accounts (one per role)")
        table.add_column("username", no_wrap=True, overflow="fold")
        table.add_column("role", overflow="fold")
        table.add_column("agency", overflow="fold")
        table.add_column("second factor (TOTP secret)", no_wrap=True, overflow="fold")
        table.add_column("password", no_wrap=True, overflow="fold")
        for account in ensure_accounts():
            table.add_row(
                account.username,
                account.role.value,
                account.agency,
                account.totp_secret,
                account.password,
            )
        return table

    def _print(self, table: Table, tty: bool) -> None:
        # On a terminal, its own width; elsewhere (logs, tests) wide enough for every row.
        width = None if tty else 160
        console = Console(force_terminal=tty, width=width, color_system="auto" if tty else None)
        with console.capture() as captured:
            console.print(table)
        self.stdout.write(captured.get(), ending="")
