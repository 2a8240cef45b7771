from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "safehold.casework"
    label = "casework"
    verbose_name = "Casework"
