"""Reading a data.police.uk CSV file: its kind, force and month, its columns, its rows.

data.police.uk publishes three kinds of monthly file per force, named like
`2019-01-merseyside-stop-and-search.csv`, `...-street.csv` and `...-outcomes.csv`. The kind
and force come from that name; a file named otherwise (a copy exported from elsewhere, like
Greater Manchester's geocoded file) gives its kind by its header and its force by --force.
Headers are matched by name, not position, case and spaces aside: older files lack columns
newer ones have, and some copies add their own, which are kept as they are.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

STOP_AND_SEARCH, STREET, OUTCOMES = "stop-and-search", "street", "outcomes"
KINDS = (STOP_AND_SEARCH, STREET, OUTCOMES)
_NAME = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z]+(?:-[a-z]+)*)-(?P<kind>stop-and-search|street|outcomes)\.csv$"
)

# The place and force columns that street-level crime and outcomes files share.
_CRIME_COLUMNS = (
    "crime id",
    "month",
    "reported by",
    "falls within",
    "longitude",
    "latitude",
    "location",
    "lsoa code",
    "lsoa name",
)
# Columns each kind must have, and those older files may lack; any other column is extra.
REQUIRED = {
    STOP_AND_SEARCH: (
        "type",
        "date",
        "latitude",
        "longitude",
        "gender",
        "age range",
        "legislation",
        "object of search",
        "outcome",
    ),
    STREET: (*_CRIME_COLUMNS, "crime type", "last outcome category"),
    OUTCOMES: (*_CRIME_COLUMNS, "outcome type"),
}
OPTIONAL = {
    STOP_AND_SEARCH: (
        "part of a policing operation",
        "policing operation",
        "self-defined ethnicity",
        "officer-defined ethnicity",
        "outcome linked to object of search",
        "removal of more than just outer clothing",
    ),
    STREET: ("context",),
    OUTCOMES: (),
}
# A column only one kind has: how a file named otherwise says what it is.
_KIND_BY_COLUMN = {
    "object of search": STOP_AND_SEARCH,
    "crime type": STREET,
    "outcome type": OUTCOMES,
}


class FileProblem(ValueError):
    """A file that cannot be read as a data.police.uk file at all (name, header, encoding)."""


@dataclass(frozen=True)
class Row:
    """One data row: its line in the file, its cells by column name (lower case), the extra
    columns a copy added, by their own names; or why it is not a row (`problem`)."""

    line: int
    cells: dict[str, str]
    extra: dict[str, str]
    problem: str = ""


@dataclass(frozen=True)
class Named:
    kind: str | None
    force: str | None
    month: str | None


def named(path: Path) -> Named:
    """Return what a file's name says: kind, force id and month, each None if it says not."""
    match = _NAME.match(path.name)
    if match is None:
        return Named(None, None, None)
    return Named(match["kind"], match["force"], match["month"])


def _key(column: str) -> str:
    return " ".join(column.strip().lower().split())


def kind_of_header(header: list[str]) -> str | None:
    """Return the kind a header says, or None."""
    keys = {_key(c) for c in header}
    found = {kind for column, kind in _KIND_BY_COLUMN.items() if column in keys}
    return found.pop() if len(found) == 1 else None


def rows(path: Path, kind: str | None) -> tuple[str, Iterator[Row]]:
    """Return the file's kind and an iterator of its rows, read as they are needed.

    Raises FileProblem when the header does not fit the kind (naming the missing columns)."""
    handle = path.open(newline="", encoding="utf-8-sig")
    try:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise FileProblem(f"{path.name}: the file is empty (no header line)")
        said = kind_of_header(header)
        kind = kind or said
        if kind is None:
            raise FileProblem(
                f"{path.name}: neither the name (YYYY-MM-force-kind.csv) nor the header says "
                "whether this is a stop-and-search, street or outcomes file"
            )
        if said is not None and said != kind:
            raise FileProblem(
                f"{path.name}: named a {kind} file, but its header is a {said} file's"
            )
        keys = [_key(c) for c in header]
        missing = [c for c in REQUIRED[kind] if c not in keys]
        if missing:
            raise FileProblem(
                f"{path.name}:1: the header lacks the column(s) {', '.join(map(repr, missing))} "
                f"of a data.police.uk {kind} file"
            )
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise FileProblem(f"{path.name}:1: the header names {', '.join(twice)} twice")
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise FileProblem(f"{path.name}:1: not a UTF-8 CSV file ({exc})") from exc
    except BaseException:
        handle.close()
        raise
    known = set(REQUIRED[kind]) | set(OPTIONAL[kind])
    extras = [
        (i, c.strip()) for i, (c, k) in enumerate(zip(header, keys, strict=True)) if k not in known
    ]
    return kind, _rows(handle, reader, keys, extras, path.name)


def _rows(handle, reader, keys: list[str], extras, name: str) -> Iterator[Row]:
    width = len(keys)
    with handle:
        try:
            for values in reader:
                line = reader.line_num
                if not values or values == [""]:
                    continue
                if len(values) != width:
                    yield Row(line, {}, {}, f"{len(values)} cells where the header has {width}")
                    continue
                cells = dict(zip(keys, values, strict=True))
                yield Row(line, cells, {name_: values[i] for i, name_ in extras})
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileProblem(
                f"{name}:{reader.line_num + 1}: not readable as UTF-8 CSV ({exc})"
            ) from exc
