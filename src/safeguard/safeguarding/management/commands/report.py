"""`safeguard report stop-search`: children searched, arrested and referred, by force and month."""

import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import formats

from safeguard import clock
from safeguard.records.ages import UK
from safeguard.safeguarding import stop_search, stop_search_output


class Command(BaseCommand):
    help = (
        "Reports. `stop-search [--force NAME] [--json] [--csv PATH] [--html PATH]`: by force "
        "and month, searches of children aged 10 to 17, how many for controlled drugs, how "
        "many ended in arrest, and the referrals to children's services opened for them, by "
        "state (docs/reports.md)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        searches = sub.add_parser("stop-search", help="children searched, arrested, referred")
        searches.add_argument("--force", help="one force: its code, name or data.police.uk id")
        searches.add_argument(
            "--json", action="store_true", help="print a JSON list, one object per force and month"
        )
        searches.add_argument("--csv", metavar="PATH", help="also write the figures as CSV")
        searches.add_argument("--html", metavar="PATH", help="also write a page with a chart")

    def handle(self, *args, report: str, **options):
        self._stop_search(**options)

    def _stop_search(self, force=None, json=False, csv=None, html=None, **options) -> None:
        agencies = stop_search.forces(force)
        if force and not agencies:
            raise CommandError(f"no police force {force!r} is recorded")
        figures = stop_search.report(agencies)
        if csv:
            with Path(csv).open("w", newline="", encoding="utf-8") as out:
                stop_search_output.write_csv(figures, out)
        if html:
            made = formats.date_format(clock.now().astimezone(UK), "j F Y H:i")
            Path(html).write_text(stop_search_output.html(figures, made), encoding="utf-8")
        if json:
            self.stdout.write(jsonlib.dumps([f.as_json() for f in figures], indent=2))
            return
        self._table(figures)
        for path, what in ((csv, "CSV"), (html, "HTML page")):
            if path:
                self.stdout.write(f"{what} written to {path}")

    def _table(self, figures) -> None:
        head = ("force", "month", "searched", "for drugs", "arrested", "referrals", "by state")
        rows = [
            (
                f.force,
                f.month,
                str(f.children_searched),
                str(f.children_searched_for_drugs),
                str(f.children_arrested),
                str(f.referrals_opened),
                ", ".join(f"{name} {n}" for name, n in f.referral_states_named) or "none",
            )
            for f in figures
        ]
        if not rows:
            self.stdout.write("No searches of children are recorded.")
            return
        widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
        for r in (head, *rows):
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            )
