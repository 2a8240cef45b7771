"""Reads of casework records, always through cases.access for anything a person sees."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Exists, Model, QuerySet
from django.http import Http404

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case
from safehold.casework.models import (
    Action,
    ActionStatus,
    Consent,
    Document,
    Referral,
    ReferralStatus,
)

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


def consents_standing(case: Case) -> list[Consent]:
    """The latest consent record for each agency and purpose, as the case page shows it."""
    latest: dict[tuple[str, str], Consent] = {}
    for consent in (
        Consent.objects.filter(case=case)
        .order_by("recorded_at", "id")
        .select_related("recorded_by")
    ):
        latest[(consent.agency, consent.purpose)] = consent
    return sorted(latest.values(), key=lambda c: (c.agency, c.purpose))


def referrals_of(case: Case) -> list[tuple[Referral, dict[str, str]]]:
    referrals = Referral.objects.filter(case=case).select_related("created_by", "decided_by")
    referrals = referrals.order_by("-created_at")
    return [(r, sealing.unseal(case.data_key, r)) for r in referrals]


Row = TypeVar("Row", bound=Model)


def on_visible_case(rows: QuerySet[Row], user: Staff, pk: str, what: str) -> Row:
    """The row with this id, when it belongs to a case the user may see; 404 otherwise,
    the same answer whether it is missing or not theirs."""
    found = rows.filter(pk=pk, case__in=access.cases_visible_to(user)).first()
    if found is None:
        raise Http404(f"No such {what}")
    return found


def referral_for(user: Staff, referral_id: str) -> Referral:
    """A referral on a case the user may see; 404 otherwise."""
    rows = Referral.objects.select_related("case", "case__data_key")
    return on_visible_case(rows, user, referral_id, "referral")


def approvals_waiting(user: Staff, *, limit: int = 200) -> list[Referral]:
    """Referrals held for approval on the cases the user may see, oldest first."""
    return list(
        Referral.objects.filter(
            status=ReferralStatus.AWAITING_APPROVAL, case__in=access.cases_visible_to(user)
        )
        .select_related("case", "created_by")
        .order_by("created_at")[:limit]
    )


def action_for(user: Staff, action_id: str) -> Action:
    """An action on a case the user may see; 404 otherwise."""
    rows = Action.objects.select_related("case", "owner")
    return on_visible_case(rows, user, action_id, "action")


def plan_of(case: Case) -> list[tuple[Action, dict[str, str]]]:
    actions = Action.objects.filter(case=case).select_related("owner").order_by("status", "due_at")
    return [(a, sealing.unseal(case.data_key, a)) for a in actions]


def actions_due(user: Staff, *, before: datetime, limit: int = 100) -> list[Action]:
    """Open actions due before `before` on the cases the user may see, soonest first."""
    return list(
        Action.objects.filter(
            status=ActionStatus.OPEN, due_at__lt=before, case__in=access.cases_visible_to(user)
        )
        .select_related("case", "owner")
        .order_by("due_at")[:limit]
    )


def documents_of(case: Case) -> list[Document]:
    return list(Document.objects.filter(case=case).select_related("created_by"))


def document_for(user: Staff, document_id: str) -> Document:
    """A document on a case the user may see; 404 otherwise."""
    rows = Document.objects.select_related("case", "case__data_key")
    return on_visible_case(rows, user, document_id, "document")


def interview_managers(case: Case) -> list[Staff]:
    """Who may agree to an interview with the alleged perpetrator: the team's managers,
    the directors and the DA leads."""
    from django.db.models import Q

    from safehold.accounts.roles import Role

    return list(
        Staff.objects.filter(is_active=True)
        .filter(
            Q(role=Role.MANAGER, team_id=case.team_id) | Q(role__in=(Role.DIRECTOR, Role.DA_LEAD))
        )
        .order_by("full_name")
    )
