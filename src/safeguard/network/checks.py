"""System checks: the network's rule files load (network.E001 roles, network.E002 lines)."""

from django.core import checks

from safeguard import rulefiles
from safeguard.network import line_rules, roles


def _problems(load, error_id: str, what: str) -> list[checks.CheckMessage]:
    try:
        load()
    except rulefiles.RuleFileError as exc:
        return [
            checks.Error(f"the {what} is not usable: {problem}", obj=exc.source, id=error_id)
            for problem in exc.problems
        ]
    return []


def roles_load(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report a controller-score roles file that cannot be used."""
    return _problems(roles.current, "network.E001", "network roles file")


def lines_load(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report a county-lines rules file (lines.yaml) that cannot be used."""
    return _problems(line_rules.current, "network.E002", "county-lines rules file")
