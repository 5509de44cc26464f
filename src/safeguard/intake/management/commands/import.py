"""`safeguard import PATH...`: load POLE bundles, each file (or CSV folder) all or nothing."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from safeguard.intake.bundles import import_path
from safeguard.intake.errors import RecordingRejected
from safeguard.intake.reading import Progress as Advance
from safeguard.intake.reading import size


class Command(BaseCommand):
    help = (
        "Import POLE bundles: JSON Lines files (.jsonl) or folders of CSV files "
        "(docs/data-model.md). Each is stored whole or not at all; importing one again "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="a .jsonl file or a CSV bundle folder"
        )

    def handle(self, *args, paths: list[str], **options):
        stream = options.get("stderr") or sys.stderr
        refused = [path for path in paths if not self._import(path, stream)]
        if refused:
            raise CommandError(
                f"{len(refused)} of {len(paths)} path(s) refused, nothing stored from: "
                + ", ".join(refused)
            )

    def _import(self, path: str, stream: TextIO) -> bool:
        """Import one path and report it; return whether it was stored."""
        try:
            with _progress(path, stream) as advance:
                summary = import_path(path, advance)
        except RecordingRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{path}: refused, nothing stored ({len(exc.errors)} error(s))")
            return False
        self.stdout.write(f"{path}: {summary.describe()}")
        return True


@contextmanager
def _progress(path: str, stream: TextIO) -> Iterator[Advance | None]:
    """Show a bar of bytes read while `path` is imported, when someone is watching."""
    if not stream.isatty():
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=stream)) as bar:
        task = bar.add_task(Path(path).name, total=size(Path(path)) or None)
        yield lambda read: bar.advance(task, read)
