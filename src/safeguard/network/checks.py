"""System checks: the controller score's rule file loads (network.E001)."""

from django.core import checks

from safeguard.network import roles


def roles_load(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report a roles file that cannot be used."""
    try:
        roles.current()
    except roles.RolesError as exc:
        return [
            checks.Error(
                f"the network roles file is not usable: {problem}",
                obj=exc.source,
                id="network.E001",
            )
            for problem in exc.problems
        ]
    return []
