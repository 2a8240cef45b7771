"""Appeals by the survivor or the alleged perpetrator against how a case was handled or
the decision reached, to the reviewer the policy names, with the deadlines of the
Housing Ombudsman's Complaint Handling Code counted on the policy's clock."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases.models import Case, PersonRole, new_id
from safehold.closure.models import Appeal, AppealOutcome, AppealStatus
from safehold.errors import Refusal
from safehold.policy import clock
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.policy.vocabulary import PARTIES
from safehold.policy.wording import roles_named
from safehold.privacy import audit


def record(by: Staff, action: str, appeal: Appeal, **detail: str | int) -> None:
    audit.record(
        actor=by.username,
        action=action,
        target_type="case",
        target_id=appeal.case_id,
        detail={"appeal": appeal.pk, "stage": appeal.stage, **detail},
    )


def check_appellant(policy: Policy, case: Case, party: str) -> None:
    if party not in PARTIES or party not in policy.appeals.who:
        who = " or ".join(policy.appeals.who) or "nobody"
        raise Refusal(
            "appellant_not_allowed",
            f"Under the policy an appeal is made by {who}",
            policy_rule="appeals.who",
            field="by",
        )
    if (
        party == "alleged_perpetrator"
        and not case.people.filter(role=PersonRole.ALLEGED_PERPETRATOR).exists()
    ):
        raise Refusal("no_alleged_perpetrator", "The case names no alleged perpetrator", field="by")


def deadlines(
    policy: Policy, received_at: datetime, stage: Literal[1, 2]
) -> tuple[datetime, datetime]:
    """When to acknowledge, and the latest the answer can be due (counted from the last
    day for acknowledging; an earlier acknowledgement brings it forward)."""
    acknowledge_by = clock.appeal_acknowledgement_due_at(policy, received_at, stage)
    return acknowledge_by, clock.appeal_answer_due_at(policy, acknowledge_by, stage)


def reviewer_role_of(policy: Policy, stage: Literal[1, 2], *, restricted: bool) -> str:
    """Who reviews a stage: `appeals.reviewer_role` (on a restricted case never a manager,
    cases/access.py: the fallback reviews), or stage 2's own reviewer role, which the
    schema keeps apart from stage 1's so that someone else can always decide it."""
    first = access.decision_roles(policy, access.Decision.APPEAL, restricted=restricted)[0]
    if stage == 1 or policy.appeals.stage_2 is None:
        return first
    second = policy.appeals.stage_2.reviewer_role
    if restricted and second == Role.MANAGER.value:
        fallback = [r for r in policy.restricted_cases.fallback_roles if r not in (first, second)]
        return fallback[0] if fallback else first
    return second


def new_appeal(
    *, case: Case, by: Staff, party: str, grounds: str, received_at: datetime, stage: Literal[1, 2]
) -> Appeal:
    policy = active_policy()
    acknowledge_by, answer_by = deadlines(policy, received_at, stage)
    appeal = Appeal(
        id=new_id("apl"),
        case=case,
        by=party,
        stage=stage,
        # On a restricted case never a manager (cases/access.py): the fallback reviews.
        reviewer_role=reviewer_role_of(policy, stage, restricted=case.restricted),
        received_at=received_at,
        acknowledge_due_at=acknowledge_by,
        due_at=answer_by,
        recorded_by=by,
    )
    appeal.sealed = sealing.seal(case.data_key, appeal, {"grounds": grounds.strip()})
    return appeal


def check_grounds(grounds: str) -> None:
    """Any words will do ("unfair" is a reason): no seed sets a minimum length."""
    if not grounds.strip():
        raise Refusal("grounds_required", "Say what the appeal is about", field="grounds")


@transaction.atomic
def appeal_make(
    *,
    case: Case,
    by: Staff,
    party: str,
    grounds: str,
    received_at: datetime | None = None,
    now: datetime | None = None,
) -> Appeal:
    now = now or timezone.now()
    received_at = received_at or now
    check_appellant(active_policy(), case, party)
    check_grounds(grounds)
    if received_at > now:
        raise Refusal(
            "received_at_in_future",
            "An appeal cannot be received in the future",
            field="received_at",
        )
    appeal = new_appeal(
        case=case, by=by, party=party, grounds=grounds, received_at=received_at, stage=1
    )
    appeal.save(force_insert=True)
    record(by, "appeal.made", appeal, appellant=party)
    return appeal


def locked(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().select_related("case__data_key").get(pk=appeal.pk)


@transaction.atomic
def appeal_acknowledge(*, appeal: Appeal, by: Staff, now: datetime | None = None) -> Appeal:
    """Acknowledged: the answer is now due the policy's working days from today."""
    now = now or timezone.now()
    appeal = locked(appeal)
    if appeal.status != AppealStatus.RECEIVED:
        raise Refusal("appeal_not_received", f"The appeal is already {appeal.status}", status=409)
    acknowledge(appeal, now)
    appeal.save(update_fields=["status", "acknowledged_at", "due_at"])
    record(by, "appeal.acknowledged", appeal)
    return appeal


def acknowledge(appeal: Appeal, now: datetime) -> None:
    stage: Literal[1, 2] = 2 if appeal.stage == 2 else 1
    policy = active_policy()
    appeal.status = AppealStatus.ACKNOWLEDGED
    appeal.acknowledged_at = now
    if stage == 1 or policy.appeals.stage_2 is not None:  # else the policy has since
        appeal.due_at = clock.appeal_answer_due_at(policy, now, stage)  # dropped stage 2


def check_reviewer(appeal: Appeal, by: Staff) -> None:
    if by.role != appeal.reviewer_role:
        raise Refusal(
            "may_not_decide_appeal",
            f"The policy gives appeals to {roles_named([appeal.reviewer_role])}",  # type: ignore[list-item]
            policy_rule="appeals.stage_2.reviewer_role"
            if appeal.stage == 2
            else "appeals.reviewer_role",
            status=403,
        )
    earlier = appeal.escalated_from
    if earlier is not None and earlier.decided_by_id == by.pk:
        raise Refusal(
            "same_reviewer",
            "Stage 2 is decided by someone other than the stage 1 reviewer",
            policy_rule="appeals.stage_2.reviewer_role",
            status=403,
        )


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, by: Staff, outcome: str, reasons: str, now: datetime | None = None
) -> Appeal:
    now = now or timezone.now()
    appeal = locked(appeal)
    check_reviewer(appeal, by)
    if appeal.status == AppealStatus.DECIDED:
        raise Refusal("appeal_decided", "The appeal has been decided", status=409)
    if outcome not in AppealOutcome.values:
        raise Refusal(
            "unknown_outcome",
            f"outcome must be one of: {', '.join(AppealOutcome.values)}",
            field="outcome",
        )
    if not reasons.strip():
        raise Refusal("reasons_required", "Give the reasons for the outcome", field="reasons")
    if appeal.status == AppealStatus.RECEIVED:
        acknowledge(appeal, now)
    details = sealing.unseal(appeal.case.data_key, appeal)
    details["reasons"] = reasons.strip()
    appeal.sealed = sealing.seal(appeal.case.data_key, appeal, details)
    appeal.status, appeal.outcome = AppealStatus.DECIDED, outcome
    appeal.decided_by, appeal.decided_at = by, now
    appeal.save()
    record(by, "appeal.decided", appeal, outcome=outcome)
    return appeal


@transaction.atomic
def appeal_escalate(
    *, appeal: Appeal, by: Staff, grounds: str, now: datetime | None = None
) -> Appeal:
    """The appellant is not satisfied with the stage 1 answer: stage 2 begins, where the
    policy has a second stage (`appeals.stage_2`), before its own reviewer role."""
    now = now or timezone.now()
    if active_policy().appeals.stage_2 is None:
        raise Refusal(
            "no_second_stage",
            "The policy has one review of an appeal: the stage 1 answer is final",
            policy_rule="appeals.stage_2",
        )
    appeal = locked(appeal)
    if appeal.stage != 1 or appeal.status != AppealStatus.DECIDED:
        raise Refusal(
            "appeal_not_escalatable", "Only a decided stage 1 appeal goes to stage 2", status=409
        )
    if Appeal.objects.filter(escalated_from=appeal).exists():
        raise Refusal("appeal_escalated", "The appeal is already at stage 2", status=409)
    check_grounds(grounds)
    stage_2 = new_appeal(
        case=appeal.case, by=by, party=appeal.by, grounds=grounds, received_at=now, stage=2
    )
    stage_2.escalated_from = appeal
    stage_2.save(force_insert=True)
    record(by, "appeal.escalated", stage_2, appellant=appeal.by)
    return stage_2
