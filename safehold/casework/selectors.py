"""Reads of casework records that other apps depend on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, QuerySet

from safehold.casework.models import Referral, ReferralStatus

MARAC = "marac"  # API.md §3's agency id for the MARAC


def marac_referrals_sent(
    *, survivor_identity_id: str, since: datetime, before: datetime
) -> QuerySet[Referral]:
    """MARAC referrals sent for this survivor (on any of their cases) in [since, before):
    the one place the risk checks ask whether a referral would be a repeat."""
    return Referral.objects.filter(
        case__survivor_identity_id=survivor_identity_id,
        agency=MARAC,
        status=ReferralStatus.SENT,
        sent_at__gte=since,
        sent_at__lt=before,
    )


def marac_referrals_made(*, case: Any, since: Any) -> QuerySet[Referral]:
    """A case's MARAC referrals, sent or awaiting approval, made at or after `since`.
    `case` and `since` may be values or OuterRef expressions."""
    return Referral.objects.filter(
        case=case,
        agency=MARAC,
        status__in=(ReferralStatus.SENT, ReferralStatus.AWAITING_APPROVAL),
        created_at__gte=since,
    )


def marac_referral_since(*, case: Any, since: Any) -> Exists:
    """The same question as a query expression, so a list can ask it of every row."""
    return Exists(marac_referrals_made(case=case, since=since))


def case_referred_to_marac(*, case_id: str, since: datetime) -> bool:
    return marac_referrals_made(case=case_id, since=since).exists()
