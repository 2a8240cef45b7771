"""A case heard at a MARAC, for the flag, pack and figures tests: the meeting, the sent
MARAC referral that listed the case, and the hearing with `heard_at` set, as the meeting
services leave them once decisions are recorded (the meeting flows are tested through
their own pages in the other tests of this folder)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from django.test import Client
from django.utils import timezone

from safehold.accounts import services as accounts
from safehold.accounts.models import Staff
from safehold.cases.models import Case, new_id
from safehold.casework.models import Referral
from safehold.marac.models import Hearing, Meeting
from safehold.policy.loader import active_policy

REFERRAL_REASON = "High risk: threats to kill, escalating since the summer."


def referred(case: Case, by: Staff, *, with_consent: bool = True) -> Referral:
    """The case referred to MARAC through the API: with her consent, or on a ground the
    policy allows, approved by a DA lead (made here for the purpose) without it."""
    client = Client(headers={"Authorization": f"Bearer {accounts.token_create(staff=by)}"})
    post = partial(client.post, content_type="application/json")
    if with_consent:
        body = {"agency": "marac", "purpose": "referral", "given": True}
        assert post(f"/api/v1/cases/{case.pk}/consents", body).status_code == 201
        sent = post(
            f"/api/v1/cases/{case.pk}/referrals", {"agency": "marac", "reason": REFERRAL_REASON}
        )
        assert sent.status_code == 201, sent.content
        return Referral.objects.get(pk=sent.json()["id"])
    ground = active_policy().disclosure.grounds[0]
    body = {
        "agency": "marac",
        "reason": REFERRAL_REASON,
        "without_consent": {"ground": ground, "explanation": "Serious risk of harm"},
    }
    held = post(f"/api/v1/cases/{case.pk}/referrals", body)
    assert held.status_code == 201, held.content
    approver = Staff.objects.filter(role="da_lead", is_active=True).first()
    assert approver is not None
    assert approver.pk != by.pk
    approver_client = Client(
        headers={"Authorization": f"Bearer {accounts.token_create(staff=approver)}"}
    )
    approved = approver_client.post(
        f"/api/v1/referrals/{held.json()['id']}/approve",
        {"note": "Agreed"},
        content_type="application/json",
    )
    assert approved.status_code == 200, approved.content
    return Referral.objects.get(pk=held.json()["id"])


def meeting_on(by: Staff, held_on: date | None = None) -> Meeting:
    return Meeting.objects.create(
        id=new_id("mtg"),
        conference="local",
        held_on=held_on or timezone.localdate(),
        created_by=by,
    )


def listed(
    case: Case,
    by: Staff,
    *,
    meeting: Meeting | None = None,
    referral: Referral | None = None,
    heard_at: datetime | None = None,
    repeat: bool = False,
) -> Hearing:
    """The case on a meeting's list (heard when `heard_at` is given)."""
    if referral is None:
        referral = referred(case, by)
    return Hearing.objects.create(
        id=new_id("hrg"),
        meeting=meeting or meeting_on(by),
        case=case,
        referral=referral,
        repeat=repeat,
        risk_level="high",
        score=16,
        assessed_at=timezone.now(),
        marac_reasons=["visible_high_risk"],
        heard_at=heard_at,
        heard_by=by if heard_at else None,
    )
