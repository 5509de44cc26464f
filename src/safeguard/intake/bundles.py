"""Import POLE bundles: JSON Lines files and folders of CSV files, each all or nothing.

The format is documented in docs/data-model.md. Each path is read as it is recorded (a
JSON Lines file is never held in memory whole), validated against intake.schema and
recorded through record_batch() in one transaction. A parse error anywhere in the path or
a refused record, and nothing from that path is stored; every error names its file, line,
field and reason.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.db import DataError, IntegrityError, transaction
from pydantic import ValidationError

from safeguard.intake.csv_reader import read_csv_bundle
from safeguard.intake.errors import RecordError, RecordingRejected
from safeguard.intake.reading import Progress, decode, not_utf8, raw_lines, schema_errors
from safeguard.intake.recording import Summary, record_batch
from safeguard.intake.schema import RECORD_ADAPTER, RecordIn

Parsed = tuple[int, RecordIn | list[RecordError]]
"""A line (or record key) and the validated record on it, or why it was refused."""


def import_path(path: str | Path, progress: Progress | None = None) -> Summary:
    """Import one JSON Lines file or CSV bundle folder, all or nothing.

    Args:
        path: a `.jsonl` file, or a folder of CSV files imported as one unit.
        progress: told how many more bytes have been read, for a progress bar.

    Returns:
        What was stored and what was already present.

    Raises:
        RecordingRejected: every error found in the path; nothing from it was stored.
    """
    path = Path(path)
    source = str(path)
    if path.is_dir():
        bundle = read_csv_bundle(path, progress)
        return _record(bundle, source, bundle.locate)
    if path.is_file() and path.suffix == ".jsonl":
        return _record(read_jsonl(path, progress), source, lambda error: error)
    reason = "no such file or folder" if not path.exists() else "not a .jsonl file or a folder"
    raise RecordingRejected([RecordError(source, None, "file", reason)])


def read_jsonl(path: Path, progress: Progress | None = None) -> Iterator[Parsed]:
    """Yield (line, validated record or its errors) for each non-blank line, as it is read."""
    source = str(path)
    for line, raw in enumerate(raw_lines(path, progress), start=1):
        result = _parse_line(raw, line, source)
        if result is not None:
            yield line, result


def _parse_line(raw: bytes, line: int, source: str) -> RecordIn | list[RecordError] | None:
    """Validate one line: a record, its errors, or None for a blank line."""
    try:
        text = decode(raw, line)
    except UnicodeDecodeError as exc:
        return [RecordError(source, line, "", not_utf8(exc))]
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [RecordError(source, line, "", f"not valid JSON: {exc.msg} at column {exc.colno}")]
    if not isinstance(data, dict):
        return [RecordError(source, line, "", "a record must be a JSON object")]
    try:
        return RECORD_ADAPTER.validate_python(data)
    except ValidationError as exc:
        return schema_errors(exc, source, line, data.get("type"))


def _record(
    parsed: Iterable[Parsed], source: str, locate: Callable[[RecordError], RecordError]
) -> Summary:
    """Record the valid records of one path in one transaction; refuse all on any error."""
    parse_errors: list[RecordError] = []

    def valid() -> Iterator[tuple[RecordIn, int]]:
        for line, result in parsed:
            if isinstance(result, list):
                parse_errors.extend(result)
            elif not parse_errors:
                # After a parse error nothing will be stored: stop recording, so that
                # references to the refused record do not add errors of their own.
                yield result, line

    try:
        with transaction.atomic():
            try:
                summary = record_batch(valid(), source=source)
            except RecordingRejected as exc:
                raise RecordingRejected(
                    _in_order(parse_errors + [locate(e) for e in exc.errors])
                ) from None
            if parse_errors:
                raise RecordingRejected(_in_order(parse_errors))
    except (IntegrityError, DataError) as exc:
        # The schema should refuse whatever the database would; if it did not, the file is
        # still refused whole, with the database's reason, and the next path is imported.
        refused = RecordError(source, None, "", f"the database refused a record: {exc}")
        raise RecordingRejected([*_in_order(parse_errors), refused]) from exc
    return summary


def _in_order(errors: list[RecordError]) -> list[RecordError]:
    return sorted(errors, key=lambda e: (e.source, e.line or 0))
