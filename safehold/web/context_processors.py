from __future__ import annotations

from django.http import HttpRequest

from safehold.accounts.roles import manages_staff

SERVICE_NAME = "Safehold"


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "service_name": SERVICE_NAME,
        "can_manage_staff": signed_in and manages_staff(user.role),  # type: ignore[union-attr]
    }
