"""Consent, referral and approval pages: thin views over casework.services."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safehold.accounts.models import Staff
from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access
from safehold.cases.forms import ContactForm
from safehold.cases.selectors import viewed_record
from safehold.casework import contacts, interviews, letters, owners, plan, selectors, services
from safehold.casework.forms import (
    ActionCancelForm,
    ActionDoneForm,
    ActionForm,
    ActionReopenForm,
    ConsentForm,
    DecisionForm,
    InterviewDecisionForm,
    InterviewForm,
    LetterForm,
    ReferralForm,
    ReviewForm,
)
from safehold.casework.models import InterviewStatus, Referral
from safehold.errors import Refusal
from safehold.policy.agencies import agencies_by_area
from safehold.policy.loader import active_policy

LONDON = ZoneInfo("Europe/London")


@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    policy = active_policy()
    form = ConsentForm(request.POST if request.method == "POST" else None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                case=case,
                by=user,
                agency=form.cleaned_data["agency"],
                purpose=form.cleaned_data["purpose"],
                given=form.cleaned_data["given"] == "yes",
            )
        except Refusal as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(request, "Consent recorded")
            return redirect("case", case_id=case.pk)
    context = {
        "form": form,
        "case": case,
        "policy": policy,
        "agencies": agencies_by_area(policy.agencies),
    }
    return render(request, "casework/consent_new.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    policy = active_policy()
    # A task may link here with the agency chosen (?agency=...): the under-age referral,
    # and MARAC from the risk result and the case page's "Refer to MARAC" task.
    chosen = request.GET.get("agency", "")
    initial = {"agency": chosen if chosen in policy.agencies else ""}
    form = ReferralForm(
        request.POST if request.method == "POST" else None, policy=policy, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_make(
                case=case,
                by=user,
                agency=data["agency"],
                reason=data["reason"],
                ground=data["ground"],
                explanation=data["explanation"],
            )
        except Refusal as refusal:
            form.add_error(refusal_field(refusal), refusal.message)
        else:
            sent = referral.status == "sent"
            messages.success(request, "Referral sent" if sent else "Referral held for approval")
            return redirect("case", case_id=case.pk)
    # The page tells what the survivor has agreed to share, and with whom: a read.
    viewed_record(user, case, via="referral_new")
    consents = selectors.consent_by_agency(case, policy.agencies)
    context = {
        "form": form,
        "case": case,
        "policy": policy,
        "agencies": agencies_by_area(policy.agencies),
        "consents": consents,
        "chosen": next((c for c in consents if c.agency == initial["agency"]), None),
    }
    return render(
        request, "casework/referral_new.html", context, status=400 if form.errors else 200
    )


def refusal_field(refusal: Refusal) -> str | None:
    return {
        "consent_required": "ground",
        "ground_not_allowed": "ground",
        "explanation_required": "explanation",
        "unknown_agency": "agency",
    }.get(refusal.code)


def approvals(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    if not services.may_approve(user):
        raise PermissionDenied
    waiting = selectors.approvals_waiting(user)
    context = {
        "waiting": waiting,
        "policy": active_policy(),
        "nav": "approvals",
        "form": DecisionForm(),
    }
    return render(request, "casework/approvals.html", context)


@require_http_methods(["GET", "POST"])
def referral_decision(request: HttpRequest, referral_id: str) -> HttpResponse:
    """The approver's page for one disclosure without consent: what is shared and why,
    the officer's explanation, the ground in words, the case's risk level and status,
    and the decision with its note, all on one page."""
    if request.method == "POST":
        return referral_decide(request, referral_id, request.POST.get("decision", ""))
    user = signed_in_staff(request)
    if not services.may_approve(user):
        raise PermissionDenied
    referral = selectors.referral_for_decision(user, referral_id)
    return decision_page(request, user, referral, DecisionForm())


def decision_page(
    request: HttpRequest,
    user: Staff,
    referral: Referral,
    form: DecisionForm,
    refusal: Refusal | None = None,
) -> HttpResponse:
    context = {
        "view": selectors.disclosure_view(referral),
        "referral": referral,
        "case": referral.case,
        "may_open_case": access.may_see(user, referral.case_id),
        "policy": active_policy(),
        "form": form,
        "refusal": refusal,
        "nav": "approvals",
    }
    status = refusal.status if refusal else 400 if form.errors else 200
    return render(request, "casework/referral_decision.html", context, status=status)


@require_POST
def referral_decide(request: HttpRequest, referral_id: str, decision: str) -> HttpResponse:
    user = signed_in_staff(request)
    if not services.may_approve(user) or decision not in ("approve", "reject"):
        raise PermissionDenied
    referral = selectors.referral_for_decision(user, referral_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.referral_decide(
            referral=referral, by=user, approve=decision == "approve", note=note
        )
    except Refusal as refusal:
        if refusal.status == 403:
            raise PermissionDenied from refusal
        form.add_error("note" if refusal.field == "note" else None, refusal.message)
        return decision_page(request, user, referral, form, refusal)
    messages.success(
        request, f"Referral {'approved and sent' if decision == 'approve' else 'refused'}"
    )
    return redirect("approvals")


@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    # A prompt may link here with the kind chosen (?kind=security_measure).
    initial = {"recharge": "none", "kind": request.GET.get("kind", ""), "owner": user.username}
    policy = active_policy()
    form = ActionForm(
        request.POST if request.method == "POST" else None, initial=initial, policy=policy
    )
    # Only people who may see the case may own its actions (casework/owners.py).
    form.fields["owner"].choices = owners.owner_choices(case)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        due = data["due_date"]
        due_at = datetime.combine(due, time(17, 0), tzinfo=LONDON) if due else None
        try:
            plan.action_add(
                case=case,
                by=user,
                kind=data["kind"],
                measure=data["measure"],
                option=data["option"],
                detail=data["detail"],
                due_at=due_at,
                agreed_with_survivor=data["agreed_with_survivor"],
                recharge=data["recharge"],
                risk_assessment=data["risk_assessment"],
                likely_to_increase_risk=YES_NO.get(data["likely_to_increase_risk"]),
                source=data["source"] or "plan",
                owner=data["owner"],
            )
        except Refusal as refusal:
            form.add_error(form.shown_field(ACTION_FIELDS.get(refusal.code)), refusal.message)
        else:
            messages.success(request, "Action added to the plan")
            return redirect("case", case_id=case.pk)
    context = {"form": form, "case": case, "policy": policy}
    return render(request, "casework/action_new.html", context, status=400 if form.errors else 200)


YES_NO = {"yes": True, "no": False}
ACTION_FIELDS = {
    "risk_answer_required": "likely_to_increase_risk",
    "legal_action_increases_risk": "likely_to_increase_risk",
    "survivor_recharge_forbidden": "recharge",
    "perpetrator_recharge_forbidden": "recharge",
    "risk_assessment_required": "risk_assessment",
    "due_in_past": "due_date",
    "survivor_agreement_required": "agreed_with_survivor",
    "unknown_option": "option",
    "unknown_measure": "measure",
    "unknown_owner": "owner",
    "owner_may_not_see_case": "owner",
}


@require_http_methods(["GET", "POST"])
def action_done(request: HttpRequest, action_id: str) -> HttpResponse:
    """The "Mark done" page: the outcome is asked for (optional), and kept with the
    action."""
    user = signed_in_staff(request)
    action = selectors.action_for(user, action_id)
    form = ActionDoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan.action_complete(action=action, by=user, outcome=form.cleaned_data["outcome"])
        except Refusal as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "Action marked done")
        return redirect("case", case_id=action.case_id)
    return action_page(request, action, form, "casework/action_done.html")


def action_page(request: HttpRequest, action: Any, form: Any, template: str) -> HttpResponse:
    details = selectors.action_details(action)
    context = {
        "form": form,
        "action": action,
        "case": action.case,
        "detail": details.get("detail", ""),
        "outcome": details.get("outcome", ""),
    }
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def action_reopen(request: HttpRequest, action_id: str) -> HttpResponse:
    """The "Reopen" page for an action marked done: the reason is asked for."""
    user = signed_in_staff(request)
    action = selectors.action_for(user, action_id)
    form = ActionReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan.action_reopen(action=action, by=user, reason=form.cleaned_data["reason"])
        except Refusal as refusal:
            form.add_error("reason" if refusal.field == "reason" else None, refusal.message)
        else:
            messages.success(request, "Action reopened")
            return redirect("case", case_id=action.case_id)
    return action_page(request, action, form, "casework/action_reopen.html")


@require_http_methods(["GET", "POST"])
def action_cancel(request: HttpRequest, action_id: str) -> HttpResponse:
    """The "Cancel this action" page: the reason is asked for, and kept with the action."""
    user = signed_in_staff(request)
    action = selectors.action_for(user, action_id)
    form = ActionCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan.action_cancel(action=action, by=user, reason=form.cleaned_data["reason"])
        except Refusal as refusal:
            form.add_error("reason" if refusal.field == "reason" else None, refusal.message)
        else:
            messages.success(request, "Action cancelled")
            return redirect("case", case_id=action.case_id)
    context = {
        "form": form,
        "action": action,
        "case": action.case,
        "detail": selectors.action_details(action).get("detail", ""),
    }
    return render(
        request, "casework/action_cancel.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    open_actions = [(a, sealed) for a, sealed in selectors.plan_of(case) if a.status == "open"]
    form = ReviewForm(request.POST if request.method == "POST" else None, actions=open_actions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan.review_record(
                case=case,
                by=user,
                notes=data["notes"],
                survivor_views=data["survivor_views"],
                risk_change=data["risk_change"],
                action_progress=form.action_progress(),
                next_review_on=data["next_review_on"],
            )
        except Refusal as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(request, "Review recorded")
            return redirect("case", case_id=case.pk)
    # The page shows the open actions' details: a read of the case.
    viewed_record(user, case, via="review_new")
    policy = active_policy()
    context = {"form": form, "case": case, "policy": policy}
    return render(request, "casework/review_new.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def letter_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    policy = active_policy()
    form = LetterForm(
        request.POST if request.method == "POST" else None,
        policy=policy,
        perpetrators=letters.perpetrator_choices(case),
        initial={"channel": "post"},
    )
    if request.method == "POST" and form.is_valid():
        kind, recipient = form.cleaned_data["kind_and_recipient"].split(":")
        try:
            letters.letter_create(
                case=case,
                by=user,
                kind=kind,
                recipient=recipient,
                agency=form.cleaned_data["agency"],
                channel=form.cleaned_data["channel"],
                alleged_perpetrator=(
                    form.cleaned_data.get("alleged_perpetrator", "")
                    if recipient == "alleged_perpetrator"
                    else ""
                ),
            )
        except Refusal as refusal:
            name = refusal.field if refusal.field in form.fields else "kind_and_recipient"
            form.add_error(name, refusal.message)
        else:
            messages.success(request, "Letter written: download it from Documents")
            return redirect("case", case_id=case.pk)
    context = {"form": form, "case": case, "policy": policy}
    return render(request, "casework/letter_new.html", context, status=400 if form.errors else 200)


def document_download(request: HttpRequest, document_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    document = selectors.document_for(user, document_id)
    response = HttpResponse(letters.document_pdf(document, by=user), content_type="application/pdf")
    name = letters.document_file_name(document)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def interview_new(request: HttpRequest, case_id: str) -> HttpResponse:
    """The officer asks to interview the alleged perpetrator; where the policy wants a
    manager's agreement, the request goes to the managers of the case's team."""
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    form = InterviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            interview = interviews.interview_request(case=case, by=user, **form.cleaned_data)
        except Refusal as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            waits = interview.status == InterviewStatus.AWAITING_AGREEMENT
            messages.success(
                request,
                "Interview request sent to the case team's managers"
                if waits
                else "The interview is agreed: the policy's conditions are recorded",
            )
            return redirect("case", case_id=case.pk)
    context = {"form": form, "case": case, "rules": active_policy().perpetrator_interview}
    return render(
        request, "casework/interview_new.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def interview_decision(request: HttpRequest, interview_id: str) -> HttpResponse:
    """The manager's page for an interview request: what the officer recorded, the case's
    risk level, and the answer with its note."""
    user = signed_in_staff(request)
    if not access.takes_decision(user, access.Decision.INTERVIEW):
        raise PermissionDenied
    interview = selectors.interview_for_decision(user, interview_id)
    form = InterviewDecisionForm(request.POST if request.method == "POST" else None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        agree = form.cleaned_data["decision"] == "agree"
        try:
            interviews.interview_decide(
                interview=interview, by=user, agree=agree, note=form.cleaned_data["note"]
            )
        except Refusal as error:
            if error.status == 403:
                raise PermissionDenied from error
            refusal = error
            form.add_error("note" if error.field == "note" else None, error.message)
        else:
            messages.success(request, "Interview agreed" if agree else "Interview declined")
            if access.may_see(user, interview.case_id):
                return redirect("case", case_id=interview.case_id)
            return redirect("queue", slug="interviews-to-agree")
    context = {
        "view": selectors.interview_view(interview),
        "interview": interview,
        "case": interview.case,
        "may_open_case": access.may_see(user, interview.case_id),
        "form": form,
        "refusal": refusal,
    }
    status = refusal.status if refusal else 400 if form.errors else 200
    return render(request, "casework/interview_decision.html", context, status=status)


@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contacts.contact_record(
                case=case,
                by=user,
                at=form.at(timezone.now()),
                channel=form.cleaned_data["channel"],
                direction=form.cleaned_data["direction"],
                with_whom=form.cleaned_data["with_whom"],
                notes=form.cleaned_data["notes"],
            )
        except Refusal as refusal:
            form.add_error("at_date" if refusal.field == "at" else None, refusal.message)
        else:
            messages.success(request, "Contact recorded")
            return redirect("case", case_id=case.pk)
    context = {"form": form, "case": case}
    return render(request, "cases/contact_new.html", context, status=400 if form.errors else 200)
