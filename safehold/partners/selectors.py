"""The partner door: the only way a partner (someone at another agency, API.md §4) reads
anything of a case (docs/partners.md).

A partner sees a case when, and only while, it was shared with their agency:

- a referral to the agency was sent (`status` sent), and its basis still stands: for a
  referral sent with the survivor's consent, the latest consent record for that agency
  (purpose `referral` or `information_sharing`) is not a withdrawal; a disclosure
  approved without consent (`without_consent_ground` set) stands once approved;
- the case is not erased;
- a restricted case (the survivor is a member of staff) only when a DA lead approved
  sharing it with that agency through this door (`RestrictedShare`, approved).

Anything else is Http404, exactly as for a case that does not exist: the same answer
for a missing case, another agency's, a withdrawn one and a restricted one.

What they see is only what was shared: the case's reference, the referrals to their
agency whose basis stands (date, basis, the referral's words), the letters sent to their
agency, the updates their agency added, and the MARAC actions their agency owns. Never
the survivor's address or contact details (no record says they were shared: a letter to
an agency never carries them, casework/letters.py); the survivor's name only inside the
referral letter itself, as that letter gave it. Every read is audited here.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.http import Http404

from safehold.accounts.models import Staff
from safehold.accounts.roles import is_partner
from safehold.cases import sealing
from safehold.cases.models import Case
from safehold.casework.models import (
    Consent,
    ConsentPurpose,
    Document,
    Recipient,
    Referral,
    ReferralStatus,
)
from safehold.partners.models import (
    PartnerDocument,
    PartnerUpdate,
    RestrictedShare,
    ShareStatus,
)
from safehold.privacy import audit

SHARING_PURPOSES = (ConsentPurpose.REFERRAL, ConsentPurpose.INFORMATION_SHARING)


def partner_agency(user: Staff) -> str | None:
    """The agency whose shares the user reads: a partner's, when active; None for
    anyone else (who reads nothing through this door)."""
    if not user.is_active or not is_partner(user.role) or not user.agency:
        return None
    return str(user.agency)


def consent_stands(case: Case, agency: str) -> bool:
    """Whether the survivor's latest word on sharing with the agency (a referral or
    information sharing) is consent, not its withdrawal."""
    latest = (
        Consent.objects.filter(case=case, agency=agency, purpose__in=SHARING_PURPOSES)
        .order_by("-recorded_at", "-id")
        .first()
    )
    return latest is not None and latest.given


def referrals_standing(case: Case, agency: str) -> list[Referral]:
    """The referrals sent to the agency whose basis still stands, oldest first."""
    sent = list(
        Referral.objects.filter(case=case, agency=agency, status=ReferralStatus.SENT).order_by(
            "sent_at", "created_at", "id"
        )
    )
    with_consent = [r for r in sent if not r.without_consent_ground]
    if with_consent and not consent_stands(case, agency):
        sent = [r for r in sent if r.without_consent_ground]
    return sent


def restricted_share_approved(case: Case, agency: str) -> bool:
    return RestrictedShare.objects.filter(
        case=case, agency=agency, status=ShareStatus.APPROVED
    ).exists()


def candidate_cases(agency: str) -> QuerySet[Case]:
    """Cases with a referral sent to the agency, not erased; restricted ones only with a
    DA lead's approval. Whether each basis still stands is asked of each (`shared_case`)."""
    sent = Referral.objects.filter(case=OuterRef("pk"), agency=agency, status=ReferralStatus.SENT)
    approved = RestrictedShare.objects.filter(
        case=OuterRef("pk"), agency=agency, status=ShareStatus.APPROVED
    )
    return Case.objects.filter(
        Exists(sent), Q(restricted=False) | Q(Exists(approved)), erased_at__isnull=True
    ).select_related("data_key")


def shared_case(user: Staff, case_id: str) -> tuple[Case, str, list[Referral]]:
    """The case, its partner's agency and the referrals that stand, when the case is shared
    with the user's agency now; Http404 otherwise, as for a case that does not exist.
    Not audited: the callers that show or write something record it."""
    agency = partner_agency(user)
    if agency is None:
        raise Http404("No such case")
    case = candidate_cases(agency).filter(pk=str(case_id)).first()
    if case is None:
        raise Http404("No such case")
    standing = referrals_standing(case, agency)
    if not standing:
        raise Http404("No such case")
    return case, agency, standing


# How many shared cases a page (and an answer of the API) lists, newest referral first.
SHARED_PAGE = 50


def sharing_stands(agency: str) -> tuple[dict[str, Any], Q]:
    """`referrals_standing` asked of every case at once, for a list: annotations (the
    survivor's latest word on sharing with the agency, and the latest referral sent with
    and without consent) and the condition that a referral's basis stands."""
    sent = Referral.objects.filter(case=OuterRef("pk"), agency=agency, status=ReferralStatus.SENT)
    latest = sent.order_by("-sent_at", "-id").values("sent_at")[:1]
    without = sent.exclude(without_consent_ground="")
    word = Consent.objects.filter(case=OuterRef("pk"), agency=agency, purpose__in=SHARING_PURPOSES)
    annotations = {
        "consent_now": Subquery(word.order_by("-recorded_at", "-id").values("given")[:1]),
        "last_any": Subquery(latest),
        "last_without": Subquery(without.order_by("-sent_at", "-id").values("sent_at")[:1]),
    }
    standing = Q(Exists(without)) | Q(consent_now=True)
    return annotations, standing


@dataclass
class SharedPage:
    """One page of the cases shared with an agency, and whether there are more."""

    cases: list[SharedSummary]
    page: int
    more: bool


def shared_cases(user: Staff, *, via: str, page: int = 1) -> SharedPage:
    """The cases shared with the user's agency now, newest referral first, `SHARED_PAGE`
    a page: a fixed number of queries whatever their number, and one audit entry
    (`case.listed`, naming the cases listed) for the page."""
    agency = partner_agency(user)
    if agency is None or page < 1:
        return SharedPage([], page, more=False)
    annotations, standing = sharing_stands(agency)
    last = CaseWhen(When(consent_now=True, then=F("last_any")), default=F("last_without"))
    rows = list(
        candidate_cases(agency)
        .annotate(**annotations)
        .filter(standing)
        .annotate(last_sent_at=last)
        .order_by("-last_sent_at", "-pk")
        .values_list("pk", "reference", "last_sent_at")[
            (page - 1) * SHARED_PAGE : page * SHARED_PAGE + 1
        ]
    )
    found = [SharedSummary(id=pk, reference=ref, last_sent_at=at) for pk, ref, at in rows]
    listed = found[:SHARED_PAGE]
    if listed:
        audit.record(
            actor=user.username,
            action="case.listed",
            target_type="cases",  # several: their ids are in the detail
            detail={"via": via, "agency": agency, "cases": [s.id for s in listed]},
        )
    return SharedPage(listed, page, more=len(found) > SHARED_PAGE)


@dataclass
class SharedSummary:
    id: str
    reference: str
    last_sent_at: datetime


@dataclass
class SharedReferral:
    id: str
    sent_at: datetime
    with_consent: bool
    ground: str
    reason: str


@dataclass
class SharedDocument:
    id: str
    kind: str
    created_at: datetime


@dataclass
class SharedUpdate:
    id: str
    text: str
    by: str
    created_at: datetime


@dataclass
class SharedUpload:
    """A document a partner added."""

    id: str
    filename: str
    description: str
    content_type: str
    size: int
    by: str
    agency: str
    created_at: datetime


@dataclass
class SharedAction:
    id: str
    what: str
    status: str
    due_at: datetime | None


@dataclass
class SharedView:
    """Only what was shared with the agency (docs/partners.md)."""

    id: str
    reference: str
    agency: str
    referrals: list[SharedReferral]
    documents: list[SharedDocument]
    updates: list[SharedUpdate]
    marac_actions: list[SharedAction] = field(default_factory=list)
    uploads: list[SharedUpload] = field(default_factory=list)


def shared_case_read(user: Staff, case_id: str, *, via: str) -> tuple[Case, str]:
    """`shared_case` for a page that shows the case (its reference, on a form to add to
    it), audited as a read as the shared view is."""
    case, agency, _ = shared_case(user, case_id)
    audit.record(
        actor=user.username,
        action="case.viewed",
        target_type="case",
        target_id=case.pk,
        detail={"via": via, "agency": agency},
    )
    return case, agency


def shared_view(user: Staff, case_id: str, *, via: str) -> SharedView:
    """The shared view of one case, audited as a read (`case.viewed`, `via`)."""
    case, agency, standing = shared_case(user, case_id)
    referrals = []
    for referral in standing:
        words = sealing.unseal(case.data_key, referral)
        referrals.append(
            SharedReferral(
                id=referral.pk,
                sent_at=referral.sent_at or referral.created_at,
                with_consent=not referral.without_consent_ground,
                ground=referral.without_consent_ground,
                reason=str(words.get("reason", "")),
            )
        )
    view = SharedView(
        id=case.pk,
        reference=case.reference,
        agency=agency,
        referrals=referrals,
        documents=[
            SharedDocument(id=d.pk, kind=d.kind, created_at=d.created_at)
            for d in documents_shared(case, agency).defer("sealed")
        ],
        updates=updates_from(case, agency),
        marac_actions=marac_actions_of(case, agency),
        uploads=uploads_of(case, agency),
    )
    audit.record(
        actor=user.username,
        action="case.viewed",
        target_type="case",
        target_id=case.pk,
        detail={"via": via, "agency": agency},
    )
    return view


def documents_to(case: Case, agency: str) -> QuerySet[Document]:
    """The letters sent to the agency: what it was sent, and nothing else."""
    return Document.objects.filter(case=case, recipient=Recipient.AGENCY, agency=agency).order_by(
        "created_at", "id"
    )


def documents_shared(case: Case, agency: str) -> QuerySet[Document]:
    """The letters to the agency that the sharing still covers. While her consent stands,
    or where she was never asked (every letter rests on an approved disclosure), all of
    them; once she has withdrawn it, only those written since, which rest on a disclosure
    approved without consent: a letter written under the consent she withdrew goes with
    its referral (`referrals_standing`), as her withdrawal ends what it covered."""
    letters = documents_to(case, agency)
    if consent_stands(case, agency):
        return letters
    withdrawn = (
        Consent.objects.filter(case=case, agency=agency, purpose__in=SHARING_PURPOSES, given=False)
        .order_by("-recorded_at", "-id")
        .first()
    )
    if withdrawn is None:
        return letters
    return letters.filter(created_at__gt=withdrawn.recorded_at)


def shared_document(user: Staff, case_id: str, document_id: str) -> Document:
    """A letter sent to the user's agency on a case shared with it now; Http404 otherwise.
    The caller audits the download (casework/letters.document_pdf)."""
    case, agency, _ = shared_case(user, case_id)
    document = documents_shared(case, agency).filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document")
    document.case = case
    return document


def updates_from(case: Case, agency: str) -> list[SharedUpdate]:
    rows = PartnerUpdate.objects.filter(case=case, agency=agency).select_related("created_by")
    return [
        SharedUpdate(
            id=row.pk,
            text=str(sealing.unseal(case.data_key, row).get("text", "")),
            by=row.created_by.full_name,
            created_at=row.created_at,
        )
        for row in rows.order_by("created_at", "id")
    ]


def uploads_of(case: Case, agency: str | None = None) -> list[SharedUpload]:
    """The documents partners added to the case: one agency's (for its partners), or
    every agency's (for staff who see the case)."""
    rows = PartnerDocument.objects.filter(case=case).defer("content").select_related("created_by")
    if agency is not None:
        rows = rows.filter(agency=agency)
    shown = []
    for row in rows.order_by("created_at", "id"):
        details = sealing.unseal(case.data_key, row)
        shown.append(
            SharedUpload(
                id=row.pk,
                filename=str(details.get("filename", "")),
                description=str(details.get("description", "")),
                content_type=row.content_type,
                size=row.size,
                by=row.created_by.full_name,
                agency=row.agency,
                created_at=row.created_at,
            )
        )
    return shown


def shared_upload(user: Staff, case_id: str, document_id: str) -> tuple[Case, PartnerDocument]:
    """A document the user's agency added to a case shared with it now; Http404
    otherwise. The caller audits the download (services.partner_document_content)."""
    case, agency, _ = shared_case(user, case_id)
    document = PartnerDocument.objects.filter(case=case, agency=agency, pk=document_id).first()
    if document is None:
        raise Http404("No such document")
    return case, document


def marac_available() -> bool:
    """Whether the MARAC app (issue 21's meetings and actions) is installed."""
    return importlib.util.find_spec("safehold.marac") is not None


def marac_actions_of(case: Case, agency: str) -> list[SharedAction]:
    """The MARAC actions the agency owns on the case, with their status, where the MARAC
    app is installed; none where it is not."""
    if not marac_available():
        return []
    marac_models: Any = importlib.import_module("safehold.marac.models")
    action_model = getattr(marac_models, "MaracAction", None)
    if action_model is None:
        return []
    rows = marac_action_rows(action_model, case, agency)
    shown = []
    for row in rows:
        details: dict[str, Any] = {}
        if hasattr(row, "sealed"):
            details = sealing.unseal(case.data_key, row)
        shown.append(
            SharedAction(
                id=str(row.pk),
                what=str(details.get("what", "") or details.get("detail", "") or ""),
                status=str(getattr(row, "status", "")),
                due_at=getattr(row, "due_at", None) or getattr(row, "due_on", None),
            )
        )
    return shown


def marac_action_rows(action_model: Any, case: Case, agency: str) -> list[Any]:
    """The MARAC actions on the case owned by the agency: by the action's own case, or
    through its hearing's."""
    names = {f.name for f in action_model._meta.get_fields()}
    if "case" in names:
        on_case = Q(case=case)
    elif "hearing" in names:
        on_case = Q(hearing__case=case)
    else:
        return []
    return list(action_model.objects.filter(on_case, agency=agency).order_by("pk"))


def marac_action_for(user: Staff, case_id: str, action_id: str) -> tuple[Case, str, Any]:
    """A MARAC action the user's agency owns on a case shared with it now; Http404
    otherwise (and where there is no MARAC app)."""
    case, agency, _ = shared_case(user, case_id)
    if not marac_available():
        raise Http404("No such action")
    marac_models: Any = importlib.import_module("safehold.marac.models")
    action_model = getattr(marac_models, "MaracAction", None)
    if action_model is None:
        raise Http404("No such action")
    found = [a for a in marac_action_rows(action_model, case, agency) if str(a.pk) == action_id]
    if not found:
        raise Http404("No such action")
    return case, agency, found[0]


# Restricted cases --------------------------------------------------------------------


def restricted_shares_waiting() -> QuerySet[RestrictedShare]:
    """Requests waiting for a DA lead; none on an erased case (its page is 404)."""
    return RestrictedShare.objects.filter(
        status=ShareStatus.PENDING, case__erased_at__isnull=True
    ).select_related("case", "requested_by")
