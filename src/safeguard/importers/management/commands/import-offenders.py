"""`safeguard import-offenders FOLDER --force CODE`: a force's offender register export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguard.importers import offender_loading
from safeguard.importers.offender_register import RegisterRejected

SHOWN = 50  # problems printed; the count says how many more


class Command(BaseCommand):
    help = (
        "Import a force's offender register export: a folder holding offenders.csv and, "
        "optionally, conditions.csv, visits.csv, reviews.csv and notifications.csv "
        "(docs/offenders.md). Stored whole or not at all; importing again updates the "
        "offenders' current facts and adds only history not stored yet. Recomputes the "
        "schedules."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="FOLDER", help="the folder of the export")
        parser.add_argument("--force", required=True, help="the police force's agency code")

    def handle(self, *args, folder: str, force: str, **options):
        try:
            result = offender_loading.import_register(
                Path(folder), force, by="safeguard import-offenders"
            )
        except RegisterRejected as exc:
            for problem in exc.problems[:SHOWN]:
                self.stderr.write(str(problem))
            more = len(exc.problems) - SHOWN
            if more > 0:
                self.stderr.write(f"... and {more} more problem(s)")
            raise CommandError(
                f"{folder}: refused, nothing stored ({len(exc.problems)} problem(s))"
            ) from exc
        self.stdout.write(f"{folder}: {result.describe()}")
