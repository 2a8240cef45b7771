"""The MARAC pack (issue 21, docs/marac.md "The MARAC pack"): a PDF, for the provider's
representative at a meeting, of the cases on the meeting's list that the requester may
see, each with only what the disclosure to MARAC allows.

A case's disclosure to MARAC stands when her consent to share with MARAC stands, or a
referral to MARAC was approved and sent without consent (`casework.services.
disclosure_basis(case, "marac")`). Then the pack gives the reference, new or repeat, the
risk level, score and date and the MARAC reasons the list holds, and the words of the
MARAC referral; with her consent also a chronology summary (the dates and kinds of the
case's events, never their notes), since a disclosure approved without consent shares
the risk that justified it and the approved words, nothing more (as the referral letter
does, casework/letters.py `MaracDetails`). A case with no standing basis appears by
reference only: "nothing may be shared".

Making the pack is a disclosure of each case in it: one `disclosure.marac_pack` entry per
case, with the basis (or `none` for a case listed by reference only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case, Incident
from safehold.casework.letters import pdf_from_html
from safehold.casework.models import Referral, ReferralStatus
from safehold.casework.services import DisclosureBasis, disclosure_basis
from safehold.marac import selectors
from safehold.marac.models import Hearing, Meeting
from safehold.policy.letterhead import Letterhead, letterhead
from safehold.policy.loader import active_policy
from safehold.policy.vocabulary import DISCLOSURE_GROUND_LABELS
from safehold.privacy import audit
from safehold.risk.models import AssessmentStatus, RiskAssessment

LONDON = ZoneInfo("Europe/London")
MARAC = "marac"
REASON_WORDS = {
    "visible_high_risk": "Visible high risk: the checklist score is at the high-risk threshold",
    "professional_judgement": "Professional judgement: the officer judges the risk to be high",
    "potential_escalation": "Potential escalation: police call-outs at or over the threshold",
    "repeat": "Repeat: referred to MARAC in the months before",
}
LEVEL_WORDS = {"standard": "Standard", "medium": "Medium", "high": "High"}


@dataclass(frozen=True)
class PackCase:
    """One case of the pack as the disclosure allows it; `shared` False: reference only."""

    reference: str
    shared: bool
    basis: str = ""
    repeat: bool = False
    risk_level: str = ""
    score: int | None = None
    assessed_on: date | None = None
    reasons: tuple[str, ...] = ()
    referral_reason: str = ""
    with_consent: bool = False
    chronology: tuple[tuple[date, str], ...] = ()


@dataclass(frozen=True)
class Pack:
    provider: Letterhead
    conference: str
    held_on: date
    prepared_by: str
    prepared_at: datetime
    cases: tuple[PackCase, ...]


def hearings_for(user: Staff, meeting_id: str) -> tuple[Meeting, list[Hearing]]:
    """The meeting and its hearings of cases `user` may see; 404 for a missing meeting,
    for a role that uses no meetings (marac.selectors.meeting_for), and where the user
    may see none of its cases (so the answer tells an outsider nothing)."""
    meeting = selectors.meeting_for(user, meeting_id)
    hearings = list(
        Hearing.objects.filter(access.on_one_of(access.cases_visible_to(user)), meeting=meeting)
        .select_related("case", "case__data_key", "referral")
        .order_by("case__reference")
    )
    if not hearings:
        raise Http404("No such meeting")
    return meeting, hearings


def basis_words(basis: DisclosureBasis) -> str:
    if basis.consent is not None:
        return "With her consent"
    ground = basis.referral.without_consent_ground if basis.referral else ""
    label = DISCLOSURE_GROUND_LABELS.get(ground, ground)  # type: ignore[call-overload]
    return f"Without her consent, approved: {label}"


def referral_reason(case: Case, hearing: Hearing, basis: DisclosureBasis) -> str:
    """The words of the MARAC referral the disclosure rests on: the approved one without
    consent; with consent, the hearing's referral if sent, else the latest sent."""
    referral = basis.referral
    if referral is None and hearing.referral is not None:
        sent = hearing.referral.status == ReferralStatus.SENT and hearing.referral.agency == MARAC
        referral = hearing.referral if sent else None
    if referral is None:
        referral = (
            Referral.objects.filter(case=case, agency=MARAC, status=ReferralStatus.SENT)
            .order_by("-sent_at", "-id")
            .first()
        )
    if referral is None:
        return ""
    return str(sealing.unseal(case.data_key, referral).get("reason", ""))


def on(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def chronology_summary(case: Case) -> tuple[tuple[date, str], ...]:
    """The dates and kinds of the case's events, from plain columns only: its report,
    further incidents, completed risk assessments, MARAC referrals sent and hearings."""
    events: list[tuple[datetime | None, str]] = [(case.reported_at, "Report received")]
    incidents = Incident.objects.filter(case=case).values_list("reported_at", flat=True)
    events += [(at, "Further incident reported") for at in incidents]
    assessed = RiskAssessment.objects.filter(case=case, status=AssessmentStatus.COMPLETE)
    events += [
        (at, f"Risk assessment: {LEVEL_WORDS.get(level or '', 'not scored')} risk")
        for at, level in assessed.values_list("completed_at", "level")
    ]
    referrals = Referral.objects.filter(case=case, agency=MARAC, status=ReferralStatus.SENT)
    events += [(at, "Referred to MARAC") for at in referrals.values_list("sent_at", flat=True)]
    heard = Hearing.objects.filter(case=case, heard_at__isnull=False)
    events += [(at, "Heard at MARAC") for at in heard.values_list("heard_at", flat=True)]
    dated = sorted((at, kind) for at, kind in events if at is not None)
    return tuple((on(at), kind) for at, kind in dated)


def pack_case(hearing: Hearing, basis: DisclosureBasis | None, *, repeat: bool) -> PackCase:
    case = hearing.case
    if basis is None:
        return PackCase(reference=case.reference, shared=False)
    with_consent = basis.consent is not None
    return PackCase(
        reference=case.reference,
        shared=True,
        basis=basis_words(basis),
        repeat=repeat,
        risk_level=LEVEL_WORDS.get(hearing.risk_level or "", "Not assessed"),
        score=hearing.score,
        assessed_on=on(hearing.assessed_at) if hearing.assessed_at else None,
        reasons=tuple(
            REASON_WORDS.get(r, r) for r in hearing.marac_reasons or () if repeat or r != "repeat"
        ),
        referral_reason=referral_reason(case, hearing, basis),
        with_consent=with_consent,
        chronology=chronology_summary(case) if with_consent else (),
    )


@transaction.atomic
def pack_create(*, user: Staff, meeting_id: str, now: datetime) -> bytes:
    """The pack as a PDF, audited as a disclosure of each case in it."""
    meeting, hearings = hearings_for(user, meeting_id)
    bases = {hearing.pk: disclosure_basis(hearing.case, MARAC) for hearing in hearings}
    # New or repeat as the list tells this reader (docs/security.md "Oracles").
    repeats = selectors.repeats_seen_by(user, hearings)
    pack = Pack(
        provider=letterhead(active_policy()),
        conference=selectors.conference_name(meeting.conference),
        held_on=meeting.held_on,
        prepared_by=user.full_name,
        prepared_at=now,
        cases=tuple(
            pack_case(hearing, bases[hearing.pk], repeat=hearing.pk in repeats)
            for hearing in hearings
        ),
    )
    pdf = pdf_from_html(render_to_string("marac/pack.html", {"pack": pack}))
    for hearing in hearings:
        basis = bases[hearing.pk]
        detail = basis.audit_detail() if basis else {"agency": MARAC, "basis": "none"}
        audit.record(
            actor=user.username,
            action="disclosure.marac_pack",
            target_type="case",
            target_id=hearing.case_id,
            detail={"meeting": meeting.pk, "shared": "yes" if basis else "no", **detail},
        )
    return pdf
