"""Duty rules as data: the default file, and errors that name the rule."""

import pytest

from safeguard.safeguarding import rules
from safeguard.safeguarding.vocabulary import DutyKind

GOOD = """
id: test-duties
title: Test
version: 0.1.0
duties:
  childrens_services_referral: {title: Referral, citation: Working Together (2023)}
rules:
  - id: arrested
    duty: childrens_services_referral
    title: Arrested child
    citation: Working Together (2023)
    when: {event: {kinds: [arrest]}, under: 18}
    due: {working_days: 1}
    escalate: {first: {working_days: 0}, again: {working_days: 2}}
charging_review:
  title: Review before charge
  citation: CPS guidance; MSA 2015 s45
  roles: [suspect]
  under: 18
  screened_at_least: medium
  open_nrm_referral: true
"""


def test_the_default_rules_cover_every_duty_of_the_issue():
    loaded = rules.load(rules.DEFAULT_PATH)
    assert loaded.label.startswith("victim-first-duties 1.2.0 (")
    assert {r.duty for r in loaded.rules} | {
        r.consent_or for r in loaded.rules if r.consent_or
    } == set(DutyKind.values)
    assert all(r.citation for r in loaded.rules)
    arrested = next(r for r in loaded.rules if r.id == "referral-arrested-child")
    assert arrested.when.event.roles == []  # never suppressed because the child is a suspect
    assert arrested.due.working_days == 1


def test_a_good_file_parses_and_has_a_content_hash():
    parsed = rules.parse(GOOD)
    assert len(parsed.content_hash) == 64
    assert rules.parse("# a comment\n" + GOOD).content_hash == parsed.content_hash


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("kinds: [arrest]", "kinds: [arested]"),
            "rules[0] (arrested): when.event.kinds: unknown event kind 'arested'",
        ),
        (
            ("    citation: Working Together (2023)\n    when", "    when"),
            "rules[0] (arrested): citation: is required",
        ),
        (
            ("due: {working_days: 1}", "due: {working_days: 1, hours: 4}"),
            "rules[0] (arrested): due: give either working_days or hours",
        ),
        (
            ("duty: childrens_services_referral\n    title", "duty: nrm_referral\n    title"),
            "arrested: duty 'nrm_referral' is not defined under duties",
        ),
        (
            ("when: {event: {kinds: [arrest]}, under: 18}", "when: {under: 18}"),
            "rules[0] (arrested): when: give one of event, screening or offender_alert",
        ),
    ],
)
def test_each_problem_names_its_rule(change, problem):
    old, new = change
    assert old in GOOD
    with pytest.raises(rules.RulesError) as caught:
        rules.parse(GOOD.replace(old, new), "force.yaml")
    assert problem in caught.value.problems
    assert str(caught.value).startswith("force.yaml: ")


def test_a_force_file_replaces_the_default_and_a_bad_one_stops_the_system(tmp_path, settings):
    from safeguard.safeguarding.checks import rules_load

    own = tmp_path / "force.yaml"
    own.write_text(GOOD.replace("version: 0.1.0", "version: 0.2.0"))
    settings.DUTY_RULES = str(own)
    assert rules.current().label.startswith("test-duties 0.2.0")
    assert rules_load() == []
    own.write_text(GOOD.replace("kinds: [arrest]", "kinds: [arested]"))
    [error] = rules_load()
    assert error.id == "safeguarding.E001"
    assert (
        error.msg == f"{own}: rules[0] (arrested): when.event.kinds: unknown event kind 'arested'"
    )
