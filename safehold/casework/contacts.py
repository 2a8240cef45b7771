"""Contacts with the survivor and with the alleged perpetrator. Recording one is casework:
a contact with him needs the survivor's permission and, in person, the interview rules
(consent records and interview requests are casework's), so the service lives here,
above cases, whose Contact model it writes."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import sealing
from safehold.cases.models import Case, Contact, new_id
from safehold.cases.services import locked, next_contact_due, not_in_future, record
from safehold.casework.interviews import check_interview_agreed
from safehold.casework.services import check_perpetrator_permission
from safehold.errors import Refusal
from safehold.policy import vocabulary
from safehold.policy.loader import active_policy

# A contact with the alleged perpetrator by these channels is a meeting with him: an
# interview, under the policy's interview rules (issue 16 §4).
INTERVIEW_CHANNELS = ("visit", "office")


@transaction.atomic
def contact_record(
    *,
    case: Case,
    by: Staff,
    at: datetime,
    channel: str,
    direction: str,
    with_whom: str,
    notes: str = "",
    now: datetime | None = None,
) -> Contact:
    now = now or timezone.now()
    case = locked(case)
    not_in_future(at, now=now, field="at")
    if at < case.reported_at:
        raise Refusal("contact_before_report", "A contact cannot be before the report", field="at")
    for value, allowed, name in (
        (channel, vocabulary.CONTACT_CHANNELS, "channel"),
        (direction, vocabulary.CONTACT_DIRECTIONS, "direction"),
        (with_whom, vocabulary.CONTACT_WITH, "with"),
    ):
        if value not in allowed:
            raise Refusal(f"unknown_{name}", f"{name} must be one of: {', '.join(allowed)}")
    if with_whom == "alleged_perpetrator" and direction == "outbound":
        # Reaching out to him tells him a report was made.
        check_perpetrator_permission(case, active_policy())
    if (
        with_whom == "alleged_perpetrator"
        and direction == "outbound"
        and channel in INTERVIEW_CHANNELS
    ):
        # Meeting him is interviewing him: the interview rules apply.
        # He may still turn up unannounced (inbound): what he said and did is recorded.
        check_interview_agreed(case, active_policy())
    contact = Contact(
        id=new_id("con"),
        case=case,
        at=at,
        channel=channel,
        direction=direction,
        with_whom=with_whom,
        recorded_by=by,
        created_at=now,
    )
    contact.sealed = sealing.seal(case.data_key, contact, {"notes": notes})
    contact.save(force_insert=True)
    if with_whom == "survivor":
        if case.first_contact_at is None or at < case.first_contact_at:
            case.first_contact_at = at
        case.next_contact_due_at = next_contact_due(case, last_contact=at)
        case.save(update_fields=["first_contact_at", "next_contact_due_at"])
    record(by, "contact.recorded", case, contact=contact.pk, with_whom=with_whom)
    return contact
