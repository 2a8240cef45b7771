from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "safehold.web"
    label = "web"
    verbose_name = "Pages"

    def ready(self) -> None:
        from safehold.web import checks  # noqa: F401 - registers the policy check
