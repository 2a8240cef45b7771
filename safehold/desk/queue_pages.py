"""The queue pages: one queue of work (desk/queues.py) in full, the most urgent first."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access
from safehold.desk import queues


def queue(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in_staff(request)
    if not access.may_record_report(user):
        raise PermissionDenied
    if slug == "approvals":
        return redirect("approvals")
    found = next((q for q in queues.QUEUES if q.slug == slug), None)
    if found is None:
        raise Http404("No such queue")
    now = timezone.now()
    listing = queues.LISTINGS[slug](user, now)
    context = {"queue": found, "rows": list(listing[:200]), "now": now, "nav": "home"}
    return render(request, "desk/queue.html", context)
