"""Screening services: batch re-screening, immutable history, professional judgement."""

import gc
from datetime import UTC, datetime

import pytest

from safeguard.records.models import Person
from safeguard.screening import services
from safeguard.screening.models import ImmutableError, Judgement, Screening, outcome_digest

AGENCY = {"type": "agency", "code": "lancs", "kind": "police_force", "name": "Lancashire"}
AT = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _child(ref: str, born: str = "2010-04-01", **fields) -> dict:
    return {"type": "person", "agency": "lancs", "ref": ref, "date_of_birth": born, **fields}


def _missing(ref: str, person: str, day: str) -> dict:
    return {
        "type": "event",
        "agency": "lancs",
        "ref": ref,
        "kind": "missing_episode",
        "occurred_at": f"{day}T21:00:00Z",
        "participants": [{"person": person, "role": "missing_person"}],
    }


def _found(ref: str, person: str, day: str) -> dict:
    return {
        "type": "event",
        "agency": "lancs",
        "ref": ref,
        "kind": "found_out_of_area",
        "occurred_at": f"{day}T09:00:00Z",
        "participants": [{"person": person, "role": "missing_person"}],
    }


def _world(n: int) -> list[dict]:
    records: list[dict] = [AGENCY]
    for i in range(n):
        records += [
            _child(f"C{i}"),
            _missing(f"M{i}a", f"C{i}", "2025-01-05"),
            _missing(f"M{i}b", f"C{i}", "2025-02-10"),
            _found(f"F{i}", f"C{i}", "2025-02-11"),
        ]
    return records


def _latest() -> Screening:
    return Screening.objects.latest("id")


def test_run_screens_every_child_as_of_a_moment_and_no_adult(record):
    record(
        AGENCY,
        _child("C1"),
        _child("TURNS-18", born="2007-03-01"),  # 18 on the day screened
        _child("ADULT", born="1980-01-01"),
        _child("NO-DOB", born=None),
    )
    stored = services.rescreen_all(AT)
    assert [Person.objects.get(pk=s.person_id).source_ref for s in stored] == ["C1"]
    assert stored[0].screened_at == AT and stored[0].level == "none"


def test_running_again_stores_nothing_new_and_a_later_band_does(record):
    record(*_world(1))  # the pipeline screens the child as of each episode
    first = _latest()
    assert first.level == "medium"  # missing twice within 90 days, found out of area
    assert services.rescreen_all(AT) == []  # 19 days on: the same result
    # 120 days on, the latest episode is "recent" (x0.6): a changed result, kept beside the first.
    [later] = services.rescreen_all(datetime(2025, 6, 10, tzinfo=UTC))
    assert later.score < first.score
    assert Screening.objects.filter(person_id=first.person_id).count() == 2


def test_rescreening_is_set_based(record, django_assert_max_num_queries):
    record(*_world(60))
    few = {p: AT for p in Person.objects.order_by("id").values_list("id", flat=True)[:5]}
    everyone = dict.fromkeys(Person.objects.values_list("id", flat=True), AT)
    with django_assert_max_num_queries(30) as small:
        services.rescreen(few)
    with django_assert_max_num_queries(len(small.captured_queries)):
        services.rescreen(everyone)


def test_protected_characteristics_change_nothing(record):
    record(*_world(1))
    first = _latest()
    Person.objects.update(sex="female", self_defined_ethnicity="Black, Black British")
    assert services.rescreen_all(AT) == []  # the same outcome: nothing new stored
    Person.objects.update(sex="male", self_defined_ethnicity="Asian or Asian British")
    assert services.rescreen_all(AT) == []
    assert _latest() == first


def test_screenings_are_never_changed_or_deleted(record):
    record(*_world(1))
    screening = _latest()
    screening.level = "none"
    with pytest.raises(ImmutableError):
        screening.save()
    with pytest.raises(ImmutableError):
        screening.delete()
    assert Screening.objects.get(pk=screening.pk).level == "medium"


def test_a_judgement_raises_the_level_and_both_are_kept(record):
    record(*_world(1))
    screening = _latest()
    judgement = services.judge(
        screening,
        "high",
        "Found with an older male in Preston; disclosed threats.",
        by_name="DS Amy Clarke",
    )
    level, standing = services.current_level(screening)
    assert (level, standing) == ("high", judgement)
    assert Screening.objects.get(pk=screening.pk).level == "medium"  # the automatic result
    with pytest.raises(ImmutableError):
        judgement.delete()


@pytest.mark.parametrize(
    ("level", "reason", "by", "message"),
    [
        ("urgent", "because", "DS Clarke", "unknown level 'urgent'"),
        ("low", "  ", "DS Clarke", "a judgement needs a reason"),
        ("low", "because", "", "a judgement needs the name"),
    ],
)
def test_a_judgement_needs_a_level_a_reason_and_a_name(record, level, reason, by, message):
    record(*_world(1))
    screening = _latest()
    with pytest.raises(ValueError, match=message):
        services.judge(screening, level, reason, by_name=by)
    assert not Judgement.objects.exists()


def test_what_is_stored_reads_back_as_it_was_returned(record):
    record(*_world(1))
    [stored] = services.rescreen_all(datetime(2025, 6, 10, tzinfo=UTC))
    again = Screening.objects.get(pk=stored.pk)
    fields = ("person_id", "screened_at", "score", "level", "indicators", "vulnerabilities")
    fields += ("catalogue", "catalogue_hash", "outcome", "created_at")
    assert [getattr(again, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert again.indicators[0]["event_ids"] and again.indicators[0]["reason"]
    # The digest a later re-screen compares is the one its stored fields give.
    assert again.outcome == outcome_digest(
        again.level, again.score, again.indicators, again.vulnerabilities, again.catalogue_hash
    )


def test_the_outcome_is_judged_on_evidence_and_points_not_wording():
    fired = {"id": "x", "title": "X", "points": 2.0, "event_ids": [1, 2], "link_ids": []}
    base = ("medium", 4.0, [{**fired, "reason": "two episodes"}], [], "h1")
    assert outcome_digest(*base) == outcome_digest(
        "medium", 4.0, [{**fired, "reason": "reworded", "title": "Y"}], [], "h1"
    )
    assert outcome_digest(*base) != outcome_digest(
        "medium", 4.0, [{**fired, "event_ids": [1, 3]}], [], "h1"
    )
    assert outcome_digest(*base) != outcome_digest(*base[:4], "h2")  # another catalogue
    assert outcome_digest(*base) != outcome_digest("high", *base[1:])


def test_rescreening_leaves_the_cycle_collector_as_it_found_it(record):
    record(*_world(2))
    assert gc.isenabled()
    services.rescreen_all(AT)
    assert gc.isenabled()
    gc.disable()
    try:
        services.rescreen_all(AT)
        assert not gc.isenabled()
    finally:
        gc.enable()
