"""System checks: the demo's data files load, so `safeguard check` catches a broken edit early."""

from collections.abc import Callable

from django.core.checks import Error

from safeguard.demo import gazetteer, scenario

# Each data file with the loader that validates it and the id its failure is reported under.
FILES: tuple[tuple[str, str, Callable[[], object]], ...] = (
    ("demo.E001", "gazetteer.yaml", gazetteer.load),
    ("demo.E002", "scenario.yaml", scenario.load_scenario),
    ("demo.E003", "wording.yaml", scenario.load_wording),
)


def data_files(app_configs=None, **kwargs) -> list[Error]:
    """Report each demo data file that does not load, and rates that no builder can write."""
    errors = []
    for check_id, name, load in FILES:
        try:
            load()
        except ValueError as exc:
            errors.append(Error(f"src/safeguard/demo/{name} is malformed: {exc}", id=check_id))
    if errors:
        return errors
    from safeguard.demo.world import unbuildable_rates

    return [Error(f"scenario.yaml: {problem}", id="demo.E004") for problem in unbuildable_rates()]
