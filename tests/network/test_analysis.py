"""The controller ranking: scores, reasons a person can check, determinism."""

import pytest

from safeguard.network import analysis, files, roles, structure

from .factories import clique, graph, star, two_cliques_and_a_broker

RULES = roles.load(roles.DEFAULT_PATH)


def _ranked(ties, nodes=()):
    return {r.node: r for r in analysis.analyse(graph(ties, nodes), RULES)}


def test_a_star_centre_ranks_first_with_a_full_score_and_its_reasons():
    ranked = analysis.analyse(graph(star(leaves=5)), RULES)
    top = ranked[0]
    assert (top.node, top.rank, top.controller_score) == ("hub", 1, pytest.approx(1.0))
    assert (
        "100% of the shortest paths between other people pass through them (rank 1 of 6)"
        in top.reasons
    )
    assert "in contact with 5 of the other 5 people (rank 1 of 6)" in top.reasons
    assert (
        "constraint 0.20 (rank 1 of 6, lowest first): none of their 5 contacts are tied to "
        "each other" in top.reasons
    )
    # The leaves are equal: they share rank 2 and come in name order.
    assert [r.rank for r in ranked[1:]] == [2] * 5
    assert [r.node for r in ranked[1:]] == sorted(r.node for r in ranked[1:])


def test_every_score_is_between_0_and_1():
    ties = two_cliques_and_a_broker() + [("x", "y"), ("y", "z", 4)]
    for r in analysis.analyse(graph(ties, nodes=["alone"]), RULES):
        assert 0 <= r.controller_score <= 1
    assert _ranked(ties, nodes=["alone"])["alone"].controller_score == 0


def test_the_broker_is_named_as_brokering_between_groups():
    broker = _ranked(two_cliques_and_a_broker())["x"]
    # The most distinctive fact first: x alone holds the top betweenness.
    assert broker.reasons[0].endswith(
        "57% of the shortest paths between other people pass through them (rank 1 of 9)"
    )
    assert broker.reasons[0].startswith(("brokers between 2 groups", "brokers between 3 groups"))
    assert (
        "constraint 0.50 (rank 1 of 9, lowest first): none of their 2 contacts are tied to "
        "each other" in broker.reasons
    )
    clique_member = _ranked(two_cliques_and_a_broker())["a2"]
    assert any(
        r.endswith("100% of the pairs of their 3 contacts are tied to each other")
        for r in clique_member.reasons
    )


def test_the_densest_core_is_named():
    ranked = _ranked(clique(["a", "b", "c", "d"]) + [("d", "e"), ("e", "f")])
    assert "in the densest core (k-core 3)" in ranked["a"].reasons
    assert "in a k-core of 1 (the densest is 3)" in ranked["e"].reasons
    assert ranked["d"].rank == 1  # in the core and the only way out of it


def test_each_person_is_told_their_group():
    left, right = [f"l{i}" for i in range(5)], [f"r{i}" for i in range(5)]
    ranked = _ranked(clique(left) + clique(right) + [("l0", "r0")])
    assert ranked["l0"].reasons[-1] in ("in group 1 of 2 (5 people)", "in group 2 of 2 (5 people)")
    assert ranked["l0"].community != ranked["r0"].community
    assert ranked["l0"].reasons[0].startswith("brokers between 2 groups:")


def test_the_same_file_gives_the_same_ranking(tmp_path):
    path = tmp_path / "net.csv"
    ties = two_cliques_and_a_broker() + clique(["c1", "c2", "c3", "c4"]) + [("c1", "a2")]
    path.write_text("".join(f"{a},{b},1\n" for a, b in ties))
    first = [r.as_dict() for r in analysis.analyse(structure.build(files.read(path)), RULES)]
    for _ in range(3):
        again = analysis.analyse(structure.build(files.read(path)), RULES)
        assert [r.as_dict() for r in again] == first


def test_the_weights_come_from_the_rules():
    # With betweenness alone, the bridge of two cliques comes first.
    only = RULES.model_copy(update={"terms": [RULES.terms[0]]})
    assert RULES.terms[0].measure == "betweenness"
    assert analysis.analyse(graph(two_cliques_and_a_broker()), only)[0].node == "x"


def test_as_dict_has_the_documented_keys():
    record = analysis.analyse(graph(star()), RULES)[0].as_dict()
    assert {"node", "controller_score", "reasons", "rank", "community", "measures"} == set(record)
    assert record["measures"]["degree"] == 5
