"""The action plan and reviews: named, atomic, audited services checked against the
policy (API.md §5 "Action plan, reviews")."""

from __future__ import annotations

from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import sealing
from safehold.cases.models import Case, new_id
from safehold.casework.models import (
    OPTIONS_BY_KIND,
    Action,
    ActionKind,
    ActionStatus,
    PerpetratorInterview,
    Recharge,
    Review,
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
        if rules.no_legal_action_that_increases_risk and not risk_note.strip():
            raise Refusal(
                "risk_assessment_required",
                "Record how this legal action affects the risk to the survivor",
                policy_rule="action_plan.no_legal_action_that_increases_risk",
                field="risk_assessment",
            )
    if kind == ActionKind.REHOUSING and rules.rehousing_risk_assessed and not risk_note.strip():
        raise Refusal(
            "risk_assessment_required",
            "Record how the move reduces the risk",
            policy_rule="action_plan.rehousing_risk_assessed",
            field="risk_assessment",
        )


def owner_named(username: str, *, by: Staff) -> Staff:
    if not username:
        return by
    owner = (
        Staff.objects.filter(username=username, is_active=True)
        .exclude(role__in=(Role.AUDITOR, Role.ADMIN))
        .first()
    )
    if owner is None:
        raise Refusal(
            "unknown_owner", f"No active member of staff called {username}", field="owner"
        )
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
    owner: str = "",
    source: str = "plan",
    now: datetime | None = None,
) -> Action:
    """Adds an action to the plan. An emergency repair with no due time is due the
    policy's `emergency_repair_hours` after it is raised."""
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
        owner=owner_named(owner, by=by),
        due_at=due_at,
        agreed_with_survivor=agreed_with_survivor,
        recharge=recharge,
        created_by=by,
        created_at=now,
    )
    action.sealed = sealing.seal(
        case.data_key, action, {"detail": detail, "risk_assessment": risk_assessment}
    )
    action.save(force_insert=True)
    record(by, "action.added", case.pk, action=action.pk, kind=kind)
    return action


@transaction.atomic
def action_complete(*, action: Action, by: Staff, now: datetime | None = None) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status == ActionStatus.DONE:
        raise Refusal("already_done", "This action is already done", status=409)
    action.status = ActionStatus.DONE
    action.completed_at = now or timezone.now()
    action.save(update_fields=["status", "completed_at"])
    record(by, "action.completed", action.case_id, action=action.pk)
    return action


@transaction.atomic
def review_record(
    *,
    case: Case,
    by: Staff,
    at: datetime | None = None,
    notes: str = "",
    now: datetime | None = None,
) -> Review:
    """Records an internal review; the next is due `review_interval_days` after the
    latest (API.md)."""
    now = now or timezone.now()
    case = open_case(case)
    at = at or now
    if at > now:
        raise Refusal("at_in_future", "A review cannot be in the future", field="at")
    if at < case.reported_at:
        raise Refusal("review_before_report", "A review cannot be before the report", field="at")
    before = case.reviews.filter(at__lte=at).order_by("-at").values_list("at", flat=True).first()
    review = Review(
        id=new_id("rev"),
        case=case,
        at=at,
        due_at=clock.next_review_due_at(active_policy(), before or case.reported_at),
        reviewed_by=by,
        created_at=now,
    )
    review.sealed = sealing.seal(case.data_key, review, {"notes": notes})
    review.save(force_insert=True)
    if case.last_review_at is None or at > case.last_review_at:
        case.last_review_at = at
        case.save(update_fields=["last_review_at"])
    record(by, "review.recorded", case.pk, review=review.pk)
    return review


def interview_manager(manager_username: str, case: Case) -> Staff | None:
    """The manager of the case's team (or a director or DA lead) who agreed."""
    if not manager_username:
        return None
    return (
        Staff.objects.filter(username=manager_username, is_active=True)
        .filter(
            models.Q(role=Role.MANAGER, team=case.team)
            | models.Q(role__in=(Role.DIRECTOR, Role.DA_LEAD))
        )
        .first()
    )


@transaction.atomic
def perpetrator_interview_plan(
    *,
    case: Case,
    by: Staff,
    manager: str = "",
    survivor_agrees: bool = False,
    safety_assessment: str = "",
    now: datetime | None = None,
) -> PerpetratorInterview:
    """Records the decision to interview the alleged perpetrator, refused unless every
    condition the policy sets is met and recorded."""
    rules = active_policy().perpetrator_interview
    case = open_case(case)
    agreed_by = interview_manager(manager, case)
    if rules.needs_officer_and_manager_agreement and agreed_by is None:
        raise Refusal(
            "manager_agreement_required",
            "Name the manager of the case's team who agrees the interview is appropriate",
            field="manager",
            policy_rule="perpetrator_interview.needs_officer_and_manager_agreement",
        )
    if rules.needs_survivor_agreement and not survivor_agrees:
        raise Refusal(
            "survivor_agreement_required",
            "The survivor must agree to the interview",
            field="survivor_agrees",
            policy_rule="perpetrator_interview.needs_survivor_agreement",
        )
    if rules.needs_safety_check and not safety_assessment.strip():
        raise Refusal(
            "safety_check_required",
            "Record why it is safe to interview them",
            field="safety_assessment",
            policy_rule="perpetrator_interview.needs_safety_check",
        )
    interview = PerpetratorInterview(
        id=new_id("itv"),
        case=case,
        planned_by=by,
        manager_agreed=agreed_by,
        survivor_agrees=survivor_agrees,
        created_at=now or timezone.now(),
    )
    interview.sealed = sealing.seal(
        case.data_key, interview, {"safety_assessment": safety_assessment}
    )
    interview.save(force_insert=True)
    record(
        by,
        "perpetrator_interview.planned",
        case.pk,
        interview=interview.pk,
        manager=agreed_by.username if agreed_by else "",
    )
    return interview
