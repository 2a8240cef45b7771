"""Reads of casework records, always through cases.access for anything a person sees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Case as Case_
from django.db.models import Exists, Model, Q, QuerySet, When
from django.http import Http404

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case
from safehold.casework.models import (
    Action,
    ActionStatus,
    Consent,
    ConsentPurpose,
    Document,
    InterviewStatus,
    PerpetratorInterview,
    Referral,
    ReferralStatus,
    Review,
)
from safehold.policy.loader import active_policy
from safehold.policy.vocabulary import DISCLOSURE_GROUND_LABELS

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


def marac_referrals_sent_for_any(
    *, survivor_identity_ids: Iterable[str], since: datetime, before: datetime
) -> QuerySet[Referral]:
    """`marac_referrals_sent` for several survivors at once, over one span: a page
    checks all its rows in one query."""
    return Referral.objects.filter(
        case__survivor_identity_id__in=list(survivor_identity_ids),
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


@dataclass
class AgencyConsent:
    """What the survivor has said about sharing with one agency of the policy's
    directory, as the referral form shows it: the latest record for a referral and for
    sharing information, if any. Only consent to a referral sends a referral at once
    (`services.referral_make`); without it a referral needs an approved disclosure."""

    agency: str
    name: str
    referral: Consent | None
    sharing: Consent | None

    @property
    def sent_at_once(self) -> bool:
        return bool(self.referral and self.referral.given)


def consent_by_agency(case: Case, directory: dict[str, Any]) -> list[AgencyConsent]:
    """Each agency of the directory, in its order, with the consent that stands for it."""
    standing = {(c.agency, c.purpose): c for c in consents_standing(case) if c.agency}
    return [
        AgencyConsent(
            agency=agency_id,
            name=agency.name,
            referral=standing.get((agency_id, ConsentPurpose.REFERRAL)),
            sharing=standing.get((agency_id, ConsentPurpose.INFORMATION_SHARING)),
        )
        for agency_id, agency in directory.items()
    ]


def referrals_of(case: Case) -> list[tuple[Referral, dict[str, str]]]:
    referrals = Referral.objects.filter(case=case).select_related("created_by", "decided_by")
    referrals = referrals.order_by("-created_at")
    return [(r, sealing.unseal(case.data_key, r)) for r in referrals]


def referrals_to(case: Case, agency: str) -> Referral | None:
    """The latest referral of the case to one agency (the under-age safeguarding task)."""
    return Referral.objects.filter(case=case, agency=agency).order_by("-created_at").first()


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


def referrals_held(user: Staff) -> QuerySet[Referral]:
    """Referrals held for approval on the cases where the user decides disclosures
    (restricted ones included, where the policy gives them the decision), oldest first,
    unread; never one they made. The home page counts them, stopping where it needs."""
    return (
        Referral.objects.filter(
            access.on_one_of(access.cases_for_decision(user, access.Decision.DISCLOSURE)),
            status=ReferralStatus.AWAITING_APPROVAL,
        )
        .exclude(created_by=user)  # nobody decides on their own request
        .select_related("case", "created_by")
        .order_by("created_at", "id")
    )


def approvals_waiting(user: Staff, *, limit: int = 200) -> list[Referral]:
    """The first `limit` of `referrals_held`: the approvals page."""
    return list(referrals_held(user)[:limit])


def referral_for_decision(user: Staff, referral_id: str) -> Referral:
    """A referral on a case the user may see, or on a restricted case while it awaits
    the user's decision as an approver there (that read audited); 404 otherwise."""
    found = (
        Referral.objects.select_related("case", "case__data_key", "created_by", "decided_by")
        .filter(pk=referral_id)
        .first()
    )
    if found is None:
        raise Http404("No such referral")
    waiting = Q(referrals__pk=found.pk, referrals__status=ReferralStatus.AWAITING_APPROVAL)
    found.case = access.case_for_decision(
        user, found.case_id, decision=access.Decision.DISCLOSURE, waiting=waiting
    )
    return found


@dataclass(frozen=True)
class DisclosureView:
    """What an approver reads before deciding on sharing without consent, on the page of
    the decision: what is shared and why, the officer's explanation, the ground in words,
    and the case's risk level and status."""

    referral: Referral
    reason: str
    explanation: str
    note: str

    @property
    def ground_words(self) -> str:
        ground = self.referral.without_consent_ground
        labels: dict[str, str] = {str(k): v for k, v in DISCLOSURE_GROUND_LABELS.items()}
        return labels.get(ground, ground)

    @property
    def agency_name(self) -> str:
        agency = active_policy().agencies.get(self.referral.agency)
        return agency.name if agency else self.referral.agency

    @property
    def risk_level(self) -> str:
        case = self.referral.case
        return case.get_risk_level_display() if case.risk_level else "Not yet assessed"

    @property
    def case_status(self) -> str:
        return self.referral.case.get_status_display()


def disclosure_view(referral: Referral) -> DisclosureView:
    """For a referral reached through `referral_for` or `referral_for_decision`."""
    details = sealing.unseal(referral.case.data_key, referral)
    return DisclosureView(
        referral,
        reason=str(details.get("reason", "")),
        explanation=str(details.get("explanation", "")),
        note=str(details.get("note", "")),
    )


def action_for(user: Staff, action_id: str) -> Action:
    """An action on a case the user may see; 404 otherwise."""
    rows = Action.objects.select_related("case", "owner")
    return on_visible_case(rows, user, action_id, "action")


def plan_of(case: Case) -> list[tuple[Action, dict[str, str]]]:
    """The plan with each action's sealed detail (and, once cancelled, `cancel_reason`):
    cancelled actions last."""
    cancelled_last = Case_(When(status=ActionStatus.CANCELLED, then=1), default=0)
    actions = (
        Action.objects.filter(case=case)
        .select_related("owner", "cancelled_by")
        .order_by(cancelled_last, "status", "due_at")
    )
    return [(a, sealing.unseal(case.data_key, a)) for a in actions]


def action_details(action: Action) -> dict[str, Any]:
    """An action's sealed details (detail, risk assessment, the answer about legal action's
    risk, the reason it was cancelled), for an action reached through `action_for`."""
    return sealing.unseal(action.case.data_key, action)


def outcome(action: Action) -> str | None:
    """What came of an action marked done; None for one that is not done."""
    if action.status != ActionStatus.DONE:
        return None
    return str(action_details(action).get("outcome", ""))


@dataclass
class ReviewView:
    """A review with its sealed parts: the notes, the survivor's views and the progress
    of each action open at the time, paired with its action."""

    review: Review
    notes: str
    survivor_views: str
    progress: list[tuple[Action | None, str]]


def reviews_of(case: Case, actions: Iterable[Action] | None = None) -> list[ReviewView]:
    """A case's reviews, newest first, unsealed (for a reader who may see the case).
    `actions`: the case's actions when the caller has them already (the plan)."""
    reviews = list(Review.objects.filter(case=case).select_related("reviewed_by").order_by("-at"))
    if actions is None and reviews:
        actions = Action.objects.filter(case=case)
    by_id = {a.pk: a for a in actions or ()}
    views = []
    for review in reviews:
        sealed = sealing.unseal(case.data_key, review)
        progress = dict(sealed.get("action_progress") or {})
        views.append(
            ReviewView(
                review=review,
                notes=str(sealed.get("notes", "")),
                survivor_views=str(sealed.get("survivor_views", "")),
                progress=[(by_id.get(pk), str(text)) for pk, text in progress.items()],
            )
        )
    return views


def cancel_reason(action: Action) -> str | None:
    """Why a cancelled action was cancelled; None for one that was not."""
    if action.status != ActionStatus.CANCELLED:
        return None
    return str(action_details(action).get("cancel_reason", ""))


def actions_due(user: Staff, *, before: datetime, limit: int = 100) -> list[Action]:
    """Open actions due before `before` on the cases the user may see, soonest first."""
    return list(
        Action.objects.filter(
            access.on_one_of(access.cases_visible_to(user)),
            status=ActionStatus.OPEN,
            due_at__lt=before,
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


@dataclass(frozen=True)
class InterviewView:
    """An interview request with its sealed safety assessment and decision note."""

    interview: PerpetratorInterview
    safety_assessment: str
    note: str


def interview_view(interview: PerpetratorInterview) -> InterviewView:
    details = sealing.unseal(interview.case.data_key, interview)
    return InterviewView(
        interview,
        safety_assessment=str(details.get("safety_assessment", "")),
        note=str(details.get("note", "")),
    )


def interviews_of(case: Case) -> list[InterviewView]:
    """The case's interview requests and their answers, newest first (the case page)."""
    rows = (
        PerpetratorInterview.objects.filter(case=case)
        .select_related("planned_by", "decided_by")
        .order_by("-created_at")
    )
    views = []
    for row in rows:
        row.case = case
        views.append(interview_view(row))
    return views


def interviews_waiting(user: Staff) -> QuerySet[PerpetratorInterview]:
    """Interview requests waiting for this user's agreement, oldest first, unread: on
    the open cases of their team for a manager, and on restricted cases for the roles
    that decide there; never one they asked for. The queue page reads one page of
    them and the home page counts them, each stopping where it needs (issue 19)."""
    return (
        PerpetratorInterview.objects.filter(
            access.on_one_of(access.cases_for_decision(user, access.Decision.INTERVIEW)),
            status=InterviewStatus.AWAITING_AGREEMENT,
            case__status="open",
        )
        .exclude(planned_by=user)  # nobody decides on their own request
        .select_related("case", "case__team", "planned_by")
        .order_by("created_at", "id")
    )


def interview_for_decision(user: Staff, interview_id: str) -> PerpetratorInterview:
    """An interview request on a case the user may see, or on a restricted case while it
    waits for the user's answer as the role deciding there (that read audited); 404
    otherwise."""
    found = (
        PerpetratorInterview.objects.select_related(
            "case", "case__data_key", "planned_by", "decided_by"
        )
        .filter(pk=interview_id)
        .first()
    )
    if found is None:
        raise Http404("No such interview request")
    waiting = Q(
        perpetrator_interviews__pk=found.pk,
        perpetrator_interviews__status=InterviewStatus.AWAITING_AGREEMENT,
    )
    found.case = access.case_for_decision(
        user, found.case_id, decision=access.Decision.INTERVIEW, waiting=waiting
    )
    return found
