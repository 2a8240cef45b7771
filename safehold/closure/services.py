"""Closing a case under the provider's policy, approving, declining and reopening a
closure, and evaluating a closed case (API.md §5 "Closure, feedback, appeals").

Each refusal carries the policy setting that refused it, so the page can quote the
provider's own words for the rule."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases.models import Case, PersonRole, Status, new_id
from safehold.cases.training import check_trained
from safehold.casework import letters
from safehold.casework import services as casework
from safehold.casework.models import Action, ActionStatus, LetterKind, Referral, ReferralStatus
from safehold.closure.models import Closure, ClosureStatus, Effectiveness
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.policy.wording import roles_named
from safehold.privacy import audit

REOPEN_ROLES = (Role.MANAGER, Role.DIRECTOR, Role.DA_LEAD)


def record(by: Staff, action: str, case: Case, **detail: str) -> None:
    audit.record(
        actor=by.username, action=action, target_type="case", target_id=case.pk, detail=detail
    )


def locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)


def check_reason(policy: Policy, reason: str) -> None:
    if reason not in policy.closure.reasons:
        allowed = ", ".join(policy.closure.reasons)
        raise Refusal(
            "reason_not_allowed",
            f"The policy does not close a case for {reason!r}; it allows: {allowed}",
            policy_rule="closure.reasons",
            field="reason",
        )


def agreement_overridable(policy: Policy) -> bool:
    """Whether the policy lets a case close without the survivor's agreement: someone in
    its `override_role` decides, never the person who asked."""
    rules = policy.closure
    return rules.survivor_agreement == "overridable" and rules.override_role is not None


def check_agreement(policy: Policy, survivor_agrees: bool, override_reason: str) -> None:
    """Without the survivor's agreement a case closes only where the policy lets a named
    role override it; the person asking says why, and it waits for that role's decision."""
    if survivor_agrees:
        return
    if not agreement_overridable(policy):
        raise Refusal(
            "survivor_agreement_required",
            "The policy closes a case only with the survivor's agreement",
            policy_rule="closure.survivor_agreement",
            field="survivor_agrees",
        )
    if not override_reason.strip():
        raise Refusal(
            "override_reason_required",
            "Say why the case should close without the survivor's agreement",
            policy_rule="closure.override_role",
            field="override_reason",
        )


def check_no_decisions_pending(case: Case) -> None:
    """A case does not close while a disclosure on it awaits an approver's decision."""
    waiting = Referral.objects.filter(case=case, status=ReferralStatus.AWAITING_APPROVAL).count()
    if waiting:
        raise Refusal(
            "decisions_pending",
            f"{waiting} disclosure{'s' if waiting != 1 else ''} on this case "
            f"{'await' if waiting != 1 else 'awaits'} an approver's decision: the case cannot "
            "close until it is decided",
            status=409,
        )


def check_review_meeting(policy: Policy, review_meeting_at: datetime | None, now: datetime) -> None:
    if review_meeting_at is None:
        if policy.closure.review_meeting_required:
            raise Refusal(
                "review_meeting_required",
                "The policy needs the closure discussed with the survivor at a review "
                "meeting: give the meeting's date",
                policy_rule="closure.review_meeting_required",
                field="review_meeting_at",
            )
        return
    if review_meeting_at > now:
        raise Refusal(
            "review_meeting_at_in_future",
            "The review meeting must have taken place before the case closes",
            field="review_meeting_at",
        )


def check_no_open_actions(policy: Policy, case: Case) -> None:
    if not policy.closure.no_open_actions:
        return
    remaining = Action.objects.filter(case=case, status=ActionStatus.OPEN).count()
    if remaining:
        raise Refusal(
            "open_actions_remaining",
            f"{remaining} action{'s' if remaining != 1 else ''} on the plan "
            f"{'are' if remaining != 1 else 'is'} still open: complete "
            f"{'them' if remaining != 1 else 'it'} before closing",
            policy_rule="closure.no_open_actions",
        )


@transaction.atomic
def closure_request(
    *,
    case: Case,
    by: Staff,
    reason: str,
    survivor_agrees: bool,
    review_meeting_at: datetime | None,
    explanation: str = "",
    override_reason: str = "",
    perpetrator_explanation: str = "",
    now: datetime | None = None,
) -> Closure:
    """Asks to close an open case. Where the policy wants approval the case waits as
    `closing`; otherwise it closes now and its letters are written. `explanation` is for
    the survivor's letter; `perpetrator_explanation` (optional) for the letters to the
    alleged perpetrators."""
    check_trained(by, doing="asking to close a case")
    now = now or timezone.now()
    policy = active_policy()
    case = locked(case)
    if case.status != Status.OPEN:
        raise Refusal("case_not_open", f"The case is {case.status}, not open", status=409)
    check_no_decisions_pending(case)
    check_reason(policy, reason)
    override_reason = override_reason.strip() or ("" if survivor_agrees else explanation.strip())
    check_agreement(policy, survivor_agrees, override_reason)
    check_review_meeting(policy, review_meeting_at, now)
    check_no_open_actions(policy, case)
    closure = Closure(
        id=new_id("clo"),
        case=case,
        status=ClosureStatus.AWAITING_APPROVAL,
        reason=reason,
        survivor_agrees=survivor_agrees,
        review_meeting_at=review_meeting_at,
        requested_by=by,
        requested_at=now,
    )
    closure.sealed = sealing.seal(
        case.data_key,
        closure,
        {
            "explanation": explanation.strip(),
            "override_reason": override_reason,
            "perpetrator_explanation": perpetrator_explanation.strip(),
        },
    )
    closure.save(force_insert=True)
    record(
        by,
        "closure.requested",
        case,
        closure=closure.pk,
        reason=reason,
        survivor_agrees=str(survivor_agrees).lower(),
    )
    # Without her agreement it always waits: the override is someone else's decision.
    if policy.closure.manager_approval_required or not survivor_agrees:
        case.status = Status.CLOSING
        case.save(update_fields=["status"])
        return closure
    return close(case=case, closure=closure, by=by, now=now)


def close(*, case: Case, closure: Closure, by: Staff, now: datetime) -> Closure:
    """The case is closed: record it, and write the closure letters the policy asks for."""
    case.status = Status.CLOSED
    case.closed_at = now
    case.closure_reason = closure.reason
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    closure.status = ClosureStatus.CLOSED
    closure.closed_at = now
    closure.save(update_fields=["status", "closed_at"])
    record(by, "case.closed", case, closure=closure.pk, reason=closure.reason)
    closure_letters_write(case=case, by=by, now=now)
    return closure


def closure_letters_write(*, case: Case, by: Staff, now: datetime) -> None:
    """A letter to each party the policy names: to the survivor by post only when she
    said post is safe (otherwise for giving by hand); to each alleged perpetrator."""
    for party in active_policy().closure.letters_to:
        if party == "survivor":
            survivor = case.people.get(role=PersonRole.SURVIVOR)
            channel = "post" if survivor.post_ok is True else "by_hand"
            letters.letter_create(
                case=case, by=by, kind=LetterKind.CLOSURE, recipient=party, channel=channel, now=now
            )
        else:
            perpetrator_letters_write(case=case, by=by, now=now)


def perpetrator_letters_write(*, case: Case, by: Staff, now: datetime) -> None:
    """One letter to each alleged perpetrator on the case, each from his own minimal view.
    Where the policy wants the survivor's permission first and none stands, no letter is
    written and the closure does not fail: each letter is recorded as outstanding, and
    the case shows it (`closure.selectors.letters_outstanding`) until it is written. A
    letter goes by post to his address on record; without one it is written for giving
    by hand, never refused (`address_required` is for a letter asked for by post)."""
    perpetrators = case.people.filter(role=PersonRole.ALLEGED_PERPETRATOR).order_by("id")
    withheld = casework.permission_missing(case, active_policy())
    for person in perpetrators:
        if withheld:
            record(
                by,
                "closure.letter_outstanding",
                case,
                recipient="alleged_perpetrator",
                person=person.pk,
                reason="survivor_permission_required",
            )
            continue
        letters.letter_create(
            case=case,
            by=by,
            kind=LetterKind.CLOSURE,
            recipient="alleged_perpetrator",
            alleged_perpetrator=person.pk,
            channel="post" if sealing.unseal(case.data_key, person).get("address") else "by_hand",
            now=now,
        )


def may_not_approve(policy: Policy) -> Refusal:
    roles = ", ".join(policy.closure.approver_roles)
    return Refusal(
        "may_not_approve_closure",
        f"Only these roles approve a closure: {roles}",
        policy_rule="closure.approver_roles",
        status=403,
    )


def check_approver(policy: Policy, by: Staff) -> None:
    """A role that never decides on a closure, on any case: refused before any lookup."""
    if not (
        access.takes_decision(by, access.Decision.CLOSURE)
        or access.takes_decision(by, access.Decision.CLOSURE_OVERRIDE)
    ):
        raise may_not_approve(policy)


def decision_on(closure: Closure) -> access.Decision:
    """Approving a closure the survivor agreed to, or one without her agreement."""
    return access.Decision.CLOSURE if closure.survivor_agrees else access.Decision.CLOSURE_OVERRIDE


def check_closure_decider(policy: Policy, by: Staff, case: Case, closure: Closure) -> None:
    """Who decides on this closure: the approver roles, or for one without the survivor's
    agreement the override role; on a restricted case never a manager; never the person
    who asked."""
    decision = decision_on(closure)
    access.check_decision_access(by, case, decision)
    if not access.decides(by, case, decision):
        if decision == access.Decision.CLOSURE:
            raise may_not_approve(policy)
        roles = access.decision_roles(policy, decision, restricted=case.restricted)
        raise Refusal(
            "may_not_override_agreement",
            "The survivor has not agreed to the case closing: only "
            + (" or ".join(roles) or "nobody")
            + " may decide to close it without her agreement",
            policy_rule="closure.override_role",
            status=403,
        )
    access.check_not_own_request(by, closure.requested_by_id, "closure")


def pending_closure(case: Case) -> Closure:
    closure = (
        Closure.objects.select_for_update()
        .filter(case=case, status=ClosureStatus.AWAITING_APPROVAL)
        .first()
    )
    if case.status != Status.CLOSING or closure is None:
        raise Refusal(
            "case_not_closing", f"The case is {case.status}: no closure awaits approval", status=409
        )
    return closure


def decision_note(closure: Closure, case: Case, note: str) -> None:
    details = sealing.unseal(case.data_key, closure)
    details["decision_note"] = note.strip()
    closure.sealed = sealing.seal(case.data_key, closure, details)


@transaction.atomic
def closure_approve(
    *, case: Case, by: Staff, note: str = "", now: datetime | None = None
) -> Closure:
    """Approves a closure waiting as `closing`. Without the survivor's agreement the
    approver is the policy's override role and gives the reason (`note`)."""
    now = now or timezone.now()
    policy = active_policy()
    check_approver(policy, by)
    case = locked(case)
    closure = pending_closure(case)
    check_closure_decider(policy, by, case, closure)
    check_no_decisions_pending(case)
    if not closure.survivor_agrees and not note.strip():
        raise Refusal(
            "override_reason_required",
            "Say why the case closes without the survivor's agreement",
            policy_rule="closure.override_role",
            field="note",
        )
    closure.decided_by, closure.decided_at = by, now
    decision_note(closure, case, note)
    closure.save(update_fields=["decided_by", "decided_at", "sealed"])
    record(
        by,
        "closure.approved",
        case,
        closure=closure.pk,
        survivor_agrees=str(closure.survivor_agrees).lower(),
    )
    return close(case=case, closure=closure, by=by, now=now)


@transaction.atomic
def closure_decline(*, case: Case, by: Staff, note: str, now: datetime | None = None) -> Closure:
    """The approver does not agree: the case stays open, and the note says why."""
    now = now or timezone.now()
    policy = active_policy()
    check_approver(policy, by)
    case = locked(case)
    closure = pending_closure(case)
    check_closure_decider(policy, by, case, closure)
    if not note.strip():
        raise Refusal("note_required", "Say why the case should stay open", field="note")
    closure.status = ClosureStatus.DECLINED
    closure.decided_by, closure.decided_at = by, now
    decision_note(closure, case, note)
    closure.save(update_fields=["status", "decided_by", "decided_at", "sealed"])
    case.status = Status.OPEN
    case.save(update_fields=["status"])
    record(by, "closure.declined", case, closure=closure.pk)
    return closure


@transaction.atomic
def case_reopen(*, case: Case, by: Staff, reason: str, now: datetime | None = None) -> Closure:
    """A manager, director or DA lead reopens a closed case, saying why. Returns the
    closure it undid."""
    now = now or timezone.now()
    if by.role not in REOPEN_ROLES:
        raise Refusal("may_not_reopen", "Only a manager, director or DA lead reopens", status=403)
    if not reason.strip():
        raise Refusal("reason_required", "Say why the case is reopened", field="reason")
    case = locked(case)
    if case.status != Status.CLOSED:
        raise Refusal("case_not_closed", f"The case is {case.status}, not closed", status=409)
    closure = Closure.objects.select_for_update().get(case=case, status=ClosureStatus.CLOSED)
    details = sealing.unseal(case.data_key, closure)
    details["reopen_reason"] = reason.strip()
    closure.sealed = sealing.seal(case.data_key, closure, details)
    closure.status = ClosureStatus.REOPENED
    closure.reopened_by, closure.reopened_at = by, now
    closure.save(update_fields=["sealed", "status", "reopened_by", "reopened_at"])
    case.status, case.closed_at, case.closure_reason = Status.OPEN, None, ""
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    record(by, "case.reopened", case, closure=closure.pk)
    return closure


def may_not_evaluate() -> Refusal:
    role = active_policy().closure.evaluation_role
    return Refusal(
        "may_not_evaluate",
        "The policy asks " + (roles_named([role]) if role else "nobody") + " to evaluate closures",
        policy_rule="closure.evaluation_role",
        status=403,
    )


def check_evaluator(by: Staff) -> None:
    """A role that evaluates no closure, on any case: refused before any lookup."""
    if not access.takes_decision(by, access.Decision.EVALUATION):
        raise may_not_evaluate()


def check_evaluation(effectiveness: str, words: dict[str, str]) -> None:
    """An evaluation says something: the judgement of how effective the work was, or some
    words in any of its boxes. Nothing more is required."""
    if effectiveness and effectiveness not in Effectiveness.values:
        raise Refusal(
            "unknown_effectiveness",
            f"effectiveness is one of: {', '.join(Effectiveness.values)}",
            field="effectiveness",
        )
    if not effectiveness and not any(text.strip() for text in words.values()):
        raise Refusal(
            "evaluation_empty",
            "Choose how effective the work was, or write what worked, what did not or what "
            "to do differently",
            field="effectiveness",
        )


@transaction.atomic
def closure_evaluate(
    *,
    case: Case,
    by: Staff,
    notes: str = "",
    effectiveness: str = "",
    worked: str = "",
    did_not_work: str = "",
    lessons: str = "",
    now: datetime | None = None,
) -> Closure:
    """The post-closure evaluation the policy asks of one role (WHA: the director): how
    effective the work was (an `Effectiveness`, or blank), what worked, what did not, what
    to do differently, and other notes (`notes`, the evaluation's one box before issue 18).
    At least the judgement or some words; the words are sealed under the case's key."""
    now = now or timezone.now()
    check_evaluator(by)
    words = {"worked": worked, "did_not_work": did_not_work, "lessons": lessons}
    words["evaluation"] = notes
    check_evaluation(effectiveness, words)
    case = locked(case)
    access.check_decision_access(by, case, access.Decision.EVALUATION)
    if not access.decides(by, case, access.Decision.EVALUATION):
        raise may_not_evaluate()
    closure = (
        Closure.objects.select_for_update().filter(case=case, status=ClosureStatus.CLOSED).first()
    )
    if closure is None or closure.evaluated_at is not None:
        raise Refusal("nothing_to_evaluate", "No closure awaits evaluation", status=409)
    details = sealing.unseal(case.data_key, closure)
    details.update({key: text.strip() for key, text in words.items()})
    closure.sealed = sealing.seal(case.data_key, closure, details)
    closure.effectiveness = effectiveness
    closure.evaluated_by, closure.evaluated_at = by, now
    closure.save(update_fields=["sealed", "effectiveness", "evaluated_by", "evaluated_at"])
    record(by, "closure.evaluated", case, closure=closure.pk)
    return closure
