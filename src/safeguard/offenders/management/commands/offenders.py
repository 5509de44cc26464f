"""`safeguard offenders`: recompute every offender's schedule, escalate what is overdue, count."""

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safeguard import rulefiles
from safeguard.offenders import rules


class Command(BaseCommand):
    help = (
        "Registered sexual and violent offenders. `schedule [--json]` recomputes every "
        "offender's next visit, risk review and notification dates from the schedule rules, "
        "raises safeguarding alerts (a child at an offender's address or in their household), "
        "each opening a referral in the safeguarding queue, escalates what is overdue to the "
        "team's supervisors (and, still overdue, to the force's), e-mailing each of them once, "
        "and prints the counts due and overdue by kind; `check-rules [PATH]` validates a "
        "schedule rules file."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        schedule = sub.add_parser("schedule", help="recompute, alert, escalate and count")
        schedule.add_argument("--json", action="store_true", help="print one JSON object")
        check = sub.add_parser("check-rules", help="validate a schedule rules file")
        check.add_argument("path", nargs="?", help="rules file (default: the one in use)")

    def handle(self, *args, action: str, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _check_rules(self, path: str | None = None, **options) -> None:
        target, loaded = rulefiles.checked(rules.RULES, path, self.stderr)
        self.stdout.write(f"{target}: {loaded.label}")

    def _schedule(self, json: bool = False, **options) -> None:
        from safeguard.clock import now
        from safeguard.offenders import alerts, escalation, services

        try:
            rules.current()
        except rules.RulesError as exc:
            raise CommandError(f"the schedule rules in use are not usable: {exc}") from exc
        at = now()
        with transaction.atomic():
            services.recompute(at)
            alerts.raise_alerts(at)
        told = escalation.escalate(at)
        figures = services.figures(at)
        if json:
            self.stdout.write(jsonlib.dumps(figures))
            return
        labels = {
            "offenders": "Offenders",
            "visits_due_30_days": "Home visits due in the next 30 days",
            "visits_overdue": "Home visits overdue",
            "reviews_overdue": "Risk reviews overdue",
            "notifications_overdue": "Notifications overdue",
            "safeguarding_alerts": "Safeguarding alerts open",
        }
        width = max(map(len, labels.values()))
        for key in services.KEYS:
            self.stdout.write(f"{labels[key].ljust(width)}  {figures[key]}")
        self.stdout.write(
            f"Supervisors told now: {told.total} ({told.again.total()} again, to the force's "
            f"supervisors); e-mails sent: {told.emails}"
        )
