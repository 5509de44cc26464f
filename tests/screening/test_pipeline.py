"""Every new event with a child in it re-screens that child; a changed result is kept."""

from safeguard.records.models import Event, Person
from safeguard.screening.models import Screening

AGENCY = {"type": "agency", "code": "lancs", "kind": "police_force", "name": "Lancashire"}
HOME = {
    "type": "location",
    "agency": "lancs",
    "ref": "L-HOME",
    "kind": "home",
    "latitude": 53.40,
    "longitude": -2.98,
    "force_area": "merseyside",
}
TRAP = {
    "type": "location",
    "agency": "lancs",
    "ref": "L-TRAP",
    "kind": "trap_house",
    "latitude": 53.76,
    "longitude": -2.70,
    "force_area": "lancashire",
}
CHILD = {
    "type": "person",
    "agency": "lancs",
    "ref": "P-CHILD",
    "date_of_birth": "2009-05-01",
    "self_defined_ethnicity": "White",
    "sex": "male",
}
ADULT = {"type": "person", "agency": "lancs", "ref": "P-ADULT", "date_of_birth": "1990-01-01"}
LIVES = {
    "type": "link",
    "agency": "lancs",
    "ref": "K-HOME",
    "kind": "lives_at",
    "from_person": "P-CHILD",
    "to_location": "L-HOME",
    "valid_from": "2020-01-01",
}
DRUGS = {"type": "item", "agency": "lancs", "ref": "I-1", "kind": "drugs"}
ARREST = {
    "type": "event",
    "agency": "lancs",
    "ref": "E-ARREST",
    "kind": "arrest",
    "occurred_at": "2025-01-10T22:00:00Z",
    "location": "L-TRAP",
    "participants": [
        {"person": "P-CHILD", "role": "suspect"},
        {"person": "P-ADULT", "role": "suspect"},
    ],
    "objects": [{"item": "I-1", "holder": "P-CHILD", "role": "seized"}],
}
MISSING = {
    "type": "event",
    "agency": "lancs",
    "ref": "E-MISSING",
    "kind": "missing_episode",
    "occurred_at": "2025-01-20T20:00:00Z",
    "location": "L-HOME",
    "participants": [{"person": "P-CHILD", "role": "missing_person"}],
}
NOTHING = {
    "type": "event",
    "agency": "lancs",
    "ref": "E-OTHER",
    "kind": "other",
    "occurred_at": "2025-01-21T20:00:00Z",
    "participants": [{"person": "P-CHILD", "role": "witness"}],
}
ADULT_ONLY = {
    "type": "event",
    "agency": "lancs",
    "ref": "E-ADULT",
    "kind": "arrest",
    "occurred_at": "2025-01-11T10:00:00Z",
    "participants": [{"person": "P-ADULT", "role": "suspect"}],
}
WORLD = (AGENCY, HOME, TRAP, CHILD, ADULT, LIVES, DRUGS, ARREST)


def _history(ref: str = "P-CHILD") -> list[Screening]:
    return list(Screening.objects.filter(person__source_ref=ref).order_by("id"))


def test_arresting_a_child_screens_the_child_with_reasons(record):
    record(*WORLD)
    [screening] = _history()
    arrest = Event.objects.get(source_ref="E-ARREST")
    assert screening.trigger_event == arrest
    assert screening.screened_at == arrest.occurred_at  # as of the event, not of the import
    fired = {f["id"]: f for f in screening.indicators}
    assert {"drugs", "trap-house", "found-out-of-area", "older-associates"} <= set(fired)
    assert fired["drugs"]["event_ids"] == [arrest.pk]
    assert "arrest" in fired["drugs"]["reason"]
    assert screening.level == "high"
    assert screening.catalogue.startswith("cce-county-lines ")
    assert len(screening.catalogue_hash) == 64


def test_adults_are_not_screened(record):
    record(AGENCY, ADULT, ADULT_ONLY)
    assert not Screening.objects.exists()


def test_recording_the_same_events_again_screens_nobody_again(record):
    record(*WORLD)
    record(*WORLD)
    assert len(_history()) == 1


def test_a_new_event_that_changes_the_result_adds_to_the_history(record):
    record(*WORLD)
    first = _history()[0]
    record(MISSING)
    history = _history()
    assert [s.pk for s in history][:1] == [first.pk] and len(history) == 2
    assert "missing" in {f["id"] for f in history[1].indicators}
    assert history[1].trigger_event.source_ref == "E-MISSING"
    # The first result is kept as it was.
    assert Screening.objects.get(pk=first.pk).indicators == first.indicators


def test_an_event_that_changes_nothing_adds_nothing(record):
    record(*WORLD)
    before = _history()[0]
    record(NOTHING)
    history = _history()
    # The witness statement fires no indicator, but the older evidence has aged by 11
    # days: still in the same recency band, so the result is the same.
    assert [s.pk for s in history] == [before.pk]


def test_the_person_screened_is_the_child_record_that_took_part(record):
    record(*WORLD)
    assert set(Screening.objects.values_list("person_id", flat=True)) == {
        Person.objects.get(source_ref="P-CHILD").pk
    }
