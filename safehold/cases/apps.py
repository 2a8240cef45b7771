from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safehold.cases"
    label = "cases"
    verbose_name = "Cases"
