"""The controller score's rule file: the default loads; a bad file names each problem."""

import pytest
from django.test import override_settings

from safeguard.network import roles
from safeguard.network.checks import roles_load

GOOD = """
id: controller-score
title: t
version: 1.0.0
scaling: max
terms:
  - {id: betweenness, measure: betweenness, weight: 0.5, citation: Freeman 1977}
communities: {method: leiden-modularity, resolution: 1.0, citation: Traag et al. 2019}
"""


def test_the_default_file_loads_with_a_citation_for_every_term():
    loaded = roles.load(roles.DEFAULT_PATH)
    assert loaded.version and len(loaded.content_hash) == 64
    assert {t.measure for t in loaded.terms} <= set(roles.MEASURES)
    assert all(t.citation for t in loaded.terms)


def test_comments_do_not_change_the_hash():
    assert roles.parse(GOOD).content_hash == roles.parse("# note\n" + GOOD).content_hash


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("measure: betweenness", "measure: fame"), "terms[0] (betweenness): measure:"),
        (("weight: 0.5", "weight: 0"), "terms[0] (betweenness): weight:"),
        (("citation: Freeman 1977", "citation: ' '"), "terms[0] (betweenness): citation:"),
        (("scaling: max", "scaling: rank"), "scaling:"),
        (("version: 1.0.0", "version: one"), "version:"),
        (("Freeman 1977}", "Freeman 1977, note: x}"), "terms[0] (betweenness): note:"),
    ],
)
def test_a_bad_file_names_the_entry_and_field(change, problem):
    with pytest.raises(roles.RolesError) as caught:
        roles.parse(GOOD.replace(*change))
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_a_measure_used_twice_is_refused():
    doubled = GOOD.replace(
        "terms:\n",
        "terms:\n  - {id: again, measure: betweenness, weight: 0.1, citation: c}\n",
    )
    with pytest.raises(roles.RolesError, match="measure repeated: betweenness"):
        roles.parse(doubled)


def test_the_system_check_reports_an_unusable_file(tmp_path):
    assert roles_load() == []
    bad = tmp_path / "roles.yaml"
    bad.write_text(GOOD.replace("weight: 0.5", "weight: 2"))
    with override_settings(NETWORK_ROLES=str(bad)):
        errors = roles_load()
    assert [e.id for e in errors] == ["network.E001"]
    assert "weight" in errors[0].msg
