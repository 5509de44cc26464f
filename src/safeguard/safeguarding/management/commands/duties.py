"""`safeguard duties`: apply the duty rules, escalate what is late, and report the figures."""

import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguard import rulefiles
from safeguard.safeguarding import rules as duty_rules


class Command(BaseCommand):
    help = (
        "Victim-first duties. `check-rules [PATH]` validates a duty rules file; `run` applies "
        "the duty rules and the tools catalogue to everything loaded (idempotent) and "
        "escalates late duties; `escalate` "
        "only escalates; `deliver [--retry-failed]` sends submitted referrals to their "
        "receivers; `check [--json]` prints the inspection figures: children arrested "
        "without a referral, referrals overdue, children charged without a review, children "
        "charged despite indicators; `document SG-N --format html|pdf --out FILE` writes a "
        "referral as the receiver reads it."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        rules = sub.add_parser("check-rules", help="validate a duty rules file")
        rules.add_argument("path", nargs="?", help="rules file (default: the one in use)")
        sub.add_parser("run", help="apply the rules to everything loaded, then escalate")
        sub.add_parser("escalate", help="escalate duties past their escalation moment")
        deliver = sub.add_parser("deliver", help="send submitted referrals to their receivers")
        deliver.add_argument(
            "--retry-failed", action="store_true", help="also try again those that failed"
        )
        check = sub.add_parser("check", help="print the inspection figures")
        check.add_argument("--json", action="store_true", help="print one JSON object")
        document = sub.add_parser("document", help="write a referral as HTML or PDF")
        document.add_argument("reference", help="the referral's reference (SG-123, or 123)")
        document.add_argument("--format", choices=("html", "pdf"), default="pdf")
        document.add_argument("--out", required=True, help="file to write")

    def handle(self, *args, action: str, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _check_rules(self, path: str | None = None, **options) -> None:
        target, loaded = rulefiles.checked(duty_rules.RULES, path, self.stderr)
        self.stdout.write(f"{target}: {loaded.label}: {len(loaded.rules)} rules")

    def _run(self, **options) -> None:
        from django.db import transaction

        from safeguard.safeguarding import recommending, services

        self._usable_rules()
        with transaction.atomic():
            opened = services.apply_all()
            recommended = recommending.recommend(None)
        self.stdout.write(f"Duties opened: {len(opened)}")
        self.stdout.write(f"Tool recommendations made or added to: {len(recommended)}")
        self._deliver()
        self._escalate()

    def _deliver(self, retry_failed: bool = False, **options) -> None:
        from safeguard.safeguarding import delivery

        done = delivery.deliver(retry_failed=retry_failed)
        self.stdout.write(f"Referrals delivered: {done['sent']}, failed: {done['failed']}")
        if done["failed"]:
            self.stderr.write(
                "Failed deliveries stay marked as failed, with the reason, for someone to send "
                "another way; `safeguard duties deliver --retry-failed` tries them again."
            )

    def _escalate(self, **options) -> None:
        from safeguard.safeguarding import escalation

        done = escalation.escalate()
        self.stdout.write(
            f"Escalated: {done[1]} to supervisors, {done[2]} again (with safeguarding leads)"
        )

    def _check(self, json: bool = False, **options) -> None:
        from safeguard.safeguarding import inspection

        figures = inspection.figures()
        if json:
            self.stdout.write(jsonlib.dumps(figures))
            return
        labels = {
            "arrested_without_referral": "Children arrested without a referral",
            "referrals_overdue": "Referrals overdue",
            "charged_without_review": "Children charged without a charging review",
            "charged_despite_indicators": "Children charged despite indicators",
        }
        width = max(map(len, labels.values()))
        for key in inspection.KEYS:
            self.stdout.write(f"{labels[key].ljust(width)}  {figures[key]}")

    def _document(self, reference: str, format: str, out: str, **options) -> None:
        from safeguard.safeguarding import documents
        from safeguard.safeguarding.models import Duty

        number = reference.upper().removeprefix("SG-")
        if not number.isdigit():
            raise CommandError(f"{reference!r} is not a referral reference (SG-123)")
        duty = Duty.objects.filter(pk=int(number)).first()
        if duty is None:
            raise CommandError(f"no referral {reference}")
        try:
            content = (
                documents.render_pdf(duty)
                if format == "pdf"
                else documents.render_html(duty).encode()
            )
        except ValueError as exc:
            raise CommandError(f"SG-{duty.pk}: {exc}") from exc
        Path(out).write_bytes(content)
        self.stdout.write(f"SG-{duty.pk} written to {out} ({len(content):,} bytes)")

    def _usable_rules(self) -> None:
        try:
            duty_rules.current()
        except duty_rules.RulesError as exc:
            raise CommandError(f"the duty rules in use are not usable: {exc}") from exc
