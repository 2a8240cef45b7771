from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "safehold.risk"
    label = "risk"
    verbose_name = "Risk"
