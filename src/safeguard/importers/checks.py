"""System check: the data.police.uk format file loads (importers.E001)."""

from django.core import checks

from safeguard import rulefiles
from safeguard.importers import police_uk_format


def police_uk_load(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report a data.police.uk format file (police_uk.yaml) that cannot be used."""
    try:
        police_uk_format.current()
    except rulefiles.RuleFileError as exc:
        return [
            checks.Error(
                f"the data.police.uk format file is not usable: {problem}",
                obj=exc.source,
                id="importers.E001",
            )
            for problem in exc.problems
        ]
    return []
