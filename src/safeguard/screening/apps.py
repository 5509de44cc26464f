from django.apps import AppConfig
from django.core import checks


class ScreeningConfig(AppConfig):
    name = "safeguard.screening"
    label = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from safeguard.screening.checks import catalogue_loads

        checks.register(catalogue_loads, deploy=False)
