from django.apps import AppConfig
from django.core import checks


class DemoConfig(AppConfig):
    name = "safeguard.demo"
    label = "demo"
    verbose_name = "Demo world"

    def ready(self) -> None:
        from safeguard.demo.checks import data_files

        checks.register(data_files)
