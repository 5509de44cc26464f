from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "safeguard.intake"
    label = "intake"
    verbose_name = "Intake"
