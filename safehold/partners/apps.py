from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "safehold.partners"
    label = "partners"
    verbose_name = "Partner access"
