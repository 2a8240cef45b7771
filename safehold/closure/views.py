"""Closure, feedback and appeal pages: thin views over closure.services, .feedback,
.appeals and .selectors.

Every page reaches its case through `access.case_for` (an appeal through
`selectors.appeal_detail`, which starts from the same door), so a case the user may not
see is "not found". A refusal is shown as the error summary and, where the policy
refused, the rule in plain words beside the policy's own words for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access
from safehold.cases.selectors import viewed_record
from safehold.closure import appeals, feedback, selectors, services
from safehold.closure.forms import (
    LONDON,
    AppealDecisionForm,
    AppealForm,
    ClosureForm,
    DecisionForm,
    EscalationForm,
    EvaluationForm,
    FeedbackForm,
    FeedbackRequestForm,
    ReasonForm,
    start_of_day,
)
from safehold.closure.models import Appeal, AppealStatus, ClosureStatus, FeedbackChannel
from safehold.errors import Refusal
from safehold.policy.explain import SECTIONS, Rule, policy_rules
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy

CLOSING, APPEALS = SECTIONS[5], SECTIONS[6]


def rules_of(policy: Policy, section: str) -> list[Rule]:
    return [rule for rule in policy_rules(policy) if rule.section == section]


def refused(form: forms.Form, refusal: Refusal, fields: dict[str, str] | None = None) -> Refusal:
    """Puts a refusal on the form, against the field it names where the form has one. A
    refusal of the person (403) is a forbidden page, not a form error."""
    if refusal.status == 403:
        raise PermissionDenied from refusal
    name = (fields or {}).get(refusal.field or "", refusal.field)
    form.add_error(name if name in form.fields else None, refusal.message)
    return refusal


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    refusal: Refusal | None = None,
) -> HttpResponse:
    """A form page: 200, 400 for a form the page could not read, or the refusal's status."""
    form = context.get("form")
    status = refusal.status if refusal else 400 if form is not None and form.errors else 200
    words = {"policy": active_policy(), "refusal": refusal}
    return render(request, template, words | context, status=status)


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def passes(check: Callable[..., None], *args: Any) -> bool:
    """Whether a service's guard lets this through: to show only the forms that can work."""
    try:
        check(*args)
    except Refusal:
        return False
    return True


@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    policy = active_policy()
    form = ClosureForm(
        posted(request), policy=policy, may_override=services.agreement_overridable(policy)
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            closure = services.closure_request(
                case=case,
                by=user,
                reason=data["reason"],
                survivor_agrees=data["survivor_agrees"] == "yes",
                review_meeting_at=start_of_day(data["review_meeting"]),
                explanation=data["explanation"],
                override_reason=data.get("override_reason", ""),
                perpetrator_explanation=data.get("perpetrator_explanation", ""),
            )
        except Refusal as error:
            refusal = refused(form, error, {"review_meeting_at": "review_meeting"})
        else:
            closed = closure.status == ClosureStatus.CLOSED
            messages.success(request, "Case closed" if closed else "Closure sent for approval")
            return redirect("case", case_id=case.pk)
    viewed_record(user, case, via="closure_request")  # the page shows the case's picture
    context = {
        "form": form,
        "case": case,
        "rules": rules_of(policy, CLOSING),
        "picture": selectors.closing_picture(case, user),
    }
    return page(request, "closure/close.html", context, refusal=refusal)


def after_decision(request: HttpRequest, user: Any, case_id: str, message: str) -> HttpResponse:
    """Back to the case page, or, for someone who decided on a restricted case they may
    not otherwise see, to their home page."""
    messages.success(request, message)
    if access.may_see(user, case_id):
        return redirect("case", case_id=case_id)
    return redirect("home")


@require_http_methods(["GET", "POST"])
def closure_decision(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = selectors.case_for_closure_decision(user, case_id)
    try:
        services.check_approver(active_policy(), user)
    except Refusal as error:
        raise PermissionDenied from error
    form = DecisionForm(posted(request))
    refusal = None
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "approve":
                services.closure_approve(case=case, by=user, note=note)
                done = "Case closed"
            else:
                services.closure_decline(case=case, by=user, note=note)
                done = "Closure declined: the case stays open"
        except Refusal as error:
            refusal = refused(form, error)
        else:
            return after_decision(request, user, case.pk, done)
    pending = selectors.closure_in(case, ClosureStatus.AWAITING_APPROVAL)
    may_open_case = access.may_see(user, case.pk)
    if may_open_case:  # through the decision door, case_for_decision recorded the read
        viewed_record(user, case, via="closure_decision")  # the closure's reasons
    context = {
        "form": form,
        "case": case,
        "pending": pending,
        "picture": selectors.closing_picture(case, user),
        "may_open_case": may_open_case,
        "overridable": services.agreement_overridable(active_policy()),
    }
    return page(request, "closure/decision.html", context, refusal=refusal)


@require_http_methods(["GET", "POST"])
def case_reopen(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    if user.role not in services.REOPEN_ROLES:
        raise PermissionDenied
    form = ReasonForm(posted(request))
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reopen(case=case, by=user, reason=form.cleaned_data["reason"])
        except Refusal as error:
            refusal = refused(form, error)
        else:
            messages.success(request, "Case reopened")
            return redirect("case", case_id=case.pk)
    closed = selectors.closure_in(case, ClosureStatus.CLOSED)
    viewed_record(user, case, via="case_reopen")  # the page shows why it was closed
    context = {"form": form, "case": case, "closed": closed}
    return page(request, "closure/reopen.html", context, refusal=refusal)


@require_http_methods(["GET", "POST"])
def closure_evaluation(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = selectors.case_for_evaluation(user, case_id)
    try:
        services.check_evaluator(user)
    except Refusal as error:
        raise PermissionDenied from error
    form = EvaluationForm(posted(request))
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_evaluate(case=case, by=user, **form.cleaned_data)
        except Refusal as error:
            refusal = refused(form, error)
        else:
            return after_decision(request, user, case.pk, "Evaluation recorded")
    closed = selectors.closure_in(case, ClosureStatus.CLOSED)
    may_open_case = access.may_see(user, case.pk)
    if may_open_case:  # through the decision door, case_for_decision recorded the read
        viewed_record(user, case, via="closure_evaluation")  # the closure's reasons
    context = {
        "form": form,
        "case": case,
        "closed": closed,
        "may_open_case": may_open_case,
    }
    return page(request, "closure/evaluation.html", context, refusal=refusal)


@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    form = FeedbackForm(posted(request))
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = feedback.feedback_record(
                case=case,
                by=user,
                kind=data["kind"],
                satisfaction=data["satisfaction"],
                comments=data["comments"],
            )
        except Refusal as error:
            refusal = refused(form, error)
        else:
            messages.success(request, f"{recorded.get_kind_display().capitalize()} recorded")
            return redirect("case", case_id=case.pk)
    context = {"form": form, "case": case}
    return page(request, "closure/feedback_new.html", context, refusal=refusal)


@require_http_methods(["GET", "POST"])
def feedback_ask(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    form = FeedbackRequestForm(posted(request), channels=feedback.safe_channels(case))
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            asked = feedback.feedback_request(
                case=case, by=user, channel=form.cleaned_data["channel"]
            )
        except Refusal as error:
            refusal = refused(form, error)
        else:
            how = FeedbackChannel(asked.channel).label.lower()
            messages.success(request, f"Feedback request recorded: ask the survivor by {how}")
            return redirect("case", case_id=case.pk)
    context = {"form": form, "case": case}
    return page(request, "closure/feedback_request.html", context, refusal=refusal)


@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    policy = active_policy()
    today = timezone.localdate(timezone=LONDON)
    form = AppealForm(posted(request), policy=policy, initial={"received": today})
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = appeals.appeal_make(
                case=case,
                by=user,
                party=data["by"],
                grounds=data["grounds"],
                received_at=start_of_day(data["received"]),
            )
        except Refusal as error:
            refusal = refused(form, error, {"received_at": "received"})
        else:
            messages.success(request, "Appeal recorded")
            return redirect("appeal", appeal_id=appeal.pk)
    context = {"form": form, "case": case, "rules": rules_of(policy, APPEALS)}
    return page(request, "closure/appeal_new.html", context, refusal=refusal)


@require_http_methods(["GET", "POST"])
def appeal_page(request: HttpRequest, appeal_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    detail = selectors.appeal_detail(user, appeal_id)
    appeal = detail.view.appeal
    step = request.POST.get("step", "") if request.method == "POST" else ""
    decision = AppealDecisionForm(request.POST if step == "decide" else None)
    escalation = EscalationForm(request.POST if step == "escalate" else None)
    refusal = None
    try:
        if step == "acknowledge":
            appeals.appeal_acknowledge(appeal=appeal, by=user)
            return done(request, appeal, "Appeal acknowledged")
        if step == "decide" and decision.is_valid():
            appeals.appeal_decide(appeal=appeal, by=user, **decision.cleaned_data)
            return done(request, appeal, "Appeal decided")
        if step == "escalate" and escalation.is_valid():
            later = appeals.appeal_escalate(appeal=appeal, by=user, **escalation.cleaned_data)
            return done(request, later, "Appeal escalated to stage 2")
    except Refusal as error:
        refusal = refused(escalation if step == "escalate" else decision, error)
    form = escalation if step == "escalate" else decision
    viewed_record(user, appeal.case, via="appeal")  # the page shows the grounds
    context = {
        "form": form,
        "decision_form": decision,
        "escalation_form": escalation,
        "view": detail.view,
        "appeal": appeal,
        "escalated_to": detail.escalated_to,
        "case": appeal.case,
        "may_open_case": access.may_see(user, appeal.case_id),
        "may_decide": passes(appeals.check_reviewer, appeal, user),
        "rules": rules_of(active_policy(), APPEALS),
        "second_stage": active_policy().appeals.stage_2,
        "now": timezone.now(),
    }
    return page(request, "closure/appeal.html", context, refusal=refusal)


def done(request: HttpRequest, appeal: Appeal, message: str) -> HttpResponse:
    """Back to the appeal; a reviewer of a restricted case they may not otherwise see,
    once the appeal is decided, to their home page (its page is no longer theirs)."""
    user = signed_in_staff(request)
    if appeal.status == AppealStatus.DECIDED and not access.may_see(user, appeal.case_id):
        messages.success(request, message)
        return redirect("home")
    messages.success(request, message)
    return redirect("appeal", appeal_id=appeal.pk)
