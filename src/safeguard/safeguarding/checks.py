"""System checks: the duty rules and the tools catalogue in use load, so a bad file stops the
system starting; and the clock that deadlines are counted by is the real one in a service."""

from django.core.checks import Error, Warning
from django.core.exceptions import ImproperlyConfigured

from safeguard import clock
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


def clock_reads(app_configs=None, **kwargs) -> list[Error]:
    """A demo clock's start that cannot be read stops the system (every deadline uses it)."""
    try:
        clock.now()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="safeguarding.E003")]
    return []


def clock_is_real(app_configs=None, **kwargs) -> list[Warning]:
    """In a force's service every deadline and audit entry must be dated by the real clock."""
    if clock.shifted():
        return [
            Warning(
                "SAFEGUARD_CLOCK_START is set: deadlines, escalations and audit entries are "
                "dated by the demo's clock, not the real time.",
                hint="Unset SAFEGUARD_CLOCK_START (only `safeguard demo` uses it).",
                id="safeguarding.W001",
            )
        ]
    return []
