"""Each structural measure on small graphs whose answers are known by hand."""

import math
import random

import pytest

from safeguard.network import structure

from .factories import clique, graph, star, two_cliques_and_a_broker


def _by_name(found, values):
    return dict(zip(found.names, values, strict=True))


def test_a_star_centre_has_every_path_and_the_least_constraint():
    found = structure.measure(graph(star(leaves=5)))
    degree = _by_name(found, found.degree)
    assert degree["hub"] == 5 and degree["leaf1"] == 1
    between = _by_name(found, found.betweenness)
    # Every shortest path between two leaves (10 pairs of the 10 among other people) passes
    # through the hub.
    assert between["hub"] == pytest.approx(1.0)
    assert between["leaf3"] == 0
    # Five contacts, none tied to another: constraint 5 x (1/5)^2 = 0.2; a leaf's is 1.
    constraint = _by_name(found, found.constraint)
    assert constraint["hub"] == pytest.approx(0.2)
    assert constraint["leaf2"] == pytest.approx(1.0)
    assert _by_name(found, found.eigenvector)["hub"] == pytest.approx(1.0)
    assert set(found.coreness) == {1}


def test_strength_adds_the_weights():
    found = structure.measure(graph([("a", "b", 3), ("a", "c", 2), ("b", "a", 1)]))
    assert _by_name(found, found.strength) == {"a": 6.0, "b": 4.0, "c": 2.0}


def test_the_bridge_between_two_cliques_is_the_broker():
    found = structure.measure(graph(two_cliques_and_a_broker()))
    between = _by_name(found, found.betweenness)
    assert max(between, key=between.get) == "x"
    # x is on every path between the 4 + 4 people of the two cliques: 16 of the 28 pairs
    # of the other 8 people.
    assert between["x"] == pytest.approx(16 / 28)
    constraint = _by_name(found, found.constraint)
    # Two contacts not tied to each other: 2 x (1/2)^2.
    assert constraint["x"] == pytest.approx(0.5)
    assert min(constraint, key=constraint.get) == "x"


def test_k_core_of_a_clique_with_a_tail():
    ties = clique(["a", "b", "c", "d"]) + [("d", "e"), ("e", "f")]
    found = structure.measure(graph(ties))
    assert _by_name(found, found.coreness) == {"a": 3, "b": 3, "c": 3, "d": 3, "e": 1, "f": 1}


def test_leiden_recovers_two_cliques_joined_by_one_edge():
    left, right = [f"l{i}" for i in range(5)], [f"r{i}" for i in range(5)]
    found = structure.measure(graph(clique(left) + clique(right) + [("l0", "r0")]))
    groups = _by_name(found, found.community)
    assert len({groups[n] for n in left}) == 1
    assert len({groups[n] for n in right}) == 1
    assert groups["l0"] != groups["r0"]
    assert found.modularity > 0.4


def test_communities_are_the_same_every_run_and_leave_random_alone():
    ties = two_cliques_and_a_broker() + clique(["c1", "c2", "c3"]) + [("c1", "x")]
    random.seed(7)
    before = random.getstate()
    first = structure.measure(graph(ties))
    assert random.getstate() == before
    assert all(structure.measure(graph(ties)).community == first.community for _ in range(5))


def test_people_with_no_ties():
    found = structure.measure(graph([("a", "b")], nodes=["z"]))
    z = found.names.index("z")
    assert found.degree[z] == 0 and found.betweenness[z] == 0
    assert math.isnan(found.constraint[z])
    assert found.eigenvector[z] == 0
    empty = structure.measure(graph([], nodes=["p", "q"]))
    assert empty.eigenvector == [0.0, 0.0] and empty.community == [0, 1]
