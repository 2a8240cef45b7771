from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, selectors
from safehold.casework import queues
from safehold.records import rules
from safehold.records import selectors as records_selectors
from safehold.web.context_processors import SERVICE_NAME


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {"nav": "home"}
    if isinstance(user, Staff) and access.may_record_report(user):
        context |= {
            "awaiting": selectors.awaiting_first_contact(user),
            "queues": queues.counts(user),
            "my_cases": selectors.my_cases(user) if user.role == Role.OFFICER else None,
            "alerts": selectors.unread_alerts(user),
            "may_break_glass": access.may_break_glass(user),
        }
    if isinstance(user, Staff) and rules.may_handle_subject_access(user):
        context["subject_access_due"] = len(records_selectors.subject_access_due(user))
    return render(request, "web/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; nothing else is revealed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # A plain template without the request: whatever failed may be in the session, the
    # context processors or the page machinery itself.
    page = loader.get_template("web/500.html").render({"service_name": SERVICE_NAME})
    return HttpResponse(page, status=500)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/400.html", status=400)
