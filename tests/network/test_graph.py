"""network.graph: merging ties into edges with their records, weights, windows, phone keys."""

import math
from datetime import date

import pytest

from safeguard.network import graph as g

from .factories import person, phone, place, tie

WEIGHTS = {"contact": 1.0, "uses_phone": 3.0, "same_event": 1.0, "associate": 1.0}
A, B = person(1, "Ann"), person(2, "Bob")
PA, PB = phone("07700900001"), phone("07700900002")
HOME = place(1)


def _edges(rg: g.RecordGraph) -> dict[tuple[str, str, str], dict]:
    """Return every edge's attributes by (key, key, kind), the keys sorted."""
    out = {}
    for e in rg.graph.es:
        a, b = sorted((rg.nodes[e.source].key, rg.nodes[e.target].key))
        out[(a, b, e["kind"])] = e.attributes()
    return out


def test_ties_of_one_kind_between_two_nodes_are_one_edge_with_their_records():
    rg = g.build(
        [PA, PB],
        [
            tie(PA, PB, "contact", "link:1", "2025-02-01", "2025-02-28", count=30),
            # the other way round, earlier and later: the same edge
            tie(PB, PA, "contact", "link:2", "2025-01-10", "2025-01-31", count=12),
            tie(PA, PB, "contact", "link:3", "2025-03-01", "2025-03-15", count=8),
        ],
        WEIGHTS,
    )
    assert rg.graph.ecount() == 1
    edge = _edges(rg)[(PA.key, PB.key, "contact")]
    assert edge["count"] == 50
    assert (edge["first"], edge["last"]) == ("2025-01-10", "2025-03-15")
    assert edge["sources"] == ("link:1", "link:2", "link:3")


def test_an_undated_tie_merged_with_a_dated_one_keeps_the_dates_it_has():
    rg = g.build(
        [A, PA],
        [
            tie(A, PA, "uses_phone", "link:1"),
            tie(A, PA, "uses_phone", "event:7", "2025-02-10", "2025-02-10"),
        ],
        WEIGHTS,
    )
    edge = _edges(rg)[(A.key, PA.key, "uses_phone")]
    assert (edge["first"], edge["last"], edge["count"]) == ("2025-02-10", "2025-02-10", 2)
    assert edge["sources"] == ("link:1", "event:7")


def test_kinds_are_kept_apart():
    rg = g.build(
        [A, B],
        [
            tie(A, B, "same_event", "event:1", "2025-01-01", "2025-01-01"),
            tie(A, B, "associate", "link:5"),
            tie(B, A, "same_event", "event:2", "2025-01-05", "2025-01-05"),
        ],
        WEIGHTS,
    )
    edges = _edges(rg)
    assert set(edges) == {(A.key, B.key, "same_event"), (A.key, B.key, "associate")}
    assert edges[(A.key, B.key, "same_event")]["sources"] == ("event:1", "event:2")
    assert edges[(A.key, B.key, "same_event")]["count"] == 2
    assert edges[(A.key, B.key, "associate")]["sources"] == ("link:5",)


def test_ties_to_unknown_nodes_and_to_oneself_are_dropped():
    rg = g.build(
        [A, B],
        [
            tie(A, "person:99", "associate", "link:1"),
            tie("phone:07000000000", B, "uses_phone", "link:2"),
            tie(A, A, "associate", "link:3"),
            tie(A, B, "associate", "link:4"),
        ],
        WEIGHTS,
    )
    assert list(_edges(rg)) == [(A.key, B.key, "associate")]
    assert _edges(rg)[(A.key, B.key, "associate")]["sources"] == ("link:4",)


def test_nodes_keep_their_order_kind_and_label_and_are_found_by_key():
    rg = g.build([A, PA, HOME], [], WEIGHTS, date(2025, 1, 1), date(2025, 3, 31))
    assert rg.graph.vs["key"] == [A.key, PA.key, HOME.key]
    assert rg.graph.vs["kind"] == ["person", "phone", "location"]
    assert rg.graph.vs["label"] == ["Ann", "07700900001", "home 1"]
    assert rg.node(PA.key) is PA and rg.index[HOME.key] == 2
    assert rg.of_kind("person") == [0]
    assert (rg.start, rg.end) == (date(2025, 1, 1), date(2025, 3, 31))


# (kind, count, weight): the kind's weight x (1 + log10(count)); a count under 1 counts as 1.
WEIGHT_TABLE = [
    ("contact", 1, 1.0),
    ("contact", 10, 2.0),
    ("contact", 100, 3.0),
    ("contact", 0, 1.0),
    ("uses_phone", 1, 3.0),
    ("uses_phone", 10, 6.0),
    ("travelled_with", 1, 1.0),  # a kind with no weight given weighs 1
]


@pytest.mark.parametrize(("kind", "count", "weight"), WEIGHT_TABLE)
def test_weight_of_is_the_kinds_weight_growing_with_the_log_of_the_count(kind, count, weight):
    assert g.weight_of(kind, count, WEIGHTS) == pytest.approx(weight)


def test_an_edge_weighs_by_its_summed_count():
    rg = g.build(
        [PA, PB, A],
        [
            tie(PA, PB, "contact", "link:1", count=40),
            tie(PA, PB, "contact", "link:2", count=60),
            tie(A, PA, "uses_phone", "link:3"),
        ],
        WEIGHTS,
    )
    edges = _edges(rg)
    assert edges[(PA.key, PB.key, "contact")]["weight"] == pytest.approx(3.0)
    assert edges[(A.key, PA.key, "uses_phone")]["weight"] == pytest.approx(3.0)
    # 500 texts weigh 3.7 times one text, not 500 times
    assert g.weight_of("contact", 500, WEIGHTS) == pytest.approx(1 + math.log10(500))


D = date.fromisoformat
# (first, last, start, end, in the window?)
WINDOW_TABLE = [
    # dated ties
    ("2025-02-01", "2025-02-28", "2025-01-01", "2025-03-31", True),  # inside
    ("2024-12-01", "2025-01-15", "2025-01-01", "2025-03-31", True),  # overlaps the start
    ("2025-03-20", "2025-04-10", "2025-01-01", "2025-03-31", True),  # overlaps the end
    ("2024-11-01", "2024-12-31", "2025-01-01", "2025-03-31", False),  # ends the day before
    ("2025-04-01", "2025-04-30", "2025-01-01", "2025-03-31", False),  # starts the day after
    ("2025-03-31", "2025-03-31", "2025-01-01", "2025-03-31", True),  # on the last day
    ("2025-01-01", "2025-01-01", "2025-01-01", "2025-03-31", True),  # on the first day
    # half-dated: the missing end is open
    ("2025-04-01", None, "2025-01-01", "2025-03-31", False),  # begins after the window
    ("2024-01-01", None, "2025-01-01", "2025-03-31", True),  # began before, still holds
    (None, "2024-12-31", "2025-01-01", "2025-03-31", False),  # ended before the window
    (None, "2025-06-30", "2025-01-01", "2025-03-31", True),  # held until after it began
    # undated: in every window
    (None, None, "2025-01-01", "2025-03-31", True),
    # open windows
    ("2020-01-01", "2020-01-02", None, None, True),
    ("2020-01-01", "2020-01-02", "2021-01-01", None, False),
    ("2020-01-01", "2020-01-02", None, "2019-12-31", False),
]


@pytest.mark.parametrize(("first", "last", "start", "end", "inside"), WINDOW_TABLE)
def test_in_window(first, last, start, end, inside):
    dates = [D(x) if x else None for x in (first, last, start, end)]
    assert g.in_window(*dates) is inside


# (number as recorded, node key)
PHONE_TABLE = [
    ("07700900123", "phone:07700900123"),
    ("07700 900 123", "phone:07700900123"),
    ("07700-900-123", "phone:07700900123"),
    ("+447700900123", "phone:07700900123"),
    ("+44 7700 900123", "phone:07700900123"),
    ("+44 7700-900 123", "phone:07700900123"),
    ("(0151) 496 0000", "phone:01514960000"),
    ("+33 6 12 34 56 78", "phone:+33612345678"),  # another country's number stays as it is
]


@pytest.mark.parametrize(("recorded", "key"), PHONE_TABLE)
def test_phone_key_normalises_spaces_dashes_and_the_uk_prefix(recorded, key):
    assert g.phone_key(recorded) == key


def test_person_and_location_keys_name_the_record():
    assert (g.person_key(12), g.location_key(7)) == ("person:12", "location:7")
