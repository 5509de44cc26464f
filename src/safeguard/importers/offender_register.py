"""Reading a force's offender register export: five CSV files, every cell checked.

A force keeps its registered offenders in ViSOR; what it exports for safeguard is a folder
of CSV files in the layout below (docs/offenders.md, "Importing the register"). Only
offenders.csv is required. Columns are found by name (any order, case and spaces
ignored); a column this reader does not know is an error, so that a misspelt one is never
dropped unread. Every problem is reported as file:line: column: reason, all at once, and
nothing is stored while there is one (offender_loading).

Dates are YYYY-MM-DD; moments are ISO 8601 (2025-03-07T18:30, UK time unless an offset is
given); booleans are yes/no (true/false, 1/0); choices are the vocabulary's values or
labels (case ignored).
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import models

from safeguard.offenders import vocabulary as v
from safeguard.records.ages import UK

OFFENDERS = "offenders.csv"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"
        )


class RegisterRejected(Exception):
    """The export cannot be imported: every problem found, each naming its file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); first: {problems[0]}")


# -- cell parsers: text -> value, or ValueError with the reason ----------------------------


def _text(limit: int) -> Callable[[str], str]:
    def parse(cell: str) -> str:
        if len(cell) > limit:
            raise ValueError(f"longer than {limit} characters")
        return cell

    return parse


def _date(cell: str) -> date:
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise ValueError(f"{cell!r} is not a date (YYYY-MM-DD)") from None


def _moment(cell: str) -> datetime:
    try:
        found = datetime.fromisoformat(cell)
    except ValueError:
        raise ValueError(f"{cell!r} is not a date and time (ISO 8601)") from None
    return found if found.tzinfo else found.replace(tzinfo=UK)


def _yes_no(cell: str) -> bool:
    word = cell.strip().lower()
    if word in {"yes", "y", "true", "1"}:
        return True
    if word in {"no", "n", "false", "0"}:
        return False
    raise ValueError(f"{cell!r} is not yes or no")


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(cell: str) -> int:
        if not cell.strip().isdigit() or not low <= int(cell) <= high:
            raise ValueError(f"{cell!r} is not a whole number from {low} to {high}")
        return int(cell)

    return parse


def _choice(choices: type[models.Choices]) -> Callable[[str], Any]:
    """Accept a value or a label of the choices, in any case; return the value."""
    known = {str(value).lower(): value for value in choices.values}
    known |= {label.lower(): value for value, label in choices.choices}

    def parse(cell: str) -> Any:
        found = known.get(cell.strip().lower())
        if found is None:
            names = ", ".join(str(value) for value in choices.values)
            raise ValueError(f"{cell!r} is not one of: {names}")
        return found

    return parse


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = False


@dataclass(frozen=True)
class Layout:
    """One file of the export: its columns, and whether the export must have it."""

    file: str
    columns: tuple[Column, ...]
    required: bool = False

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


REF = _text(64)
LAYOUTS = (
    Layout(
        OFFENDERS,
        (
            Column("reference", REF, True),  # the force's (ViSOR) reference
            Column("person_ref", _text(200), True),  # the force's person record
            Column("mappa_category", _choice(v.MappaCategory), True),
            Column("mappa_level", _choice(v.MappaLevel)),
            Column("rm2000", _choice(v.Band)),
            Column("osp", _choice(v.Band)),
            Column("oasys_rosh", _choice(v.Band)),
            Column("manager", _text(150)),  # the offender manager's username
            Column("team", _text(200)),
            Column("registered_on", _date, True),
            Column("released_on", _date),
            Column("notification_period_end", _date),
            Column("status", _choice(v.Status)),
            Column("plan_visit_months", _whole(1, 24)),
            Column("plan", _text(20000)),
            Column("plan_review_on", _date),
        ),
        required=True,
    ),
    Layout(
        "conditions.csv",
        (
            Column("offender", REF, True),
            Column("order", _text(100), True),
            Column("condition", _text(5000), True),
            Column("starts_on", _date, True),
            Column("ends_on", _date),
        ),
    ),
    Layout(
        "visits.csv",
        (
            Column("offender", REF, True),
            Column("at", _moment, True),
            Column("outcome", _choice(v.VisitOutcome), True),
            Column("announced", _yes_no, True),
            Column("officer", _text(200)),  # a username, else the officer's name as written
            Column("notes", _text(20000)),
        ),
    ),
    Layout(
        "reviews.csv",
        (
            Column("offender", REF, True),
            Column("kind", _choice(v.ReviewKind), True),
            Column("completed_at", _moment, True),
            Column("level", _choice(v.Band), True),
            Column("by", _text(150)),  # a username
            Column("summary", _text(20000)),
        ),
    ),
    Layout(
        "notifications.csv",
        (
            Column("offender", REF, True),
            Column("kind", _choice(v.NotificationKind), True),
            Column("trigger_at", _moment, True),
            Column("arranged_at", _moment),
            Column("notified_at", _moment),
            Column("location_ref", _text(200)),  # the force's location record notified
            Column("details", _text(5000)),
        ),
    ),
)


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: dict[str, Any]  # column -> parsed value; a blank optional cell is absent


@dataclass
class Register:
    """The export as read: each file's rows, in file order."""

    folder: Path
    rows: dict[str, list[Row]] = field(default_factory=dict)
    headers: dict[str, frozenset[str]] = field(default_factory=dict)  # the columns each has

    def of(self, file: str) -> list[Row]:
        return self.rows.get(file, [])


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def read(folder: Path) -> Register:
    """Read and check every file of the export in `folder`; raise RegisterRejected with every
    problem found."""
    if not folder.is_dir():
        raise RegisterRejected([Problem(str(folder), 0, "", "not a folder")])
    known = sorted(layout.file for layout in LAYOUTS)
    problems = [
        Problem(path.name, 0, "", "not a file of the register export (" + ", ".join(known) + ")")
        for path in sorted(folder.glob("*.csv"))
        if path.name not in known
    ]
    register = Register(folder)
    for layout in LAYOUTS:
        path = folder / layout.file
        if not path.is_file():
            if layout.required:
                problems.append(Problem(layout.file, 0, "", f"missing from {folder}"))
            continue
        register.rows[layout.file] = list(_rows(path, layout, problems, register.headers))
    if problems:
        raise RegisterRejected(problems)
    return register


def _rows(
    path: Path, layout: Layout, problems: list[Problem], headers: dict[str, frozenset[str]]
) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [_key(name) for name in next(reader, [])]
        headers[layout.file] = frozenset(header)
        wrong = [name for name in header if layout.column(name) is None]
        missing = [c.name for c in layout.columns if c.required and c.name not in header]
        for name in wrong:
            problems.append(Problem(layout.file, 1, name, "not a column of this file"))
        for name in missing:
            problems.append(Problem(layout.file, 1, name, "a required column is missing"))
        if wrong or missing:
            return
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        layout.file, line, "", f"{len(cells)} cells, the header has {len(header)}"
                    )
                )
                continue
            values: dict[str, Any] = {}
            for name, cell in zip(header, cells, strict=True):
                column = layout.column(name)
                assert column is not None
                if not cell.strip():
                    if column.required:
                        problems.append(Problem(layout.file, line, name, "is empty"))
                    continue
                try:
                    values[name] = column.parse(cell.strip())
                except ValueError as exc:
                    problems.append(Problem(layout.file, line, name, str(exc)))
            yield Row(layout.file, line, values)
