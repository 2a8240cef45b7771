"""The home page: what is due for the signed-in person, from every app's queues."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, selectors
from safehold.desk import queues
from safehold.records import rules
from safehold.records import selectors as records_selectors


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
    return render(request, "desk/home.html", context)
