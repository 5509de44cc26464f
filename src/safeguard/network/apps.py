from django.apps import AppConfig
from django.core import checks


class NetworkConfig(AppConfig):
    name = "safeguard.network"
    label = "network"
    verbose_name = "Network intelligence"

    def ready(self) -> None:
        from safeguard.network.checks import lines_load, roles_load

        checks.register(roles_load, deploy=False)
        checks.register(lines_load, deploy=False)
