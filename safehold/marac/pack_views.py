"""The MARAC pack's page (issue 21): GET explains what the pack holds and offers to make
it; POST makes the PDF (marac/pack.py), which is a disclosure, audited for each case.
A missing meeting, a role that takes no pack, and a meeting with none of the reader's
cases all get the same 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safehold.accounts.selectors import signed_in_staff
from safehold.marac import pack, selectors


@require_http_methods(["GET", "POST"])
def meeting_pack(request: HttpRequest, meeting_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    if request.method == "GET":
        meeting, _ = pack.hearings_for(user, meeting_id)
        context = {"meeting": meeting, "conference": selectors.conference_name(meeting.conference)}
        return render(request, "marac/pack_page.html", context)
    pdf = pack.pack_create(user=user, meeting_id=meeting_id, now=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"marac-pack-{meeting_id}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
