from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguard.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding"
