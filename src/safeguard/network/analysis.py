"""Rank the people of a network by controller score, each with the reasons behind it.

The score is the weighted mean (roles.yaml) of structural measures scaled to 0..1 within
the network; the reasons are sentences about the person's own measures, each with their
rank in the network, so that anyone can check them against the graph (docs/network.md).
"""

import bisect
import math
from dataclasses import dataclass, field

import igraph

from safeguard.network import roles as roles_module
from safeguard.network import structure
from safeguard.network.roles import Roles


@dataclass(frozen=True, slots=True)
class Ranked:
    """One person's place in the ranking."""

    node: str
    rank: int
    controller_score: float  # 0..1
    reasons: list[str]
    community: int
    measures: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "node": self.node,
            "rank": self.rank,
            "controller_score": round(self.controller_score, 4),
            "reasons": self.reasons,
            "community": self.community,
            "measures": {k: _rounded(v) for k, v in self.measures.items()},
        }


def analyse(
    graph: igraph.Graph, rules: Roles | None = None, seed: int = structure.SEED
) -> list[Ranked]:
    """Return every person in the graph, highest controller score first.

    Args:
        graph: an undirected graph with vertex "name" and edge "weight" (structure.build).
        rules: the controller score's terms and weights; the roles file in use if None.
        seed: the seed of community detection.

    Returns:
        One Ranked a person, by score (highest first), then by name; equal scores share a rank.
    """
    rules = rules or roles_module.current()
    found = structure.measure(graph, seed=seed, resolution=rules.communities.resolution)
    values = _values(found)
    scaled = {m: _scale(v) for m, v in values.items()}
    total = sum(t.weight for t in rules.terms)
    scores = [
        sum(t.weight * scaled[t.measure][i] for t in rules.terms) / total for i in range(found.size)
    ]
    groups = found.neighbour_groups(graph)
    places = {m: _ranks(v) for m, v in values.items()}
    tied = {m: _at_least(v) for m, v in values.items()}
    order = sorted(range(found.size), key=lambda i: (-scores[i], found.names[i]))
    ranks = _ranks(scores)
    ranked = []
    for i in order:
        # The most distinctive first: the measure on which fewest people equal or pass them.
        distinct = sorted(
            (t for t in rules.terms if scaled[t.measure][i] > 0),
            key=lambda t: (tied[t.measure][i], -t.weight, t.id),
        )
        reasons = [_reason(t.measure, i, found, places, groups) for t in distinct]
        reasons.append(_group_reason(i, found))
        ranked.append(
            Ranked(
                node=found.names[i],
                rank=ranks[i],
                controller_score=min(1.0, max(0.0, scores[i])),
                reasons=reasons,
                community=found.community[i],
                measures={
                    "degree": found.degree[i],
                    "strength": found.strength[i],
                    "betweenness": found.betweenness[i],
                    "coreness": found.coreness[i],
                    "constraint": found.constraint[i],
                    "clustering": found.clustering[i],
                    "eigenvector": found.eigenvector[i],
                },
            )
        )
    return ranked


def _values(found: structure.Structure) -> dict[str, list[float]]:
    """Return each measure a score can use, higher meaning more controller-like."""
    return {
        "betweenness": found.betweenness,
        "degree": [float(d) for d in found.degree],
        "strength": found.strength,
        "coreness": [float(c) for c in found.coreness],
        # Constraint can exceed 1 for a person with one or two ties: brokerage stops at 0.
        "brokerage": [0.0 if math.isnan(c) else max(0.0, 1.0 - c) for c in found.constraint],
        "eigenvector": found.eigenvector,
    }


def _scale(values: list[float]) -> list[float]:
    top = max(values, default=0.0)
    return [v / top if top > 0 else 0.0 for v in values]


def _ranks(values: list[float]) -> list[int]:
    """Return each value's rank, highest first; equal values (to 1e-9) share the best rank."""
    ordered = sorted(-v for v in values)
    return [1 + bisect.bisect_left(ordered, -v - 1e-9) for v in values]


def _at_least(values: list[float]) -> list[int]:
    """Return, for each value, how many values are at least as high."""
    ordered = sorted(-v for v in values)
    return [bisect.bisect_right(ordered, -v + 1e-9) for v in values]


def _reason(
    measure: str,
    i: int,
    found: structure.Structure,
    places: dict[str, list[int]],
    groups: list[int],
) -> str:
    """Return the sentence that states one measure of person i, with their rank."""
    n = found.size
    rank = f"rank {places[measure][i]} of {n}"
    if measure == "betweenness":
        share = f"{found.betweenness[i]:.0%}"
        text = f"{share} of the shortest paths between other people pass through them ({rank})"
        if groups[i] > 1:
            return f"brokers between {groups[i]} groups: {text}"
        return text
    if measure == "degree":
        return f"in contact with {found.degree[i]} of the other {n - 1} people ({rank})"
    if measure == "strength":
        return f"ties of total weight {_rounded(found.strength[i])} ({rank})"
    if measure == "coreness":
        top = max(found.coreness)
        if found.coreness[i] == top:
            return f"in the densest core (k-core {top})"
        return f"in a k-core of {found.coreness[i]} (the densest is {top})"
    if measure == "brokerage":
        return f"constraint {found.constraint[i]:.2f} ({rank}, lowest first): {_closure(i, found)}"
    if measure == "eigenvector":
        return (
            f"tied to well-connected people: eigenvector centrality "
            f"{found.eigenvector[i]:.2f} of the highest ({rank})"
        )
    raise ValueError(f"no reason for measure {measure!r}")  # pragma: no cover - roles.MEASURES


def _closure(i: int, found: structure.Structure) -> str:
    """Say how far the person's contacts are tied to each other (what constraint measures)."""
    if found.degree[i] < 2:
        return "they have a single contact"
    share = found.clustering[i]
    if share == 0:
        return f"none of their {found.degree[i]} contacts are tied to each other"
    return f"{share:.0%} of the pairs of their {found.degree[i]} contacts are tied to each other"


def _group_reason(i: int, found: structure.Structure) -> str:
    groups = max(found.community) + 1 if found.size else 0
    size = found.community.count(found.community[i])
    return f"in group {found.community[i] + 1} of {groups} ({size} people)"


def _rounded(value: float) -> float | int | None:
    if isinstance(value, float) and math.isnan(value):
        return None
    if float(value).is_integer():
        return int(value)
    return round(value, 4)
