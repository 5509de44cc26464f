"""`safeguard export`: write stored records out as a POLE bundle that re-imports cleanly.

It lives in intake, beside `safeguard import`: the bundle holds charging reviews
(safeguarding) as well as POLE records, records may not import safeguarding, and intake,
which owns the bundle format, may import both (intake.exporting, docs/architecture.md).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguard.intake.exporting import iter_bundle
from safeguard.records.csv_writer import write_csv_bundle
from safeguard.records.exporters import write_jsonl
from safeguard.records.models import Agency


class Command(BaseCommand):
    help = (
        "Write every stored record (or those of the given agencies) as a POLE bundle: a JSON "
        "Lines file or a folder of CSV files (docs/data-model.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=("jsonl", "csv"), default="jsonl", dest="bundle_format"
        )
        parser.add_argument(
            "--output",
            required=True,
            metavar="PATH",
            help="the .jsonl file to write, or for csv an empty or new folder",
        )
        parser.add_argument(
            "--agency",
            action="append",
            metavar="CODE",
            dest="agencies",
            help="export only this agency's records (repeat for more)",
        )

    def handle(self, *args, bundle_format: str, output: str, agencies: list[str] | None, **options):
        path = Path(output)
        _check_agencies(agencies)
        records = iter_bundle(agencies)
        if bundle_format == "csv":
            if path.exists() and (not path.is_dir() or any(path.iterdir())):
                raise CommandError(f"{path} is not an empty folder; a CSV bundle needs one")
            written = write_csv_bundle(records, path)
        else:
            if path.is_dir():
                raise CommandError(f"{path} is a folder; give the .jsonl file to write")
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="\n") as out:
                written = write_jsonl(records, out)
        counts = ", ".join(f"{kind}: {n}" for kind, n in written.items()) or "no records"
        self.stdout.write(f"{path}: wrote {counts}")


def _check_agencies(agencies: list[str] | None) -> None:
    if agencies is None:
        return
    known = set(Agency.objects.filter(code__in=agencies).values_list("code", flat=True))
    unknown = sorted(set(agencies) - known)
    if unknown:
        raise CommandError(f"no agency {', '.join(unknown)} is recorded")
