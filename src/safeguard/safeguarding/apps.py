from django.apps import AppConfig
from django.core import checks


class SafeguardingConfig(AppConfig):
    name = "safeguard.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding"

    def ready(self) -> None:
        from safeguard.safeguarding.checks import (
            clock_is_real,
            clock_reads,
            rules_load,
            tools_load,
        )

        checks.register(rules_load, deploy=False)
        checks.register(tools_load, deploy=False)
        checks.register(clock_reads, deploy=False)
        checks.register(clock_is_real, deploy=True)
