"""Read a CSV bundle: a folder of one CSV file per kind of record, joined into whole records.

The columns are the field names of intake.schema's models (docs/data-model.md), so the
schema stays the one definition of a valid record. Child rows (other names, participants,
event objects) are joined to their parent person or event before validation, so each
record is validated and recorded whole. Every error names the file, line and column it
comes from, a child row's error included.

Charging reviews (charging_reviews.csv) are read before the events and held: each is
recorded just before the first charge or caution of its person at or after its completion,
as a JSON Lines export writes it, so that it is stored by the time the pipeline checks that
charge (intake.exporting says why earlier is not enough); the others after the links.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import get_args, get_origin

from pydantic import BaseModel, ValidationError

from safeguard.intake.errors import RecordError
from safeguard.intake.reading import Progress, decode, not_utf8, raw_lines, schema_errors
from safeguard.intake.schema import (
    RECORD_ADAPTER,
    AgencyIn,
    ChargingReviewIn,
    EventIn,
    ItemIn,
    LinkIn,
    LocationIn,
    NameIn,
    ObjectIn,
    ParticipantIn,
    PersonIn,
    PhoneIn,
    RecordIn,
    RefTo,
)
from safeguard.records.csv_writer import FORMULA_PREFIXES
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.charging import DISPOSALS

# Files of records, in the order they are recorded: a record refers only to earlier ones.
PARENT_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "agencies.csv": ("agency", AgencyIn),
    "locations.csv": ("location", LocationIn),
    "persons.csv": ("person", PersonIn),
    "phones.csv": ("phone", PhoneIn),
    "items.csv": ("item", ItemIn),
    "events.csv": ("event", EventIn),
    "links.csv": ("link", LinkIn),
    # Read before events.csv and held (see _HeldReviews); listed last, as it is written.
    "charging_reviews.csv": ("charging_review", ChargingReviewIn),
}
REVIEWS_FILE = "charging_reviews.csv"
# Files of child rows: (parent file, column naming the parent, parent's list field, row model).
CHILD_FILES: dict[str, tuple[str, str, str, type[BaseModel]]] = {
    "person_names.csv": ("persons.csv", "person", "other_names", NameIn),
    "participants.csv": ("events.csv", "event", "participants", ParticipantIn),
    "event_objects.csv": ("events.csv", "event", "objects", ObjectIn),
}
_NESTED = {"type", "other_names", "participants", "objects"}
# A record's key for record_batch encodes its file and line: file index * _LINE_BASE + line.
_LINE_BASE = 10**12


def _column_kind(annotation: object) -> str:
    """Say how a cell of a field with this type is read: ref, bool, list, json or text."""
    if annotation is RefTo or RefTo in get_args(annotation):
        return "ref"
    if annotation is bool:
        return "bool"
    if get_origin(annotation) is tuple:
        return "list"
    if annotation is dict or get_origin(annotation) is dict:
        return "json"
    return "text"


def _columns(model: type[BaseModel]) -> dict[str, str]:
    columns = {}
    for name, info in model.model_fields.items():
        if name not in _NESTED:
            columns[name] = _column_kind(info.annotation)
            if columns[name] == "ref":
                columns[f"{name}_agency"] = "ref_agency"
    return columns


COLUMNS: dict[str, dict[str, str]] = {
    **{name: _columns(model) for name, (_, model) in PARENT_FILES.items()},
    **{
        name: {"agency": "text", key: "text", **_columns(model)}
        for name, (_, key, _, model) in CHILD_FILES.items()
    },
}
"""Every file of a CSV bundle: its columns, each with how its cells are read."""


def restore(cell: str) -> str:
    """Remove the ' that formula neutralisation put before a cell (docs/data-model.md)."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_PREFIXES:
        return cell[1:]
    return cell


def _value(kind: str, text: str) -> object:
    """Read one non-empty cell as the value of a field of the given kind."""
    if kind == "bool":
        if text not in ("true", "false"):
            raise ValueError("expected true or false")
        return text == "true"
    if kind == "list":
        return text.split(";")
    if kind == "json":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(value, dict):
            raise ValueError("expected a JSON object")
        return value
    return text


def _fields(cells: Mapping[str, str], columns: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
    """Turn one row's cells into record fields; return them and errors by column."""
    data: dict[str, object] = {}
    errors: dict[str, str] = {}
    for column, text in cells.items():
        kind = columns[column]
        if text == "" or kind == "ref_agency":
            continue  # an empty cell is a field not given: the schema's default applies
        try:
            data[column] = _value(kind, text)
        except ValueError as exc:
            errors[column] = str(exc)
    for column, kind in columns.items():
        agency = cells.get(f"{column}_agency", "")
        if kind == "ref" and agency:
            if column in data:
                data[column] = {"agency": agency, "ref": data[column]}
            else:
                errors[f"{column}_agency"] = f"an agency is given but {column} is empty"
    return data, errors


def _field_column(field: str, columns: Mapping[str, str]) -> str:
    """Name the column a schema error's field path came from ("location.agency" -> ...)."""
    head, _, tail = field.rpartition(".")
    if columns.get(head) == "ref" and tail in ("ref", "agency"):
        return head if tail == "ref" else f"{head}_agency"
    return field


class CsvBundle:
    """A folder of CSV files read as one bundle.

    Iterating yields (key, record) for each valid record and (0, errors) for each refused
    row, in the order records must be recorded; locate() turns a recording error (whose
    line is a key) back into the file, line and column the record came from.
    """

    def __init__(self, folder: Path, progress: Progress | None = None):
        self.folder = folder
        self.progress = progress
        # Where each record's child rows came from: key -> {list field: (file, lines)}.
        self._children: dict[int, dict[str, tuple[str, list[int]]]] = {}
        # Files not read to the end: their rows' children are not orphans, just unchecked.
        self._unread: set[str] = set()

    def __iter__(self) -> Iterator[tuple[int, RecordIn | list[RecordError]]]:
        yield from self._listing_errors()
        pending: dict[str, dict[tuple[str, str], list]] = {}
        for name in CHILD_FILES:
            pending[name] = defaultdict(list)
            yield from self._read_children(name, pending[name])
        held = _HeldReviews()
        reviews = self._read_parents(list(PARENT_FILES).index(REVIEWS_FILE), REVIEWS_FILE, pending)
        yield from held.hold(reviews)
        for index, name in enumerate(PARENT_FILES):
            if name == REVIEWS_FILE:
                continue
            for key, record in self._read_parents(index, name, pending):
                if isinstance(record, EventIn):
                    yield from held.release_before(record)
                yield key, record
            for child, (parent, key, _, _) in CHILD_FILES.items():
                if parent == name:
                    yield from self._orphans(child, key, pending[child])
        yield from held.rest()

    def locate(self, error: RecordError) -> RecordError:
        """Return a recording error naming the file, line and column its record came from."""
        if error.line is None:
            return error
        index, line = divmod(error.line, _LINE_BASE)
        name = list(PARENT_FILES)[index]
        located = RecordError(str(self.folder / name), line, error.field, error.reason)
        return self._relocate(located, self._children.get(error.line, {}), COLUMNS[name])

    # -- files --------------------------------------------------------------------------

    def _listing_errors(self) -> Iterator[tuple[int, list[RecordError]]]:
        for entry in sorted(self.folder.iterdir()):
            if entry.name not in COLUMNS or not entry.is_file():
                reason = f"unknown file; a CSV bundle holds only {', '.join(COLUMNS)}"
                yield 0, [RecordError(str(entry), None, "file", reason)]

    def _rows(self, name: str) -> Iterator[tuple[int, dict[str, str] | list[RecordError]]]:
        """Yield (line, cells by column) for each data row of one file, or its errors."""
        path = self.folder / name
        if not path.is_file():
            return
        source = str(path)
        reader = csv.reader(_text_lines(path, self.progress), strict=True)
        line = 1
        try:
            header = next(reader, None)
            errors = _header_errors(header, name, source)
            if errors:
                self._unread.add(name)
                yield 1, errors
                return
            line = reader.line_num + 1
            for row in reader:
                if len(row) == len(header):
                    yield (
                        line,
                        {column: restore(cell) for column, cell in zip(header, row, strict=True)},
                    )
                elif row:  # a blank line is skipped
                    reason = f"has {len(row)} cells; the header has {len(header)}"
                    yield line, [RecordError(source, line, "", reason)]
                line = reader.line_num + 1
        except csv.Error as exc:
            self._unread.add(name)
            yield line, [RecordError(source, reader.line_num, "", f"not valid CSV: {exc}")]
        except _NotUtf8 as exc:
            self._unread.add(name)
            yield exc.line, [RecordError(source, exc.line, "", exc.reason)]

    def _read_children(
        self, name: str, pending: dict[tuple[str, str], list]
    ) -> Iterator[tuple[int, list[RecordError]]]:
        """Read a child file into `pending` by (agency, parent ref); yield its errors."""
        source = str(self.folder / name)
        _, key, _, _ = CHILD_FILES[name]
        for line, cells in self._rows(name):
            if isinstance(cells, list):
                yield 0, cells
                continue
            own = {c: t for c, t in cells.items() if c not in ("agency", key)}
            data, errors = _fields(own, COLUMNS[name])
            for column in ("agency", key):
                if not cells.get(column):
                    errors[column] = "required: it names the record this row belongs to"
            if errors:
                yield 0, [RecordError(source, line, c, reason) for c, reason in errors.items()]
                data = None  # refused, but it may still have a parent: no second error for that
            if cells.get("agency") and cells.get(key):
                pending[(cells["agency"], cells[key])].append((line, data))

    def _read_parents(
        self, index: int, name: str, pending: dict[str, dict[tuple[str, str], list]]
    ) -> Iterator[tuple[int, RecordIn | list[RecordError]]]:
        source = str(self.folder / name)
        record_type, _ = PARENT_FILES[name]
        columns = COLUMNS[name]
        for line, cells in self._rows(name):
            if isinstance(cells, list):
                yield 0, cells
                continue
            data, errors = _fields(cells, columns)
            children = self._join_children(name, cells, data, pending)
            if errors:
                yield 0, [RecordError(source, line, c, reason) for c, reason in errors.items()]
                continue
            key = index * _LINE_BASE + line
            try:
                record = RECORD_ADAPTER.validate_python({"type": record_type, **data})
            except ValidationError as exc:
                errors = schema_errors(exc, source, line, record_type)
                yield 0, [self._relocate(e, children, columns) for e in errors]
                continue
            if children:
                self._children[key] = children
            yield key, record

    def _join_children(
        self,
        name: str,
        cells: Mapping[str, str],
        data: dict,
        pending: dict[str, dict[tuple[str, str], list]],
    ) -> dict[str, tuple[str, list[int]]]:
        """Put a parent row's child rows into its fields; return where they came from."""
        children = {}
        parent = (cells.get("agency", ""), cells.get("ref", ""))
        for child, (parent_file, _, field_name, _) in CHILD_FILES.items():
            if parent_file != name:
                continue
            rows = [(line, d) for line, d in pending[child].pop(parent, []) if d is not None]
            if rows:
                data[field_name] = [d for _, d in rows]
                children[field_name] = (child, [line for line, _ in rows])
        return children

    def _orphans(
        self, name: str, key: str, pending: dict[tuple[str, str], list]
    ) -> Iterator[tuple[int, list[RecordError]]]:
        parent_file, *_ = CHILD_FILES[name]
        if parent_file in self._unread:
            return
        source = str(self.folder / name)
        for (agency, ref), rows in pending.items():
            reason = f"no {key} {ref!r} of {agency} in {parent_file}"
            yield 0, [RecordError(source, line, key, reason) for line, _ in rows]

    def _relocate(
        self,
        error: RecordError,
        children: Mapping[str, tuple[str, list[int]]],
        columns: Mapping[str, str],
    ) -> RecordError:
        """Point an error about a record's n-th child (participants.2.role) at that row."""
        head, _, rest = error.field.partition(".")
        if head in children:
            position, _, field = rest.partition(".")
            child, lines = children[head]
            if position.isdigit() and int(position) < len(lines):
                column = _field_column(field, COLUMNS[child])
                return RecordError(
                    str(self.folder / child), lines[int(position)], column, error.reason
                )
        return replace(error, field=_field_column(error.field, columns))


class _HeldReviews:
    """Charging reviews read ahead of the events, each let out just before the first charge or
    caution (events.csv) that names its person as suspect or offender at or after its
    completion, as the pipeline matches them (safeguarding/charging.py); the rest at the end.
    """

    def __init__(self):
        self._by_person: dict[RefTo, list[tuple[int, ChargingReviewIn]]] = defaultdict(list)

    def hold(
        self, parsed: Iterable[tuple[int, RecordIn | list[RecordError]]]
    ) -> Iterator[tuple[int, list[RecordError]]]:
        """Keep the valid reviews; yield the errors of the others at once."""
        for key, result in parsed:
            if isinstance(result, ChargingReviewIn):
                self._by_person[result.person].append((key, result))
            else:
                yield key, result

    def release_before(self, event: EventIn) -> Iterator[tuple[int, ChargingReviewIn]]:
        """Yield the held reviews that must be stored before this event, in file order."""
        if event.kind not in DISPOSALS:
            return
        due, at = [], event.occurred_at
        accused = duty_rules.current().charging_review.roles
        for person in {p.person for p in event.participants if p.role in accused}:
            held = self._by_person.pop(person, [])
            due += [(key, review) for key, review in held if review.completed_at <= at]
            later = [(key, review) for key, review in held if review.completed_at > at]
            if later:
                self._by_person[person] = later
        yield from sorted(due, key=lambda pair: pair[0])

    def rest(self) -> Iterator[tuple[int, ChargingReviewIn]]:
        """Yield the reviews no charge or caution in the bundle let out, in file order."""
        left = [pair for held in self._by_person.values() for pair in held]
        self._by_person.clear()
        yield from sorted(left, key=lambda pair: pair[0])


class _NotUtf8(Exception):
    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line, self.reason = line, reason


def _text_lines(path: Path, progress: Progress | None) -> Iterator[str]:
    for line, raw in enumerate(raw_lines(path, progress), start=1):
        try:
            yield decode(raw, line)
        except UnicodeDecodeError as exc:
            raise _NotUtf8(line, not_utf8(exc)) from None


def _header_errors(header: list[str] | None, name: str, source: str) -> list[RecordError]:
    if not header:
        return [RecordError(source, 1, "", "empty file: the first line must name the columns")]
    columns = COLUMNS[name]
    errors, seen = [], set()
    for column in header:
        if column not in columns:
            reason = f"unknown column; {name} has {', '.join(columns)}"
            errors.append(RecordError(source, 1, column, reason))
        elif column in seen:
            errors.append(RecordError(source, 1, column, "column given twice"))
        seen.add(column)
    return errors


def read_csv_bundle(folder: Path, progress: Progress | None = None) -> CsvBundle:
    """Return the CSV bundle in `folder`, read as it is iterated."""
    return CsvBundle(folder, progress)
