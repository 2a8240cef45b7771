"""Feedback after closure: asking the survivor by a channel she marked safe, and
recording what she says: a score, comments, a complaint or praise."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import sealing
from safehold.cases.models import Case, PersonRole, Status, new_id
from safehold.closure.models import Feedback, FeedbackChannel, FeedbackKind, FeedbackRequest
from safehold.errors import Refusal
from safehold.privacy import audit

MAX_COMMENTS = 20_000


def check_closed(case: Case) -> None:
    if case.status != Status.CLOSED:
        raise Refusal(
            "case_not_closed",
            "Feedback is asked for and recorded once the case is closed",
            status=409,
        )


def safe_channels(case: Case) -> list[str]:
    """The channels by which the survivor may be asked: those she gave and said are
    safe. In person is always possible; post only when she said post is safe."""
    survivor = case.people.get(role=PersonRole.SURVIVOR)
    details = sealing.unseal(case.data_key, survivor)
    channels = []
    if details.get("phone"):
        channels.append(FeedbackChannel.PHONE.value)
    if details.get("email"):
        channels.append(FeedbackChannel.EMAIL.value)
    if survivor.post_ok is True:
        channels.append(FeedbackChannel.POST.value)
    channels.append(FeedbackChannel.IN_PERSON.value)
    return channels


@transaction.atomic
def feedback_request(
    *, case: Case, by: Staff, channel: str, now: datetime | None = None
) -> FeedbackRequest:
    now = now or timezone.now()
    check_closed(case)
    if channel not in FeedbackChannel.values:
        raise Refusal(
            "unknown_channel",
            f"channel must be one of: {', '.join(FeedbackChannel.values)}",
            field="channel",
        )
    if channel not in safe_channels(case):
        raise Refusal(
            "unsafe_contact_channel",
            "The survivor has not given that channel as safe: choose another",
            field="channel",
        )
    asked = FeedbackRequest.objects.create(
        id=new_id("fbr"), case=case, channel=channel, requested_by=by, requested_at=now
    )
    audit.record(
        actor=by.username,
        action="feedback.requested",
        target_type="case",
        target_id=case.pk,
        detail={"channel": channel},
    )
    return asked


@transaction.atomic
def feedback_record(
    *,
    case: Case,
    by: Staff,
    satisfaction: int | None = None,
    comments: str = "",
    kind: str = FeedbackKind.FEEDBACK,
    now: datetime | None = None,
) -> Feedback:
    """Satisfaction is 1 (very unhappy) to 5 (very happy), or left out if the survivor
    gave no score; complaints and praise are recorded as such."""
    now = now or timezone.now()
    check_closed(case)
    if kind not in FeedbackKind.values:
        raise Refusal(
            "unknown_feedback_kind",
            f"kind must be one of: {', '.join(FeedbackKind.values)}",
            field="kind",
        )
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise Refusal(
            "satisfaction_out_of_range", "Satisfaction is a score from 1 to 5", field="satisfaction"
        )
    if satisfaction is None and not comments.strip():
        raise Refusal(
            "feedback_empty", "Give a satisfaction score or comments", field="satisfaction"
        )
    if len(comments) > MAX_COMMENTS:
        raise Refusal(
            "comments_too_long", "Comments are at most 20,000 characters", field="comments"
        )
    feedback = Feedback(
        id=new_id("fdb"),
        case=case,
        kind=kind,
        satisfaction=satisfaction,
        recorded_by=by,
        recorded_at=now,
    )
    feedback.sealed = sealing.seal(case.data_key, feedback, {"comments": comments.strip()})
    feedback.save(force_insert=True)
    audit.record(
        actor=by.username,
        action="feedback.recorded",
        target_type="case",
        target_id=case.pk,
        detail={"feedback": feedback.pk, "kind": kind},
    )
    return feedback
