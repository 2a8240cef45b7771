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
from safehold.cases import sealing
from safehold.cases.models import Case, PersonRole, Status, new_id
from safehold.casework import letters
from safehold.casework import services as casework
from safehold.casework.models import Action, ActionStatus, LetterKind
from safehold.closure.models import Closure, ClosureStatus
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit

REOPEN_ROLES = (Role.MANAGER, Role.DIRECTOR, Role.DA_LEAD)
MIN_REASON = 10


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


def may_override_agreement(policy: Policy, user: Staff) -> bool:
    """Whether the policy lets this person close a case the survivor has not agreed to
    close: agreement is overridable, and they have the override role."""
    rules = policy.closure
    return rules.survivor_agreement == "overridable" and user.role == rules.override_role


def check_agreement(policy: Policy, by: Staff, survivor_agrees: bool, override_reason: str) -> None:
    """Without the survivor's agreement a case closes only where the policy lets a named
    role override it, and that person gives a reason."""
    if survivor_agrees:
        return
    rules = policy.closure
    if not may_override_agreement(policy, by):
        rule = (
            "closure.survivor_agreement" if rules.override_role is None else "closure.override_role"
        )
        raise Refusal(
            "survivor_agreement_required",
            "The policy closes a case only with the survivor's agreement"
            + (
                f", unless the {rules.override_role} decides otherwise"
                if rules.override_role
                else ""
            ),
            policy_rule=rule,
            field="survivor_agrees",
        )
    if len(override_reason.strip()) < MIN_REASON:
        raise Refusal(
            "override_reason_required",
            "Say why the case closes without the survivor's agreement",
            policy_rule="closure.override_role",
            field="override_reason",
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
    now = now or timezone.now()
    policy = active_policy()
    case = locked(case)
    if case.status != Status.OPEN:
        raise Refusal("case_not_open", f"The case is {case.status}, not open", status=409)
    check_reason(policy, reason)
    override_reason = override_reason.strip() or ("" if survivor_agrees else explanation.strip())
    check_agreement(policy, by, survivor_agrees, override_reason)
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
    if policy.closure.manager_approval_required:
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
    the case shows it (`closure.selectors.letters_outstanding`) until it is written."""
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
            channel="post",
            now=now,
        )


def check_approver(policy: Policy, by: Staff) -> None:
    if by.role not in policy.closure.approver_roles:
        roles = ", ".join(policy.closure.approver_roles)
        raise Refusal(
            "may_not_approve_closure",
            f"Only these roles approve a closure: {roles}",
            policy_rule="closure.approver_roles",
            status=403,
        )


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
    now = now or timezone.now()
    check_approver(active_policy(), by)
    case = locked(case)
    closure = pending_closure(case)
    closure.decided_by, closure.decided_at = by, now
    decision_note(closure, case, note)
    closure.save(update_fields=["decided_by", "decided_at", "sealed"])
    record(by, "closure.approved", case, closure=closure.pk)
    return close(case=case, closure=closure, by=by, now=now)


@transaction.atomic
def closure_decline(*, case: Case, by: Staff, note: str, now: datetime | None = None) -> Closure:
    """The approver does not agree: the case stays open, and the note says why."""
    now = now or timezone.now()
    check_approver(active_policy(), by)
    if len(note.strip()) < MIN_REASON:
        raise Refusal("note_required", "Say why the case should stay open", field="note")
    case = locked(case)
    closure = pending_closure(case)
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
    if len(reason.strip()) < MIN_REASON:
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


@transaction.atomic
def closure_evaluate(*, case: Case, by: Staff, notes: str, now: datetime | None = None) -> Closure:
    """The post-closure evaluation the policy asks of one role (WHA: the director)."""
    now = now or timezone.now()
    role = active_policy().closure.evaluation_role
    if role is None or by.role != role:
        raise Refusal(
            "may_not_evaluate",
            "The policy asks " + (f"the {role}" if role else "nobody") + " to evaluate closures",
            policy_rule="closure.evaluation_role",
            status=403,
        )
    if not notes.strip():
        raise Refusal("notes_required", "Write the evaluation", field="notes")
    case = locked(case)
    closure = (
        Closure.objects.select_for_update().filter(case=case, status=ClosureStatus.CLOSED).first()
    )
    if closure is None or closure.evaluated_at is not None:
        raise Refusal("nothing_to_evaluate", "No closure awaits evaluation", status=409)
    details = sealing.unseal(case.data_key, closure)
    details["evaluation"] = notes.strip()
    closure.sealed = sealing.seal(case.data_key, closure, details)
    closure.evaluated_by, closure.evaluated_at = by, now
    closure.save(update_fields=["sealed", "evaluated_by", "evaluated_at"])
    record(by, "closure.evaluated", case, closure=closure.pk)
    return closure
