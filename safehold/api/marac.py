"""MARAC meetings through the API (docs/marac.md "API"): `GET/POST /marac/meetings`,
`GET /marac/meetings/{id}`, `POST /marac/hearings/{id}/decisions`,
`POST /marac/hearings/{id}/survivor-discussion`, `POST /marac/actions/{id}/status`.
The same services and selectors as the pages, the same access rule and audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field, StringConstraints

from safehold.api.cases import staff, utc
from safehold.api.schemas import Strict, problems
from safehold.marac import selectors, services
from safehold.marac.models import Hearing, MaracAction, Meeting

router = Router(tags=["marac"])

Slug = Annotated[str, StringConstraints(max_length=60)]
Text = Annotated[str, StringConstraints(max_length=services.MAX_TEXT)]


class MeetingIn(Strict):
    conference: Slug
    held_on: date


class MeetingSummaryOut(Strict):
    id: str
    conference: str
    conference_name: str
    held_on: date


class MaracActionOut(Strict):
    id: str
    agency: str
    provider_own: bool
    what: str
    due_on: date
    status: str
    completed_on: date | None
    on_action_plan: bool


class HearingOut(Strict):
    id: str
    case_id: str
    case_reference: str
    referral_id: str
    repeat: bool
    risk_level: str | None
    score: int | None
    assessed_at: datetime | None
    marac_reasons: list[str]
    heard_at: datetime | None
    survivor_discussed_at: datetime | None


class MeetingOut(MeetingSummaryOut):
    hearings: list[HearingOut]


class HearingDetailOut(HearingOut):
    notes: str
    survivor_discussion: str
    actions: list[MaracActionOut]


class AgreedActionIn(Strict):
    agency: Slug
    what: Text
    due_on: date


class DecisionsIn(Strict):
    notes: Text
    actions: Annotated[list[AgreedActionIn], Field(max_length=services.MAX_ACTIONS)] = []


class DiscussionIn(Strict):
    note: Text


class ActionStatusIn(Strict):
    status: Literal["open", "done", "cancelled"]
    note: Text = ""


def meeting_summary(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "conference": meeting.conference,
        "conference_name": selectors.conference_name(meeting.conference),
        "held_on": meeting.held_on,
    }


def hearing_out(hearing: Hearing, repeat: bool) -> dict[str, Any]:
    return {
        "id": hearing.pk,
        "case_id": hearing.case_id,
        "case_reference": hearing.case.reference,
        "referral_id": hearing.referral_id,
        "repeat": repeat,
        "risk_level": hearing.risk_level or None,
        "score": hearing.score,
        "assessed_at": utc(hearing.assessed_at),
        "marac_reasons": list(hearing.marac_reasons),
        "heard_at": utc(hearing.heard_at),
        "survivor_discussed_at": utc(hearing.survivor_discussed_at),
    }


def action_out(shown: selectors.ActionView) -> dict[str, Any]:
    action: MaracAction = shown.action
    return {
        "id": action.pk,
        "agency": action.agency,
        "provider_own": action.provider_own,
        "what": shown.what,
        "due_on": action.due_on,
        "status": action.status,
        "completed_on": action.completed_on,
        "on_action_plan": action.plan_action_id is not None,
    }


def hearing_detail(request: HttpRequest, hearing_id: str) -> dict[str, Any]:
    user = staff(request)
    hearing = selectors.hearing_for(user, hearing_id)
    view = selectors.hearing_view(user, hearing, via="api")
    repeats = selectors.repeats_seen_by(user, [hearing])
    selectors.as_told([hearing], repeats)
    repeat = hearing.pk in repeats
    return {
        **hearing_out(hearing, repeat),
        "notes": view.notes,
        "survivor_discussion": view.survivor_discussion,
        "actions": [action_out(shown) for shown in view.actions],
    }


@router.get(
    "/meetings",
    response={200: list[MeetingSummaryOut], **problems(404)},
    summary="MARAC meetings, latest first (404 for a role that attends none)",
)
def meetings_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [meeting_summary(m) for m in selectors.meetings_for(staff(request))]


@router.post(
    "/meetings",
    response={201: MeetingOut, **problems(404, 409, 422)},
    summary="Add a meeting of one of the policy's MARACs; its list is built at once",
)
def meeting_create(request: HttpRequest, body: MeetingIn) -> Status[dict[str, Any]]:
    user = staff(request)
    meeting = services.meeting_create(conference=body.conference, held_on=body.held_on, by=user)
    return Status(201, meeting_out(request, meeting))


def meeting_out(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    user = staff(request)
    hearings = selectors.hearings_seen_by(user, meeting, via="marac_api")
    repeats = selectors.repeats_seen_by(user, hearings)
    selectors.as_told(hearings, repeats)
    return {
        **meeting_summary(meeting),
        "hearings": [hearing_out(h, h.pk in repeats) for h in hearings],
    }


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingOut,
    summary="A meeting and its list: only the cases the caller may see",
)
def meeting_detail(request: HttpRequest, meeting_id: str) -> dict[str, Any]:
    return meeting_out(request, selectors.meeting_for(staff(request), meeting_id))


@router.get(
    "/hearings/{hearing_id}",
    response=HearingDetailOut,
    summary="A case on a meeting's list: what the MARAC decided and the actions agreed",
)
def hearing_get(request: HttpRequest, hearing_id: str) -> dict[str, Any]:
    return hearing_detail(request, hearing_id)


@router.post(
    "/hearings/{hearing_id}/decisions",
    response={201: HearingDetailOut, **problems(409, 422)},
    summary="Record what the MARAC decided for a case on the list, with the actions agreed",
)
def decisions_record(
    request: HttpRequest, hearing_id: str, body: DecisionsIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    hearing = selectors.hearing_for(user, hearing_id)
    services.hearing_decisions_record(
        hearing=hearing,
        by=user,
        notes=body.notes,
        actions=[
            services.AgreedAction(agency=a.agency, what=a.what, due_on=a.due_on)
            for a in body.actions
        ],
    )
    return Status(201, hearing_detail(request, hearing_id))


@router.post(
    "/hearings/{hearing_id}/survivor-discussion",
    response={201: HearingDetailOut, **problems(409, 422)},
    summary="Record the discussion with the survivor; the provider's waiting actions go "
    "onto the action plan",
)
def discussion_record(
    request: HttpRequest, hearing_id: str, body: DiscussionIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    hearing = selectors.hearing_for(user, hearing_id)
    services.survivor_discussion_record(hearing=hearing, by=user, note=body.note)
    return Status(201, hearing_detail(request, hearing_id))


@router.post(
    "/actions/{action_id}/status",
    response={200: MaracActionOut, **problems(422)},
    summary="Set the status of a MARAC action",
)
def action_status_set(request: HttpRequest, action_id: str, body: ActionStatusIn) -> dict[str, Any]:
    user = staff(request)
    action = selectors.marac_action_for(user, action_id)
    services.marac_action_status_set(action=action, by=user, status=body.status, note=body.note)
    hearing = selectors.hearing_for(user, action.hearing_id)
    view = selectors.hearing_view(user, hearing, via="api")
    return action_out(next(a for a in view.actions if a.action.pk == action.pk))
