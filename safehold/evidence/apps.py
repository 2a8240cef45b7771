from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "safehold.evidence"
    label = "evidence"
    verbose_name = "Evidence"
