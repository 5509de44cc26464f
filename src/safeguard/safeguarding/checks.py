"""System checks: the duty rules and the tools catalogue in use load, so a bad file stops the
system starting."""

from django.core.checks import Error

from safeguard.safeguarding import rules, tools


def rules_load(app_configs=None, **kwargs) -> list[Error]:
    """Report every problem of the configured duty rules, each naming its rule."""
    try:
        rules.current()
    except rules.RulesError as exc:
        return [
            Error(f"{exc.source}: {problem}", id="safeguarding.E001") for problem in exc.problems
        ]
    return []


def tools_load(app_configs=None, **kwargs) -> list[Error]:
    """Report every problem of the configured tools catalogue, each naming its tool."""
    try:
        tools.current()
    except tools.CatalogueError as exc:
        return [
            Error(f"{exc.source}: {problem}", id="safeguarding.E002") for problem in exc.problems
        ]
    return []
