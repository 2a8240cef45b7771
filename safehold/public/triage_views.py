"""Staff pages for triage: the queue of reports sent through the public page
(`/triage`), one report (`/triage/{id}`) and the three ways triage ends it: assign an
officer, merge it into an open case of the same survivor, or record why no action
follows. The same services answer the API (safehold/api/public_reports.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.accounts.selectors import signed_in_staff
from safehold.cases import sealing, selectors
from safehold.errors import Refusal
from safehold.public import selectors as public_selectors
from safehold.public import services
from safehold.public.forms import ANSWER_WORDS, NoActionForm
from safehold.public.models import PublicReport, Relation


@require_http_methods(["GET"])
def triage_queue(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    rows = list(public_selectors.triage_queue(user)[:200])
    selectors.with_survivors(user, [r.case for r in rows], via="queue")
    return render(request, "public/triage_queue.html", {"rows": rows, "nav": "home"})


def report_page(
    request: HttpRequest, user: Staff, report: PublicReport, *, error: Refusal | None = None
) -> HttpResponse:
    view = selectors.case_detail(user, report.case_id, via="triage")
    sender = sealing.unseal(report.case.data_key, report)
    officers = Staff.objects.filter(role=Role.OFFICER, is_active=True).order_by("full_name")
    context = {
        "report": report,
        "view": view,
        "sender": sender,
        "relation": dict(Relation.choices).get(report.relation, "Not said"),
        "danger_now": ANSWER_WORDS.get(report.danger_now, "Not answered"),
        "children_in_home": ANSWER_WORDS.get(report.children_in_home, "Not answered"),
        "counter_allegation": public_selectors.may_be_counter_allegation(user, report),
        "open_cases": public_selectors.survivor_open_cases(user, report.case),
        "officers": officers,
        "no_action_form": NoActionForm(),
        "error": error,
        "nav": "home",
    }
    return render(request, "public/triage_report.html", context, status=422 if error else 200)


@require_http_methods(["GET"])
def triage_report(request: HttpRequest, report_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    report = waiting_or_404(user, report_id)
    return report_page(request, user, report)


def waiting_or_404(user: Staff, report_id: str) -> PublicReport:
    try:
        return services.waiting_report(user, report_id)
    except Refusal as refusal:  # already triaged: nothing left to do here
        raise Http404("No such report") from refusal


@require_POST
def triage_decide(request: HttpRequest, report_id: str, decision: str) -> HttpResponse:
    user = signed_in_staff(request)
    report = waiting_or_404(user, report_id)
    now = timezone.now()
    try:
        if decision == "assign":
            services.triage_assign(
                report_id=report.pk, officer=request.POST.get("officer", ""), by=user, now=now
            )
        elif decision == "merge":
            services.triage_merge(
                report_id=report.pk, into=request.POST.get("into", ""), by=user, now=now
            )
        elif decision == "no-action":
            services.triage_no_action(
                report_id=report.pk, reason=request.POST.get("reason", ""), by=user, now=now
            )
        else:
            raise Http404("No such decision")
    except Refusal as refusal:
        return report_page(request, user, report, error=refusal)
    return redirect("triage")
