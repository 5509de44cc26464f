"""Small hand-built networks with known answers."""

import itertools

from safeguard.network import structure
from safeguard.network.files import Network


def network(ties, nodes=()) -> Network:
    """Return a Network of (a, b) or (a, b, weight) ties, plus people with no ties."""
    built = Network("<test>")
    for name in nodes:
        built.add_node(name)
    for tie in ties:
        a, b, *weight = tie
        built.add_tie(a, b, weight[0] if weight else 1.0)
    return built


def graph(ties, nodes=()):
    return structure.build(network(ties, nodes))


def clique(names):
    return list(itertools.combinations(names, 2))


def star(centre="hub", leaves=5):
    return [(centre, f"leaf{i}") for i in range(1, leaves + 1)]


def two_cliques_and_a_broker():
    """Two four-person cliques; x alone is tied to both (to a1 and b1)."""
    return (
        clique(["a1", "a2", "a3", "a4"])
        + clique(["b1", "b2", "b3", "b4"])
        + [
            ("x", "a1"),
            ("x", "b1"),
        ]
    )
