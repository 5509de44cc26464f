"""System check: the screening catalogue in use loads, so a bad file stops the system starting."""

from django.core.checks import Error

from safeguard.screening import catalogue


def catalogue_loads(app_configs=None, **kwargs) -> list[Error]:
    """Report every problem of the configured catalogue, each naming its entry."""
    try:
        catalogue.current()
    except catalogue.CatalogueError as exc:
        return [Error(f"{exc.source}: {problem}", id="screening.E001") for problem in exc.problems]
    return []
