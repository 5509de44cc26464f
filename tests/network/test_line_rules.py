"""lines.yaml: the county-lines rules load, and a bad file is refused naming what is wrong."""

import pytest
from django.test import override_settings

from safeguard.network import line_rules
from safeguard.network.checks import lines_load

GOOD = line_rules.DEFAULT_PATH.read_text(encoding="utf-8")


def test_the_default_rules_load_with_every_role_and_a_source_for_each_section():
    rules = line_rules.current()
    assert {r.id for r in rules.roles} == set(line_rules.ROLES)
    assert all(r.citation and r.requires for r in rules.roles)
    for section in (rules.edges, rules.deal_lines, rules.groups, rules.evidence, rules.disruption):
        assert section.citation
    assert rules.label.startswith(f"county-lines {rules.version} (")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("heavy_per_month: 25", "heavy_per_month: 0"),
            "evidence.heavy_per_month: Input should be greater than 0",
        ),
        (("min_contacts: 20", "min_contacts: 1"), "deal_lines.fan_out.min_contacts"),
        (
            ("{evidence: uses_deal_phone, weight: 0.35", "{evidence: psychic, weight: 0.35"),
            "roles[0] (controller): terms[0].evidence",
        ),
        (("contact: 1.0\n", "telepathy: 1.0\n"), "edges.weights.telepathy"),
        (("child_age: 18", "child_age: 12"), "child_age"),
    ],
)
def test_a_bad_file_names_the_field(change, problem):
    assert change[0] in GOOD
    with pytest.raises(line_rules.LinesError) as caught:
        line_rules.parse(GOOD.replace(*change))
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_a_missing_role_is_refused():
    without_user = GOOD[: GOOD.index("  - id: user\n")] + GOOD[GOOD.index("# Thresholds") :]
    with pytest.raises(line_rules.LinesError, match="roles: missing user"):
        line_rules.parse(without_user)


def test_a_disruption_tool_must_be_in_the_tools_catalogue():
    bad = GOOD.replace("tool: criminal-behaviour-order", "tool: banishment-order")
    with pytest.raises(line_rules.LinesError, match="not in the tools catalogue: banishment-order"):
        line_rules.parse(bad)


def test_the_system_check_reports_an_unusable_file(tmp_path):
    assert lines_load() == []
    bad = tmp_path / "lines.yaml"
    bad.write_text(GOOD.replace("max_hops: 4", "max_hops: 40"))
    with override_settings(NETWORK_LINES=str(bad)):
        errors = lines_load()
    assert [e.id for e in errors] == ["network.E002"]
    assert "max_hops" in errors[0].msg
