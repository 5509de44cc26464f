"""System check: the offender schedule rules in use load (offenders.E001)."""

from django.core import checks

from safeguard.offenders import rules


def rules_load(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report every problem of the schedule rules file, each naming its entry."""
    try:
        rules.current()
    except rules.RulesError as exc:
        return [
            checks.Error(f"{exc.source}: {problem}", id="offenders.E001")
            for problem in exc.problems
        ]
    return []
