from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "safehold.limits"
    label = "limits"
    verbose_name = "Limits"
