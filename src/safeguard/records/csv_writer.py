"""The CSV form of a POLE bundle: its files and columns, and writing it with formulas neutralised.

A CSV bundle is a folder of one file per kind of record (docs/data-model.md). Every cell
that a spreadsheet would evaluate as a formula is written with a leading ' (formula
neutralisation); intake.csv_reader removes it again, so an export re-imports exactly.
"""

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

# A spreadsheet reads a cell that starts with one of these as a formula (or, for "'", hides
# the character); docs/data-model.md, "Formula neutralisation".
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")

# The files of a CSV bundle and their columns, in the order they are written. A column
# "X_agency" is the agency of reference X when that is not the row's own agency.
CSV_FILES: dict[str, tuple[str, ...]] = {
    "agencies.csv": ("code", "kind", "name", "jurisdiction", "area_code", "referral_address"),
    "locations.csv": (
        "agency",
        "ref",
        "kind",
        "name",
        "address",
        "postcode",
        "latitude",
        "longitude",
        "force_area",
        "local_authority",
    ),
    "persons.csv": (
        "agency",
        "ref",
        "given_name",
        "family_name",
        "date_of_birth",
        "dob_precision",
        "sex",
        "self_defined_ethnicity",
        "flags",
    ),
    "person_names.csv": ("agency", "person", "kind", "given_name", "family_name"),
    "phones.csv": ("agency", "ref", "number", "handset_ids", "is_deal_line", "line_name"),
    "items.csv": ("agency", "ref", "kind", "description", "attributes"),
    "events.csv": (
        "agency",
        "ref",
        "kind",
        "occurred_at",
        "ended_at",
        "location",
        "location_agency",
        "summary",
        "grading",
        "attributes",
    ),
    "participants.csv": ("agency", "event", "person", "person_agency", "role", "age_range"),
    "event_objects.csv": (
        "agency",
        "event",
        "phone",
        "phone_agency",
        "item",
        "item_agency",
        "holder",
        "holder_agency",
        "role",
    ),
    "links.csv": (
        "agency",
        "ref",
        "kind",
        "from_person",
        "from_person_agency",
        "from_phone",
        "from_phone_agency",
        "to_person",
        "to_person_agency",
        "to_phone",
        "to_phone_agency",
        "to_location",
        "to_location_agency",
        "to_item",
        "to_item_agency",
        "valid_from",
        "valid_to",
        "count",
        "confidence",
        "event",
        "event_agency",
        "note",
    ),
    # Written in the order of the export; intake.csv_reader reads it before events.csv and
    # records each review just before the first charge or caution of its person after it.
    "charging_reviews.csv": (
        "agency",
        "ref",
        "person",
        "person_agency",
        "proposed",
        "offence",
        "completed_at",
        "reason_to_believe_victim",
        "duress",
        "under_18_at_offence",
        "direct_consequence",
        "reasonable_person",
        "public_interest",
        "schedule_4",
        "decision",
        "rationale",
        "reviewer_name",
        "supervisor_name",
        "signed_off_at",
    ),
}
# The file each record type is written to; persons and events also write child rows.
CSV_FILE_OF = {
    "agency": "agencies.csv",
    "location": "locations.csv",
    "person": "persons.csv",
    "phone": "phones.csv",
    "item": "items.csv",
    "event": "events.csv",
    "link": "links.csv",
    "charging_review": "charging_reviews.csv",
}
_CHILD_FILES = {
    "person": (("other_names", "person_names.csv", "person"),),
    "event": (
        ("participants", "participants.csv", "event"),
        ("objects", "event_objects.csv", "event"),
    ),
}


def neutralise(cell: str) -> str:
    """Put ' before a cell a spreadsheet would evaluate as a formula, so it stays text."""
    if cell.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def write_csv_bundle(records: Iterable[dict], folder: Path) -> Counter:
    """Write bundle dicts as a CSV bundle (every file, with its header) into `folder`.

    Returns:
        How many records of each type were written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: Counter = Counter()
    with ExitStack() as stack:
        writers = {}
        for name, columns in CSV_FILES.items():
            out = stack.enter_context((folder / name).open("w", encoding="utf-8", newline=""))
            writers[name] = csv.writer(out)
            writers[name].writerow(columns)
        for record in records:
            kind = record["type"]
            for name, row in _csv_rows(kind, record):
                writers[name].writerow(_cells(row, CSV_FILES[name]))
            written[kind] += 1
    return written


def _csv_rows(kind: str, record: dict) -> Iterator[tuple[str, dict]]:
    """Yield (file, row) for a record and each of its child rows (names, participants, ...)."""
    parent = {k: v for k, v in record.items() if k != "type"}
    for field_name, file_name, key in _CHILD_FILES.get(kind, ()):
        for child in parent.pop(field_name):
            yield file_name, {"agency": record["agency"], key: record["ref"], **child}
    yield CSV_FILE_OF[kind], parent


def _cells(row: dict, columns: tuple[str, ...]) -> list[str]:
    """Flatten one row to neutralised text cells, cross-agency references into X_agency."""
    unknown = set(row) - set(columns)
    if unknown:
        # A field the CSV form has no column for would be lost without a word.
        raise ValueError(f"no CSV column for {sorted(unknown)}")
    values = dict(row)
    for column in columns:
        if column.endswith("_agency"):
            target = column.removesuffix("_agency")
            ref = values.get(target)
            if isinstance(ref, dict):
                values[target], values[column] = ref["ref"], ref["agency"]
    return [neutralise(_text(values.get(column))) for column in columns]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
