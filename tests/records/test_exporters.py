"""records.exporters and `safeguard export`: bundles that re-import to the same records."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.intake.bundles import import_path
from safeguard.records.csv_writer import FORMULA_PREFIXES, write_csv_bundle
from safeguard.records.exporters import iter_bundle, write_jsonl
from safeguard.records.models import (
    Agency,
    Event,
    EventObject,
    Item,
    Link,
    Location,
    Participation,
    Person,
    PersonName,
    Phone,
)
from safeguard.records.services import record_counts

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "bundle.jsonl"
TYPE_ORDER = ["agency", "location", "person", "phone", "item", "event", "link"]

LONG = ("=cmd|' /C calc'!A0 نص עברית 🧒🏽 " * 400)[:10_000]
HOSTILE = [
    "<script>alert(1)</script>",
    "\"quotes\" and 'apostrophes'",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "'=already quoted",
    "-1",
    "مرحبا بالعالم",  # Arabic, right to left
    "\u202eשלום עולם",  # Hebrew after a right-to-left override
    "emoji 🧒🏽📱 and a ZWJ 👩‍👩‍👧",
    "\tleading tab",
    "line\nbreak and\r\nCRLF",
]
# Hostile strings that are valid source refs (no surrounding space, one line).
HOSTILE_REFS = [s for s in HOSTILE if s == s.strip() and "\n" not in s]
PERSON_REFS = [s if s in HOSTILE_REFS else f"P{i}" for i, s in enumerate(HOSTILE)]


def empty_store() -> None:
    """Delete every record, so the next import goes into an empty database."""
    from safeguard.network.models import AnalysisRun, Line, LineMember
    from safeguard.offenders import models as offenders
    from safeguard.safeguarding.models import (
        ChargingReview,
        Duty,
        Notification,
        ToolRecommendation,
        Transition,
        Trigger,
    )
    from safeguard.screening.models import Judgement, Screening

    # Registered offenders (the demo's) and all they hold: not records, not exported.
    for held in (
        offenders.OffenderAlert,
        offenders.SafeguardingAlert,
        offenders.Schedule,
        offenders.Visit,
        offenders.RiskReview,
        offenders.NotificationRecord,
        offenders.OrderCondition,
        offenders.Offender,
    ):
        held.objects.all().delete()
    # What network analysis stored (its findings about children are events, exported).
    for stored in (LineMember, Line, AnalysisRun):
        stored.objects.all().delete()
    # What the pipeline made of the first import: duties, recommendations, then screenings;
    # charging reviews (source records, exported too) refer to screenings and events.
    made_by_pipeline = (Notification, Trigger, Transition, Duty, ToolRecommendation)
    for made in (*made_by_pipeline, ChargingReview, Judgement, Screening):
        made.objects.all().delete()
    for model in (Link, EventObject, Participation, Event, PersonName, Person, Phone, Item):
        model.objects.all().delete()
    Location.objects.all().delete()
    Agency.objects.all().delete()


def export(fmt: str, path: Path, *agencies: str) -> Path:
    args = ["--format", fmt, "--output", str(path)]
    for code in agencies:
        args += ["--agency", code]
    call_command("export", *args, stdout=io.StringIO())
    return path


def exported_text() -> str:
    out = io.StringIO()
    write_jsonl(iter_bundle(), out)
    return out.getvalue()


def hostile_bundle(path: Path) -> Path:
    """Write a JSON Lines bundle whose text fields and refs are hostile strings."""
    records = [
        {"type": "agency", "code": "met", "kind": "police_force", "name": HOSTILE[0]},
        {"type": "agency", "code": "lbh", "kind": "childrens_services", "name": HOSTILE[2]},
        {
            "type": "location",
            "agency": "lbh",
            "ref": "=L1",
            "kind": "home",
            "name": HOSTILE[1],
            "address": LONG,
            "postcode": "-1+2",
            "latitude": -0.5,
            "longitude": -0.1276,
        },
        *(
            {
                "type": "person",
                "agency": "met",
                "ref": ref,
                "given_name": text,
                "family_name": text,
                "self_defined_ethnicity": text,
                "other_names": [{"kind": "alias", "given_name": text, "family_name": ref}],
            }
            for ref, text in zip(PERSON_REFS, HOSTILE, strict=True)
        ),
        {
            "type": "phone",
            "agency": "met",
            "ref": "@PH1",
            "number": "+447700900123",
            "handset_ids": ["-1+2", "=1"],
            "line_name": HOSTILE[3],
        },
        {
            "type": "item",
            "agency": "met",
            "ref": "+IT1",
            "kind": "other",
            "description": LONG,
            "attributes": {"note": HOSTILE[2], "rtl": HOSTILE[8], "n": -1},
        },
        {
            "type": "event",
            "agency": "met",
            "ref": HOSTILE[2],
            "kind": "concern_report",
            "occurred_at": "2024-07-01T23:30:00.123456+01:00",
            "location": {"agency": "lbh", "ref": "=L1"},
            "summary": LONG,
            "attributes": {f"k{i}": text for i, text in enumerate(HOSTILE)},
            "participants": [{"person": ref, "role": "victim"} for ref in HOSTILE_REFS],
            "objects": [
                {"phone": "@PH1", "holder": HOSTILE_REFS[1], "role": "seized"},
                {"item": "+IT1", "role": "found"},
            ],
        },
        {
            "type": "link",
            "agency": "met",
            "ref": "'=already quoted",
            "kind": "lives_at",
            "from_person": HOSTILE_REFS[0],
            "to_location": {"agency": "lbh", "ref": "=L1"},
            "event": HOSTILE[2],
            "note": LONG,
        },
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


# -- the bundle written ----------------------------------------------------------------------


@pytest.mark.django_db
def test_export_lists_kinds_in_the_order_they_import():
    import_path(EXAMPLE)
    types = [record["type"] for record in iter_bundle()]
    assert types == sorted(types, key=TYPE_ORDER.index)
    assert set(types) == set(TYPE_ORDER)


@pytest.mark.django_db
def test_references_are_plain_within_an_agency_and_qualified_across():
    import_path(EXAMPLE)
    records = {r.get("ref"): r for r in iter_bundle()}
    assert records["EV-5001"]["location"] == "LOC-1003"
    assert records["EV-5001"]["participants"][0] == {"person": "PER-2001", "role": "suspect"}
    assert records["MISS-501"]["location"] == {"agency": "merseyside-police", "ref": "LOC-1001"}
    assert records["MISS-501"]["occurred_at"] == "2025-03-07T19:00:00+00:00"


@pytest.mark.django_db
def test_csv_export_writes_cross_agency_references_in_agency_columns(tmp_path):
    import_path(EXAMPLE)
    folder = export("csv", tmp_path / "out")
    with (folder / "events.csv").open(newline="", encoding="utf-8") as f:
        events = {row["ref"]: row for row in csv.DictReader(f)}
    assert (events["MISS-501"]["location"], events["MISS-501"]["location_agency"]) == (
        "LOC-1001",
        "merseyside-police",
    )
    assert (events["EV-5001"]["location"], events["EV-5001"]["location_agency"]) == (
        "LOC-1003",
        "",
    )


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_reimports_to_the_same_records(tmp_path, fmt):
    import_path(EXAMPLE)
    before, counts = exported_text(), record_counts()
    path = export(fmt, tmp_path / f"out.{fmt}" if fmt == "jsonl" else tmp_path / "out")
    # Into the same database: everything is already there and nothing changes.
    again = import_path(path)
    assert sum(again.created.values()) == 0 and record_counts() == counts
    # Into an empty database: the same records, down to their digests.
    empty_store()
    import_path(path)
    assert exported_text() == before
    assert sum(import_path(EXAMPLE).created.values()) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_hostile_strings_round_trip_unchanged(tmp_path, fmt):
    import_path(hostile_bundle(tmp_path / "hostile.jsonl"))
    before = exported_text()
    path = export(fmt, tmp_path / f"out.{fmt}" if fmt == "jsonl" else tmp_path / "out")
    empty_store()
    import_path(path)
    assert exported_text() == before
    assert sum(import_path(tmp_path / "hostile.jsonl").created.values()) == 0
    event = Event.objects.get(source_ref=HOSTILE[2])
    assert event.summary == LONG and len(LONG) == 10_000
    assert event.attributes == {f"k{i}": text for i, text in enumerate(HOSTILE)}
    names = set(Person.objects.values_list("given_name", flat=True))
    assert names == set(HOSTILE)
    assert Phone.objects.get().number == "+447700900123"


@pytest.mark.django_db
def test_csv_cells_on_disk_never_start_a_formula(tmp_path):
    import_path(hostile_bundle(tmp_path / "hostile.jsonl"))
    folder = export("csv", tmp_path / "out")
    cells = []
    for path in folder.iterdir():
        with path.open(newline="", encoding="utf-8") as f:
            cells += [cell for row in csv.reader(f) for cell in row]
    assert '\'=HYPERLINK("http://x","y")' in cells and "-1" in cells
    formulas = [
        cell
        for cell in cells
        if cell.startswith(FORMULA_PREFIXES[:-1]) and cell not in ("-1", "-0.5", "-0.1276")
    ]
    assert formulas == []


# -- reading in chunks -----------------------------------------------------------------------


def store_events(tmp_path: Path, count: int) -> None:
    lines = [
        {"type": "agency", "code": "met", "kind": "police_force", "name": "Met"},
        {"type": "location", "agency": "met", "ref": "L1", "kind": "street"},
        {"type": "phone", "agency": "met", "ref": "T1", "number": "07700900001"},
    ]
    for i in range(count):
        lines.append({"type": "person", "agency": "met", "ref": f"P{i}"})
        lines.append(
            {
                "type": "event",
                "agency": "met",
                "ref": f"E{i}",
                "kind": "arrest",
                "occurred_at": f"2024-01-01T10:{i % 60:02d}:00Z",
                "location": "L1",
                "participants": [{"person": f"P{i}", "role": "suspect"}],
                "objects": [{"phone": "T1", "holder": f"P{i}", "role": "seized"}],
            }
        )
    path = tmp_path / f"events{count}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    import_path(path)


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_the_number_of_events(tmp_path):
    store_events(tmp_path, 3)
    with CaptureQueriesContext(connection) as few:
        list(iter_bundle(chunk_size=100))
    empty_store()
    store_events(tmp_path, 40)
    with CaptureQueriesContext(connection) as many:
        exported = list(iter_bundle(chunk_size=100))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert sum(r["type"] == "event" for r in exported) == 40


@pytest.mark.django_db
def test_chunks_keep_each_event_with_its_own_parts(tmp_path):
    store_events(tmp_path, 7)
    events = [r for r in iter_bundle(chunk_size=3) if r["type"] == "event"]
    assert [e["participants"] for e in events] == [
        [{"person": f"P{i}", "role": "suspect"}] for i in range(7)
    ]
    assert [e["objects"][0]["holder"] for e in events] == [f"P{i}" for i in range(7)]


# -- the command -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_of_one_agency_holds_only_its_records(tmp_path):
    import_path(EXAMPLE)
    path = export("jsonl", tmp_path / "cs.jsonl", "liverpool-cs")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert {r.get("agency", r.get("code")) for r in records} == {"liverpool-cs"}
    assert [r["type"] for r in records] == ["agency", "person", "event", "link"]


@pytest.mark.django_db
def test_export_refuses_an_unknown_agency_and_a_folder_in_use(tmp_path):
    import_path(EXAMPLE)
    with pytest.raises(CommandError, match="no agency nope is recorded"):
        export("jsonl", tmp_path / "x.jsonl", "nope")
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="is not an empty folder"):
        export("csv", tmp_path / "used")


def test_csv_writer_refuses_a_field_it_has_no_column_for(tmp_path):
    record = {"type": "agency", "code": "met", "kind": "police_force", "name": "M", "x": 1}
    with pytest.raises(ValueError, match=r"no CSV column for \['x'\]"):
        write_csv_bundle([record], tmp_path / "out")
