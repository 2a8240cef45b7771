"""MARAC meetings (issue 21, docs/marac.md): named, atomic, audited services.

- `meeting_create` records a meeting of one of the policy's conferences and builds its
  list (`meeting_list_build`): every MARAC referral sent and on no meeting's list yet,
  each flagged new or repeat, with the case's latest complete risk assessment.
- `hearing_decisions_record` records what the MARAC decided for one case on the list: the
  notes and the actions agreed. The provider's own actions go onto the case's action plan
  (casework.plan.action_add, `source="marac"`), at once or, where the policy's
  `marac.provider_actions_after_survivor_discussion` says so, once
  `survivor_discussion_record` records the discussion with the survivor.
- `marac_action_status_set` tracks an action's status: for staff who may see the case,
  or for a partner whose agency owns the action (the partner door checks the sharing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases.models import Case, new_id
from safehold.casework import plan
from safehold.casework.models import Referral, ReferralStatus
from safehold.casework.selectors import MARAC, marac_referrals_sent
from safehold.errors import Refusal
from safehold.marac.models import Hearing, MaracAction, MaracActionStatus, Meeting
from safehold.policy.clock import months_before
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit
from safehold.risk.models import AssessmentStatus, RiskAssessment

LONDON = ZoneInfo("Europe/London")
# The agency of an action the provider itself takes on (not in the agencies directory).
PROVIDER = "provider"
# Who attends MARACs for the provider and records what they decided (docs/marac.md).
MARAC_ROLES = (Role.OFFICER, Role.MANAGER, Role.DA_LEAD, Role.DIRECTOR)
MAX_TEXT = 5000
MAX_ACTIONS = 30


@dataclass(frozen=True)
class AgreedAction:
    """One action the MARAC agreed, as the representative records it. `agency` is an id
    from the policy's agencies directory, or `PROVIDER` for the provider's own."""

    agency: str
    what: str
    due_on: date

    @property
    def provider_own(self) -> bool:
        return self.agency == PROVIDER


def today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def record(by: Staff, event: str, case_id: str, **detail: str) -> None:
    audit.record(
        actor=by.username, action=event, target_type="case", target_id=case_id, detail=detail
    )


def check_marac_role(by: Staff) -> None:
    """Meetings are for the roles that see cases; anyone else reads them as missing."""
    if by.role not in MARAC_ROLES or not by.is_active:
        raise Http404("No such meeting")


def check_text(value: str, field: str, what: str, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise Refusal("invalid_text", f"{what} must be text", field=field)
    value = value.strip()
    if required and not value:
        raise Refusal(f"{field}_required", f"Enter {what.lower()}", field=field)
    if len(value) > MAX_TEXT:
        raise Refusal(
            "text_too_long", f"{what} must be {MAX_TEXT} characters or fewer", field=field
        )
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise Refusal("invalid_text", f"{what} holds characters that are not text", field=field)
    return value


def check_conference(policy: Policy, conference: str) -> None:
    if conference not in policy.marac.conferences:
        names = ", ".join(policy.marac.conferences)
        raise Refusal(
            "unknown_conference",
            f"The policy names no MARAC {conference!r}: choose one of {names}",
            policy_rule="marac.conferences",
            field="conference",
        )


# Meetings and their lists ------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, conference: str, held_on: date, by: Staff, now: datetime | None = None
) -> Meeting:
    """A meeting of one of the policy's conferences, on or after its latest meeting, and
    its list built from the MARAC referrals sent and not yet on any list."""
    check_marac_role(by)
    now = now or timezone.now()
    check_conference(active_policy(), conference)
    if not isinstance(held_on, date) or isinstance(held_on, datetime):
        raise Refusal("invalid_date", "held_on must be a date", field="held_on")
    if not today(now).year - 1 <= held_on.year <= today(now).year + 1:
        raise Refusal(
            "held_on_out_of_range",
            "A meeting's date is within a year of today",
            field="held_on",
        )
    latest = (
        Meeting.objects.select_for_update()
        .filter(conference=conference)
        .order_by("-held_on")
        .first()
    )
    if latest is not None and held_on <= latest.held_on:
        raise Refusal(
            "meeting_not_after_last",
            f"This MARAC's latest meeting is on {latest.held_on:%-d %B %Y}: a new meeting "
            "is after it",
            field="held_on",
            status=409,
        )
    meeting = Meeting(
        id=new_id("mtg"), conference=conference, held_on=held_on, created_by=by, created_at=now
    )
    meeting.save(force_insert=True)
    audit.record(
        actor=by.username,
        action="marac.meeting_created",
        target_type="meeting",
        target_id=meeting.pk,
        detail={"conference": conference, "held_on": held_on.isoformat()},
    )
    meeting_list_build(meeting=meeting, by=by, now=now)
    return meeting


def referrals_to_list(now: datetime) -> list[Referral]:
    """Every MARAC referral sent up to `now` and on no meeting's list yet, newest last;
    a case's latest only, where it has several."""
    rows = (
        Referral.objects.filter(
            agency=MARAC,
            status=ReferralStatus.SENT,
            sent_at__lte=now,
            hearings__isnull=True,
            case__erased_at__isnull=True,
        )
        .select_related("case")
        .order_by("sent_at", "pk")
    )
    latest: dict[str, Referral] = {}
    for referral in rows:
        latest[referral.case_id] = referral
    return list(latest.values())


def is_repeat(policy: Policy, referral: Referral) -> bool:
    """SafeLives: a repeat is a referral of the same survivor (on any of their cases, from
    any agency, as recorded here) within `marac.repeat_months` before this one."""
    sent_at = referral.sent_at or referral.created_at
    return marac_referrals_sent(
        survivor_identity_id=referral.case.survivor_identity_id,
        since=months_before(sent_at, policy.marac.repeat_months),
        before=sent_at,
    ).exists()


def latest_assessment(case_id: str) -> RiskAssessment | None:
    return (
        RiskAssessment.objects.filter(case_id=case_id, status=AssessmentStatus.COMPLETE)
        .order_by("-completed_at")
        .first()
    )


@transaction.atomic
def meeting_list_build(*, meeting: Meeting, by: Staff, now: datetime | None = None) -> int:
    """Adds to the meeting's list every MARAC referral sent and not yet on a list.
    Returns how many were added (for tests; a page tells only what the person may see)."""
    check_marac_role(by)
    now = now or timezone.now()
    policy = active_policy()
    on_list = set(Hearing.objects.filter(meeting=meeting).values_list("case_id", flat=True))
    added = 0
    for referral in referrals_to_list(now):
        if referral.case_id in on_list:
            continue
        assessment = latest_assessment(referral.case_id)
        hearing = Hearing(
            id=new_id("hrg"),
            meeting=meeting,
            case_id=referral.case_id,
            referral=referral,
            repeat=is_repeat(policy, referral),
            risk_level=(assessment.level or "") if assessment else "",
            score=assessment.score if assessment else None,
            assessed_at=assessment.completed_at if assessment else None,
            marac_reasons=list(assessment.marac_reasons) if assessment else [],
        )
        hearing.save(force_insert=True)
        record(by, "marac.listed", referral.case_id, meeting=meeting.pk, hearing=hearing.pk)
        added += 1
    return added


@transaction.atomic
def hearing_remove(*, hearing: Hearing, by: Staff) -> None:
    """Takes a case not yet heard off a meeting's list (it belongs to another of the
    policy's conferences): its referral goes onto the next list built."""
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    access.case_for(by, hearing.case_id)
    check_marac_role(by)
    if hearing.heard_at is not None:
        raise Refusal("already_heard", "This case's decisions are recorded", status=409)
    record(by, "marac.unlisted", hearing.case_id, meeting=hearing.meeting_id)
    hearing.delete()


# What the MARAC decided ----------------------------------------------------------------


def check_actions(policy: Policy, actions: list[AgreedAction], *, on: date) -> None:
    if len(actions) > MAX_ACTIONS:
        raise Refusal("too_many_actions", f"Record at most {MAX_ACTIONS} actions at once")
    for number, action in enumerate(actions, start=1):
        field = f"actions.{number}"
        if action.agency != PROVIDER and action.agency not in policy.agencies:
            raise Refusal(
                "unknown_agency",
                f"Action {number}: the policy's directory has no agency {action.agency!r}",
                policy_rule="agencies",
                field=f"{field}.agency",
            )
        check_text(action.what, f"{field}.what", f"Action {number}: what the action is")
        if not isinstance(action.due_on, date) or isinstance(action.due_on, datetime):
            raise Refusal(
                "invalid_date", f"Action {number}: due_on must be a date", field=f"{field}.due"
            )
        if action.due_on < on:
            raise Refusal(
                "due_in_past",
                f"Action {number}: an action cannot be due in the past",
                field=f"{field}.due",
            )
        if action.due_on.year > on.year + 5:
            raise Refusal(
                "due_out_of_range",
                f"Action {number}: an action is due within five years",
                field=f"{field}.due",
            )


def plan_action_add(action: MaracAction, what: str, by: Staff, now: datetime) -> None:
    """Puts one of the provider's own MARAC actions onto the case's action plan, through
    the plan's own service and its checks (the case open, the person trained)."""
    case = action.case
    owner = case.assigned_officer.username if case.assigned_officer else ""
    # not-policy: due at 5pm on the MARAC's day; when that has passed (decisions recorded
    # that evening, or Wrekin's discussion with the survivor after the day) due at once,
    # never refused as "due in the past": the MARAC set the day, not the recorder.
    due_at = max(datetime.combine(action.due_on, time(17, 0), tzinfo=LONDON), now)
    plan_action = plan.action_add(
        case=case,
        by=by,
        kind="support",
        detail=what,
        due_at=due_at,
        owner=owner,
        source="marac",
        now=now,
    )
    action.plan_action = plan_action
    action.save(update_fields=["plan_action"])


@transaction.atomic
def hearing_decisions_record(
    *,
    hearing: Hearing,
    by: Staff,
    notes: str,
    actions: list[AgreedAction],
    now: datetime | None = None,
) -> Hearing:
    """Records what the MARAC decided for one case on the list, once, after the meeting
    is held: the notes (sealed) and the actions agreed. All or nothing."""
    now = now or timezone.now()
    hearing = Hearing.objects.select_for_update().select_related("meeting").get(pk=hearing.pk)
    case = access.case_for(by, hearing.case_id)
    check_marac_role(by)
    policy = active_policy()
    if hearing.heard_at is not None:
        raise Refusal("already_heard", "This case's decisions are already recorded", status=409)
    if hearing.meeting.held_on > today(now):
        raise Refusal(
            "meeting_not_held",
            "The meeting has not been held yet: record its decisions on or after "
            f"{hearing.meeting.held_on:%-d %B %Y}",
            status=409,
        )
    notes = check_text(notes, "notes", "What the MARAC decided")
    check_actions(policy, actions, on=today(now))
    case = Case.objects.select_related("data_key", "assigned_officer").get(pk=case.pk)
    hearing.heard_at = now
    hearing.heard_by = by
    hearing.sealed = sealing.seal(case.data_key, hearing, {"notes": notes})
    hearing.save(update_fields=["heard_at", "heard_by", "sealed"])
    wait = policy.marac.provider_actions_after_survivor_discussion
    for number, agreed in enumerate(actions):
        action = MaracAction(
            id=new_id("mac"),
            hearing=hearing,
            case=case,
            agency=agreed.agency,
            provider_own=agreed.provider_own,
            due_on=agreed.due_on,
            created_by=by,
            # A microsecond apart, so they are listed in the order they were agreed.
            created_at=now + timedelta(microseconds=number),
        )
        what = agreed.what.strip()
        action.sealed = sealing.seal(case.data_key, action, {"what": what, "updates": []})
        action.save(force_insert=True)
        if agreed.provider_own and not wait:
            plan_action_add(action, what, by, now)
    record(
        by,
        "marac.decisions_recorded",
        case.pk,
        hearing=hearing.pk,
        actions=str(len(actions)),
    )
    return hearing


@transaction.atomic
def survivor_discussion_record(
    *, hearing: Hearing, by: Staff, note: str, now: datetime | None = None
) -> Hearing:
    """Records the discussion with the survivor about the MARAC's decisions; the
    provider's own actions that waited for it go onto the action plan."""
    now = now or timezone.now()
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    case = access.case_for(by, hearing.case_id)
    check_marac_role(by)
    if hearing.heard_at is None:
        raise Refusal("not_heard", "Record the MARAC's decisions before the discussion", status=409)
    if hearing.survivor_discussed_at is not None:
        raise Refusal("already_discussed", "The discussion is already recorded", status=409)
    note = check_text(note, "note", "What was discussed with the survivor")
    case = Case.objects.select_related("data_key", "assigned_officer").get(pk=case.pk)
    details = sealing.unseal(case.data_key, hearing) if hearing.sealed else {}
    details["survivor_discussion"] = note
    hearing.survivor_discussed_at = now
    hearing.survivor_discussed_by = by
    hearing.sealed = sealing.seal(case.data_key, hearing, details)
    hearing.save(update_fields=["survivor_discussed_at", "survivor_discussed_by", "sealed"])
    waiting = MaracAction.objects.filter(
        hearing=hearing,
        provider_own=True,
        plan_action__isnull=True,
        status=MaracActionStatus.OPEN,
    ).order_by("created_at", "pk")
    for action in waiting:
        action.case = case
        what = str(sealing.unseal(case.data_key, action).get("what", ""))
        plan_action_add(action, what, by, now)
    record(by, "marac.survivor_discussed", case.pk, hearing=hearing.pk)
    return hearing


# Tracking the actions ------------------------------------------------------------------


def may_set_status(by: Staff, action: MaracAction) -> bool:
    """Staff who may see the case, or a partner whose agency owns the action (the
    partner door has already checked that the sharing stands)."""
    if by.role == Role.PARTNER:
        agency = getattr(by, "agency", "")
        return bool(agency) and agency == action.agency and by.is_active
    return by.role in MARAC_ROLES and access.may_see(by, action.case_id)


@transaction.atomic
def marac_action_status_set(
    *,
    action: MaracAction,
    by: Staff,
    status: str,
    note: str = "",
    now: datetime | None = None,
) -> MaracAction:
    """Sets a MARAC action's status (open, done, cancelled), with an optional note sealed
    with the action. Http404 for anyone who may not know of the action."""
    now = now or timezone.now()
    if not may_set_status(by, action):
        raise Http404("No such action")
    action = MaracAction.objects.select_for_update().get(pk=action.pk)
    if status not in MaracActionStatus.values:
        raise Refusal(
            "unknown_status",
            f"status must be one of: {', '.join(MaracActionStatus.values)}",
            field="status",
        )
    note = check_text(note, "note", "The note", required=False)
    case = Case.objects.select_related("data_key").get(pk=action.case_id)
    details = sealing.unseal(case.data_key, action)
    updates = list(details.get("updates", []))
    updates.append(
        {
            "status": status,
            "note": note,
            "by": by.username,
            "agency": getattr(by, "agency", "") if by.role == Role.PARTNER else "",
            "at": now.isoformat(),
        }
    )
    details["updates"] = updates
    action.status = status
    action.completed_on = today(now) if status == MaracActionStatus.DONE else None
    action.updated_by = by
    action.updated_at = now
    action.sealed = sealing.seal(case.data_key, action, details)
    action.save(update_fields=["status", "completed_on", "updated_by", "updated_at", "sealed"])
    record(by, "marac.action_status", case.pk, action=action.pk, status=status)
    return action
