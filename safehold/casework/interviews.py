"""Interviewing the alleged perpetrator: the officer asks, the manager answers.

[000 Action against perpetrators] "Such interviews will only be undertaken if: It is
considered appropriate by the investigating officer and their manager; the victim is in
agreement with such a proposal; it is considered safe to do so." The officer's request
records the survivor's agreement and why it is safe (each where the policy's
`perpetrator_interview.*` settings ask for it); where the policy wants a manager's
agreement too, the request waits in the queue of the managers of the case's team
(`awaiting_agreement`), and one of them, never the officer who asked, agrees or declines
with a note. On a restricted case a manager never decides: the policy's
`restricted_cases.fallback_roles` do (cases/access.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case, Status, new_id
from safehold.casework.models import InterviewStatus, PerpetratorInterview
from safehold.casework.services import check_perpetrator_permission
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit

AGREEMENT_RULE = "perpetrator_interview.needs_officer_and_manager_agreement"


def record(by: Staff, event: str, interview: PerpetratorInterview, **detail: str) -> None:
    audit.record(
        actor=by.username,
        action=event,
        target_type="case",
        target_id=interview.case_id,
        detail={"interview": interview.pk, **detail},
    )


def has_interview_rules(policy: Policy) -> bool:
    """Whether the policy sets any condition on interviewing an alleged perpetrator."""
    rules = policy.perpetrator_interview
    return (
        rules.needs_officer_and_manager_agreement
        or rules.needs_survivor_agreement
        or rules.needs_safety_check
    )


def check_request(policy: Policy, survivor_agrees: bool, safety_assessment: str) -> None:
    """The conditions the officer records when asking, each where the policy sets it."""
    rules = policy.perpetrator_interview
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


def open_case_locked(case: Case) -> Case:
    case = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
    if case.status != Status.OPEN:
        raise Refusal(
            "case_not_open", "An interview is asked for and agreed on an open case", status=409
        )
    return case


@transaction.atomic
def interview_request(
    *,
    case: Case,
    by: Staff,
    survivor_agrees: bool = False,
    safety_assessment: str = "",
    now: datetime | None = None,
) -> PerpetratorInterview:
    """The officer asks to interview the alleged perpetrator. Where the policy wants a
    manager's agreement the request waits for it (`awaiting_agreement`); otherwise it is
    agreed at once, its conditions being met."""
    now = now or timezone.now()
    policy = active_policy()
    case = open_case_locked(case)
    check_perpetrator_permission(case, policy)
    check_request(policy, survivor_agrees, safety_assessment)
    waits = policy.perpetrator_interview.needs_officer_and_manager_agreement
    waiting = case.perpetrator_interviews.filter(status=InterviewStatus.AWAITING_AGREEMENT)
    if waits and waiting.exists():
        raise Refusal(
            "interview_already_requested",
            "An interview on this case is already waiting for a manager's agreement",
            status=409,
        )
    interview = PerpetratorInterview(
        id=new_id("itv"),
        case=case,
        planned_by=by,
        survivor_agrees=survivor_agrees,
        status=InterviewStatus.AWAITING_AGREEMENT if waits else InterviewStatus.AGREED,
        decided_at=None if waits else now,
        created_at=now,
    )
    interview.sealed = sealing.seal(
        case.data_key, interview, {"safety_assessment": safety_assessment.strip(), "note": ""}
    )
    interview.save(force_insert=True)
    record(by, "perpetrator_interview.requested", interview, status=interview.status)
    return interview


def not_the_manager_of_any_case() -> Refusal:
    """For a role that agrees no interview on any case: refused before any lookup."""
    return Refusal(
        "may_not_agree_interview",
        "An interview with the alleged perpetrator is agreed by a manager of the case's team",
        policy_rule=AGREEMENT_RULE,
        status=403,
    )


def not_the_manager(case: Case) -> Refusal:
    roles = access.decision_roles(
        active_policy(), access.Decision.INTERVIEW, restricted=case.restricted
    )
    who = (" or ".join(roles) if case.restricted else "a manager of the case's team") or "nobody"
    return Refusal(
        "may_not_agree_interview",
        f"An interview with the alleged perpetrator is agreed by {who}",
        policy_rule=AGREEMENT_RULE,
        status=403,
    )


@transaction.atomic
def interview_decide(
    *,
    interview: PerpetratorInterview,
    by: Staff,
    agree: bool,
    note: str,
    now: datetime | None = None,
) -> PerpetratorInterview:
    """The manager answers an interview request, with a note saying why: never the
    officer who asked (`own_request`)."""
    now = now or timezone.now()
    interview = (
        PerpetratorInterview.objects.select_for_update()
        .select_related("case", "case__data_key")
        .get(pk=interview.pk)
    )
    case = interview.case
    access.check_decision_access(by, case, access.Decision.INTERVIEW)
    if not access.decides(by, case, access.Decision.INTERVIEW):
        raise not_the_manager(case)
    if interview.status != InterviewStatus.AWAITING_AGREEMENT:
        raise Refusal(
            "already_decided", f"This interview request is already {interview.status}", status=409
        )
    access.check_not_own_request(by, interview.planned_by_id, "interview")
    if not note.strip():
        raise Refusal("note_required", "Say why you agree or decline", field="note")
    case = open_case_locked(case)
    if agree:
        check_perpetrator_permission(case, active_policy())
    details = sealing.unseal(case.data_key, interview)
    details["note"] = note.strip()
    interview.sealed = sealing.seal(case.data_key, interview, details)
    interview.status = InterviewStatus.AGREED if agree else InterviewStatus.DECLINED
    interview.manager_agreed = by if agree else None
    interview.decided_by, interview.decided_at = by, now
    interview.save(update_fields=["sealed", "status", "manager_agreed", "decided_by", "decided_at"])
    record(by, f"perpetrator_interview.{interview.status}", interview)
    return interview


def check_interview_agreed(case: Case, policy: Policy) -> None:
    """A visit or an office meeting with the alleged perpetrator is an interview: where
    the policy sets interview rules, it is recorded only once an interview was agreed."""
    if not has_interview_rules(policy):
        return
    if case.perpetrator_interviews.filter(status=InterviewStatus.AGREED).exists():
        return
    raise Refusal(
        "interview_not_agreed",
        "A visit or office meeting with the alleged perpetrator is an interview, and no "
        "interview with them has been agreed on this case: ask for one first",
        policy_rule="perpetrator_interview",
        field="channel",
    )
