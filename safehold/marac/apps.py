from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "safehold.marac"
    label = "marac"
    verbose_name = "MARAC meetings"

    def ready(self) -> None:
        # Flag and tag: a report, incident or assessment on a case heard at MARAC alerts
        # its officer and the DA leads, through the explicit hook of cases/followups.py
        # (docs/architecture.md "Layers"), never a signal.
        from safehold.marac import flags

        flags.handlers_register()
