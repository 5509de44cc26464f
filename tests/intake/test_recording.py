"""intake.record_batch / record_event: the one way records enter the system."""

import pytest
from pydantic import ValidationError

from safeguard.intake import recording
from safeguard.intake.errors import RecordingRejected
from safeguard.intake.recording import record_event
from safeguard.intake.schema import RECORD_ADAPTER
from safeguard.records.models import Event, EventObject, Link, Participation, Person, PersonName
from safeguard.records.services import record_counts

CHILD = {
    "type": "person",
    "agency": "merseyside",
    "ref": "P1",
    "given_name": "Jay",
    "family_name": "Doe",
    "date_of_birth": "2005-03-01",
    "sex": "male",
    "other_names": [{"kind": "nickname", "given_name": "Lil J"}],
}
ADULT = {
    "type": "person",
    "agency": "merseyside",
    "ref": "P2",
    "given_name": "Ray",
    "family_name": "Roe",
    "date_of_birth": "1990-06-15",
}
HOME = {
    "type": "location",
    "agency": "merseyside",
    "ref": "L1",
    "kind": "home",
    "postcode": "L4 0TH",
}
PHONE = {
    "type": "phone",
    "agency": "merseyside",
    "ref": "T1",
    "number": "07700 900123",
    "is_deal_line": True,
    "line_name": "TONY",
}
DRUGS = {
    "type": "item",
    "agency": "merseyside",
    "ref": "I1",
    "kind": "drugs",
    "attributes": {
        "drug_class": "A",
        "substance": "crack cocaine",
        "quantity": 12,
        "unit": "wraps",
    },
}
ARREST = {
    "type": "event",
    "agency": "merseyside",
    "ref": "E1",
    "kind": "arrest",
    "occurred_at": "2021-02-28T23:30:00",
    "location": "L1",
    "participants": [
        {"person": "P1", "role": "suspect"},
        {"person": "P1", "role": "victim"},
        {"person": "P2", "role": "associate"},
    ],
    "objects": [
        {"item": "I1", "holder": "P1", "role": "seized"},
        {"phone": "T1", "holder": "P1", "role": "seized"},
    ],
}
USES = {
    "type": "link",
    "agency": "merseyside",
    "ref": "K1",
    "kind": "uses_phone",
    "from_person": "P2",
    "to_phone": "T1",
    "event": "E1",
    "confidence": 0.8,
}
WORLD = (CHILD, ADULT, HOME, PHONE, DRUGS, ARREST, USES)


def test_event_is_stored_with_participants_objects_and_age_at_the_event(police, record):
    summary = record(*WORLD)
    assert summary.created["event"] == 1
    event = Event.objects.get(source_ref="E1")
    ages = dict(Participation.objects.filter(event=event).values_list("role", "age_at_event"))
    # Born 1 March 2005; the arrest is late on 28 February 2021: still 15, not 16.
    assert ages == {"suspect": 15, "victim": 15, "associate": 30}
    assert EventObject.objects.filter(event=event, holder__source_ref="P1").count() == 2
    assert PersonName.objects.get(person__source_ref="P1").given_name == "Lil J"
    assert Link.objects.get(source_ref="K1").event == event


def test_recording_the_same_records_again_changes_nothing(police, record):
    record(*WORLD)
    before = record_counts()
    summary = record(*WORLD)
    assert record_counts() == before
    assert sum(summary.created.values()) == 0
    assert summary.unchanged["event"] == 1 and summary.unchanged["person"] == 2


def _record_in_batches(*raw: dict, batch_size: int) -> recording.Summary:
    validated = [(RECORD_ADAPTER.validate_python(r), i) for i, r in enumerate(raw, start=1)]
    return recording.record_batch(validated, source="batch.jsonl", batch_size=batch_size)


# Loading into an agency with no records yet skips the look-ups (intake knows every key it
# stored). Events and links are not kept between flushes; batch_size=1 flushes each record.


def test_an_event_repeated_later_in_a_recording_into_an_empty_store_is_unchanged(police):
    summary = _record_in_batches(*WORLD, ARREST, USES, batch_size=1)
    assert (summary.created["event"], summary.unchanged["event"]) == (1, 1)
    assert (summary.created["link"], summary.unchanged["link"]) == (1, 1)
    assert Event.objects.count() == 1 and Link.objects.count() == 1


def test_a_changed_repeat_later_in_a_recording_into_an_empty_store_is_refused(police):
    changed = {**ARREST, "summary": "changed"}
    with pytest.raises(RecordingRejected) as refused:
        _record_in_batches(*WORLD, changed, batch_size=1)
    assert [str(e) for e in refused.value.errors] == [
        "batch.jsonl:8: ref: event 'E1' of merseyside is already recorded with different "
        "content; records are not overwritten"
    ]
    assert not Event.objects.exists() and not Person.objects.exists()


def test_a_link_finds_an_event_stored_by_an_earlier_flush(police):
    _record_in_batches(*WORLD, batch_size=1)
    assert Link.objects.get(source_ref="K1").event.source_ref == "E1"


def test_records_of_an_agency_that_has_some_are_looked_up(police, record):
    record(CHILD, HOME)
    summary = _record_in_batches(*WORLD, batch_size=3)
    assert summary.unchanged["person"] == 1 and summary.created["person"] == 1
    assert summary.created["event"] == 1


def test_new_events_go_to_the_pipeline_once(police, record, monkeypatch):
    seen = []
    monkeypatch.setattr(recording.pipeline, "process_events", lambda ids: seen.append(list(ids)))
    record(*WORLD)
    record(*WORLD)
    assert seen == [[Event.objects.get(source_ref="E1").pk]]


def test_a_changed_record_with_a_known_ref_is_refused_and_nothing_is_stored(police, record):
    record(CHILD)
    changed = {**CHILD, "given_name": "Jai"}
    with pytest.raises(RecordingRejected) as refused:
        record(ADULT, changed, source="batch.jsonl")
    assert [str(e) for e in refused.value.errors] == [
        "batch.jsonl:2: ref: person 'P1' of merseyside is already recorded with different "
        "content; records are not overwritten"
    ]
    assert not Person.objects.filter(source_ref="P2").exists()
    assert Person.objects.get(source_ref="P1").given_name == "Jay"


def test_an_unknown_reference_names_line_and_field(police, record):
    event = {**ARREST, "participants": [{"person": "P9", "role": "suspect"}], "objects": []}
    with pytest.raises(RecordingRejected) as refused:
        record(HOME, event, source="in.jsonl")
    assert [str(e) for e in refused.value.errors] == [
        "in.jsonl:2: participants.0.person: no person 'P9' of merseyside is recorded"
    ]
    assert record_counts()["locations"] == 0


def test_an_unknown_agency_is_refused(db, record):
    with pytest.raises(RecordingRejected) as refused:
        record(CHILD)
    assert "unknown agency 'merseyside'" in str(refused.value.errors[0])


def test_references_across_agencies(police, record):
    record({"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"})
    record(CHILD)
    found = {
        "type": "event",
        "agency": "cumbria",
        "ref": "C1",
        "kind": "found_out_of_area",
        "occurred_at": "2021-05-01T10:00:00+01:00",
        "participants": [{"person": {"agency": "merseyside", "ref": "P1"}, "role": "subject"}],
    }
    record(found)
    part = Participation.objects.get(event__source_ref="C1")
    assert part.person.agency.code == "merseyside" and part.age_at_event == 16


def test_record_event_returns_the_stored_event_and_is_idempotent(police, record):
    record(CHILD, HOME)
    raw = {k: v for k, v in ARREST.items() if k != "objects"}
    raw["participants"] = [{"person": "P1", "role": "suspect"}]
    first = record_event(raw)
    again = record_event(raw)
    assert first.pk == again.pk and Event.objects.count() == 1


def test_a_link_must_join_the_entities_its_kind_names():
    from safeguard.intake.schema import RECORD_ADAPTER

    with pytest.raises(ValidationError, match="a uses_phone link needs to_phone"):
        RECORD_ADAPTER.validate_python({**USES, "to_phone": None, "to_person": "P1"})


def test_the_same_reference_written_two_ways_is_the_same_record(police, record):
    record(CHILD, HOME)
    short = {**ARREST, "participants": [{"person": "P1", "role": "suspect"}], "objects": []}
    long = {
        **short,
        "location": {"agency": "merseyside", "ref": "L1"},
        "participants": [{"person": {"agency": "merseyside", "ref": "P1"}, "role": "suspect"}],
    }
    record(short)
    assert record(long).unchanged["event"] == 1


def test_attribute_key_order_does_not_make_a_new_record(police, record):
    # PostgreSQL's jsonb does not keep key order: an exported event must still match.
    event = {
        "type": "event",
        "agency": "merseyside",
        "ref": "E5",
        "kind": "stop_search",
        "occurred_at": "2021-01-01T10:00:00Z",
        "attributes": {"b": 1, "a": "x"},
    }
    record(event)
    assert record({**event, "attributes": {"a": "x", "b": 1}}).unchanged["event"] == 1
