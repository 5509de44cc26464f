"""The schedule rules file: validated with a named error per entry, and its system check."""

import pytest
from django.test import override_settings

from safeguard.offenders import rules
from safeguard.offenders.checks import rules_load

GOOD = rules.DEFAULT_PATH.read_text()


def test_the_default_file_has_a_source_for_every_entry():
    loaded = rules.parse(GOOD)
    entries = [*loaded.visits, *loaded.reviews, *loaded.notifications]
    assert len(entries) == 4 + 4 + 6 and all(e.source for e in entries)
    assert {v.level: v.months for v in loaded.visits} == {
        "very_high": 1,
        "high": 3,
        "medium": 6,
        "low": 12,
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        # (text replaced, the start of the problem reported)
        (
            ("level: high\n    months: 3", "level: high\n    months: 0"),
            "visits[1] (visits-high): months",
        ),
        (
            ("level: low\n    months: 12\n    source: *visits", "level: low\n    months: 12"),
            "visits[3] (visits-low): source: is required",
        ),
        (("kind: change\n", "kind: moved\n"), "notifications[1] (notify-change): kind"),
        (
            (
                "kind: initial\n    within_days: 3\n",
                "kind: initial\n    within_days: 3\n    days_before: 3\n",
            ),
            "notifications[0] (notify-initial): give either within_days or days_before",
        ),
        (
            ("id: review-low\n    level: low", "id: review-low\n    level: medium"),
            "reviews: level 'low' needs exactly one entry",
        ),
        (("  unassessed: very_high\n", "  unassessed: very_high\n  colour: red\n"), "level.colour"),
    ],
)
def test_a_bad_file_names_the_entry_and_field(change, problem):
    assert change[0] in GOOD
    with pytest.raises(rules.RulesError) as caught:
        rules.parse(GOOD.replace(*change))
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_the_system_check_reports_an_unusable_file(tmp_path):
    assert rules_load() == []
    bad = tmp_path / "schedule.yaml"
    bad.write_text(GOOD.replace("level: high\n    months: 3", "level: high\n    months: 40"))
    with override_settings(OFFENDER_SCHEDULE=str(bad)):
        errors = rules_load()
    assert [e.id for e in errors] == ["offenders.E001"]
    assert "visits[1] (visits-high): months" in errors[0].msg
