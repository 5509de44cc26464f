"""Every command that checks a rule file (rulefiles.checked): the label, or each problem."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safeguard.offenders import rules as schedule_rules
from safeguard.safeguarding import rules as duty_rules
from safeguard.screening import catalogue


@pytest.mark.parametrize(
    ("command", "kind", "label", "change", "problem"),
    [
        # (command and action, rule file kind, start of the label, text replaced, problem)
        (
            ("duties", "check-rules"),
            duty_rules.RULES,
            "victim-first-duties 1.",
            ("kinds: [arrest, charge]", "kinds: [arested]"),
            "rules[0] (referral-arrested-child): when.event.kinds: unknown event kind 'arested'",
        ),
        (
            ("offenders", "check-rules"),
            schedule_rules.RULES,
            "offender-schedule 1.",
            ("level: high\n    months: 3", "level: high\n    months: 40"),
            "visits[1] (visits-high): months: Input should be less than or equal to 36",
        ),
        (
            ("screening", "check"),
            catalogue.CATALOGUES,
            "cce-county-lines 1.",
            ("kinds: [missing_episode]", "kinds: [went_missing]"),
            "indicators[0] (missing-repeatedly): evidence[0].kinds: "
            "unknown event kind 'went_missing'",
        ),
    ],
)
def test_a_check_command_prints_the_label_or_each_problem(
    tmp_path, command, kind, label, change, problem
):
    out = StringIO()
    call_command(*command, stdout=out)
    assert out.getvalue().startswith(f"{kind.default}: {label}")
    text = kind.default.read_text()
    assert change[0] in text
    bad = tmp_path / "force.yaml"
    bad.write_text(text.replace(*change, 1))
    err = StringIO()
    with pytest.raises(CommandError, match=f"{bad}: 1 problem"):
        call_command(*command, str(bad), stderr=err)
    assert err.getvalue().strip() == f"{bad}: {problem}"
