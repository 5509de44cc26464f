"""network.reading.load: the nodes and ties of the records, each tie naming its record."""

from datetime import date

import pytest

from safeguard.network import graph as g
from safeguard.network import reading
from safeguard.records.models import Event, Link, Location, Person, Phone

from .factories import (
    agency_record,
    event_record,
    link_record,
    person_record,
    phone_record,
    place_record,
)

D = date.fromisoformat
TRAP = {"agency": "lancs", "ref": "L1"}  # the trap house, as other agencies' links name it


def pk(model, ref: str, agency: str = "lancs") -> int:
    return model.objects.get(agency__code=agency, source_ref=ref).pk


def person(ref: str, agency: str = "lancs") -> str:
    return g.person_key(pk(Person, ref, agency))


def place(ref: str) -> str:
    return g.location_key(pk(Location, ref))


def link(ref: str) -> str:
    return f"link:{pk(Link, ref)}"


def event(ref: str) -> str:
    return f"event:{pk(Event, ref)}"


def ties(start=None, end=None, crowd=8) -> set[tuple]:
    """Return the ties loaded, as (a, b, kind, source, first, last, count)."""
    _, found = reading.load(start, end, crowd)
    return {(t.a, t.b, t.kind, t.source, t.first, t.last, t.count) for t in found}


def nodes(start=None, end=None) -> dict[str, g.Node]:
    found, _ = reading.load(start, end)
    return {n.key: n for n in found}


@pytest.fixture
def people(record):
    """Record a police force, four people, two phones and a trap house."""
    record(
        agency_record(),
        person_record("P1", "Ryan", "Cole", "2009-06-01"),
        person_record("P2", "Rita", "Cole", "2008-06-01"),
        person_record("P3", "Carl", "Dane", "1985-01-01"),
        person_record("P4", "Liam", "Shaw", "1995-01-01"),
        phone_record("T1", "07700 900001", deal=True, line_name="Bruno"),
        phone_record("T2", "07700900002"),
        place_record("L1", "trap_house", address="12 Tower Street\nBlackpool\nFY1 1AA"),
        place_record("L2", "street"),
    )


def test_links_are_ties_with_their_record_and_dates(record, people):
    record(
        link_record(
            "K1", "contact", "T2", "T1", valid_from="2025-02-01", valid_to="2025-02-28", count=212
        ),
        link_record("K2", "uses_phone", "P3", "T1"),
        link_record("K3", "stays_at", "P1", "L1", valid_from="2025-01-05", valid_to="2025-01-20"),
        link_record("K4", "associate", "P1", "P2", valid_from="2025-03-01"),
    )
    deal, other = g.phone_key("07700900001"), g.phone_key("07700900002")
    assert ties() == {
        (other, deal, "contact", link("K1"), D("2025-02-01"), D("2025-02-28"), 212),
        (person("P3"), deal, "uses_phone", link("K2"), None, None, 1),
        (person("P1"), place("L1"), "stays_at", link("K3"), D("2025-01-05"), D("2025-01-20"), 1),
        # no end date: open, not one day
        (person("P1"), person("P2"), "associate", link("K4"), D("2025-03-01"), None, 1),
    }


def test_a_link_asserted_by_an_event_without_dates_takes_the_events_day(record, people):
    record(
        event_record("E1", "intelligence_report", "2025-02-03T10:00:00Z", ["P3"], role="subject"),
        link_record("K1", "uses_phone", "P3", "T2", event="E1"),
    )
    assert (
        person("P3"),
        g.phone_key("07700900002"),
        "uses_phone",
        link("K1"),
        D("2025-02-03"),
        D("2025-02-03"),
        1,
    ) in ties()


def test_two_people_in_one_event_are_a_same_event_tie(record, people):
    record(event_record("E1", "stop_search", "2025-02-10T14:00:00Z", ["P1", "P2"], location="L2"))
    day = D("2025-02-10")
    assert ties() == {(person("P1"), person("P2"), "same_event", event("E1"), day, day, 1)}


def test_each_event_together_is_counted_with_its_record(record, people):
    record(
        event_record("E1", "stop_search", "2025-02-10T14:00:00Z", ["P1", "P2"]),
        event_record("E2", "arrest", "2025-03-01T14:00:00Z", ["P1", "P2"]),
    )
    loaded, found = reading.load()
    rg = g.build(loaded, found, {"same_event": 1.0})
    [edge] = rg.graph.es
    assert edge["count"] == 2 and len(found) == 2
    assert sorted(edge["sources"]) == sorted([event("E1"), event("E2")])
    assert (edge["first"], edge["last"]) == ("2025-02-10", "2025-03-01")


def test_an_event_at_a_trap_house_ties_everyone_in_it_to_the_address(record, people):
    record(event_record("E1", "arrest", "2025-02-10T22:00:00Z", ["P1", "P2"], location="L1"))
    day = D("2025-02-10")
    assert ties() == {
        (person("P1"), place("L1"), "present_at", event("E1"), day, day, 1),
        (person("P2"), place("L1"), "present_at", event("E1"), day, day, 1),
        (person("P1"), person("P2"), "same_event", event("E1"), day, day, 1),
    }


def test_an_event_in_the_street_ties_no_one_to_the_place(record, people):
    record(event_record("E1", "stop_search", "2025-02-10T22:00:00Z", ["P1"], location="L2"))
    assert ties() == set()


def test_an_event_with_more_people_than_the_crowd_makes_no_same_event_ties(record, people):
    four = ["P1", "P2", "P3", "P4"]
    record(
        event_record("E1", "raid", "2025-02-10T06:00:00Z", four, location="L1"),
        event_record("E2", "arrest", "2025-02-11T06:00:00Z", four[:3]),
    )
    found = ties(crowd=3)
    assert {t[3] for t in found if t[2] == "same_event"} == {event("E2")}
    assert len([t for t in found if t[2] == "same_event"]) == 3  # the three of E2, in pairs
    # being at the address is still recorded for each of the raid's people
    assert {t[0] for t in found if t[2] == "present_at"} == {person(p) for p in four}


def test_reporters_and_witnesses_are_not_tied_to_the_others(record, people):
    record(
        event_record(
            "E1",
            "crime_report",
            "2025-02-10T12:00:00Z",
            [("P1", "suspect"), ("P2", "witness"), ("P3", "reporter")],
        )
    )
    assert ties() == set()


def test_a_phone_held_in_an_event_is_used_by_its_holder(record, people):
    record(
        event_record(
            "E1",
            "arrest",
            "2025-02-10T22:00:00Z",
            ["P1"],
            objects=[
                {"phone": "T1", "holder": "P1", "role": "seized"},
                {"phone": "T2", "role": "found"},
            ],
        )
    )
    day = D("2025-02-10")
    assert ties() == {
        (person("P1"), g.phone_key("07700900001"), "uses_phone", event("E1"), day, day, 1)
    }


def test_person_records_agreeing_on_names_and_birth_are_one_node(record, people):
    record(
        agency_record("lancs-cs", "childrens_services"),
        agency_record("lancs-ed", "education"),
        person_record(
            "C1", "Ryan", "Cole", "2009-06-01", agency="lancs-cs", flags=["looked_after_child"]
        ),
        # the same names, another date of birth: another person for all the graph knows
        person_record("S1", "Ryan", "Cole", "2009-06-02", agency="lancs-ed"),
        link_record("K1", "stays_at", "P1", "L1"),
        link_record("K2", "lives_at", "C1", TRAP, agency="lancs-cs"),
        link_record("K3", "lives_at", "S1", TRAP, agency="lancs-ed"),
    )
    found = nodes()
    ryan = found[person("P1")]
    assert sorted(ryan.records) == sorted([pk(Person, "P1"), pk(Person, "C1", "lancs-cs")])
    assert ryan.facts["agencies"] == {"lancs", "lancs-cs"}
    assert ryan.facts["flags"] == {"looked_after_child"}
    other = found[person("S1", "lancs-ed")]
    assert other.records == [pk(Person, "S1", "lancs-ed")]
    assert len([n for n in found.values() if n.kind == g.PERSON]) == 2
    # the tie of each record ends at its node
    _, loaded = reading.load()
    ends = {(t.a, t.kind) for t in loaded}
    assert ends == {(ryan.key, "stays_at"), (ryan.key, "lives_at"), (other.key, "lives_at")}


def test_records_without_a_date_of_birth_are_never_merged(record, people):
    record(
        agency_record("lancs-cs", "childrens_services"),
        person_record("N1", "Sam", "Hill", agency="lancs"),
        person_record("N2", "Sam", "Hill", agency="lancs-cs"),
        link_record("K1", "stays_at", "N1", "L1"),
        link_record("K2", "stays_at", "N2", TRAP, agency="lancs-cs"),
    )
    assert len([n for n in nodes().values() if n.kind == g.PERSON]) == 2


def test_one_number_recorded_by_two_agencies_is_one_phone(record, people):
    record(
        agency_record("mersey", "police_force"),
        person_record("M1", "Carl", "Dane", agency="mersey"),
        phone_record("X1", "+44 7700 900002", agency="mersey", deal=True, line_name="Bruno"),
        link_record("K1", "uses_phone", "P4", "T2"),
        link_record("K2", "uses_phone", "M1", "X1", agency="mersey"),
    )
    found = nodes()
    key = g.phone_key("07700900002")
    assert [n.key for n in found.values() if n.kind == g.PHONE] == [key]
    shared = found[key]
    assert sorted(shared.records) == sorted([pk(Phone, "T2"), pk(Phone, "X1", "mersey")])
    assert shared.facts["agencies"] == {"lancs", "mersey"}
    # one agency knows it as the Bruno line: so does the node
    assert shared.facts["deal_line"] and shared.facts["line_name"] == "Bruno"
    _, loaded = reading.load()
    assert {t.b for t in loaded} == {key}


def test_the_window_drops_links_and_events_outside_it_and_keeps_undated_links(record, people):
    record(
        link_record(
            "K-BEFORE",
            "contact",
            "T2",
            "T1",
            valid_from="2024-11-01",
            valid_to="2024-12-31",
            count=5,
        ),
        link_record(
            "K-IN", "contact", "T2", "T1", valid_from="2024-12-15", valid_to="2025-01-10", count=7
        ),
        link_record("K-AFTER", "associate", "P1", "P2", valid_from="2025-04-01"),
        link_record("K-UNDATED", "uses_phone", "P3", "T1"),
        event_record("E-BEFORE", "arrest", "2024-12-31T12:00:00Z", ["P1", "P2"]),
        event_record(
            "E-IN",
            "arrest",
            "2025-02-10T12:00:00Z",
            ["P1", "P3"],
            objects=[{"phone": "T2", "holder": "P1", "role": "seized"}],
        ),
        event_record(
            "E-AFTER",
            "arrest",
            "2025-04-01T12:00:00Z",
            ["P2", "P4"],
            objects=[{"phone": "T1", "holder": "P2", "role": "seized"}],
        ),
    )
    everything = {t[3] for t in ties()}
    assert len(everything) == 7
    sources = {t[3] for t in ties(D("2025-01-01"), D("2025-03-31"))}
    assert sources == {link("K-IN"), link("K-UNDATED"), event("E-IN")}
    # open at one end
    assert {t[3] for t in ties(start=D("2025-03-01"))} == {
        link("K-AFTER"),
        link("K-UNDATED"),
        event("E-AFTER"),
    }
    assert {t[3] for t in ties(end=D("2024-12-31"))} == {
        link("K-BEFORE"),
        link("K-IN"),
        link("K-UNDATED"),
        event("E-BEFORE"),
    }


def test_a_link_with_no_end_date_counts_in_every_later_window(record, people):
    record(link_record("K-SINCE", "stays_at", "P1", "L1", valid_from="2020-05-01"))
    assert {t[3] for t in ties(D("2025-01-01"), D("2025-03-31"))} == {link("K-SINCE")}
    assert {t[3] for t in ties(D("2019-01-01"), D("2019-12-31"))} == set()


def test_the_window_keeps_only_the_people_and_phones_of_the_ties_in_it(record, people):
    record(
        link_record("K1", "uses_phone", "P3", "T1", valid_from="2024-01-01", valid_to="2024-02-01"),
        event_record("E1", "arrest", "2025-02-10T12:00:00Z", ["P1", "P2"]),
    )
    assert set(nodes(D("2025-01-01"), D("2025-12-31"))) == {person("P1"), person("P2")}


def test_an_event_is_dated_on_its_uk_calendar_day(record, people):
    # 00:30 on 1 July in British Summer Time is 23:30 on 30 June in UTC: in the UK (where
    # the window's dates are read, as a child's age is) it is 1 July.
    record(event_record("E1", "arrest", "2025-07-01T00:30:00+01:00", ["P1", "P2"]))
    [tie] = ties()
    assert (tie[4], tie[5]) == (D("2025-07-01"), D("2025-07-01"))
    assert ties(end=D("2025-06-30")) == set()
    assert len(ties(start=D("2025-07-01"))) == 1


def test_line_membership_events_are_never_read(record, people):
    record(
        event_record(
            "E1",
            "line_membership",
            "2025-02-10T12:00:00Z",
            ["P1", "P2"],
            role="subject",
            location="L1",
        )
    )
    assert ties() == set()


def test_a_phone_in_a_line_membership_event_is_not_read_either(record, people):
    record(
        event_record(
            "E1",
            "line_membership",
            "2025-02-10T12:00:00Z",
            ["P1"],
            role="subject",
            objects=[{"phone": "T1", "holder": "P1", "role": "used"}],
        )
    )
    assert ties() == set()


def test_nodes_carry_what_the_lines_and_roles_need(record, people):
    record(
        link_record("K1", "uses_phone", "P3", "T1"),
        link_record("K2", "stays_at", "P1", "L1"),
    )
    found = nodes()
    carl = found[person("P3")]
    assert (carl.kind, carl.label, carl.facts["date_of_birth"]) == (
        "person",
        "Carl Dane",
        D("1985-01-01"),
    )
    deal = found[g.phone_key("07700900001")]
    assert (deal.label, deal.facts["deal_line"], deal.facts["line_name"]) == (
        "07700900001",
        True,
        "Bruno",
    )
    trap = found[place("L1")]
    assert (trap.label, trap.facts["kind"], trap.facts["town"]) == (
        "12 Tower Street",
        "trap_house",
        "Blackpool",
    )
