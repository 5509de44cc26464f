"""`safeguard import-police-uk PATH...`: data.police.uk stop-and-search, street, outcomes."""

import sys
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from safeguard.importers import police_uk_files as files
from safeguard.importers import police_uk_loading as loading
from safeguard.intake.errors import RecordingRejected


class Command(BaseCommand):
    help = (
        "Import data.police.uk CSV files (stop-and-search, street-level crime, outcomes): "
        "files or folders. The kind and force come from each file's name "
        "(2019-01-merseyside-stop-and-search.csv) or --force. Each file is stored whole or "
        "not at all; importing one again changes nothing (docs/data-model.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a CSV file or a folder")
        parser.add_argument(
            "--force",
            help="the force, for files whose name does not say it (e.g. greater-manchester)",
        )

    def handle(self, *args, paths: list[str], force: str | None = None, **options):
        stream = options.get("stderr") or sys.stderr
        try:
            found = loading.paths_of(paths)
        except files.FileProblem as exc:
            raise CommandError(str(exc)) from exc
        if not found:
            raise CommandError("no .csv files in " + ", ".join(paths))
        refused = [p for p in found if not self._import(p, force, stream)]
        if refused:
            raise CommandError(
                f"{len(refused)} of {len(found)} file(s) refused, nothing stored from: "
                + ", ".join(p.name for p in refused)
            )

    def _import(self, path: Path, force: str | None, stream) -> bool:
        try:
            with _progress(path, stream) as advance:
                result = loading.import_file(
                    path, force, by="safeguard import-police-uk", progress=advance
                )
        except files.FileProblem as exc:
            self.stderr.write(f"{exc}\n{path.name}: refused, nothing stored")
            return False
        except RecordingRejected as exc:
            for error in exc.errors[:50]:
                self.stderr.write(str(error))
            more = len(exc.errors) - 50
            if more > 0:
                self.stderr.write(f"... and {more} more error(s)")
            self.stderr.write(f"{path.name}: refused, nothing stored ({len(exc.errors)} error(s))")
            return False
        self.stdout.write(f"{path.name}: {result.describe()}")
        return True


@contextmanager
def _progress(path: Path, stream):
    """A bar of rows read while a file is imported, when someone is watching."""
    if not stream.isatty():
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=stream)) as bar:
        task = bar.add_task(path.name, total=loading.count_rows(path) or None)
        yield lambda n: bar.advance(task, n)
