"""Score every person of a line for each role, with the reasons, and describe the line.

A role's score is the weighted mean of its terms (lines.yaml): each term is a piece of
evidence (evidence.py), counted as it is (`when: true`) or as its absence (`when: false`).
The person is given the role that scores highest. The controller is scored first, so that
"in contact with the controller" can count towards lieutenant.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate, repeat

import igraph

from safeguard.network import evidence as ev
from safeguard.network import graph as g
from safeguard.network import line_rules
from safeguard.network.line_rules import ASSOCIATE, ROLES, Lines
from safeguard.network.lines import FoundLine


@dataclass(slots=True)
class Scored:
    """One person's part in a line: a score for each role, the reasons, the role given."""

    vertex: int
    role: str
    scores: dict[str, float]
    reasons: dict[str, list[str]]  # role -> what counted for it (strongest first)
    age: int | None
    child: bool
    pieces: dict[str, ev.Piece] = field(default_factory=dict)  # every piece of evidence read
    tools: list[dict] = field(default_factory=list)  # legal tools, for a disruption target

    def as_dict(self, rg: g.RecordGraph) -> dict:
        node = rg.nodes[self.vertex]
        return {
            "node": node.key,
            "label": node.label,
            "records": list(node.records),
            "role": self.role,
            "child": self.child,
            "age": self.age,
            "scores": {k: round(s, 4) for k, s in self.scores.items()},
            "reasons": self.reasons,
        }


@dataclass(slots=True)
class LineRoles:
    line: FoundLine
    people: list[Scored]
    origin: str = ""
    targets: list[str] = field(default_factory=list)
    force_areas: list[str] = field(default_factory=list)

    def ranked(self, role: str) -> list[Scored]:
        return sorted(self.people, key=lambda s: (-s.scores[role], s.vertex))


def projection(
    rg: g.RecordGraph, line: FoundLine, clique_at_most: int
) -> tuple[list[int], "igraph.Graph"]:
    """Return the line's people and the graph of them alone: two people are tied when a tie
    joins them, their phones contact each other, they use the same phone, or they are tied to
    the same address. People, not phones, are what betweenness and brokerage speak of.

    Made in igraph from the line's subgraph, as a large line's phones and addresses give
    over a million pairs: with the ties between people set aside, the people within two
    ties of a phone or address are those tied to it and those using a phone in contact
    with it, and igraph's bipartite projection pairs them in C.
    """
    members = sorted(line.members)
    sub = rg.graph.induced_subgraph(members)  # vertex i of sub is members[i]
    person = [kind == g.PERSON for kind in sub.vs["kind"]]
    people = [v for v, p in zip(members, person, strict=True) if p]
    rank = list(accumulate(person, initial=-1))[1:]  # a person's place in people
    ties: list[tuple[int, int]] = []  # between people, in people's places
    between: list[int] = []  # sub's edges that are not a person's to a phone or address
    held = [False] * len(members)  # a phone or address a person of the line is tied to
    for i, ((a, b), kind) in enumerate(zip(sub.get_edgelist(), sub.es["kind"], strict=True)):
        if person[a] and person[b]:
            between.append(i)
            ties.append((rank[a], rank[b]))
        elif person[a] or person[b]:
            held[b if person[a] else a] = True
        elif kind != "contact":
            between.append(i)
    sub.delete_edges(between)
    things = [i for i, h in enumerate(held) if h]
    shared: list[tuple[int, int]] = []  # (person's place, the thing's) to project
    for thing, near in zip(things, sub.neighborhood(things, order=2, mindist=1), strict=True):
        who = [rank[v] for v in near if person[v]]
        if len(who) <= clique_at_most:
            shared.extend(zip(who, repeat(len(people) + thing)))
        else:
            # a deal phone's hundreds of buyers are not each other's ties (lines.yaml
            # groups): the line holder's side keeps the star, not the clique
            ties.extend(zip(repeat(min(who)), who))
    both = igraph.Graph(n=len(people) + len(members), edges=shared)
    kinds = [False] * len(people) + [True] * len(members)
    out = both.bipartite_projection(types=kinds, multiplicity=False, which=False)
    out.add_edges(ties)
    out.simplify()  # one edge a pair, none from a person to themselves
    return people, out


def structure_within(
    rg: g.RecordGraph, line: FoundLine, rules: Lines | None = None
) -> dict[str, dict[int, float]]:
    """Return, for each of the line's people, betweenness and k-core in the line's projection
    (each scaled to its highest) and brokerage (1 - Burt's constraint)."""
    cap = (rules or line_rules.current()).groups.clique_at_most
    people, sub = projection(rg, line, cap)

    def scaled(values: list[float]) -> dict[int, float]:
        top = max(values, default=0.0) or 1.0
        return {people[i]: v / top for i, v in enumerate(values)}

    constraint = sub.constraint() if sub.ecount() else [float("nan")] * len(people)
    return {
        "betweenness": scaled(sub.betweenness(directed=False)),
        "coreness": scaled([float(c) for c in sub.coreness()]),
        "brokerage": {
            people[i]: 0.0 if c != c or not sub.degree(i) else max(0.0, 1.0 - c)
            for i, c in enumerate(constraint)
        },
    }


def betweenness_within(rg: g.RecordGraph, line: FoundLine) -> dict[int, float]:
    """Return each person's betweenness in the line's projection, scaled to its highest."""
    return structure_within(rg, line)["betweenness"]


def score(
    rg: g.RecordGraph,
    line: FoundLine,
    rules: Lines,
    records: dict[int, ev.Recorded],
    all_deal_phones: set[int] | None = None,
) -> LineRoles:
    """Return every person of the line scored for every role."""
    measures = structure_within(rg, line, rules)
    evidence = ev.LineEvidence(rg, line, rules, records, measures["betweenness"], all_deal_phones)
    evidence.brokerage, evidence.coreness = measures["brokerage"], measures["coreness"]
    people = line.people(rg)
    cache: dict[tuple[str, int], ev.Piece] = {}

    def piece(name: str, p: int) -> ev.Piece:
        if (name, p) not in cache:
            cache[(name, p)] = evidence.piece(name, p)
        return cache[(name, p)]

    def role_score(role_id: str, p: int) -> tuple[float, list[str]]:
        role = rules.role(role_id)
        total = sum(t.weight for t in role.terms)
        counted = []
        for t in role.terms:
            got = piece(t.evidence, p)
            value = got.value if t.when else 1.0 - got.value
            if value > 0:
                counted.append((t.weight * value, got.reason))
        counted.sort(key=lambda c: -c[0])
        return sum(c[0] for c in counted) / total, [reason for _, reason in counted]

    controller_scores = {p: role_score("controller", p) for p in people}
    holders = [
        p for p in people if any(piece(e, p).value > 0 for e in rules.role("controller").requires)
    ]
    if holders:
        evidence.controller = max(holders, key=lambda p: (controller_scores[p][0], -p))
    scored = []
    for p in people:
        scores, reasons = {}, {}
        for role_id in ROLES:
            s, why = controller_scores[p] if role_id == "controller" else role_score(role_id, p)
            scores[role_id], reasons[role_id] = s, why
        fitting = [r for r in ROLES if any(piece(e, p).value > 0 for e in rules.role(r).requires)]
        role = max(fitting, key=lambda r: scores[r]) if fitting else ASSOCIATE
        age = evidence._age(p)
        scored.append(
            Scored(
                vertex=p,
                role=role,
                scores=scores,
                reasons=reasons,
                age=age,
                child=age is not None and age < rules.child_age,
                pieces={name: piece(name, p) for name in line_rules.EVIDENCE},
            )
        )
    out = LineRoles(line=line, people=scored)
    _places(rg, out, evidence)
    return out


def _places(rg: g.RecordGraph, roles: LineRoles, evidence: ev.LineEvidence) -> None:
    """Set the line's origin hub (where its leaders live), target towns and force areas."""
    leaders = [s.vertex for s in roles.people if s.role in ("controller", "lieutenant")]
    homes: Counter = Counter()
    for p in leaders:
        for _, loc in evidence._edges(p, "lives_at"):
            town = rg.nodes[loc].facts.get("town")
            if town:
                homes[town] += 1
    roles.origin = homes.most_common(1)[0][0] if homes else ""
    towns: Counter = Counter()
    forces: Counter = Counter()
    for v in roles.line.members:
        node = rg.nodes[v]
        if node.kind == g.LOCATION and node.facts.get("force_area"):
            forces[node.facts["force_area"]] += 1
    for loc in evidence.traps:
        town = rg.nodes[loc].facts.get("town")
        if town and town != roles.origin:
            towns[town] += 1
    for s in roles.people:
        if s.role in ("user", "cuckooed_resident", "runner"):
            for _, loc in evidence._edges(s.vertex, "lives_at"):
                town = rg.nodes[loc].facts.get("town")
                if town and town != roles.origin and s.role != "runner":
                    towns[town] += 1
    roles.targets = [t for t, _ in towns.most_common()]
    roles.force_areas = sorted(f for f, c in forces.items() if c > 0)
