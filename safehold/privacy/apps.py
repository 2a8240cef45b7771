from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "safehold.privacy"
    label = "privacy"
    verbose_name = "Audit chain and encryption vault"
