from django.apps import AppConfig
from django.core import checks


class OffendersConfig(AppConfig):
    name = "safeguard.offenders"
    label = "offenders"
    verbose_name = "Offender management"

    def ready(self) -> None:
        from safeguard.offenders.checks import rules_load

        checks.register(rules_load, deploy=False)
