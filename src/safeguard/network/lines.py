"""Find county lines in the graph of the records: deal lines, and the group around each.

1. Deal-line phones: a phone recorded as a deal line or given a line name, or one whose
   contacts fan out in the bulk-marketing pattern (many numbers that do not contact each
   other).
2. Lines: deal phones that share a recorded line name, or whose contact lists overlap
   (a new handset takes over the old one's users), are one line.
3. The group around each line: Leiden communities of the whole graph that hold its deal
   phones, cut to what lies within a few ties of them, with the phones that contact a deal
   phone and whoever is recorded using them. A line alone in its connected part of the graph
   keeps everything within those few ties.

Every rule and threshold is in lines.yaml (line_rules.py).
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import igraph

from safeguard.network import graph as g
from safeguard.network import structure
from safeguard.network.line_rules import Lines

# Leiden's starts on the whole graph (structure.leiden keeps the best; 3, not 5, for time).
STARTS = 3
# Leiden's iterations in each start, not until one improves nothing: the first two find
# nearly all the modularity in a quarter to a half of the time (bench/network.py: 0.93363
# against 0.93385 on 96,012 edges, 0.94522 against 0.94531 on 997,664 edges).
ITERATIONS = 2


@dataclass(slots=True)
class FoundLine:
    """A line found in the graph: its deal phones (with why each is one) and its members."""

    key: str
    brand: str
    deal_phones: dict[int, str]  # vertex -> why it is a deal line
    members: set[int] = field(default_factory=set)  # vertices: people, phones, places
    first: str | None = None  # ISO dates of the deal phones' contacts
    last: str | None = None

    def people(self, rg: g.RecordGraph) -> list[int]:
        return sorted(v for v in self.members if rg.nodes[v].kind == g.PERSON)


def contact_graph(rg: g.RecordGraph) -> igraph.Graph:
    """Return the phone contacts alone (same vertices, only contact edges)."""
    return rg.graph.subgraph_edges(rg.graph.es.select(kind="contact"), delete_vertices=False)


def deal_phones(rg: g.RecordGraph, rules: Lines) -> dict[int, str]:
    """Return each deal-line phone's vertex with the reason it is one."""
    found: dict[int, str] = {}
    cfg = rules.deal_lines
    if cfg.recorded:
        for v in rg.of_kind(g.PHONE):
            facts = rg.nodes[v].facts
            if facts.get("deal_line"):
                found[v] = "recorded as a deal line" + (
                    f" ({facts['line_name']})" if facts.get("line_name") else ""
                )
            elif facts.get("line_name"):
                found[v] = f"recorded with the line name {facts['line_name']}"
    contacts = contact_graph(rg)
    degree = contacts.degree()
    busy = [v for v in rg.of_kind(g.PHONE) if degree[v] >= cfg.fan_out.min_contacts]
    if busy:
        clustering = contacts.transitivity_local_undirected(vertices=busy, mode="zero")
        for v, c in zip(busy, clustering, strict=True):
            if v not in found and c <= cfg.fan_out.max_clustering:
                found[v] = (
                    f"in contact with {degree[v]} numbers, {c:.0%} of whose pairs contact each "
                    "other: the fan-out of bulk marketing texts"
                )
    return found


def group_deal_phones(rg: g.RecordGraph, deal: dict[int, str], rules: Lines) -> list[list[int]]:
    """Return the deal phones grouped into lines (same line name, or overlapping contacts)."""
    parent = {v: v for v in deal}

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    by_name: dict[str, list[int]] = defaultdict(list)
    for v in deal:
        name = _brand(rg.nodes[v].facts.get("line_name") or "")
        if name:
            by_name[name].append(v)
    for same in by_name.values():
        for v in same[1:]:
            parent[root(v)] = root(same[0])
    contacts = contact_graph(rg)
    lists = {v: set(contacts.neighbors(v)) for v in deal}
    ordered = sorted(deal)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            union = lists[a] | lists[b]
            if (
                union
                and len(lists[a] & lists[b]) / len(union) >= rules.deal_lines.same_line_overlap
            ):
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = defaultdict(list)
    for v in ordered:
        groups[root(v)].append(v)
    return sorted(groups.values())


def communities(rg: g.RecordGraph, rules: Lines) -> list[int]:
    """Return each vertex's Leiden community (modularity, weighted, best of STARTS runs of
    ITERATIONS iterations)."""
    graph = rg.graph
    weights = "weight" if graph.ecount() else None
    return structure.leiden(
        graph, weights, rules.groups.resolution, starts=STARTS, iterations=ITERATIONS
    )[0]


def detect(rg: g.RecordGraph, rules: Lines) -> list[FoundLine]:
    """Return the lines in the graph with their members, largest group of deal phones first."""
    deal = deal_phones(rg, rules)
    groups = group_deal_phones(rg, deal, rules)
    if not groups:
        return []
    membership = communities(rg, rules)
    # The communities holding each line's deal phones; a community holding two lines' deal
    # phones is shared, each of its vertices going to the nearer line.
    holds: dict[int, set[int]] = defaultdict(set)
    for i, phones in enumerate(groups):
        for v in phones:
            holds[membership[v]].add(i)
    degree = rg.graph.degree()
    distance = {
        i: _hops(rg.graph, phones, rules.groups.max_hops, rules.groups.hub_degree, degree)
        for i, phones in enumerate(groups)
    }
    # A line alone in its connected part of the graph keeps everything within reach: Leiden
    # splits even one small, connected line into several communities, which would cut off
    # its lieutenants when little else is recorded (a narrow window, a small force).
    component = rg.graph.connected_components().membership
    lines_in: dict[int, set[int]] = defaultdict(set)
    for i, phones in enumerate(groups):
        for v in phones:
            lines_in[component[v]].add(i)
    found = []
    for i, phones in enumerate(groups):
        seeds = set(phones)
        alone = all(lines_in[component[v]] == {i} for v in phones)
        members = set()
        for v, d in distance[i].items():
            if alone:
                members.add(v)
                continue
            rivals = holds.get(membership[v], set())
            if i not in rivals:
                continue
            nearest = min(distance[j].get(v, 99) for j in rivals)
            if d == nearest:
                members.add(v)
        members |= _deal_contacts(rg, seeds) | seeds
        line = FoundLine(
            key="", brand=_line_brand(rg, phones), deal_phones={v: deal[v] for v in phones}
        )
        line.members = members
        line.first, line.last = _active(rg, seeds)
        found.append(line)
    _name(rg, found)
    return found


def _hops(
    graph: igraph.Graph, seeds: list[int], most: int, hub: int, degree: list[int] | None = None
) -> dict[int, int]:
    """Return every vertex within `most` ties of the seeds with its distance (breadth first).

    A vertex with more than `hub` ties (a children's home, a station, a busy street) is
    reached but not passed through: living in the same care home as a runner does not put
    every child there in the line. The seeds (deal phones) are always passed through.
    """
    seen = {s: 0 for s in seeds}
    frontier = list(seeds)
    degree = degree if degree is not None else graph.degree()
    for depth in range(1, most + 1):
        if depth > 1:
            frontier = [v for v in frontier if degree[v] <= hub]
        reached = graph.neighborhood(vertices=frontier, order=1, mindist=1)
        frontier = []
        for vs in reached:
            for v in vs:
                if v not in seen:
                    seen[v] = depth
                    frontier.append(v)
        if not frontier:
            break
    return seen


def _deal_contacts(rg: g.RecordGraph, seeds: set[int]) -> set[int]:
    """Return who uses the deal phones, the phones in contact with them, and who uses those."""
    graph, out = rg.graph, set()
    for s in seeds:
        for e in graph.es[graph.incident(s)]:
            if e["kind"] == "uses_phone":
                out.add(e.target if e.source == s else e.source)
            if e["kind"] != "contact":
                continue
            phone = e.target if e.source == s else e.source
            out.add(phone)
            for f in graph.es[graph.incident(phone)]:
                if f["kind"] == "uses_phone":
                    out.add(f.target if f.source == phone else f.source)
    return out


def _active(rg: g.RecordGraph, seeds: set[int]) -> tuple[str | None, str | None]:
    graph = rg.graph
    firsts, lasts = [], []
    for s in seeds:
        for e in graph.es[graph.incident(s)]:
            if e["first"]:
                firsts.append(e["first"])
            if e["last"]:
                lasts.append(e["last"])
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def _brand(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", " ", name.upper()).strip()


def _line_brand(rg: g.RecordGraph, phones: list[int]) -> str:
    names = Counter(_brand(rg.nodes[v].facts.get("line_name") or "") for v in phones)
    names.pop("", None)
    return names.most_common(1)[0][0] if names else ""


def _name(rg: g.RecordGraph, found: list[FoundLine]) -> None:
    """Key each line by its brand, else by its first deal number; repeated keys numbered."""
    seen: Counter = Counter()
    for line in found:
        numbers = sorted(rg.nodes[v].key.split(":", 1)[1] for v in line.deal_phones)
        base = re.sub(r"[^a-z0-9]+", "-", line.brand.lower()).strip("-") or f"deal-{numbers[0]}"
        seen[base] += 1
        line.key = base if seen[base] == 1 else f"{base}-{seen[base]}"
