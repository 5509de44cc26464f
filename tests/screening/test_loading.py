"""screening.loading.load_facts: the engine's facts, read from records recorded through intake."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.intake import recording
from safeguard.records.models import Event, Link, Person, Phone
from safeguard.screening import loading
from safeguard.screening.facts import LinkFact, Place
from safeguard.screening.loading import QUERIES_PER_CHUNK, load_facts

AGENCY = "merseyside"


def _location(ref: str, kind: str, force_area: str, la: str = "", lat=None, lon=None) -> dict:
    place = {"type": "location", "agency": AGENCY, "ref": ref, "kind": kind}
    place |= {"force_area": force_area, "local_authority": la}
    if lat is not None:
        place |= {"latitude": lat, "longitude": lon}
    return place


def _person(ref: str, dob: str | None = None, **more) -> dict:
    person = {"type": "person", "agency": AGENCY, "ref": ref, **more}
    if dob is not None:
        person["date_of_birth"] = dob
    return person


def _phone(ref: str, number: str, deal: bool = False) -> dict:
    return {"type": "phone", "agency": AGENCY, "ref": ref, "number": number, "is_deal_line": deal}


def _link(ref: str, kind: str, **ends) -> dict:
    return {"type": "link", "agency": AGENCY, "ref": ref, "kind": kind, **ends}


OLD_HOME = _location("L-OLD", "home", "merseyside", "E08000012", 53.43, -2.96)
NEW_HOME = _location("L-NEW", "care_home", "merseyside", "E08000011", 53.40, -2.80)
STATION = _location("L-STN", "station", "lancashire", "E06000009", 53.82, -3.05)

PERSONS = (
    # Born 15 June 2008: 16 at the stop and search of 8 March 2025.
    _person(
        "C1",
        "2008-06-15",
        given_name="Jay",
        sex="male",
        self_defined_ethnicity="Mixed",
        flags=["looked_after_child"],
    ),
    _person("C2", "2009-01-01"),
    _person("A1", "1990-01-01"),
    _person("T1", "2007-05-10"),  # 17 on 9 May 2025, 18 on 10 May 2025
    _person("U1"),  # date of birth not known
)
PHONES = (
    _phone("PH-C1", "07700900001"),
    _phone("PH-DEAL", "07700900002", deal=True),
    _phone("PH-X", "07700900003"),
)
ITEMS = (
    {
        "type": "item",
        "agency": AGENCY,
        "ref": "I-DRUGS",
        "kind": "drugs",
        "attributes": {"drug_class": "A"},
    },
    {
        "type": "item",
        "agency": AGENCY,
        "ref": "I-CASH",
        "kind": "cash",
        "attributes": {"amount_pence": 500},
    },
)
EVENTS = (
    {
        "type": "event",
        "agency": AGENCY,
        "ref": "E1",
        "kind": "stop_search",
        "occurred_at": "2025-03-08T14:20:00+00:00",
        "location": "L-STN",
        "attributes": {"outcome": "arrest"},
        "participants": [
            {"person": "C1", "role": "suspect"},
            {"person": "C1", "role": "victim"},
            {"person": "A1", "role": "associate"},
            {"person": "C2", "role": "associate"},
            {"person": "U1", "role": "witness"},
        ],
        "objects": [
            {"item": "I-DRUGS", "holder": "C1", "role": "seized"},
            {"phone": "PH-C1", "holder": "C1", "role": "carried"},
            {"phone": "PH-C1", "holder": "C1", "role": "seized"},
            {"phone": "PH-DEAL", "holder": "C1", "role": "seized"},
            {"item": "I-CASH", "holder": "A1", "role": "seized"},
            {"phone": "PH-X", "holder": "A1", "role": "seized"},
        ],
    },
    {
        "type": "event",
        "agency": AGENCY,
        "ref": "E2",
        "kind": "missing_episode",
        "occurred_at": "2025-04-01T19:00:00+01:00",
        "participants": [{"person": "C1", "role": "missing_person"}],
    },
    {
        "type": "event",
        "agency": AGENCY,
        "ref": "E3",
        "kind": "arrest",
        # 00:30 on 2 June on the UK calendar (BST).
        "occurred_at": "2025-06-01T23:30:00+00:00",
        "participants": [{"person": "C1", "role": "suspect"}],
    },
)
LINKS = (
    _link("K-OLD", "lives_at", from_person="C1", to_location="L-OLD", valid_from="2020-01-01"),
    _link("K-NEW", "lives_at", from_person="C1", to_location="L-NEW", valid_from="2025-05-15"),
    _link("K-USES", "uses_phone", from_person="C1", to_phone="PH-C1", valid_from="2025-01-01"),
    _link("K-C2-DEAL", "uses_phone", from_person="C2", to_phone="PH-DEAL", valid_from="2025-02-01"),
    # The deal line calls the child's phone: a contact in the other direction still counts.
    _link(
        "K-CALLS",
        "contact",
        from_phone="PH-DEAL",
        to_phone="PH-C1",
        valid_from="2025-02-10",
        count=40,
    ),
    # Dated by the event that asserted it.
    _link("K-TEXTS", "contact", from_phone="PH-C1", to_phone="PH-X", event="E1", count=3),
    # Between two phones the child does not use: not the child's.
    _link("K-OTHERS", "contact", from_phone="PH-X", to_phone="PH-DEAL", valid_from="2025-02-20"),
    _link("K-FREQ", "frequents", from_person="C1", to_location="L-STN", valid_from="2025-04-01"),
    _link("K-T17", "associate", from_person="C1", to_person="T1", valid_from="2025-05-09"),
    _link("K-T18", "associate", from_person="T1", to_person="C1", valid_from="2025-05-10"),
    _link("K-E3", "associate", from_person="C1", to_person="A1", event="E3"),
)
WORLD = (OLD_HOME, NEW_HOME, STATION, *PERSONS, *PHONES, *ITEMS, *EVENTS, *LINKS)


@pytest.fixture(autouse=True)
def no_pipeline(monkeypatch):
    """Record without the safeguarding pipeline: these tests are about reading records."""
    monkeypatch.setattr(recording.pipeline, "process_events", lambda ids: None)


@pytest.fixture
def world(police, record) -> dict[str, int]:
    """Record the world and return the ids of its records by ref."""
    record(*WORLD)
    ids = {}
    for model in (Person, Phone, Event, Link):
        ids.update(model.objects.values_list("source_ref", "pk"))
    return ids


def _links(facts, world, *refs):
    by_id = {world[r]: r for r in refs}
    return {by_id[k.id]: k for k in facts.links if k.id in by_id and k.via_phone is None}


def test_a_person_is_loaded_with_birth_date_flags_and_events_in_order(world):
    facts = load_facts([world["C1"]])[world["C1"]]
    assert facts.person_id == world["C1"]
    assert facts.date_of_birth == date(2008, 6, 15)
    assert facts.flags == frozenset({"looked_after_child"})
    assert [e.id for e in facts.events] == [world["E1"], world["E2"], world["E3"]]
    stop = facts.events[0]
    assert stop.kind == "stop_search"
    assert stop.occurred_at == datetime(2025, 3, 8, 14, 20, tzinfo=UTC)
    assert stop.place == Place("station", "lancashire", "E06000009", 53.82, -3.05)
    assert stop.attributes == {"outcome": "arrest"}
    assert facts.events[1].place is None


def test_roles_in_one_event_are_merged(world):
    facts = load_facts([world["C1"]])[world["C1"]]
    assert len([e for e in facts.events if e.id == world["E1"]]) == 1
    assert facts.events[0].roles == frozenset({"suspect", "victim"})


def test_items_and_phones_count_only_what_the_person_held(world):
    loaded = load_facts([world["C1"], world["A1"], world["C2"]])
    child, adult, other = (loaded[world[r]].events[0] for r in ("C1", "A1", "C2"))
    # The child's phone was carried and then seized: one phone, not two rows.
    assert (child.items, child.phones) == (frozenset({"drugs"}), 2)
    assert (adult.items, adult.phones) == (frozenset({"cash"}), 1)
    assert (other.items, other.phones) == (frozenset(), 0)


def test_others_ages_are_each_other_person_once_at_the_event(world):
    loaded = load_facts([world["C1"], world["A1"]])
    # C1 is there in two roles but is one other person to A1; U1's age is not known.
    assert loaded[world["C1"]].events[0].others_ages == (16, 35, None)
    assert loaded[world["A1"]].events[0].others_ages == (16, 16, None)
    assert loaded[world["C1"]].events[1].others_ages == ()


def test_home_is_the_place_of_the_latest_lives_at_link(world):
    facts = load_facts([world["C1"]])[world["C1"]]
    assert facts.home == Place("care_home", "merseyside", "E08000011", 53.40, -2.80)
    assert load_facts([world["A1"]])[world["A1"]].home is None


def test_links_carry_the_other_end(world):
    facts = load_facts([world["C1"]])[world["C1"]]
    links = _links(facts, world, "K-OLD", "K-USES", "K-FREQ", "K-E3")
    assert links["K-OLD"].other == "location"
    assert links["K-OLD"].other_place == Place("home", "merseyside", "E08000012", 53.43, -2.96)
    assert links["K-USES"] == LinkFact(world["K-USES"], "uses_phone", date(2025, 1, 1), "phone")
    assert links["K-FREQ"].other_place.kind == "station"
    # Dated by its event, on the UK calendar: 23:30 UTC on 1 June is 2 June in London.
    assert (links["K-E3"].on, links["K-E3"].other, links["K-E3"].other_age) == (
        date(2025, 6, 2),
        "person",
        35,
    )
    assert [(k.on, k.id) for k in facts.links] == sorted((k.on, k.id) for k in facts.links)


def test_the_other_persons_age_is_taken_on_the_links_date(world):
    facts = load_facts([world["C1"]])[world["C1"]]
    links = _links(facts, world, "K-T17", "K-T18")
    assert links["K-T17"].other_age == 17
    # T1 linked to C1: seen from C1, the other end is the link's start.
    assert (links["K-T18"].other, links["K-T18"].other_age) == ("person", 18)


def test_a_phone_used_that_is_a_deal_line_is_flagged(world):
    facts = load_facts([world["C2"]])[world["C2"]]
    uses = _links(facts, world, "K-C2-DEAL")["K-C2-DEAL"]
    assert (uses.kind, uses.other, uses.other_deal_line) == ("uses_phone", "phone", True)


def test_contacts_of_a_phone_the_person_uses_are_links_via_that_phone(world):
    facts = load_facts([world["C1"]])[world["C1"]]
    contacts = sorted((k for k in facts.links if k.via_phone is not None), key=lambda k: k.on)
    assert contacts == [
        LinkFact(
            id=world["K-CALLS"],
            kind="contact",
            on=date(2025, 2, 10),
            other="phone",
            other_deal_line=True,
            count=40,
            via_phone=world["PH-C1"],
        ),
        LinkFact(
            id=world["K-TEXTS"],
            kind="contact",
            on=date(2025, 3, 8),
            other="phone",
            other_deal_line=False,
            count=3,
            via_phone=world["PH-C1"],
        ),
    ]
    assert world["K-OTHERS"] not in {k.id for k in facts.links}


def test_the_deal_line_users_contacts_are_seen_from_the_deal_line(world):
    facts = load_facts([world["C2"]])[world["C2"]]
    contacts = {k.id: k for k in facts.links if k.via_phone is not None}
    assert set(contacts) == {world["K-CALLS"], world["K-OTHERS"]}
    assert {k.via_phone for k in contacts.values()} == {world["PH-DEAL"]}
    assert not contacts[world["K-CALLS"]].other_deal_line


def test_until_leaves_out_later_events_and_links(world):
    until = datetime(2025, 5, 1, tzinfo=UTC)
    facts = load_facts([world["C1"]], until=until)[world["C1"]]
    assert [e.id for e in facts.events] == [world["E1"], world["E2"]]
    assert all(k.on <= date(2025, 5, 1) for k in facts.links)
    assert world["K-T17"] not in {k.id for k in facts.links}
    assert world["K-CALLS"] in {k.id for k in facts.links}
    # The move into care came later: the home then was the old one.
    assert facts.home.kind == "home"


def test_persons_not_stored_are_absent(world):
    missing = max(world.values()) + 1000
    loaded = load_facts([missing, world["C2"], world["C2"]])
    assert list(loaded) == [world["C2"]]
    assert load_facts([]) == {}


def test_the_same_records_load_to_the_same_facts(world):
    ids = [world[r] for r in ("C1", "C2", "A1", "T1", "U1")]
    assert load_facts(ids) == load_facts(list(reversed(ids)))


def test_sex_ethnicity_and_names_are_never_read(world):
    ids = [world[r] for r in ("C1", "C2", "A1", "T1", "U1")]
    with CaptureQueriesContext(connection) as queries:
        before = load_facts(ids)
    Person.objects.filter(pk__in=ids).update(
        sex="female", self_defined_ethnicity="Other", given_name="Changed"
    )
    assert load_facts(ids) == before
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for column in ('"sex"', "self_defined_ethnicity", "given_name", "family_name"):
        assert column not in sql


def _crowd(n: int) -> tuple[dict, ...]:
    """Return n children, each with a home, a phone in contact with a deal line, an event."""
    crowd = [_person("BOSS", "1990-01-01"), _phone("PH-BOSS", "07700800000", deal=True)]
    for i in range(n):
        crowd += [
            _location(f"L{i}", "home", "merseyside"),
            _person(f"P{i}", "2010-01-01"),
            _phone(f"PH{i}", f"077009{i:05d}"),
            {
                "type": "event",
                "agency": AGENCY,
                "ref": f"EV{i}",
                "kind": "stop_search",
                "occurred_at": "2025-03-08T14:20:00+00:00",
                "location": f"L{i}",
                "participants": [
                    {"person": f"P{i}", "role": "suspect"},
                    {"person": "BOSS", "role": "associate"},
                ],
                "objects": [{"phone": f"PH{i}", "holder": f"P{i}", "role": "seized"}],
            },
            _link(f"KH{i}", "lives_at", from_person=f"P{i}", to_location=f"L{i}"),
            _link(f"KU{i}", "uses_phone", from_person=f"P{i}", to_phone=f"PH{i}"),
            _link(f"KC{i}", "contact", from_phone=f"PH{i}", to_phone="PH-BOSS", count=i + 1),
            _link(f"KA{i}", "associate", from_person=f"P{i}", to_person="BOSS"),
        ]
    return tuple(crowd)


def test_five_and_fifty_persons_take_the_same_queries(
    police, record, django_assert_max_num_queries
):
    record(*_crowd(50))
    ids = list(Person.objects.filter(source_ref__startswith="P").values_list("pk", flat=True))
    assert len(ids) == 50
    with django_assert_max_num_queries(QUERIES_PER_CHUNK) as few:
        five = load_facts(ids[:5])
    with django_assert_max_num_queries(QUERIES_PER_CHUNK) as many:
        fifty = load_facts(ids)
    assert len(few) == len(many)
    assert len(five) == 5 and len(fifty) == 50
    for facts in fifty.values():
        assert facts.home is not None and facts.events[0].phones == 1
        assert facts.events[0].others_ages == (35,)
        assert [k.kind for k in facts.links if k.via_phone] == ["contact"]


def test_persons_are_read_in_chunks(police, record, monkeypatch, django_assert_max_num_queries):
    record(*_crowd(12))
    ids = list(Person.objects.filter(source_ref__startswith="P").values_list("pk", flat=True))
    whole = load_facts(ids)
    monkeypatch.setattr(loading, "CHUNK", 5)
    with django_assert_max_num_queries(3 * QUERIES_PER_CHUNK):
        chunked = load_facts(ids)
    assert chunked == whole and list(chunked) == ids
