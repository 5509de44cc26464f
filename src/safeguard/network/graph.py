"""The typed, time-windowed graph of the records: people, phones and addresses, and their ties.

Nodes are keyed by what they are: `person:<record id>`, `phone:<number>`, `location:<id>`.
A phone is one node whatever agency recorded it (the number is the identifier); two records
of a person are one node only when they agree exactly on given name, family name and date of
birth (the fuzzy kind of matching belongs to identity resolution, DOMAIN.md section 7), and
the node lists every record it stands for.

Every tie is a `Tie` with its kind and the record it came from (`link:<id>`, `event:<id>`),
so each edge of the graph carries its provenance: the records an analyst can open to check
it. Ties of the same kind between the same two nodes become one edge with the counts summed,
the dates spanned and every source listed.

build() is pure (nodes and ties in, graph out), so the benchmark and the tests give it ties
without a database; load() reads them from the records for a window of dates.
"""

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import igraph

from safeguard import collector

# Kinds of node.
PERSON, PHONE, LOCATION = "person", "phone", "location"

# Kinds of tie and the node kinds they join (a tie's first node is of the first kind).
TIE_ENDS: dict[str, tuple[str, str]] = {
    "contact": (PHONE, PHONE),  # calls and texts, counted
    "uses_phone": (PERSON, PHONE),  # attributed, or the phone held by them in an event
    "lives_at": (PERSON, LOCATION),
    "stays_at": (PERSON, LOCATION),
    "frequents": (PERSON, LOCATION),
    "present_at": (PERSON, LOCATION),  # in an event at a home, trap house or cuckooed address
    "same_event": (PERSON, PERSON),  # took part in the same event (count: how many events)
    "travelled_with": (PERSON, PERSON),
    "associate": (PERSON, PERSON),
    "family": (PERSON, PERSON),
    "household": (PERSON, PERSON),
}


@dataclass(slots=True)
class Node:
    """One node: what it is, how to show it, the records it stands for, and facts about it."""

    key: str
    kind: str
    label: str
    records: list[int] = field(default_factory=list)
    # person: date_of_birth, flags; phone: deal_line, line_name; location: kind,
    # force_area, local_authority, town, latitude, longitude.
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tie:
    """One tie between two nodes from one record."""

    a: str
    b: str
    kind: str
    source: str  # "link:<id>" or "event:<id>"
    first: date | None = None
    last: date | None = None
    count: int = 1


@dataclass(slots=True)
class RecordGraph:
    """The graph (igraph, undirected, one edge per pair and kind) and what its nodes are.

    Vertex attributes: key, kind, label. Edge attributes: kind, count, first, last (ISO dates
    or None), sources (tuple of "link:<id>" / "event:<id>"), weight.
    """

    graph: igraph.Graph
    nodes: list[Node]
    index: dict[str, int]
    start: date | None = None
    end: date | None = None

    def node(self, key: str) -> Node:
        return self.nodes[self.index[key]]

    def of_kind(self, kind: str) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n.kind == kind]

    def edges_of(self, vertex: int) -> Iterator[igraph.Edge]:
        """Yield every edge of a vertex."""
        for e in self.graph.incident(vertex):
            yield self.graph.es[e]

    def other(self, edge: igraph.Edge, vertex: int) -> int:
        return edge.target if edge.source == vertex else edge.source


def weight_of(kind: str, count: int, weights: dict[str, float]) -> float:
    """Return a tie's weight: its kind's weight, growing with the log of its count.

    A log, so that a runner's hundreds of texts with the deal line weigh more than a user's
    dozen, without one busy pair outweighing everything else the person is tied to.
    """
    return weights.get(kind, 1.0) * (1.0 + math.log10(max(1, count)))


def build(
    nodes: Iterable[Node],
    ties: Iterable[Tie],
    weights: dict[str, float],
    start: date | None = None,
    end: date | None = None,
) -> RecordGraph:
    """Return the graph of the nodes and ties: ties of one kind between two nodes are merged.

    A tie naming a node not given, or joining a node to itself, is dropped: the records
    behind a graph are read together, so neither happens except by a caller's mistake, and
    a tie with a missing end has nothing to join.
    """
    node_list = list(nodes)
    index = {n.key: i for i, n in enumerate(node_list)}
    with collector.paused():  # hundreds of thousands of small lists and tuples
        merged = merge(index, ties)
        graph = igraph.Graph(n=len(node_list), directed=False)
        graph.vs["key"] = [n.key for n in node_list]
        graph.vs["kind"] = [n.kind for n in node_list]
        graph.vs["label"] = [n.label for n in node_list]
        graph.add_edges(list(k[:2] for k in merged))
        values = list(merged.values())
        graph.es["kind"] = [k[2] for k in merged]
        graph.es["count"] = [v[0] for v in values]
        graph.es["first"] = [v[1].isoformat() if v[1] else None for v in values]
        graph.es["last"] = [v[2].isoformat() if v[2] else None for v in values]
        graph.es["sources"] = [tuple(v[3]) for v in values]
        graph.es["weight"] = [weight_of(k[2], v[0], weights) for k, v in merged.items()]
    return RecordGraph(graph=graph, nodes=node_list, index=index, start=start, end=end)


def merge(index: dict[str, int], ties: Iterable[Tie]) -> dict[tuple[int, int, str], list]:
    """Return the ties merged by pair of vertices (lower first) and kind, in the order first
    seen: [count summed, first date, last date, sources]."""
    merged: dict[tuple[int, int, str], list] = {}
    for tie in ties:
        a, b = index.get(tie.a), index.get(tie.b)
        if a is None or b is None or a == b:
            continue
        key = (a, b, tie.kind) if a < b else (b, a, tie.kind)
        held = merged.get(key)
        if held is None:
            merged[key] = [tie.count, tie.first, tie.last, [tie.source]]
            continue
        held[0] += tie.count
        held[1] = _earlier(held[1], tie.first)
        held[2] = _later(held[2], tie.last)
        held[3].append(tie.source)
    return merged


def _earlier(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def _later(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def in_window(first: date | None, last: date | None, start: date | None, end: date | None) -> bool:
    """Return whether a tie dated [first, last] overlaps the window [start, end].

    An undated end is open: a link with no dates (a standing fact, such as who uses a phone
    as intelligence records it) is in every window.
    """
    if end is not None and first is not None and first > end:
        return False
    if start is not None and last is not None and last < start:
        return False
    return True


def phone_key(number: str) -> str:
    """Return a phone's node key: its number without spaces, dashes or brackets, +44 as 0."""
    digits = re.sub(r"[\s\-().]", "", number)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    return f"{PHONE}:{digits}"


def person_key(record_id: int) -> str:
    return f"{PERSON}:{record_id}"


def location_key(record_id: int) -> str:
    return f"{LOCATION}:{record_id}"
