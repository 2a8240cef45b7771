"""The action plan and reviews: named, atomic, audited services checked against the
policy (API.md §5 "Action plan, reviews")."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import sealing
from safehold.cases.models import Case, new_id
from safehold.cases.training import check_trained
from safehold.casework import owners
from safehold.casework.models import (
    OPTIONS_BY_KIND,
    Action,
    ActionKind,
    ActionStatus,
    Recharge,
    Review,
    RiskChange,
    SecurityMeasure,
)
from safehold.errors import Refusal
from safehold.policy import clock
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit


def record(by: Staff, event: str, case_id: str, **detail: str) -> None:
    audit.record(
        actor=by.username, action=event, target_type="case", target_id=case_id, detail=detail
    )


def open_case(case: Case) -> Case:
    case = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
    if case.status != "open":
        raise Refusal("case_not_open", "Only an open case's plan can change", status=409)
    return case


def check_action(
    policy: Policy,
    *,
    kind: str,
    measure: str,
    recharge: str,
    agreed: bool,
    risk_note: str,
    option: str = "",
    likely_to_increase_risk: bool | None = None,
) -> None:
    """The policy's rules for an action, each refusal naming the setting that refused."""
    if kind not in ActionKind.values:
        raise Refusal("unknown_kind", f"kind must be one of: {', '.join(ActionKind.values)}")
    if measure and (kind != ActionKind.SECURITY_MEASURE or measure not in SecurityMeasure.values):
        raise Refusal("unknown_measure", "measure names a security measure from the catalogue")
    if option and option not in OPTIONS_BY_KIND.get(kind, ()):
        allowed = ", ".join(OPTIONS_BY_KIND.get(kind, ())) or "none"
        raise Refusal(
            "unknown_option", f"A {kind} action's option is one of: {allowed}", field="option"
        )
    if recharge == Recharge.SURVIVOR and policy.recharge.survivor_forbidden:
        raise Refusal(
            "survivor_recharge_forbidden",
            "The policy never recharges the survivor",
            policy_rule="recharge.survivor_forbidden",
            field="recharge",
        )
    if recharge == Recharge.PERPETRATOR and not policy.recharge.perpetrator_may_be_charged:
        raise Refusal(
            "perpetrator_recharge_forbidden",
            "The policy does not recharge the alleged perpetrator",
            policy_rule="recharge.perpetrator_may_be_charged",
            field="recharge",
        )
    rules = policy.action_plan
    if kind == ActionKind.LEGAL_ACTION:
        if rules.legal_action_needs_survivor_consent and not agreed:
            raise Refusal(
                "survivor_agreement_required",
                "The policy takes legal action only with the survivor's agreement",
                policy_rule="action_plan.legal_action_needs_survivor_consent",
            )
        if rules.no_legal_action_that_increases_risk:
            check_legal_action_risk(likely_to_increase_risk)
    if kind == ActionKind.REHOUSING and rules.rehousing_risk_assessed and not risk_note.strip():
        raise Refusal(
            "risk_assessment_required",
            "Record how the move reduces the risk",
            policy_rule="action_plan.rehousing_risk_assessed",
            field="risk_assessment",
        )


def check_legal_action_risk(likely_to_increase_risk: bool | None) -> None:
    """Legal action is not pursued where it is likely to increase the risk to the
    survivor: the officer answers the question, and "yes" is refused."""
    if likely_to_increase_risk is None:
        raise Refusal(
            "risk_answer_required",
            "Answer whether this legal action is likely to increase the risk to the survivor",
            policy_rule="action_plan.no_legal_action_that_increases_risk",
            field="likely_to_increase_risk",
        )
    if likely_to_increase_risk:
        raise Refusal(
            "legal_action_increases_risk",
            "The policy does not pursue legal action that is likely to increase the risk to "
            "the survivor",
            policy_rule="action_plan.no_legal_action_that_increases_risk",
            field="likely_to_increase_risk",
        )


def owner_named(username: str, *, by: Staff, case: Case) -> Staff:
    """The action's owner: the person adding it, unless another is named; either way
    someone who may see the case (owners.py)."""
    owner = (
        Staff.objects.filter(username=username, is_active=True)
        .exclude(role__in=(Role.AUDITOR, Role.ADMIN))
        .first()
        if username
        else by
    )
    if owner is None:
        raise Refusal(
            "unknown_owner", f"No active member of staff called {username}", field="owner"
        )
    owners.check_owner(owner, case)
    return owner


@transaction.atomic
def action_add(
    *,
    case: Case,
    by: Staff,
    kind: str,
    detail: str = "",
    due_at: datetime | None = None,
    agreed_with_survivor: bool = False,
    recharge: str = Recharge.NONE,
    measure: str = "",
    option: str = "",
    risk_assessment: str = "",
    likely_to_increase_risk: bool | None = None,
    owner: str = "",
    source: str = "plan",
    now: datetime | None = None,
) -> Action:
    """Adds an action to the plan. An emergency repair with no due time is due the
    policy's `emergency_repair_hours` after it is raised. For legal action,
    `likely_to_increase_risk` is the officer's answer to "Is it likely to increase the
    risk to the survivor?", sealed with the action where the policy asks it."""
    check_trained(by, doing="the action plan")
    now = now or timezone.now()
    policy = active_policy()
    case = open_case(case)
    check_action(
        policy,
        kind=kind,
        measure=measure,
        option=option,
        recharge=recharge,
        agreed=agreed_with_survivor,
        risk_note=risk_assessment,
        likely_to_increase_risk=likely_to_increase_risk,
    )
    if due_at is not None and due_at < now:
        raise Refusal("due_in_past", "An action cannot be due in the past", field="due_at")
    if due_at is None and kind == ActionKind.EMERGENCY_REPAIR:
        due_at = clock.emergency_repair_due_at(policy, now)
    action = Action(
        id=new_id("act"),
        case=case,
        kind=kind,
        measure=measure,
        option=option,
        source=source,
        owner=owner_named(owner, by=by, case=case),
        due_at=due_at,
        agreed_with_survivor=agreed_with_survivor,
        recharge=recharge,
        created_by=by,
        created_at=now,
    )
    sealed: dict[str, object] = {"detail": detail, "risk_assessment": risk_assessment}
    if kind == ActionKind.LEGAL_ACTION and likely_to_increase_risk is not None:
        sealed["likely_to_increase_risk"] = likely_to_increase_risk
    action.sealed = sealing.seal(case.data_key, action, sealed)
    action.save(force_insert=True)
    record(by, "action.added", case.pk, action=action.pk, kind=kind)
    return action


LONDON = ZoneInfo("Europe/London")


@transaction.atomic
def action_complete(
    *, action: Action, by: Staff, outcome: str = "", now: datetime | None = None
) -> Action:
    """Marks an action done, with its outcome (what came of it; optional, sealed with the
    action's detail). Marked done again after a reopening, the new outcome replaces the
    old."""
    action = Action.objects.select_for_update().select_related("case__data_key").get(pk=action.pk)
    if action.status == ActionStatus.DONE:
        raise Refusal("already_done", "This action is already done", status=409)
    if action.status == ActionStatus.CANCELLED:
        raise Refusal("already_cancelled", "This action was cancelled", status=409)
    fields = ["status", "completed_at"]
    sealed = sealing.unseal(action.case.data_key, action)
    if outcome.strip() or "outcome" in sealed:
        sealed["outcome"] = outcome.strip()
        action.sealed = sealing.seal(action.case.data_key, action, sealed)
        fields.append("sealed")
    action.status = ActionStatus.DONE
    action.completed_at = now or timezone.now()
    action.save(update_fields=fields)
    record(by, "action.completed", action.case_id, action=action.pk)
    return action


@transaction.atomic
def action_reopen(*, action: Action, by: Staff, reason: str, now: datetime | None = None) -> Action:
    """Reopens an action marked done that turns out not to be (the alarm stopped working,
    the repair failed), with the reason, while the case is open. It counts as open again
    (queues, closure's `no_open_actions`); its earlier outcome and each reopening's reason
    are kept, sealed. Whoever may complete an action may reopen it."""
    if not reason.strip():
        raise Refusal("reason_required", "Say why the action is reopened", field="reason")
    action = Action.objects.select_for_update().select_related("case__data_key").get(pk=action.pk)
    if action.status != ActionStatus.DONE:
        raise Refusal("not_done", "Only an action marked done can be reopened", status=409)
    if action.case.status != "open":
        raise Refusal("case_not_open", "Only an open case's plan can change", status=409)
    now = now or timezone.now()
    sealed = sealing.unseal(action.case.data_key, action)
    reopenings = list(sealed.get("reopenings", []))
    reopenings.append(
        {
            "at": now.isoformat(),
            "by": by.username,
            "reason": reason.strip(),
            "outcome": sealed.get("outcome", ""),
            "completed_at": action.completed_at.isoformat() if action.completed_at else "",
        }
    )
    sealed["reopenings"] = reopenings
    sealed["reopen_reason"] = reason.strip()
    sealed.pop("outcome", None)
    action.sealed = sealing.seal(action.case.data_key, action, sealed)
    action.status = ActionStatus.OPEN
    action.completed_at = None
    action.reopened_by = by
    action.reopened_at = now
    action.save(update_fields=["sealed", "status", "completed_at", "reopened_by", "reopened_at"])
    record(by, "action.reopened", action.case_id, action=action.pk, kind=action.kind)
    return action


@transaction.atomic
def action_cancel(*, action: Action, by: Staff, reason: str, now: datetime | None = None) -> Action:
    """Cancels an open action that will not be done, with the reason (sealed with the
    action's detail). A cancelled action is not open: it holds no closure open and is in
    no queue, and the plan and letters show it as cancelled with its reason. Whoever may
    complete an action may cancel it, while the case is open."""
    if not reason.strip():
        raise Refusal("reason_required", "Say why the action is cancelled", field="reason")
    action = Action.objects.select_for_update().select_related("case__data_key").get(pk=action.pk)
    if action.status == ActionStatus.DONE:
        raise Refusal("already_done", "This action is already done", status=409)
    if action.status == ActionStatus.CANCELLED:
        raise Refusal("already_cancelled", "This action is already cancelled", status=409)
    if action.case.status != "open":
        raise Refusal("case_not_open", "Only an open case's plan can change", status=409)
    sealed = sealing.unseal(action.case.data_key, action)
    sealed["cancel_reason"] = reason.strip()
    action.sealed = sealing.seal(action.case.data_key, action, sealed)
    action.status = ActionStatus.CANCELLED
    action.cancelled_by = by
    action.cancelled_at = now or timezone.now()
    action.save(update_fields=["sealed", "status", "cancelled_by", "cancelled_at"])
    record(by, "action.cancelled", action.case_id, action=action.pk, kind=action.kind)
    return action


@transaction.atomic
def review_record(
    *,
    case: Case,
    by: Staff,
    at: datetime | None = None,
    notes: str = "",
    survivor_views: str = "",
    risk_change: str = "",
    action_progress: dict[str, str] | None = None,
    next_review_on: date | None = None,
    now: datetime | None = None,
) -> Review:
    """Records an internal review; the next is due `review_interval_days` after the
    latest (API.md). Its structure: the survivor's views, how the risk changed (a
    `RiskChange`, or empty when not said), the progress of each open action (text by
    action id; only the case's open actions) and the next review date: by default the
    policy's interval after the review, never in the past and never later than the
    policy's interval allows. Free text is sealed like the notes."""
    now = now or timezone.now()
    case = open_case(case)
    at = at or now
    if at > now:
        raise Refusal("at_in_future", "A review cannot be in the future", field="at")
    if at < case.reported_at:
        raise Refusal("review_before_report", "A review cannot be before the report", field="at")
    if risk_change and risk_change not in RiskChange.values:
        raise Refusal(
            "unknown_risk_change",
            f"risk_change is one of: {', '.join(RiskChange.values)}",
            field="risk_change",
        )
    progress = {k: v.strip() for k, v in (action_progress or {}).items() if v.strip()}
    open_ids = set(
        case.actions.filter(status=ActionStatus.OPEN, pk__in=list(progress)).values_list(
            "pk", flat=True
        )
    )
    if set(progress) - open_ids:
        raise Refusal(
            "unknown_action",
            "Progress can be recorded only for this case's open actions",
            field="action_progress",
        )
    policy = active_policy()
    latest_allowed = clock.next_review_due_at(policy, at).astimezone(LONDON).date()
    if next_review_on is None:
        next_review_on = latest_allowed
    if next_review_on < now.astimezone(LONDON).date():
        raise Refusal(
            "next_review_in_past",
            "The next review date cannot be in the past",
            field="next_review_on",
        )
    if next_review_on > latest_allowed:
        raise Refusal(
            "next_review_too_late",
            f"The policy reviews every open case every {policy.review_interval_days} days: "
            f"the next review must be by {latest_allowed.day} "
            f"{latest_allowed:%B} {latest_allowed.year}",
            field="next_review_on",
            policy_rule="review_interval_days",
        )
    before = (
        case.reviews.filter(at__lte=at).order_by("-at").values_list("at", "next_review_on").first()
    )
    review = Review(
        id=new_id("rev"),
        case=case,
        at=at,
        due_at=(
            clock.review_due_on(policy, *before)
            if before
            else clock.next_review_due_at(policy, case.reported_at)
        ),
        reviewed_by=by,
        created_at=now,
        risk_change=risk_change,
        next_review_on=next_review_on,
    )
    sealed = {"notes": notes, "survivor_views": survivor_views, "action_progress": progress}
    review.sealed = sealing.seal(case.data_key, review, sealed)
    review.save(force_insert=True)
    if case.last_review_at is None or at > case.last_review_at:
        case.last_review_at = at
        case.next_review_at = clock.review_due_on(policy, at, next_review_on)
        case.save(update_fields=["last_review_at", "next_review_at"])
    record(by, "review.recorded", case.pk, review=review.pk)
    return review
