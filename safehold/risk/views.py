"""Risk pages: completing an assessment section by section, its result, and the risk
and MARAC views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access
from safehold.cases.selectors import cases_seen_by, viewed_record, with_survivors
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.risk import selectors, services, tools
from safehold.risk.forms import FinishForm, SectionForm, question_words
from safehold.risk.models import AssessmentStatus, RiskAssessment
from safehold.web.paging import page_asked

# Who keeps the MARAC list: the DA leads, and the directors they answer to.
MARAC_VIEW_ROLES = (Role.DA_LEAD, Role.DIRECTOR)


@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    available = tools.available_tools()
    if request.method == "POST":
        tool_id = request.POST.get("tool", "")
        try:
            assessment = services.assessment_start(case=case, by=user, tool_id=tool_id)
        except Refusal as refusal:
            context = {"case": case, "tools": available.values(), "error": refusal.message}
            return render(request, "risk/new.html", context, status=422)
        first = tools.section_ids(tools.tool_by_id(tool_id))[0]
        return redirect(
            "risk-section", case_id=case.pk, assessment_id=assessment.pk, section_id=first
        )
    return render(request, "risk/new.html", {"case": case, "tools": available.values()})


def in_progress(user: Staff, case_id: str, assessment_id: str) -> RiskAssessment:
    assessment = selectors.assessment_for(user, case_id, assessment_id)
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise Http404("This assessment is complete")
    return assessment


def resume(request: HttpRequest, case_id: str, assessment_id: str) -> HttpResponse:
    """Where an interrupted assessment carries on: the first section with a question not
    yet answered, or the last page once every question has an answer. The case page's
    task links here."""
    user = signed_in_staff(request)
    assessment = selectors.assessment_for(user, case_id, assessment_id)
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        return redirect("risk-result", case_id=case_id, assessment_id=assessment_id)
    tool = tools.tool_by_id(assessment.tool_id)
    answers = services.assessment_record(assessment)["answers"]
    viewed_record(user, assessment.case, via="risk_resume")  # which answers are given
    following = tools.first_unanswered_section(tool, answers)
    if following is None:
        return redirect("risk-finish", case_id=case_id, assessment_id=assessment_id)
    return redirect(
        "risk-section", case_id=case_id, assessment_id=assessment_id, section_id=following
    )


def section_url(assessment: RiskAssessment, section_id: str) -> str:
    return reverse(
        "risk-section",
        kwargs={
            "case_id": assessment.case_id,
            "assessment_id": assessment.pk,
            "section_id": section_id,
        },
    )


def back_from(assessment: RiskAssessment, tool: tools.RiskTool, section_id: str | None) -> str:
    """The back link: the section before (the last one from the finish page), or the case
    from the first section."""
    before = (
        tools.section_ids(tool)[-1]
        if section_id is None
        else tools.section_before(tool, section_id)
    )
    if before is None:
        return reverse("case", kwargs={"case_id": assessment.case_id})
    return section_url(assessment, before)


@require_http_methods(["GET", "POST"])
def section(
    request: HttpRequest, case_id: str, assessment_id: str, section_id: str
) -> HttpResponse:
    user = signed_in_staff(request)
    assessment = in_progress(user, case_id, assessment_id)
    tool = tools.tool_by_id(assessment.tool_id)
    try:
        current = tools.section_by_id(tool, section_id)
    except KeyError:
        raise Http404("No such section") from None
    record = services.assessment_record(assessment)
    initial = {
        **record["answers"],
        **{f"note_{q}": v for q, v in record["notes"].items()},
        **{f"source_{q}": v for q, v in record["sources"].items()},
    }
    data = request.POST if request.method == "POST" else None
    form = SectionForm(data, tool=tool, section=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.section_answers_save(
            assessment=assessment,
            by=user,
            section_id=current.id,
            answers=form.values(),
            notes=form.values("note_"),
            sources=form.values("source_"),
        )
        following = tools.section_after(tool, current.id)
        if following is None:
            return redirect("risk-finish", case_id=case_id, assessment_id=assessment_id)
        return redirect(
            "risk-section", case_id=case_id, assessment_id=assessment_id, section_id=following
        )
    ids = tools.section_ids(tool)
    viewed_record(user, assessment.case, via="risk_section")  # its answers and notes
    context = {
        "case": assessment.case,
        "assessment": assessment,
        "tool": tool,
        "section": current,
        "form": form,
        "number": ids.index(current.id) + 1,
        "count": len(ids),
        "back": back_from(assessment, tool, current.id),
    }
    return render(request, "risk/section.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def finish(request: HttpRequest, case_id: str, assessment_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    assessment = in_progress(user, case_id, assessment_id)
    tool = tools.tool_by_id(assessment.tool_id)
    answers = services.assessment_record(assessment)["answers"]
    unanswered = unanswered_questions(assessment, tool, answers)
    form = FinishForm(request.POST if request.method == "POST" else None)
    refused = False
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_complete(
                assessment=assessment,
                by=user,
                professional_judgement=form.cleaned_data["professional_judgement"] == "yes",
                police_callouts=form.cleaned_data["police_callouts"],
            )
        except Refusal as refusal:
            if refusal.code != "answers_missing":
                form.add_error(None, refusal.message)
            # Questions left unanswered are named, each once, in the error summary.
            refused = refusal.code == "answers_missing"
        else:
            return redirect("risk-result", case_id=case_id, assessment_id=assessment_id)
    elif request.method == "POST" and unanswered:
        refused = True  # named with the form's own errors, not instead of them
    viewed_record(user, assessment.case, via="risk_finish")  # which answers are given
    context = {
        "case": assessment.case,
        "assessment": assessment,
        "tool": tool,
        "form": form,
        "policy": active_policy(),
        "unanswered": unanswered,
        "unanswered_errors": refused,
        "back": back_from(assessment, tool, None),
    }
    status = 400 if form.errors or refused else 200
    return render(request, "risk/finish.html", context, status=status)


def unanswered_questions(
    assessment: RiskAssessment, tool: tools.RiskTool, answers: dict[str, str]
) -> list[dict[str, str]]:
    """Each question not yet answered, in words and with a link to it on its section's
    page."""
    numbers = tools.question_numbers(tool)
    return [
        {
            "words": question_words(numbers, question),
            "url": f"{section_url(assessment, section.id)}#{question.id}",
        }
        for _, section, question in tools.numbered_questions(tool)
        if question.id not in answers
    ]


def result(request: HttpRequest, case_id: str, assessment_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    assessment = selectors.assessment_for(user, case_id, assessment_id)
    if assessment.status != AssessmentStatus.COMPLETE:
        return redirect("risk-resume", case_id=case_id, assessment_id=assessment_id)
    tool = tools.tool_by_id(assessment.tool_id)
    viewed_record(user, assessment.case, via="risk_result")
    selectors.seen_by(user, [assessment])
    context = {
        "case": assessment.case,
        "assessment": assessment,
        "tool": tool,
        "reasons": selectors.reason_texts(assessment),
        "policy": active_policy(),
        "step": selectors.risk_step_seen_by(user, assessment.case),
    }
    return render(request, "risk/result.html", context)


def risk_views(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    if not access.may_record_report(user):
        raise PermissionDenied
    lists = selectors.risk_views(user)
    # Every list shows who each case is about (issue 18): one read of the survivors of
    # them all, audited once as `case.listed`, and the repeat flag as the reader may be
    # told it.
    every = [case for rows in lists for case in rows.cases]
    with_survivors(user, cases_seen_by(user, every), via="risk")
    context = {"lists": lists, "policy": active_policy(), "nav": "risk"}
    return render(request, "risk/views.html", context)


def risk_list(request: HttpRequest, name: str) -> HttpResponse:
    """One list of the risk page, whole, a page at a time (`?page=`, from 1)."""
    user = signed_in_staff(request)
    if not access.may_record_report(user):
        raise PermissionDenied
    page = page_asked(request)
    rows = selectors.risk_list_page(user, name, page=page)
    with_survivors(user, cases_seen_by(user, list(rows.cases)), via="risk")
    context = {
        "rows": rows,
        "page": page,
        "caption": f"Page {page}",
        "policy": active_policy(),
        "nav": "risk",
    }
    return render(request, "risk/list.html", context)


def marac(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    if user.role not in MARAC_VIEW_ROLES:
        raise PermissionDenied
    view = selectors.marac_view(user)
    cases = [a.case for a in (*view.recommended_not_referred, *view.repeats)]
    with_survivors(user, cases_seen_by(user, cases), via="marac")
    context = {"marac": view, "policy": active_policy(), "nav": "marac"}
    return render(request, "risk/marac.html", context)
