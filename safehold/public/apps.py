from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "safehold.public"
    label = "public"
    verbose_name = "The public pages: reports from anyone, and their triage"
