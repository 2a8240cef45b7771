"""Case pages: thin views over cases.services and cases.selectors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access, glass, sealing, selectors, services
from safehold.cases.forms import (
    AssignForm,
    AuditLookupForm,
    BreakGlassDecisionForm,
    BreakGlassForm,
    IntakeForm,
    SearchForm,
)
from safehold.cases.models import BreakGlass, BreakGlassStatus, Case, Source
from safehold.cases.person_forms import PersonForm
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.web import words
from safehold.web.paging import page_asked

STEP_CHECK, STEP_CONFIRM, STEP_EDIT = "check", "confirm", "edit"
FORM_STEPS = ("add-perpetrator", "add-child", STEP_EDIT)


def recorder(request: HttpRequest) -> Staff:
    user = signed_in_staff(request)
    if not access.may_record_report(user):
        raise PermissionDenied
    return user


def carried_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """The form's values, carried through "check your answers" in hidden fields rather
    than the session, so nothing identifying is stored before the report is."""
    skip = {"csrfmiddlewaretoken", "step", "choice", "separate_reason"}
    return [(k, v) for k, values in request.POST.lists() if k not in skip for v in values]


@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    user = recorder(request)
    policy = active_policy()
    may_take = access.offered_to_take(user)
    step = request.POST.get("step", "")
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and step in ("add-perpetrator", "add-child"):
        key = "perpetrators" if step == "add-perpetrator" else "children"
        form = IntakeForm(data, policy=policy, may_take=may_take)
        data[key] = str((form.perpetrator_count if key == "perpetrators" else form.child_count) + 1)
    form = IntakeForm(data, policy=policy, may_take=may_take)
    if data is None or step in FORM_STEPS or not form.is_valid():
        context = {"form": form, "show_errors": data is not None and step not in FORM_STEPS}
        status = 400 if context["show_errors"] else 200
        return render(request, "cases/intake.html", {**context, "nav": "new"}, status=status)
    return intake_check_or_save(request, user, form, step)


def intake_check_or_save(
    request: HttpRequest, user: Staff, form: IntakeForm, step: str
) -> HttpResponse:
    policy = active_policy()
    existing = services.open_cases_of_survivor(form.report(), by=user)
    choice = request.POST.get("choice", "")
    reason = request.POST.get("separate_reason", "").strip()
    choice_error = ""
    if step == STEP_CONFIRM:
        if existing and choice not in ("separate", *[c.pk for c in existing]):
            choice_error = "Choose whether to add this report to the open case"
        elif existing and choice == "separate" and not reason:
            choice_error = "Say why this needs a separate case"
        else:
            return intake_save(request, user, form, existing, choice, reason)
    context = {
        "form": form,
        "carried": carried_fields(request),
        "existing": existing,
        "choice": choice,
        "separate_reason": reason,
        "choice_error": choice_error,
        "abuse_labels": [
            label
            for k, label in policy.abuse_type_choices()
            if k in form.cleaned_data["abuse_types"]
        ],
        "source_label": dict(Source.choices)[form.cleaned_data["source"]],
        "under_minimum_age": services.under_minimum_age(
            policy, form.cleaned_data.get("date_of_birth"), form.reported_at() or timezone.now()
        ),
        "policy": policy,
        "nav": "new",
    }
    return render(request, "cases/intake_check.html", context, status=400 if choice_error else 200)


def intake_save(
    request: HttpRequest,
    user: Staff,
    form: IntakeForm,
    existing: list[Case],
    choice: str,
    reason: str,
) -> HttpResponse:
    report = form.report(separate_case_reason=reason if choice == "separate" else "")
    try:
        if existing and choice != "separate":
            case = next(c for c in existing if c.pk == choice)
            services.incident_add(
                case=case,
                by=user,
                reported_at=report.reported_at,
                source=report.source,
                abuse_types=report.abuse_types,
                summary=report.summary,
            )
            messages.success(request, f"The report was added to {case.reference}")
        else:
            case = services.case_open(report=report, by=user)
            messages.success(request, f"Report recorded as {case.reference}")
    except Refusal as refusal:
        form.add_error(None, refusal.message)
        context = {"form": form, "show_errors": True, "nav": "new"}
        return render(request, "cases/intake.html", context, status=422)
    if form.cleaned_data.get("take_case"):
        intake_take(request, user, case, opened=not existing or choice == "separate")
    return redirect("case", case_id=case.pk)


def intake_take(request: HttpRequest, user: Staff, case: Case, *, opened: bool) -> None:
    """Assigns the case to its recorder who chose "Take this case as mine": an
    assignment like any other (services.officer_assign, so the policy's rules on who may
    be assigned apply). A refusal leaves the report recorded and says why in words. A
    report added to an open case leaves that case's officer as it is: only a manager
    reassigns a case."""
    if not opened:
        messages.warning(
            request,
            "The report was added to an open case, so its officer is unchanged: "
            "ask a manager of the team to assign it to you",
        )
        return
    try:
        services.officer_assign(case=case, officer_username=user.username, by=user)
    except Refusal as refusal:
        messages.warning(request, f"The case was not assigned to you. {refusal.message}")
    else:
        messages.success(request, "The case is assigned to you, as one of your cases")


def officer_choices(case: Case) -> list[tuple[str, str]]:
    officers = Staff.objects.filter(role=Role.OFFICER, is_active=True).select_related("team")
    return [
        (
            o.username,
            f"{o.full_name} ({o.team.name}, {o.get_sex_display().lower()}"
            f"{'' if o.trained else ', not trained'})",
        )
        for o in officers.order_by("team__name", "full_name")
    ]


@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    if not access.may_assign(user, case):
        raise PermissionDenied
    form = AssignForm(request.POST or None)
    form.fields["officer"].choices = [  # type: ignore[attr-defined]
        ("", "Choose an officer"),
        *officer_choices(case),
    ]
    refusal: Refusal | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_assign(
                case=case, officer_username=form.cleaned_data["officer"], by=user
            )
        except Refusal as error:
            refusal = error
            form.add_error("officer", error.message)
        else:
            messages.success(request, "Officer assigned")
            return redirect("case", case_id=case.pk)
    policy = active_policy()
    context = {"form": form, "case": case, "refusal": refusal, "policy": policy}
    return render(request, "cases/assign.html", context, status=422 if form.errors else 200)


def audit_page(request: HttpRequest, case_id: str) -> HttpResponse:
    """A page of the case's audit trail, newest first, filtered by kind of action
    (`?kind=`, one of web/words.py AUDIT_KINDS) and paged (`?page=`). An unknown kind or
    page is answered 404 before anything is read or recorded."""
    user = signed_in_staff(request)
    kind = request.GET.get("kind", "")
    if kind and kind not in words.AUDIT_KINDS:
        raise Http404("No such page of the trail")
    number = page_asked(request)
    try:
        case, page, whole = selectors.audit_trail_page(user, case_id, kind=kind, number=number)
    except Refusal as refusal:
        raise PermissionDenied from refusal
    context = {
        "case": case,
        "page": page,
        "whole": whole,
        "kind": kind,
        "kinds": list(words.AUDIT_KINDS.items()),
    }
    return render(request, "cases/audit.html", context)


@require_http_methods(["GET", "POST"])
def audit_lookup(request: HttpRequest) -> HttpResponse:
    """Find a case's audit trail by its reference: how an auditor, who cannot open
    cases, reaches "Who has seen this case"."""
    user = signed_in_staff(request)
    if not access.may_see_audit(user):
        raise PermissionDenied
    form = AuditLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case_id = access.case_id_for_audit_by_reference(user, form.cleaned_data["reference"])
        if case_id is not None:
            return redirect("case-audit", case_id=case_id)
        form.add_error("reference", "No case you may audit has that reference")
    context = {"form": form, "nav": "audit"}
    return render(request, "cases/audit_lookup.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    if not access.may_record_report(user):
        raise PermissionDenied
    form = SearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        found = selectors.case_search(user, q=form.cleaned_data["q"])
        results = selectors.with_survivors(user, found, via="search")
    context = {
        "form": form,
        "results": results,
        "nav": "search",
        "may_break_glass": access.may_break_glass(user),
    }
    return render(request, "cases/search.html", context, status=400 if form.errors else 200)


def case_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    if not access.may_record_report(user):
        raise PermissionDenied
    try:
        cases, cursor = selectors.case_page(user, cursor=request.GET.get("cursor"))
    except Refusal as refusal:
        raise Http404 from refusal
    cases = selectors.with_survivors(user, cases, via="list")
    return render(request, "cases/list.html", {"cases": cases, "cursor": cursor, "nav": "cases"})


def break_glass_granted(user: Staff, form: BreakGlassForm) -> BreakGlass | None:
    """The grant (or, on a restricted case, the request) made by break glass, or None
    with the form's errors set. The reason is checked before the case is looked up, so a
    short reason reads the same for a reference that exists and one that does not; a
    restricted case the user may not break the glass on reads as no case at all."""
    try:
        reason = services.break_glass_reason(form.cleaned_data["reason"])
    except Refusal as refusal:
        form.add_error("reason", refusal.message)
        return None
    case = access.case_to_break_glass(user, reference=form.cleaned_data["reference"])
    if case is None:
        form.add_error("reference", "No case has that reference")
        return None
    try:
        return services.break_glass(case=case, by=user, reason=reason)
    except Refusal as refusal:
        form.add_error("reason", refusal.message)
        return None


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    if not access.may_break_glass(user):
        raise PermissionDenied
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grant = break_glass_granted(user, form)
        if grant is not None and grant.status == BreakGlassStatus.WAITING:
            messages.success(request, "Your request was sent: someone else must approve it first")
            return redirect("break-glass-request", grant_id=grant.pk)
        if grant is not None:
            return redirect("case", case_id=grant.case_id)
    hours = int(settings.SAFEHOLD_BREAK_GLASS_DURATION.total_seconds() // 3600)
    context = {"form": form, "hours": hours, "waiting": glass.waiting_for(user)}
    return render(request, "cases/break_glass.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def break_glass_request(request: HttpRequest, grant_id: str) -> HttpResponse:
    """A request or grant to break the glass: who asked, why, and the decision; for a
    second DA lead, the form to decide a waiting request (issue 17 §5)."""
    user = signed_in_staff(request)
    grant = access.break_glass_for(user, grant_id)
    form = BreakGlassDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            glass.break_glass_decide(
                grant=grant,
                by=user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except Refusal as refusal:
            if refusal.status == 403:
                raise PermissionDenied from refusal
            form.add_error("reason" if refusal.field == "reason" else None, refusal.message)
        else:
            messages.success(request, "Your decision is recorded")
            return redirect("break-glass-request", grant_id=grant_id)
    view = glass.grant_view(user, grant_id)
    context = {
        "view": view,
        "form": form,
        "may_decide": glass.may_decide(user, view.grant),
        "may_open_case": access.may_see(user, view.grant.case_id),
        "hours": int(settings.SAFEHOLD_BREAK_GLASS_DURATION.total_seconds() // 3600),
    }
    status = 400 if form.errors else 200
    return render(request, "cases/break_glass_request.html", context, status=status)


@require_http_methods(["POST"])
def contact_interval(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    try:
        days = int(request.POST.get("days", ""))
        services.contact_interval_agree(case=case, by=user, days=days)
    except (ValueError, Refusal):
        messages.error(request, "Enter how often to contact the survivor, in days from 1 to 365")
    else:
        messages.success(request, "Contact interval agreed")
    return redirect("case", case_id=case.pk)


@require_http_methods(["POST"])
def same_sex_officer_answer(request: HttpRequest, case_id: str) -> HttpResponse:
    """Records the survivor's answer when offered an officer of their own sex."""
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    try:
        services.same_sex_officer_answer_record(
            case=case, by=user, answer=request.POST.get("answer", "")
        )
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "The survivor's answer is recorded")
    return redirect("case", case_id=case.pk)


STEP_SAVE = "save"


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, case_id: str, person_id: str) -> HttpResponse:
    """Change the survivor's or an alleged perpetrator's details after the report: the
    form with what is kept (a read of the case, audited as one), then "check your
    changes", then save (services.person_update). Open to whoever may see the case, as
    every case action is; a person not of this case is "not found" like a hidden case.
    What was typed travels in hidden fields, never the session or the URL."""
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    person = services.editable_person(case, person_id)
    details = sealing.unseal(case.data_key, person)
    step = request.POST.get("step", "")
    data = request.POST if request.method == "POST" else None
    form = PersonForm(data, person=person, details=details)
    context: dict[str, Any] = {"case": case, "person": person, "form": form}
    if data is None or step == STEP_EDIT:
        if data is None:
            selectors.viewed_record(user, case, via="person_edit")
        return render(request, "cases/person_edit.html", context)
    if not form.is_valid():
        return render(request, "cases/person_edit.html", context, status=400)
    try:
        if step == STEP_SAVE:
            services.person_update(case=case, person_id=person.pk, by=user, changes=form.changes())
        else:
            changed = list(
                services.person_changes(person, details, form.changes(), today=timezone.localdate())
            )
    except Refusal as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return render(request, "cases/person_edit.html", context, status=422)
    whose = "alleged perpetrator's" if person.role != "survivor" else "survivor's"
    if step == STEP_SAVE:
        messages.success(request, f"The {whose} details are changed")
        return redirect("case", case_id=case.pk)
    if not changed:
        messages.success(request, f"Nothing was changed: the {whose} details are as they were")
        return redirect("case", case_id=case.pk)
    context |= {"rows": form.rows(changed), "carried": carried_fields(request)}
    return render(request, "cases/person_check.html", context)
