from django.apps import AppConfig


class ClosureConfig(AppConfig):
    name = "safehold.closure"
    label = "closure"
    verbose_name = "Closure, feedback and appeals"
