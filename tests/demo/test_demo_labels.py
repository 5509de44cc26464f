"""The ground truth agrees with what the demo world stored."""

import json
from datetime import date

import pytest

from safeguard.demo import gazetteer, labels
from safeguard.demo.world import World
from safeguard.intake.recording import record_batch
from safeguard.records import vocabulary as v
from safeguard.records.ages import age_on
from safeguard.records.models import Link, Location, Participation, Person, Phone

ROLES = {"controller", "lieutenant", "runner", "cuckooed_resident", "user", "ordinary"}
GROUPS = set(gazetteer.ETHNIC_GROUPS.values())


@pytest.fixture
def truth(db) -> dict:
    """Load the tiny world and return its ground truth."""
    world = World(2019, "tiny")
    record_batch(world.records(), source="demo", batch_size=5000)
    return labels.build(world)


def _ids(model, records) -> list[int]:
    return [model.objects.get(agency__code=r["agency"], source_ref=r["ref"]).pk for r in records]


def test_every_person_record_is_labelled_once_with_a_known_role(truth):
    labelled = [(r["agency"], r["ref"]) for p in truth["people"] for r in p["records"]]
    stored = list(Person.objects.values_list("agency__code", "source_ref"))
    assert sorted(labelled) == sorted(stored)
    assert {p["role"] for p in truth["people"]} <= ROLES
    assert {"controller", "lieutenant", "runner", "cuckooed_resident", "user"} <= {
        p["role"] for p in truth["people"]
    }


def test_every_person_is_labelled_with_one_of_the_five_ethnic_groups(truth):
    assert all(p["ethnicity"] in GROUPS for p in truth["people"])
    assert len({p["ethnicity"] for p in truth["people"]}) > 1


def test_records_hold_the_persons_own_ethnic_group_or_leave_it_blank(truth):
    recorded = dict(
        ((code, ref), ethnicity)
        for code, ref, ethnicity in Person.objects.values_list(
            "agency__code", "source_ref", "self_defined_ethnicity"
        )
    )
    blank = 0
    for person in truth["people"]:
        for r in person["records"]:
            ethnicity = recorded[r["agency"], r["ref"]]
            assert ethnicity in (person["ethnicity"], ""), (person["person"], r)
            blank += ethnicity == ""
    # Agencies leave it blank now and then (scenario.yaml noise.ethnicity_blank: 8%).
    assert 0 < blank < 0.2 * len(recorded)


def test_every_controller_uses_a_deal_line_phone_of_his_line(truth):
    for line in truth["lines"]:
        controller = _ids(Person, line["controller"]["records"])
        deal = _ids(Phone, [r for p in line["deal_line_phones"] for r in p["records"]])
        assert Phone.objects.filter(pk__in=deal, is_deal_line=True).count() == len(deal)
        assert Link.objects.filter(
            kind=v.LinkKind.USES_PHONE, from_person__in=controller, to_phone__in=deal
        ).exists(), line["id"]


def test_every_deal_line_phone_texts_users(truth):
    users = [p for p in truth["people"] if p["role"] == "user"]
    user_ids = [i for p in users for i in _ids(Person, p["records"])]
    user_phones = set(
        Link.objects.filter(kind=v.LinkKind.USES_PHONE, from_person__in=user_ids).values_list(
            "to_phone", flat=True
        )
    )
    for line in truth["lines"]:
        for phone in line["deal_line_phones"]:
            first = phone["records"][0]  # the investigating force's record holds the phone work
            contacts = Link.objects.filter(
                kind=v.LinkKind.CONTACT,
                from_phone__agency__code=first["agency"],
                from_phone__source_ref=first["ref"],
            )
            assert contacts.filter(to_phone__in=user_phones, count__gt=0).exists(), phone


def test_every_cuckooed_address_has_a_vulnerable_resident(truth):
    assert truth["cuckooed_addresses"]
    for address in truth["cuckooed_addresses"]:
        place = Location.objects.get(agency__code=address["agency"], source_ref=address["ref"])
        residents = Person.objects.filter(
            links_out__kind=v.LinkKind.LIVES_AT, links_out__to_location=place
        )
        assert any("vulnerable_adult" in p.flags for p in residents), address


def test_every_exploited_child_was_a_child_at_one_of_their_events(truth):
    exploited = [p for p in truth["people"] if p["exploited_child"]]
    assert exploited
    for person in exploited:
        dob = date.fromisoformat(person["date_of_birth"])
        moments = Participation.objects.filter(
            person__in=_ids(Person, person["records"])
        ).values_list("occurred_at", flat=True)
        assert min(age_on(dob, when) for when in moments) < 18, person["person"]


def test_every_duplicate_group_is_distinct_stored_person_records(truth):
    assert truth["same_person"]
    across_agencies = 0
    for group in truth["same_person"]:
        ids = _ids(Person, group)
        assert len(set(ids)) == len(group) >= 2
        across_agencies += len({r["agency"] for r in group}) > 1
    assert across_agencies


def test_some_duplicates_disagree_on_name_or_date_of_birth(truth):
    differing = 0
    for group in truth["same_person"]:
        rows = Person.objects.filter(pk__in=_ids(Person, group))
        differing += len({(p.given_name, p.family_name, p.date_of_birth) for p in rows}) > 1
    assert differing


def test_the_labels_file_is_the_same_truth_as_json(db, tmp_path):
    from safeguard.demo.loading import load_world

    path = tmp_path / "truth.json"
    load_world(5, "tiny", path)
    written = json.loads(path.read_text())
    world = World(5, "tiny")
    for _ in world.records():
        pass
    assert written == json.loads(json.dumps(labels.build(world)))
