from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "safehold.marac"
    label = "marac"
    verbose_name = "MARAC meetings"
