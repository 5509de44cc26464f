"""`safeguard screening`: check the catalogue, re-screen every child, evaluate against labels."""

import json as jsonlib
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from safeguard import rulefiles
from safeguard.clock import now
from safeguard.records.ages import UK
from safeguard.screening import catalogue as catalogues


class Command(BaseCommand):
    help = (
        "Screening for child criminal exploitation. `check [PATH]` validates a catalogue "
        "(default: the one in use); `run [--at WHEN]` re-screens every child and stores the "
        "results that changed; `evaluate --labels PATH [--json]` scores the screenings "
        "against the demo world's ground truth."
    )
    # `check` must be able to report a broken catalogue that the system checks would refuse.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = sub.add_parser("check", help="validate a catalogue file")
        check.add_argument("path", nargs="?", help="catalogue file (default: the one in use)")
        run = sub.add_parser("run", help="re-screen every child")
        run.add_argument("--at", help="the moment to screen as of (ISO date or time; default now)")
        run.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes to screen in (default: one per core this process may use)",
        )
        evaluate = sub.add_parser("evaluate", help="score screenings against ground truth")
        evaluate.add_argument("--labels", required=True, help="labels file of `safeguard demo`")
        evaluate.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _check(self, path: str | None = None, **options) -> None:
        target, catalogue = rulefiles.checked(catalogues.CATALOGUES, path, self.stderr)
        self.stdout.write(
            f"{target}: {catalogue.label}: {len(catalogue.indicators)} indicators, "
            f"{len(catalogue.vulnerabilities)} vulnerability factors"
        )

    def _run(self, at: str | None = None, workers: int | None = None, **options) -> None:
        from safeguard.screening import parallel, services

        self._usable_catalogue()
        if workers is not None and workers < 1:
            raise CommandError(f"--workers {workers}: must be 1 or more")
        moment = _moment(at) if at else now()
        children = services.children_at(moment)
        levels = parallel.rescreen(
            dict.fromkeys(children, moment), workers=workers or parallel.available_cores()
        )
        counts = ", ".join(f"{k} {levels.get(k, 0)}" for k in catalogues.LEVELS)
        self.stdout.write(
            f"screened {len(children)} children as of {moment:%Y-%m-%d %H:%M}; "
            f"{levels.total()} changed ({counts})"
        )

    def _evaluate(self, labels: str, json: bool = False, **options) -> None:
        from safeguard.screening import evaluation

        self._usable_catalogue()
        try:
            truth = evaluation.read_labels(Path(labels))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{labels}: {exc}") from exc
        report = evaluation.evaluate(truth)
        if json:
            self.stdout.write(jsonlib.dumps(report.as_json(), indent=2))
        else:
            self.stdout.write(report.describe())

    def _usable_catalogue(self) -> None:
        try:
            catalogues.current()
        except catalogues.CatalogueError as exc:
            raise CommandError(str(exc)) from exc


def _moment(text: str) -> datetime:
    """Read --at: a date means the end of that day (UK time); a time is taken as given."""
    if len(text) == 10:
        text = f"{text}T23:59:59"
    value = parse_datetime(text)
    if value is None:
        raise CommandError(f"--at {text!r}: not a date or time (use 2025-02-26 or ISO 8601)")
    return value if value.tzinfo else value.replace(tzinfo=UK)
