"""System check: the duty rules in use load, so a bad file stops the system starting."""

from django.core.checks import Error

from safeguard.safeguarding import rules


def rules_load(app_configs=None, **kwargs) -> list[Error]:
    """Report every problem of the configured duty rules, each naming its rule."""
    try:
        rules.current()
    except rules.RulesError as exc:
        return [
            Error(f"{exc.source}: {problem}", id="safeguarding.E001") for problem in exc.problems
        ]
    return []
