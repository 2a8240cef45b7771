from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "safehold.reports"
    label = "reports"
    verbose_name = "Monitoring and reporting"
