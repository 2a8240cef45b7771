"""The partner pages: what was shared with the partner's agency, and what they add
(docs/partners.md). Thin views over partners.selectors (the partner door) and services.
Also the restricted-case sharing request and the DA lead's decision on it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from safehold.accounts.roles import is_partner
from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access, sealing
from safehold.cases.selectors import viewed_record
from safehold.casework import letters
from safehold.errors import Refusal
from safehold.evidence import services as evidence_services
from safehold.partners import selectors, services
from safehold.partners.models import PartnerDocument, RestrictedShare, ShareStatus
from safehold.policy.loader import active_policy
from safehold.privacy import audit
from safehold.web.paging import page_asked

VIA = "partner"


class UpdateForm(forms.Form):
    text = forms.CharField(
        label="Your update",
        max_length=services.TEXT_LIMIT,
        error_messages={
            "required": "Enter the update",
            "max_length": f"Keep the update to {services.TEXT_LIMIT} characters or fewer",
        },
    )


def partner_required(request: HttpRequest) -> None:
    """Only partners have partner pages; to anyone else they do not exist."""
    user = signed_in_staff(request)
    if not is_partner(user.role):
        raise Http404("No such page")


def partner_home(request: HttpRequest) -> HttpResponse:
    partner_required(request)
    user = signed_in_staff(request)
    shared = selectors.shared_cases(user, via=VIA, page=page_asked(request))
    context = {"nav": "partner", "agency": user.agency, "shared": shared, "cases": shared.cases}
    return render(request, "partners/home.html", context)


def partner_case(request: HttpRequest, case_id: str) -> HttpResponse:
    partner_required(request)
    user = signed_in_staff(request)
    view = selectors.shared_view(user, case_id, via=VIA)
    context = {
        "nav": "partner",
        "view": view,
        "form": UpdateForm(),
        "marac_statuses": MaracStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
    }
    return render(request, "partners/case.html", context)


@require_http_methods(["GET", "POST"])
def partner_update_new(request: HttpRequest, case_id: str) -> HttpResponse:
    partner_required(request)
    user = signed_in_staff(request)
    case, agency = selectors.shared_case_read(user, case_id, via=VIA)  # the form shows it
    form = UpdateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update_add(by=user, case_id=case.pk, text=form.cleaned_data["text"])
        except Refusal as refusal:
            form.add_error("text", refusal.message)
        else:
            messages.success(request, "Your update is added to the case.")
            return redirect("partner-case", case_id=case.pk)
    context = {"nav": "partner", "case": case, "agency": agency, "form": form}
    return render(request, "partners/update_new.html", context, status=400 if form.errors else 200)


class MaracStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
        error_messages={"required": "Choose the status", "invalid_choice": "Choose the status"},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=services.TEXT_LIMIT)


@require_http_methods(["POST"])
def partner_marac_status(request: HttpRequest, case_id: str, action_id: str) -> HttpResponse:
    """A partner sets the status of a MARAC action their agency owns (while the sharing
    stands; 404 otherwise), through the MARAC app's own service."""
    partner_required(request)
    user = signed_in_staff(request)
    form = MaracStatusForm(request.POST)
    if form.is_valid():
        try:
            services.marac_action_status_set(
                by=user,
                case_id=case_id,
                action_id=action_id,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                now=timezone.now(),
            )
        except Refusal as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "The action's status is saved.")
    else:
        selectors.marac_action_for(user, case_id, action_id)  # 404 before saying more
        messages.error(request, "Choose the status")
    return redirect("partner-case", case_id=case_id)


class UploadForm(forms.Form):
    upload = forms.FileField(
        label="Upload a file",
        allow_empty_file=True,  # the service refuses it, with the evidence upload's words
        error_messages={"required": "Select a file"},
    )
    description = forms.CharField(
        label="What is it? (optional)",
        required=False,
        max_length=evidence_services.MAX_DESCRIPTION,
        widget=forms.Textarea,
        error_messages={
            "max_length": "The description must be "
            f"{evidence_services.MAX_DESCRIPTION} characters or fewer"
        },
    )


@require_http_methods(["GET", "POST"])
def partner_upload_new(request: HttpRequest, case_id: str) -> HttpResponse:
    """A partner adds a document (a photo or a PDF), checked as evidence is."""
    partner_required(request)
    user = signed_in_staff(request)
    case, agency = selectors.shared_case_read(user, case_id, via=VIA)  # the form shows it
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_document_add(
                by=user,
                case_id=case.pk,
                upload=form.cleaned_data["upload"],
                description=form.cleaned_data["description"],
            )
        except Refusal as refusal:
            form.add_error(
                "description" if refusal.field == "description" else "upload", refusal.message
            )
        else:
            messages.success(request, "Your document is added to the case.")
            return redirect("partner-case", case_id=case.pk)
    context = {"nav": "partner", "case": case, "agency": agency, "form": form}
    return render(request, "partners/upload_new.html", context, status=400 if form.errors else 200)


def file_answer(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = content_disposition_header(as_attachment=True, filename=filename or "document")
    response["Content-Disposition"] = disposition or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def partner_upload(request: HttpRequest, case_id: str, document_id: str) -> HttpResponse:
    """A document the partner's agency added, while the sharing stands; audited."""
    partner_required(request)
    user = signed_in_staff(request)
    case, document = selectors.shared_upload(user, case_id, document_id)
    content = services.partner_document_content(document, case=case, by=user)
    filename = str(sealing.unseal(case.data_key, document).get("filename", ""))
    return file_answer(content, document.content_type, filename)


def staff_partner_upload(request: HttpRequest, case_id: str, document_id: str) -> HttpResponse:
    """For staff who see the case (the staff door): a document a partner added; audited."""
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    document = PartnerDocument.objects.filter(case=case, pk=document_id).first()
    if document is None:
        raise Http404("No such document")
    content = services.partner_document_content(document, case=case, by=user)
    filename = str(sealing.unseal(case.data_key, document).get("filename", ""))
    return file_answer(content, document.content_type, filename)


def partner_document(request: HttpRequest, case_id: str, document_id: str) -> HttpResponse:
    """A letter sent to the partner's agency, while the sharing stands; audited
    (`document.downloaded`)."""
    partner_required(request)
    user = signed_in_staff(request)
    document = selectors.shared_document(user, case_id, document_id)
    response = HttpResponse(letters.document_pdf(document, by=user), content_type="application/pdf")
    name = letters.document_file_name(document)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# A restricted case through the partner door ------------------------------------------


class ShareRequestForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency",
        error_messages={
            "required": "Choose the agency",
            "invalid_choice": "Choose one of the policy's agencies",
        },
    )
    reason = forms.CharField(
        label="Why partners at this agency should see what was shared with it",
        max_length=services.TEXT_LIMIT,
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        agencies = active_policy().agencies
        self.fields["agency"].choices = [  # type: ignore[attr-defined]
            ("", "Choose an agency"),
            *((key, agency.name) for key, agency in agencies.items()),
        ]


class ShareDecisionForm(forms.Form):
    note = forms.CharField(
        label="Your reason",
        max_length=services.TEXT_LIMIT,
        error_messages={"required": "Enter the reason for your decision"},
    )


@require_http_methods(["GET", "POST"])
def restricted_share_new(request: HttpRequest, case_id: str) -> HttpResponse:
    """Someone named on a restricted case asks that partners at an agency it was shared
    with may read it through the partner door; a DA lead decides."""
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    form = ShareRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            share = services.restricted_share_request(
                case=case,
                agency=form.cleaned_data["agency"],
                by=user,
                reason=form.cleaned_data["reason"],
            )
        except Refusal as refusal:
            form.add_error("agency" if refusal.field == "agency" else "reason", refusal.message)
        else:
            messages.success(request, "The request is sent to the DA leads.")
            return redirect("restricted-share", share_id=share.pk)
    context = {"case": case, "form": form}
    return render(request, "partners/share_new.html", context, status=400 if form.errors else 200)


def share_for(request: HttpRequest, share_id: str) -> RestrictedShare:
    """The request, for its asker or a DA lead; 404 for anyone else, as for none."""
    user = signed_in_staff(request)
    share = (
        RestrictedShare.objects.filter(pk=share_id, case__erased_at__isnull=True)
        .select_related("case__data_key", "requested_by", "decided_by")
        .first()
    )
    if share is None or not user.is_active:
        raise Http404("No such request")
    # The asker; a DA lead while the request waits (to decide it, as a decision page
    # reaches a restricted case only while its decision waits, cases/access.py); once
    # decided, the DA lead who decided. Anyone else: 404, as for no request.
    deciding = services.may_decide_restricted_share(user) and (
        share.status == ShareStatus.PENDING or share.decided_by_id == user.pk
    )
    if share.requested_by_id != user.pk and not deciding:
        raise Http404("No such request")
    # The page shows the case's reference and the asker's reason: a read of the case.
    viewed_record(user, share.case, via="decision")
    return share


@require_http_methods(["GET", "POST"])
def restricted_share(request: HttpRequest, share_id: str) -> HttpResponse:
    """The request, and a DA lead's decision on it (never the asker's)."""
    share = share_for(request, share_id)
    user = signed_in_staff(request)
    form = ShareDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in ("approve", "refuse"):
            form.add_error(None, "Choose to approve or refuse")
        elif form.is_valid():
            try:
                services.restricted_share_decide(
                    share=share,
                    by=user,
                    approve=decision == "approve",
                    note=form.cleaned_data["note"],
                )
            except Refusal as refusal:
                if refusal.status == 403:
                    raise PermissionDenied(refusal.message) from refusal
                form.add_error("note", refusal.message)
            else:
                messages.success(request, "Your decision is recorded.")
                return redirect("restricted-share", share_id=share.pk)
    details = sealing.unseal(share.case.data_key, share)
    context = {
        "share": share,
        "reason": details.get("reason", ""),
        "note": details.get("note", ""),
        "form": form,
        "may_decide": share.status == ShareStatus.PENDING
        and services.may_decide_restricted_share(user)
        and share.requested_by_id != user.pk,
    }
    return render(request, "partners/share.html", context, status=400 if form.errors else 200)


def restricted_shares(request: HttpRequest) -> HttpResponse:
    """For DA leads: the requests waiting for a decision. 404 for anyone else."""
    user = signed_in_staff(request)
    if not services.may_decide_restricted_share(user):
        raise Http404("No such page")
    shares = list(selectors.restricted_shares_waiting())
    if shares:
        # The list names restricted cases' references: one entry naming them, as every
        # list is audited (cases/selectors.py).
        audit.record(
            actor=user.username,
            action="case.listed",
            target_type="cases",
            detail={"via": "decision", "cases": sorted({s.case_id for s in shares})},
        )
    context = {"nav": "approvals", "shares": shares}
    return render(request, "partners/shares.html", context)
