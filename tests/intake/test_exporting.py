"""intake.exporting and `safeguard export`: charging reviews go out with the records they
authorise, so that an export of reviewed child charges imports again."""

import csv
import functools
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from safeguard.accounts.models import Membership
from safeguard.intake import bundles, recording
from safeguard.intake.bundles import import_path
from safeguard.intake.csv_reader import COLUMNS
from safeguard.intake.errors import RecordingRejected
from safeguard.intake.exporting import REVIEW_FIELDS, iter_bundle
from safeguard.intake.schema import RECORD_ADAPTER, ChargingReviewIn
from safeguard.records.csv_writer import CSV_FILES
from safeguard.records.exporters import write_jsonl
from safeguard.records.models import Agency, Event, Person
from safeguard.records.services import record_counts
from safeguard.safeguarding import charging
from safeguard.safeguarding.models import ChargingReview
from tests.records.test_exporters import empty_store, export
from tests.safeguarding.test_charging import ANSWERS, CHARGE, REVIEWED, SIGNED, SIGNS, _answers
from tests.safeguarding.test_duties import WORLD, _event

# A signed-off review of the child (screened medium or higher by SIGNS), as another system
# made it, then the charge it authorises.
REVIEW = {
    "type": "charging_review",
    "agency": "lancs",
    "ref": "REV1",
    "person": "KID",
    "proposed": "charge",
    "offence": "Possession with intent to supply a class A drug",
    "completed_at": "2025-02-20T15:00:00+00:00",
    **ANSWERS,
    "decision": "charge",
    "rationale": "=Reviewed with the CPS; prosecution needed to protect other children.",
    "reviewer_name": "DS Khan 🧒🏽",
    "supervisor_name": "DI Patel",
    "signed_off_at": "2025-02-20T17:00:00+01:00",
}
# A later review of the same child that authorises nothing stored: written at the end.
UNUSED = REVIEW | {
    "ref": "REV2",
    "completed_at": "2025-03-01T10:00:00Z",
    "decision": "diversion",
    "public_interest": False,
    "supervisor_name": "",
    "signed_off_at": None,
}
LATER = _event("A9", "arrest", "2025-03-02T10:00:00Z", ("KID", "suspect"))


def exported() -> str:
    out = io.StringIO()
    write_jsonl(iter_bundle(), out)
    return out.getvalue()


def bundle_path(tmp_path: Path, fmt: str) -> Path:
    return tmp_path / "out.jsonl" if fmt == "jsonl" else tmp_path / "out"


def reviewed_charges() -> set[tuple[str, str | None]]:
    return set(ChargingReview.objects.values_list("source_ref", "event__source_ref"))


def in_batches_of(monkeypatch, size: int) -> None:
    """Import in batches of `size` records: the pipeline checks charges once per batch."""
    monkeypatch.setattr(
        bundles, "record_batch", functools.partial(recording.record_batch, batch_size=size)
    )


@pytest.fixture
def reviewed(record):
    """A child with signs of exploitation, a signed-off review, the charge, a later review."""
    record(*WORLD, *SIGNS, REVIEW, CHARGE, UNUSED, LATER)
    assert reviewed_charges() == {("REV1", "CH1"), ("REV2", None)}


# -- what is written -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_review_is_written_just_before_the_charge_it_authorises_the_rest_last(reviewed):
    records = list(iter_bundle())
    refs = [r.get("ref", r.get("code")) for r in records]
    assert refs.index("REV1") == refs.index("CH1") - 1
    assert refs[-1] == "REV2" and records[-2]["type"] == "link"
    review = records[refs.index("REV1")]
    assert review == REVIEW | {
        "schedule_4": "",  # stored as not given: written, as other records' empty text is
        "signed_off_at": "2025-02-20T16:00:00+00:00",  # in UTC, as every time is written
    }
    assert set(review) - {"type", "agency", "ref", "person"} <= set(REVIEW_FIELDS)
    assert "signed_off_at" not in records[-1]  # not given: left out, as for other records


@pytest.mark.django_db
def test_a_review_of_another_agencys_person_names_that_agency(record):
    record(
        *WORLD,
        {"type": "person", "agency": "blackpool-cs", "ref": "CS-1", "date_of_birth": "2010-04-01"},
        REVIEW | {"person": {"agency": "blackpool-cs", "ref": "CS-1"}, "ref": "REV9"},
    )
    [review] = [r for r in iter_bundle() if r["type"] == "charging_review"]
    assert review["person"] == {"agency": "blackpool-cs", "ref": "CS-1"}


@pytest.mark.django_db
def test_an_export_of_one_agency_holds_only_its_reviews(reviewed, tmp_path):
    path = export("jsonl", tmp_path / "cs.jsonl", "blackpool-cs")
    assert "charging_review" not in path.read_text()
    path = export("jsonl", tmp_path / "lancs.jsonl", "lancs")
    types = [json.loads(line)["type"] for line in path.read_text().splitlines()]
    assert types.count("charging_review") == 2


@pytest.mark.django_db
def test_the_csv_bundle_has_a_charging_reviews_file(reviewed, tmp_path):
    folder = export("csv", tmp_path / "out")
    with (folder / "charging_reviews.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == CSV_FILES["charging_reviews.csv"]
    assert tuple(COLUMNS["charging_reviews.csv"]) == CSV_FILES["charging_reviews.csv"]
    assert [row["ref"] for row in rows] == ["REV1", "REV2"]
    assert (rows[0]["person"], rows[0]["person_agency"]) == ("KID", "")
    assert rows[0]["rationale"].startswith("'=")  # neutralised, like every cell
    assert (rows[0]["duress"], rows[1]["signed_off_at"]) == ("false", "")


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_reviewed_charges_reimport(reviewed, tmp_path, fmt):
    before, counts = exported(), record_counts()
    path = export(fmt, bundle_path(tmp_path, fmt))
    # Into the same database: everything already there, the reviews included.
    again = import_path(path)
    assert sum(again.created.values()) == 0 and again.unchanged["charging_review"] == 2
    assert record_counts() == counts
    # Into an empty database: the charge is accepted and linked to its review again.
    empty_store()
    summary = import_path(path)
    assert summary.created["charging_review"] == 2 and summary.created["event"] == 5
    assert reviewed_charges() == {("REV1", "CH1"), ("REV2", None)}
    assert ChargingReview.objects.get(source_ref="REV1").despite_indicators
    assert exported() == before
    # And the digests are the ones the source records gave.
    assert import_path(path).unchanged["charging_review"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_reviewed_charges_reimport_whatever_the_batches(reviewed, tmp_path, monkeypatch, fmt, size):
    # Wherever a batch ends, the review is stored by the time its charge is checked, and
    # has seen the evidence the charge is checked against (in this world; see the next test).
    path = export(fmt, bundle_path(tmp_path, fmt))
    empty_store()
    in_batches_of(monkeypatch, size)
    import_path(path)
    assert reviewed_charges() == {("REV1", "CH1"), ("REV2", None)}


@pytest.mark.django_db
def test_a_batch_ending_between_a_review_and_its_charge(record, tmp_path, monkeypatch):
    frequents = {
        "type": "link",
        "agency": "lancs",
        "ref": "FQ",
        "kind": "frequents",
        "from_person": "KID",
        "to_location": "CUCKOO",
        "valid_from": "2025-01-01",
    }
    record(*WORLD, *SIGNS, frequents, REVIEW, CHARGE)
    records = [r for r in iter_bundle() if r["type"] != "agency"]
    path = export("jsonl", tmp_path / "out.jsonl")
    empty_store()
    # The first batch ends with the review; the charge and the links make the second.
    in_batches_of(monkeypatch, [r["ref"] for r in records].index("REV1") + 1)
    import_path(path)


@pytest.mark.django_db
def test_reviews_anywhere_before_their_charges_import(reviewed, tmp_path, monkeypatch):
    # What a review saw is worked out when its charge asks for it, from everything stored
    # by then: a review stored batches before the events it rests on still authorises.
    records = list(iter_bundle())
    reviews = [r for r in records if r["type"] == "charging_review"]
    others = [r for r in records if r["type"] != "charging_review"]
    last_person = max(i for i, r in enumerate(others) if r["type"] == "person")
    reordered = others[: last_person + 1] + reviews + others[last_person + 1 :]
    path = tmp_path / "after-persons.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in reordered))
    empty_store()
    in_batches_of(monkeypatch, 3)
    import_path(path)
    assert reviewed_charges() == {("REV1", "CH1"), ("REV2", None)}


@pytest.mark.django_db
def test_a_csv_review_is_recorded_before_the_first_charge_of_its_person_after_it(
    reviewed, tmp_path, monkeypatch
):
    folder = export("csv", tmp_path / "out")
    empty_store()
    seen = []
    real = recording.record_batch

    def spy(records, **kwargs):
        def watched():
            for record, line in records:
                seen.append(record.ref if hasattr(record, "ref") else record.code)
                yield record, line

        return real(watched(), **kwargs)

    monkeypatch.setattr(bundles, "record_batch", spy)
    import_path(folder)
    assert seen.index("REV1") == seen.index("CH1") - 1
    assert seen[-1] == "REV2"


@pytest.mark.django_db
def test_a_refused_csv_review_is_named_by_its_own_file_and_line(reviewed, tmp_path):
    folder = export("csv", tmp_path / "out")
    empty_store()
    path = folder / "charging_reviews.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",charge,", ",charges,", 1))
    with pytest.raises(RecordingRejected) as caught:
        import_path(folder)
    assert f"{path}:2: proposed: Input should be" in str(caught.value)
    assert not Event.objects.exists()


# -- reviews made in the system ------------------------------------------------------------


def _made_here(**changes) -> ChargingReview:
    fields = {
        "agency_id": Agency.objects.get(code="lancs").pk,
        "proposed": "charge",
        "offence": "PWITS\n'quoted' and 🧒🏽",
        "answers": _answers(schedule_4=""),
        "decision": "charge",
        "rationale": "No link between the exploitation and this offence shown.",
        "reviewer_name": "DS Khan",
        "completed_at": REVIEWED.replace(microsecond=123400),
    }
    return charging.record_review(Person.objects.get(source_ref="KID"), **(fields | changes))


@pytest.mark.django_db
def test_a_review_made_here_stores_the_digest_intake_gives_it(record):
    record(*WORLD, *SIGNS)
    review = _made_here()
    [written] = [r for r in iter_bundle() if r["type"] == "charging_review"]
    assert written["ref"] == f"safeguard-review-{review.pk}"
    assert review.source_hash == ChargingReviewIn.model_validate(written).digest()
    review.refresh_from_db()
    assert review.source_hash == RECORD_ADAPTER.validate_python(written).digest()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_review_made_here_reimports(record, tmp_path, fmt):
    # A review of a child without signs of exploitation needs no sign-off.
    record(*WORLD)
    _made_here(completed_at=REVIEWED)
    record(CHARGE)
    before = exported()
    path = export(fmt, bundle_path(tmp_path, fmt))
    assert import_path(path).unchanged["charging_review"] == 1  # already present
    empty_store()
    import_path(path)
    assert exported() == before
    assert ChargingReview.objects.get().event.source_ref == "CH1"


@pytest.mark.django_db
def test_a_review_made_here_and_signed_off_imports_into_an_empty_database(record, tmp_path):
    record(*WORLD, *SIGNS)
    charging.sign_off(_made_here(completed_at=REVIEWED), by_name="DI Patel", at=SIGNED)
    record(CHARGE)
    path = export("jsonl", tmp_path / "out.jsonl")
    empty_store()
    import_path(path)
    assert ChargingReview.objects.get().event.source_ref == "CH1"


@pytest.mark.django_db
def test_a_review_made_here_and_signed_off_is_already_present(record, tmp_path):
    record(*WORLD, *SIGNS)
    charging.sign_off(_made_here(completed_at=REVIEWED), by_name="DI Patel", at=SIGNED)
    record(CHARGE)
    path = export("jsonl", tmp_path / "out.jsonl")
    assert import_path(path).unchanged["charging_review"] == 1


# -- the demo world ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "size"), [("jsonl", None), ("csv", None), ("jsonl", 97)])
def test_the_demo_world_reimports_into_an_empty_database(
    settings, tmp_path, monkeypatch, fmt, size
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", "--no-serve", "--scale", "tiny", stdout=io.StringIO())
    reviewed = reviewed_charges()
    # At least one charge that the block would refuse without its review.
    needed = ChargingReview.objects.filter(event__kind="charge", despite_indicators=True)
    assert needed.exists(), "the tiny world has no reviewed charge of an exploited child"
    before, counts = exported(), record_counts()
    path = export(fmt, bundle_path(tmp_path, fmt))
    Membership.objects.all().delete()  # the demo's accounts belong to its agencies
    empty_store()
    if size is not None:
        in_batches_of(monkeypatch, size)
    import_path(path)  # a refused charge would raise RecordingRejected
    assert reviewed_charges() == reviewed
    assert record_counts() == counts
    assert exported() == before
