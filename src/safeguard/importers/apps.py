from django.apps import AppConfig
from django.core import checks


class ImportersConfig(AppConfig):
    name = "safeguard.importers"
    label = "importers"
    verbose_name = "Imports of published data"

    def ready(self) -> None:
        from safeguard.importers.checks import police_uk_load

        checks.register(police_uk_load, deploy=False)
