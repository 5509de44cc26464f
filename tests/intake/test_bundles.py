"""intake.bundles: POLE bundles (JSON Lines and CSV) are imported whole or not at all."""

import json
import shutil
from pathlib import Path

import pytest

from safeguard.intake.bundles import import_path
from safeguard.intake.csv_reader import COLUMNS, restore
from safeguard.intake.errors import RecordingRejected
from safeguard.records import vocabulary as v
from safeguard.records.csv_writer import CSV_FILES, neutralise
from safeguard.records.models import Event, EventObject, PersonName
from safeguard.records.services import record_counts
from safeguard.safeguarding.vocabulary import Disposal, ReviewDecision

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples"
# What the example bundle (docs/examples) holds, in record_counts() terms.
EXAMPLE_COUNTS = {
    "agencies": 2,
    "persons": 3,
    "phones": 2,
    "objects": 3,
    "locations": 3,
    "events": 3,
    "participations": 4,
    "links": 5,
}
EMPTY = dict.fromkeys(EXAMPLE_COUNTS, 0)

AGENCY = {"type": "agency", "code": "met", "kind": "police_force", "name": "Met"}
PERSON = {"type": "person", "agency": "met", "ref": "P1", "given_name": "Ann"}
HOME = {"type": "location", "agency": "met", "ref": "L1", "kind": "home"}
EVENT = {
    "type": "event",
    "agency": "met",
    "ref": "E1",
    "kind": "arrest",
    "occurred_at": "2024-05-01T10:00:00+01:00",
    "location": "L1",
    "participants": [{"person": "P1", "role": "suspect"}],
}


def write_jsonl(path: Path, *lines: dict | str) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def copy_csv_example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / "csv", tmp_path / "bundle"))


def append(path: Path, *rows: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as out:
        out.writelines(row + "\r\n" for row in rows)


def refused(path: Path) -> list[str]:
    """Import a path that must be refused; return its errors as text."""
    with pytest.raises(RecordingRejected) as exc:
        import_path(path)
    return [str(e) for e in exc.value.errors]


# -- the example bundles -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("example", ["bundle.jsonl", "csv"])
def test_example_bundle_is_stored(example):
    summary = import_path(EXAMPLES / example)
    assert record_counts() == EXAMPLE_COUNTS
    assert PersonName.objects.count() == 3 and EventObject.objects.count() == 4
    assert summary.created["event"] == 3 and not summary.unchanged
    missing = Event.objects.get(source_ref="MISS-501")
    assert (missing.agency.code, missing.location.agency.code) == (
        "liverpool-cs",
        "merseyside-police",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("example", ["bundle.jsonl", "csv"])
def test_importing_a_bundle_again_changes_nothing(example):
    import_path(EXAMPLES / example)
    again = import_path(EXAMPLES / example)
    assert record_counts() == EXAMPLE_COUNTS
    assert sum(again.created.values()) == 0
    assert "event: 0 new, 3 already present" in again.describe()


@pytest.mark.django_db
def test_csv_example_holds_the_same_records_as_the_jsonl_example():
    import_path(EXAMPLES / "bundle.jsonl")
    csv_summary = import_path(EXAMPLES / "csv")
    assert sum(csv_summary.created.values()) == 0
    assert sum(csv_summary.unchanged.values()) == sum(EXAMPLE_COUNTS.values()) - 4


# -- all or nothing, and what the errors say -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        # a value outside a controlled vocabulary
        (
            {**PERSON, "ref": "P2", "sex": "robot"},
            "sex: Input should be 'female', 'male', 'other' or 'unknown'",
        ),
        # a required field left out
        ({k: v for k, v in EVENT.items() if k != "occurred_at"}, "occurred_at: Field required"),
        # a reference to a person no one recorded
        (
            {**EVENT, "participants": [{"person": "P404", "role": "victim"}]},
            "participants.0.person: no person 'P404' of met is recorded",
        ),
        # a line that is not JSON
        (
            '{"type": "person", "agency": "met", "ref": "P3",}',
            "record: not valid JSON: Expecting property name enclosed in double quotes "
            "at column 49",
        ),
        # an error about the whole record, not one field
        (
            {**HOME, "ref": "L2", "latitude": 51.5},
            "record: latitude and longitude must be given together",
        ),
        ("[1, 2]", "record: a record must be a JSON object"),
        ({**PERSON, "type": "vehicle"}, "record: Input tag 'vehicle' found using 'type' does"),
    ],
)
def test_one_bad_line_refuses_the_whole_file(tmp_path, bad, expected):
    path = write_jsonl(tmp_path / "bad.jsonl", AGENCY, PERSON, HOME, bad, EVENT)
    errors = refused(path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:4: {expected}")
    assert record_counts() == EMPTY


@pytest.mark.django_db
def test_every_parse_error_in_a_file_is_reported(tmp_path):
    path = write_jsonl(
        tmp_path / "bad.jsonl", AGENCY, {**PERSON, "sex": "robot"}, "", "not json", HOME, EVENT
    )
    errors = refused(path)
    # Line 6 names the refused P1 but is not reported: only the cause is.
    assert [e.split(": ")[0:2] for e in errors] == [
        [f"{path}:2", "sex"],
        [f"{path}:4", "record"],
    ]


@pytest.mark.django_db
def test_blank_lines_are_skipped_but_counted(tmp_path):
    path = write_jsonl(tmp_path / "ok.jsonl", AGENCY, "", "   ", PERSON)
    assert import_path(path).created == {"agency": 1, "person": 1}
    bad = write_jsonl(tmp_path / "bad.jsonl", "", {**PERSON, "ref": ""})
    assert refused(bad) == [f"{bad}:2: ref: String should have at least 1 character"]


@pytest.mark.django_db
def test_a_record_may_refer_to_records_stored_before(tmp_path):
    import_path(write_jsonl(tmp_path / "one.jsonl", AGENCY, PERSON, HOME))
    summary = import_path(write_jsonl(tmp_path / "two.jsonl", EVENT))
    assert summary.created == {"event": 1}


@pytest.mark.django_db
def test_same_ref_with_other_content_is_refused(tmp_path):
    import_path(write_jsonl(tmp_path / "one.jsonl", AGENCY, PERSON))
    path = write_jsonl(tmp_path / "two.jsonl", {**PERSON, "given_name": "Anne"})
    assert refused(path) == [
        f"{path}:1: ref: person 'P1' of met is already recorded with different content; "
        "records are not overwritten"
    ]


@pytest.mark.django_db
def test_the_same_other_name_twice_is_refused_before_the_database(tmp_path):
    twice = {"kind": "alias", "given_name": "Al"}
    path = write_jsonl(tmp_path / "dup.jsonl", AGENCY, {**PERSON, "other_names": [twice, twice]})
    assert refused(path) == [f"{path}:2: other_names: the same other name is listed twice"]
    assert record_counts() == EMPTY


@pytest.mark.django_db
def test_a_record_the_database_refuses_refuses_its_file(tmp_path, monkeypatch):
    # Should a record pass the schema and still break a constraint, the file is refused
    # whole with the database's reason, not a crash.
    from django.db import IntegrityError

    from safeguard.records import services

    def refuse(rows):
        raise IntegrityError("UNIQUE constraint failed: records_personname")

    monkeypatch.setattr(services, "insert_person_names", refuse)
    path = write_jsonl(
        tmp_path / "dup.jsonl", AGENCY, {**PERSON, "other_names": [{"kind": "alias"}]}
    )
    assert refused(path) == [
        f"{path}: record: the database refused a record: "
        "UNIQUE constraint failed: records_personname"
    ]
    assert record_counts() == EMPTY


@pytest.mark.django_db
def test_a_path_that_is_not_a_bundle_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert refused(tmp_path / "notes.txt") == [
        f"{tmp_path / 'notes.txt'}: file: not a .jsonl file or a folder"
    ]
    assert refused(tmp_path / "gone.jsonl") == [
        f"{tmp_path / 'gone.jsonl'}: file: no such file or folder"
    ]


# -- CSV bundles -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_csv_column_is_refused(tmp_path):
    folder = copy_csv_example(tmp_path)
    persons = folder / "persons.csv"
    lines = persons.read_text().splitlines()
    persons.write_text("\n".join([lines[0] + ",nickname"] + [x + "," for x in lines[1:]]) + "\n")
    assert refused(folder) == [
        f"{persons}:1: nickname: unknown column; persons.csv has agency, ref, given_name, "
        "family_name, date_of_birth, dob_precision, sex, self_defined_ethnicity, flags"
    ]
    assert record_counts() == EMPTY


@pytest.mark.django_db
def test_unknown_file_in_a_csv_bundle_is_refused(tmp_path):
    folder = copy_csv_example(tmp_path)
    (folder / "vehicles.csv").write_text("agency,ref\n")
    assert refused(folder) == [
        f"{folder / 'vehicles.csv'}: file: unknown file; a CSV bundle holds only "
        + ", ".join(COLUMNS)
    ]


@pytest.mark.django_db
def test_child_row_with_no_parent_is_refused(tmp_path):
    folder = copy_csv_example(tmp_path)
    append(folder / "participants.csv", "merseyside-police,EV-9999,PER-2001,witness")
    assert refused(folder) == [
        f"{folder / 'participants.csv'}:6: event: no event 'EV-9999' of merseyside-police "
        "in events.csv"
    ]
    assert record_counts() == EMPTY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "row", "expected"),
    [
        # a child row's own error is reported on the child row, in its column
        (
            "participants.csv",
            "merseyside-police,EV-5002,PER-2001,boss",
            "participants.csv:6: role: Input should be 'suspect', 'victim'",
        ),
        # so is a reference in a child row that names no recorded person
        (
            "participants.csv",
            "merseyside-police,EV-5001,PER-404,witness",
            "participants.csv:6: person: no person 'PER-404' of merseyside-police is recorded",
        ),
        (
            "phones.csv",
            "merseyside-police,PH-9,07700900999,,yes,",
            "phones.csv:4: is_deal_line: expected true or false",
        ),
        (
            "locations.csv",
            "merseyside-police,LOC-9,home,,,,north,1,,",
            "locations.csv:5: latitude: Input should be a valid number, unable to parse string",
        ),
        (
            "items.csv",
            'merseyside-police,IT-9,cash,,"{""amount_pence"": }"',
            "items.csv:5: attributes: not valid JSON: Expecting value at column 18",
        ),
        (
            "events.csv",
            "merseyside-police,EV-9,arrest,2025-03-08T14:20:00Z,,,Met,,,",
            "events.csv:5: location_agency: an agency is given but location is empty",
        ),
        (
            "persons.csv",
            "merseyside-police,PER-9,A,B",
            "persons.csv:5: record: has 4 cells; the header has 8",
        ),
    ],
)
def test_bad_csv_rows_are_named_by_file_line_and_column(tmp_path, file, row, expected):
    folder = copy_csv_example(tmp_path)
    append(folder / file, row)
    errors = refused(folder)
    assert len(errors) == 1
    assert errors[0].startswith(f"{folder}/{expected}")
    assert record_counts() == EMPTY


@pytest.mark.django_db
def test_csv_cells_may_span_lines_and_carry_a_byte_order_mark(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "agencies.csv").write_text(
        '\ufeffcode,kind,name\r\nmet,police_force,"Met\r\nPolice"\r\n', encoding="utf-8"
    )
    (folder / "persons.csv").write_text("agency,ref,given_name\r\nmet,P1,'=1+1\r\nmet,P2,x,y\r\n")
    assert refused(folder) == [f"{folder / 'persons.csv'}:3: record: has 4 cells; the header has 3"]
    (folder / "persons.csv").write_text("agency,ref,given_name\r\nmet,P1,'=1+1\r\n")
    assert import_path(folder).created == {"agency": 1, "person": 1}


# -- formula neutralisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),  # a formula
        ("+1", "'+1"),  # not a plain number: + makes it a formula
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=already quoted", "''=already quoted"),  # the ' itself is escaped
        ("'", "''"),
        ("-", "'-"),
        ("-1", "-1"),  # plain numbers stay numbers
        ("-12.50", "-12.50"),
        ("7", "7"),
        ("-1e-05", "'-1e-05"),  # not plain: a spreadsheet would not show it as written
        ("-1\n", "'-1\n"),  # a number and a newline is not a plain number
        ("1=1", "1=1"),  # only the first character matters
        ("", ""),
    ],
)
def test_neutralise_and_restore(text, written):
    assert neutralise(text) == written
    assert restore(written) == text


@pytest.mark.parametrize("typed", ["'x", "'1", "''", "plain"])
def test_restore_keeps_a_quote_no_export_would_write(typed):
    # A cell typed as 'x (not an escaped formula) is kept as it is, quote and all, except
    # '' which is an escaped ' alone.
    assert restore(typed) == ("'" if typed == "''" else typed)


# -- the format is one definition, documented ------------------------------------------------


def test_csv_columns_read_are_the_columns_written():
    assert {name: tuple(columns) for name, columns in COLUMNS.items()} == CSV_FILES


def test_data_model_doc_lists_every_csv_column_and_code():
    doc = (DOCS / "data-model.md").read_text()
    for name, columns in CSV_FILES.items():
        assert f"`{name}`" in doc
        for column in columns:
            assert f"`{column}`" in doc, f"{name} column {column} is not documented"
    vocabularies = [
        v.AgencyKind,
        v.Jurisdiction,
        v.Sex,
        v.DobPrecision,
        v.PersonFlag,
        v.NameKind,
        v.LocationKind,
        v.EventKind,
        v.Role,
        v.ItemKind,
        v.ObjectRole,
        v.LinkKind,
        Disposal,
        ReviewDecision,
    ]
    for vocabulary in vocabularies:
        for code in vocabulary.values:
            assert f"| `{code}` |" in doc, f"{vocabulary.__name__} {code} is not documented"
