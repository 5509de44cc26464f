"""Structural measures of each person in an undirected, weighted network (python-igraph).

Every measure here uses the ties alone, no attributes. Betweenness and the k-core count
ties, not their weights (a weight is a number of contacts, not a distance); strength,
constraint, eigenvector centrality and the communities use the weights (docs/network.md).
"""

import math
import random
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import igraph

from safeguard.network.files import Network

# Leiden is randomised: the same seed gives the same groups for the same file.
SEED = 20240601
# Leiden runs from different random starts; the partition with the highest modularity is kept.
STARTS = 5


def build(network: Network) -> igraph.Graph:
    """Return the undirected weighted graph of a network (vertex "name", edge "weight")."""
    index = {name: i for i, name in enumerate(network.nodes)}
    graph = igraph.Graph(n=len(network.nodes), directed=False)
    graph.vs["name"] = list(network.nodes)
    pairs = list(network.ties)
    graph.add_edges([(index[a], index[b]) for a, b in pairs])
    graph.es["weight"] = [float(network.ties[p]) for p in pairs]
    return graph


@dataclass(frozen=True, slots=True)
class Structure:
    """One value a person for each measure, in the graph's vertex order."""

    names: list[str]
    degree: list[int]
    strength: list[float]
    betweenness: list[float]  # share of the shortest paths between other pairs, 0..1
    coreness: list[int]
    constraint: list[float]  # Burt's constraint; NaN for a person with no ties
    clustering: list[float]  # share of the pairs of their contacts tied to each other
    eigenvector: list[float]  # scaled so that the highest is 1
    community: list[int]  # Leiden group, numbered from 0 by size (largest first)
    modularity: float

    @property
    def size(self) -> int:
        return len(self.names)

    def neighbour_groups(self, graph: igraph.Graph) -> list[int]:
        """Return, for each person, how many groups their contacts (and they) belong to."""
        return [
            len({self.community[v] for v in graph.neighbors(i)} | {self.community[i]})
            if graph.degree(i)
            else 0
            for i in range(self.size)
        ]


def measure(graph: igraph.Graph, seed: int = SEED, resolution: float = 1.0) -> Structure:
    """Return every structural measure of every person in the graph.

    Args:
        graph: an undirected graph with an edge attribute "weight" (build()).
        seed: the seed of Leiden's random choices (same seed, same groups).
        resolution: Leiden's modularity resolution: above 1 gives more, smaller groups.

    Returns:
        The Structure, one value a person for each measure.
    """
    with _seeded(seed):
        return _measure(graph, resolution)


def leiden(
    graph: igraph.Graph,
    weights,
    resolution: float = 1.0,
    starts: int = STARTS,
    seed: int = SEED,
    iterations: int = -1,
) -> tuple[list[int], float]:
    """Return Leiden's groups (modularity, best of `starts` seeded runs, numbered largest
    first) and their modularity: one place for the file analysis and the records' lines.

    Each run iterates Leiden `iterations` times (negative: until an iteration improves
    nothing); `weights` may be an edge attribute's name."""
    with _seeded(seed):
        return _communities(graph, weights, resolution, starts, iterations)


@contextmanager
def _seeded(seed: int):
    """Give igraph (Leiden, and ARPACK's start vector) its own seeded generator, then put the
    global one back as it was."""
    saved = random.getstate()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)
        random.setstate(saved)


def _measure(graph: igraph.Graph, resolution: float) -> Structure:
    n = graph.vcount()
    weights = graph.es["weight"] if graph.ecount() else None
    pairs = (n - 1) * (n - 2) / 2
    betweenness = [b / pairs if pairs else 0.0 for b in graph.betweenness(directed=False)]
    constraint = [
        c if graph.degree(i) and not math.isnan(c) else math.nan
        for i, c in enumerate(graph.constraint(weights=weights))
    ]
    community, modularity = _communities(graph, weights, resolution)
    return Structure(
        names=list(graph.vs["name"]),
        degree=graph.degree(),
        strength=[float(s) for s in graph.strength(weights=weights)],
        betweenness=betweenness,
        coreness=graph.coreness(),
        constraint=constraint,
        clustering=graph.transitivity_local_undirected(mode="zero"),
        eigenvector=_eigenvector(graph, weights),
        community=community,
        modularity=modularity,
    )


def _eigenvector(graph: igraph.Graph, weights) -> list[float]:
    """Eigenvector centrality, scaled to a highest of 1; 0 everywhere in a graph with no ties.

    On a disconnected graph the leading eigenvector sits in the component with the largest
    eigenvalue (usually the largest component); people elsewhere score near 0.
    """
    if not graph.ecount():
        return [0.0] * graph.vcount()
    with warnings.catch_warnings():
        # igraph warns on every disconnected graph (most real ones, with their isolates).
        warnings.filterwarnings("ignore", "Some eigenvector centralities are nearly zero")
        values = graph.eigenvector_centrality(weights=weights)
    top = max(values) or 1.0
    return [max(0.0, v / top) for v in values]


def _communities(
    graph: igraph.Graph, weights, resolution: float, starts: int = STARTS, iterations: int = -1
):
    """Leiden (modularity), best of STARTS runs; groups renumbered largest first."""
    if not graph.ecount():
        return list(range(graph.vcount())), 0.0
    best = None
    for _ in range(starts):
        found = graph.community_leiden(
            objective_function="modularity",
            weights=weights,
            resolution=resolution,
            n_iterations=iterations,
        )
        quality = graph.modularity(found.membership, weights=weights, resolution=resolution)
        if best is None or quality > best[1] + 1e-12:
            best = (found.membership, quality)
    membership, quality = best
    # Number groups by size, then by their first member, so the labels are stable.
    sizes: dict[int, int] = {}
    first: dict[int, int] = {}
    for i, g in enumerate(membership):
        sizes[g] = sizes.get(g, 0) + 1
        first.setdefault(g, i)
    order = sorted(sizes, key=lambda g: (-sizes[g], first[g]))
    relabel = {g: k for k, g in enumerate(order)}
    return [relabel[g] for g in membership], quality
