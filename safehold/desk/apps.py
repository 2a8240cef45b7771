from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "safehold.desk"
    label = "desk"
    verbose_name = "Pages that compose several apps"
