"""The case records page (subject access requests and legal hold), a subject access
request's own page (check identity, confirm cases, review, release) and the subject
access queue: thin views over records.services and records.selectors.

Exports and completion are POSTs: an export marks the request as exported and writes an
audit entry, so a link another site could make a browser follow must not do it."""

from __future__ import annotations

import json
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access
from safehold.cases.models import Case
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.records import rules, selectors, services
from safehold.records.dates import LONDON
from safehold.records.export import export_file_name
from safehold.records.forms import (
    CasesForm,
    CloseForm,
    LegalHoldForm,
    ReleaseForm,
    SubjectAccessForm,
    VerificationForm,
)
from safehold.records.models import SubjectAccessRequest

EXPORT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def records_page(
    request: HttpRequest,
    case: Case,
    *,
    sar_form: SubjectAccessForm | None = None,
    hold_form: LegalHoldForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_staff(request)
    try:
        records = selectors.case_records(user, case.pk, via="web")
    except Refusal as refusal:
        raise PermissionDenied from refusal
    may_handle = rules.may_handle_subject_access_for(user, records.case)
    context = {
        "case": records.case,
        "records": records,
        "may_handle": may_handle,
        "may_hold": rules.may_hold(user),
        "sar_form": sar_form
        or SubjectAccessForm(requesters=selectors.requester_choices(records.case)),
        "hold_form": hold_form or LegalHoldForm(),
        "form": sar_form if sar_form and sar_form.errors else hold_form,
        "today": timezone.localdate(timezone=LONDON),
        "retention_years": active_policy().retention.years_after_closure,
        "hold_label": (
            "Why the hold can be lifted" if records.case.legal_hold else "Why the case must be kept"
        ),
        "hold_hint": f"At least {services.MIN_HOLD_REASON} characters. Only people who may "
        "see this case can read it.",
    }
    return render(request, "records/case_records.html", context, status=status)


@require_http_methods(["GET", "POST"])
def case_records(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    if request.method == "GET":
        return records_page(request, case)
    form = SubjectAccessForm(request.POST, requesters=selectors.requester_choices(case))
    if form.is_valid():
        role, _, person_id = form.cleaned_data["requester"].partition(":")
        received = datetime.combine(form.cleaned_data["received"], time(0, 0), tzinfo=LONDON)
        try:
            services.subject_access_log(
                case=case,
                by=user,
                person_role=role,
                person_id=person_id,
                received_at=received,
                notes=form.cleaned_data["notes"],
            )
        except Refusal as refusal:
            if refusal.status == 403:
                raise PermissionDenied from refusal
            field = {"received_at": "received", "notes": "notes"}.get(refusal.field or "")
            form.add_error(field or "requester", refusal.message)
        else:
            messages.success(request, "Subject access request logged")
            return redirect("case-records", case_id=case.pk)
    return records_page(request, case, sar_form=form, status=400)


@require_POST
def legal_hold(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    form = LegalHoldForm(request.POST)
    if form.is_valid():
        change = services.legal_hold_lift if case.legal_hold else services.legal_hold_place
        try:
            change(case=case, by=user, reason=form.cleaned_data["reason"])
        except Refusal as refusal:
            if refusal.status == 403:
                raise PermissionDenied from refusal
            form.add_error("reason", refusal.message)
        else:
            messages.success(
                request, "Legal hold lifted" if case.legal_hold else "Legal hold placed"
            )
            return redirect("case-records", case_id=case.pk)
    return records_page(request, case, hold_form=form, status=400)


def handled_request(request: HttpRequest, request_id: str) -> SubjectAccessRequest:
    user = signed_in_staff(request)
    if not rules.may_handle_subject_access(user):
        raise PermissionDenied
    return selectors.subject_access_for(user, request_id)


def case_choices(candidates: list[selectors.Candidate] | None) -> list[tuple[str, str]]:
    """The cases the handler may add, each with what tells them apart."""
    choices = []
    for candidate in candidates or []:
        if candidate.request_made_on_this_case:
            continue
        case = candidate.case
        label = (
            f"{case.reference}, reported {timezone.localtime(case.reported_at, LONDON):%-d %b %Y}, "
            f"{case.team.name} team"
        )
        if candidate.contact_details_match is False:
            label += (
                ": none of her phone, email or address there matches this case's. Check "
                "that the person who asked is the person on that case"
            )
        choices.append((case.pk, label))
    return choices


def subject_access_page(
    request: HttpRequest,
    request_id: str,
    *,
    verification_form: VerificationForm | None = None,
    cases_form: CasesForm | None = None,
    release_form: ReleaseForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_staff(request)
    if not rules.may_handle_subject_access(user):
        raise PermissionDenied
    try:
        detail = selectors.subject_access_detail(user, request_id, via="web")
    except Refusal as refusal:
        raise PermissionDenied from refusal
    sar = detail.request
    choices = case_choices(detail.candidates)
    included = [c.case.pk for c in detail.candidates or [] if c.included]
    forms = [verification_form, cases_form, release_form, close_form]
    context = {
        "case": sar.case,
        "detail": detail,
        "sar": sar,
        "may_verify": sar.verified_at is None and sar.logged_by_id != user.pk,
        "verification_form": verification_form or VerificationForm(),
        "cases_form": cases_form or CasesForm(initial={"cases": included}, choices=choices),
        "release_form": release_form or ReleaseForm(),
        "close_form": close_form or CloseForm(),
        "form": next((f for f in forms if f is not None and f.errors), None),
        "today": timezone.localdate(timezone=LONDON),
    }
    return render(request, "records/subject_access.html", context, status=status)


def refused_on_page(
    refusal: Refusal, form: VerificationForm | CasesForm | ReleaseForm | CloseForm
) -> None:
    if refusal.code == "may_not_handle_subject_access":
        raise PermissionDenied from refusal
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


def subject_access_request(request: HttpRequest, request_id: str) -> HttpResponse:
    return subject_access_page(request, request_id)


@require_POST
def subject_access_verification(request: HttpRequest, request_id: str) -> HttpResponse:
    sar = handled_request(request, request_id)
    form = VerificationForm(request.POST)
    if form.is_valid():
        try:
            services.subject_access_verify(
                request=sar,
                by=signed_in_staff(request),
                method=form.cleaned_data["method"],
                notes=form.cleaned_data["notes"],
            )
        except Refusal as refusal:
            refused_on_page(refusal, form)
        else:
            messages.success(request, "Identity check recorded")
            return redirect("subject-access-request", request_id=sar.pk)
    return subject_access_page(request, request_id, verification_form=form, status=400)


@require_POST
def subject_access_cases(request: HttpRequest, request_id: str) -> HttpResponse:
    sar = handled_request(request, request_id)
    user = signed_in_staff(request)
    try:
        listed = selectors.candidates(user, sar)
    except Refusal as refusal:
        if refusal.status == 403:
            raise PermissionDenied from refusal
        messages.error(request, refusal.message)
        return redirect("subject-access-request", request_id=sar.pk)
    form = CasesForm(request.POST, choices=case_choices(listed))
    if form.is_valid():
        try:
            services.subject_access_cases_confirm(
                request=sar, by=user, case_ids=form.cleaned_data["cases"]
            )
        except Refusal as refusal:
            refused_on_page(refusal, form)
        else:
            messages.success(request, "Cases confirmed")
            return redirect("subject-access-request", request_id=sar.pk)
    return subject_access_page(request, request_id, cases_form=form, status=400)


@require_POST
def subject_access_review(request: HttpRequest, request_id: str) -> HttpResponse:
    sar = handled_request(request, request_id)
    try:
        services.subject_access_review(request=sar, by=signed_in_staff(request))
    except Refusal as refusal:
        if refusal.status == 403:
            raise PermissionDenied from refusal
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Review recorded")
    return redirect("subject-access-request", request_id=sar.pk)


@require_POST
def subject_access_release(request: HttpRequest, request_id: str) -> HttpResponse:
    sar = handled_request(request, request_id)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            services.subject_access_release(
                request=sar, by=signed_in_staff(request), channel=form.cleaned_data["channel"]
            )
        except Refusal as refusal:
            refused_on_page(refusal, form)
        else:
            messages.success(request, "Export released")
            return redirect("subject-access-request", request_id=sar.pk)
    return subject_access_page(request, request_id, release_form=form, status=400)


@require_POST
def subject_access_close(request: HttpRequest, request_id: str) -> HttpResponse:
    sar = handled_request(request, request_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.subject_access_close(
                request=sar, by=signed_in_staff(request), reason=form.cleaned_data["reason"]
            )
        except Refusal as refusal:
            refused_on_page(refusal, form)
        else:
            messages.success(request, "Request closed without releasing anything")
            return redirect("subject-access-request", request_id=sar.pk)
    return subject_access_page(request, request_id, close_form=form, status=400)


@require_POST
def subject_access_export(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_TYPES:
        raise Http404("No such format")
    sar = handled_request(request, request_id)
    try:
        document, pdf = services.subject_access_export(request=sar, by=signed_in_staff(request))
    except Refusal as refusal:
        if refusal.status == 403:
            raise PermissionDenied from refusal
        messages.error(request, refusal.message)
        return redirect("subject-access-request", request_id=sar.pk)
    return export_response(sar, document, pdf, fmt)


def export_response(
    sar: SubjectAccessRequest, document: dict[str, object], pdf: bytes, fmt: str
) -> HttpResponse:
    """An attachment named by case reference and request id, never by the person."""
    body = pdf if fmt == "pdf" else json.dumps(document, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    name = export_file_name(sar, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def subject_access_complete(request: HttpRequest, request_id: str) -> HttpResponse:
    sar = handled_request(request, request_id)
    try:
        services.subject_access_complete(request=sar, by=signed_in_staff(request))
    except Refusal as refusal:
        if refusal.status == 403:
            raise PermissionDenied from refusal
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Request marked complete")
    return redirect("subject-access-request", request_id=sar.pk)


def subject_access_queue(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    if not rules.may_handle_subject_access(user):
        raise PermissionDenied
    context = {
        "rows": selectors.subject_access_due(user),
        "today": timezone.localdate(timezone=LONDON),
        "nav": "home",
    }
    return render(request, "records/queue.html", context)
