"""Reading MARAC meetings (docs/marac.md): a meeting is seen by the roles that see cases,
and its list holds only the hearings of cases the reader may see, never a count of the
others. Every read of a hearing's content is audited as a read of its case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import Http404

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.selectors import viewed_record
from safehold.casework.models import Referral, ReferralStatus
from safehold.casework.selectors import MARAC
from safehold.marac.models import Hearing, MaracAction, Meeting
from safehold.marac.services import MARAC_ROLES, PROVIDER
from safehold.policy.clock import months_before
from safehold.policy.loader import active_policy
from safehold.privacy import audit


@dataclass
class ActionView:
    action: MaracAction
    what: str
    agency_name: str
    updates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def waiting_for_discussion(self) -> bool:
        return self.action.provider_own and self.action.plan_action_id is None


@dataclass
class HearingView:
    hearing: Hearing
    notes: str = ""
    survivor_discussion: str = ""
    actions: list[ActionView] = field(default_factory=list)


def may_use_meetings(user: Staff) -> bool:
    return user.is_active and user.role in MARAC_ROLES


def conference_name(conference: str) -> str:
    found = active_policy().marac.conferences.get(conference)
    return found.name if found else conference


def agency_name(agency: str) -> str:
    if agency == PROVIDER:
        return active_policy().provider.name
    found = active_policy().agencies.get(agency)
    return found.name if found else agency


def meetings_for(user: Staff, *, limit: int = 100) -> list[Meeting]:
    if not may_use_meetings(user):
        raise Http404("No such page")
    return list(Meeting.objects.order_by("-held_on", "-created_at")[:limit])


def meeting_for(user: Staff, meeting_id: str) -> Meeting:
    if not may_use_meetings(user):
        raise Http404("No such meeting")
    meeting = Meeting.objects.filter(pk=str(meeting_id)).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def hearings_seen_by(user: Staff, meeting: Meeting, *, via: str) -> list[Hearing]:
    """The meeting's list as this reader may see it: only hearings of cases they may see,
    the read recorded in the audit trail (`case.listed`, naming the cases)."""
    hearings = list(
        Hearing.objects.filter(access.on_one_of(access.cases_visible_to(user)), meeting=meeting)
        .select_related("case", "referral")
        .order_by("case__reference")
    )
    if hearings:
        # One entry for the page, naming its cases (as every list does, cases/selectors.py
        # `with_survivors`), never one per row.
        audit.record(
            actor=user.username,
            action="case.listed",
            target_type="cases",
            detail={"via": via, "cases": [h.case_id for h in hearings]},
        )
    return hearings


def hearing_for(user: Staff, hearing_id: str) -> Hearing:
    """One hearing of a case the user may see; Http404 otherwise, as for a missing one."""
    if not may_use_meetings(user):
        raise Http404("No such hearing")
    hearing = (
        Hearing.objects.filter(access.on_one_of(access.cases_visible_to(user)), pk=str(hearing_id))
        .select_related("meeting", "case", "case__data_key")
        .first()
    )
    if hearing is None:
        raise Http404("No such hearing")
    return hearing


def action_views(hearing: Hearing, actions: list[MaracAction]) -> list[ActionView]:
    views = []
    for action in actions:
        details = sealing.unseal(hearing.case.data_key, action)
        views.append(
            ActionView(
                action=action,
                what=str(details.get("what", "")),
                agency_name=agency_name(action.agency),
                updates=list(details.get("updates", [])),
            )
        )
    return views


def hearing_view(user: Staff, hearing: Hearing, *, via: str) -> HearingView:
    """A hearing's content (notes, discussion, actions), its read audited."""
    viewed_record(user, hearing.case, via=via)
    details = sealing.unseal(hearing.case.data_key, hearing) if hearing.sealed else {}
    actions = list(MaracAction.objects.filter(hearing=hearing).order_by("created_at", "pk"))
    return HearingView(
        hearing=hearing,
        notes=str(details.get("notes", "")),
        survivor_discussion=str(details.get("survivor_discussion", "")),
        actions=action_views(hearing, actions),
    )


def hearings_of_case(case: Any) -> list[HearingView]:
    """A case's hearings and their actions, for its case page (which has already checked
    and audited the read)."""
    hearings = list(
        Hearing.objects.filter(case=case)
        .select_related("meeting", "heard_by", "survivor_discussed_by")
        .order_by("-meeting__held_on")
    )
    if not hearings:
        return []
    actions = list(MaracAction.objects.filter(case=case).order_by("created_at", "pk"))
    views = []
    for hearing in hearings:
        hearing.case = case
        details = sealing.unseal(case.data_key, hearing) if hearing.sealed else {}
        views.append(
            HearingView(
                hearing=hearing,
                notes=str(details.get("notes", "")),
                survivor_discussion=str(details.get("survivor_discussion", "")),
                actions=action_views(hearing, [a for a in actions if a.hearing_id == hearing.pk]),
            )
        )
    return views


def marac_action_for(user: Staff, action_id: str) -> MaracAction:
    """A MARAC action on a case the user may see (staff); Http404 otherwise."""
    if not may_use_meetings(user):
        raise Http404("No such action")
    action = (
        MaracAction.objects.filter(
            access.on_one_of(access.cases_visible_to(user)), pk=str(action_id)
        )
        .select_related("case", "case__data_key", "hearing")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action


def latest_held_on(conference: str) -> date | None:
    meeting = Meeting.objects.filter(conference=conference).order_by("-held_on").first()
    return meeting.held_on if meeting else None


def repeats_seen_by(user: Staff, hearings: list[Hearing]) -> set[str]:
    """The hearings whose repeat flag `user` may be told: the hearing is a repeat AND the
    earlier MARAC referral is on a case the user may see (cases/selectors.py
    `repeats_seen_by`, docs/security.md "Oracles"). One query."""
    rows = [h for h in hearings if h.repeat]
    if not rows:
        return set()
    repeat_months = active_policy().marac.repeat_months
    windows = {}
    for hearing in rows:
        sent = hearing.referral.sent_at or hearing.referral.created_at
        windows[hearing.pk] = (months_before(sent, repeat_months), sent)
    earlier = Referral.objects.filter(
        access.on_one_of(access.cases_visible_to(user)),
        agency=MARAC,
        status=ReferralStatus.SENT,
        case__survivor_identity_id__in={h.case.survivor_identity_id for h in rows},
        sent_at__gte=min(since for since, _ in windows.values()),
    ).values_list("pk", "case__survivor_identity_id", "sent_at")
    found = list(earlier)
    seen = set()
    for hearing in rows:
        since, sent = windows[hearing.pk]
        identity = hearing.case.survivor_identity_id
        if any(
            pk != hearing.referral_id
            and who == identity
            and when is not None
            and since <= when < sent
            for pk, who, when in found
        ):
            seen.add(hearing.pk)
    return seen


def as_told(hearings: list[Hearing], repeats: set[str]) -> None:
    """The hearings as their reader may be told them: the `repeat` MARAC reason taken
    from the rendered instances of those the reader is told are new (`repeats_seen_by`),
    as the risk pages do (risk/selectors.py `seen_by`). Never saved."""
    for hearing in hearings:
        if hearing.pk not in repeats and "repeat" in (hearing.marac_reasons or []):
            hearing.marac_reasons = [r for r in hearing.marac_reasons if r != "repeat"]
