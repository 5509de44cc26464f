"""Reading bundle files line by line: bytes read for a progress bar, and UTF-8 decoding.

Both bundle readers go through here, so a JSON Lines file and a CSV file are read the same
way: as bytes split on newlines only, one line at a time, never the whole file at once.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import ValidationError

from safeguard.intake.errors import RecordError, from_validation_error

Progress = Callable[[int], None]
"""Told how many more bytes have been read."""

# Report progress in steps: a progress bar costs little per step, but not nothing per line.
_STEP = 1 << 16


def raw_lines(path: Path, progress: Progress | None = None) -> Iterator[bytes]:
    """Yield a file's lines as bytes, telling `progress` how many bytes have been read."""
    pending = 0
    with path.open("rb") as lines:
        for raw in lines:
            pending += len(raw)
            if progress is not None and pending >= _STEP:
                progress(pending)
                pending = 0
            yield raw
    if progress is not None and pending:
        progress(pending)


def decode(raw: bytes, line: int) -> str:
    """Return one line as text, dropping a byte-order mark that starts the file.

    Raises:
        UnicodeDecodeError: the line is not UTF-8.
    """
    text = raw.decode("utf-8")
    return text.removeprefix("\ufeff") if line == 1 else text


def not_utf8(exc: UnicodeDecodeError) -> str:
    """Say where in its line a byte that is not UTF-8 was found."""
    return f"not UTF-8 text (byte {exc.start + 1} of the line)"


def size(path: Path) -> int:
    """Return how many bytes importing `path` reads (a file, or a folder's files)."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return path.stat().st_size if path.is_file() else 0


def schema_errors(
    exc: ValidationError, source: str, line: int, record_type: object
) -> list[RecordError]:
    """Turn a record's schema errors into RecordErrors (see errors.from_validation_error)."""
    return from_validation_error(exc, source, line, record_type)
