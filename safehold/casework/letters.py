"""Letters as PDFs (WeasyPrint) from templates the provider can edit.

A letter for the alleged perpetrator is rendered from `PerpetratorLetterView`, built from
the perpetrator's own details only: it has no survivor address, contact details, safe
times or children's names to leak, rather than having them removed afterwards. Nor does
it quote the case reference ("DA-2026-00001" tells him there is a domestic abuse case):
each such letter has a neutral reference of its own (`HM-` and six letters and digits,
stored on the document, found by Safehold's search), in its text and its file name
(docs/casework.md, "Letters"). A letter to the survivor goes only by a channel she
marked safe, and quotes the case reference.

A letter to an agency is a disclosure: it is written only on a basis that stands (her
consent, or a disclosure approved without it), says only what that basis allows, and is
audited as a disclosure. Anything to an alleged perpetrator waits for the survivor's
permission where the policy asks for it, and goes by post only to an address on record
for him (`address_required`).

Every letter comes from the provider as the policy's `[provider]` table gives it
(`safehold.policy.letterhead`): a detail the provider has still to set is printed as
"[Provider to set: address]". A MARAC referral letter carries what a MARAC referral form
asks for (`MaracDetails`), within what the disclosure allows."""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import sealing
from safehold.cases.models import Case, Person, PersonRole, new_id
from safehold.casework import services
from safehold.casework.models import (
    Action,
    ActionStatus,
    Document,
    LetterKind,
    Recipient,
    Referral,
    ReferralStatus,
)
from safehold.errors import Refusal
from safehold.policy.letterhead import Letterhead, letterhead
from safehold.policy.loader import active_policy
from safehold.policy.vocabulary import CLOSURE_REASON_LABELS, DISCLOSURE_GROUND_LABELS
from safehold.privacy import audit

# Who each kind of letter may go to (API.md §5).
RECIPIENTS = {
    LetterKind.ACKNOWLEDGEMENT: {Recipient.SURVIVOR},
    LetterKind.ACTION_PLAN: {Recipient.SURVIVOR},
    LetterKind.REFERRAL: {Recipient.AGENCY},
    LetterKind.WARNING: {Recipient.ALLEGED_PERPETRATOR},
    LetterKind.CLOSURE: {Recipient.SURVIVOR, Recipient.ALLEGED_PERPETRATOR},
}
CHANNELS = ("post", "by_hand")
# A letter to an alleged perpetrator's own reference: says nothing of what it is about.
NEUTRAL_PREFIX = "HM-"
NEUTRAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread
NEUTRAL_LENGTH = 6  # 32**6: about a billion
NEUTRAL_REFERENCE = re.compile(rf"^{NEUTRAL_PREFIX}[{NEUTRAL_ALPHABET}]{{{NEUTRAL_LENGTH}}}$")
CASE_REFERENCE_IN_TEXT = re.compile(r"\bDA-\d{4}-\d+\b", re.IGNORECASE)
REFERENCE_REMOVED = "[reference removed]"


def neutral_reference_new() -> str:
    """A reference no document has yet, for a letter to an alleged perpetrator."""
    while True:
        reference = NEUTRAL_PREFIX + "".join(
            secrets.choice(NEUTRAL_ALPHABET) for _ in range(NEUTRAL_LENGTH)
        )
        if not Document.objects.filter(reference=reference).exists():
            return reference


def without_case_references(text: str, case: Case, neutral: str) -> str:
    """Free text an officer wrote for the alleged perpetrator, with this case's reference
    written as the letter's own and any other case reference taken out."""

    def replaced(match: re.Match[str]) -> str:
        return neutral if match.group(0).upper() == case.reference else REFERENCE_REMOVED

    return CASE_REFERENCE_IN_TEXT.sub(replaced, text)


def document_file_name(document: Document) -> str:
    """The download's file name: a letter to an alleged perpetrator names its neutral
    reference (or, written before those, its document id), never the case's."""
    if document.recipient == Recipient.ALLEGED_PERPETRATOR:
        return f"{document.reference or document.pk}-{document.kind}.pdf"
    return f"{document.case.reference}-{document.kind}.pdf"


@dataclass(frozen=True)
class PerpetratorLetterView:
    """Everything a letter to an alleged perpetrator may say, and nothing else: his own
    name, postal address and tenancy, and whether he is a tenant (`is_tenant` true: only
    then does a warning mention action on his tenancy)."""

    provider: Letterhead
    reference: str
    name: str
    tenancy_ref: str
    date: datetime
    programme: str
    programme_phone: str
    closure_message: str = ""
    closure_explanation: str = ""
    address: str = ""
    is_tenant: bool = False


@dataclass(frozen=True)
class SurvivorLetterView:
    provider: Letterhead
    reference: str
    name: str
    address: str
    officer: str
    date: datetime
    helpline: str
    helpline_phone: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    closure_reason: str = ""
    closure_explanation: str = ""


# What a closure letter tells the alleged perpetrator, by closure reason. Never the
# survivor's part in it: that she moved away or withdrew could tell him where to look
# or that pressure worked, so those reasons read as "no further action".
PERPETRATOR_CLOSURE_MESSAGES = {
    "resolved": "We are satisfied that the matter has been resolved.",
    "perpetrator_evicted": "Your tenancy with us has ended.",
    "perpetrator_imprisoned": "You are no longer living at the property.",
    "action_plan_complete": "The action we planned has been completed.",
}
NO_FURTHER_ACTION = "There is no further action for us to take at present."


@dataclass(frozen=True)
class AgencyLetterView:
    """What a letter to an agency may say: the survivor's name, what the disclosure's basis
    allows to be shared, and that basis (so an agency told without her consent does not
    approach her as though she had agreed). Never her address or contact details.
    `marac` is the MARAC referral form's content, on a letter to MARAC only."""

    provider: Letterhead
    reference: str
    agency: str
    agency_phone: str
    survivor_name: str
    reason: str
    officer: str
    date: datetime
    with_consent: bool = True
    ground: str = ""
    officer_role: str = ""
    officer_email: str = ""
    marac: MaracDetails | None = None


@dataclass(frozen=True)
class MaracDetails:
    """What a MARAC referral form asks for, as far as the disclosure allows: the latest
    risk assessment (level, score, date, the MARAC reasons its writer may be told) always;
    the children and the alleged perpetrators only with her consent (`shared`), since a
    disclosure approved without it shares the risk that justified it and the approved
    words, nothing more."""

    assessed: bool
    level: str = ""
    score: int | None = None
    tool: str = ""
    assessed_on: datetime | None = None
    reasons: tuple[str, ...] = ()
    shared: bool = True
    children: tuple[tuple[str, int | None], ...] = ()
    perpetrators: tuple[tuple[str, str, str], ...] = ()  # name, relationship, address


def directory_entry(agency_id: str) -> tuple[str, str]:
    agency = active_policy().agencies.get(agency_id)
    return (agency.name, agency.phone or "") if agency else ("", "")


def perpetrator_view(
    case: Case, perpetrator: Person, now: datetime, *, kind: str, reference: str
) -> PerpetratorLetterView:
    """From this one person's own details: no other alleged perpetrator's, none of hers;
    with the letter's neutral `reference`, never the case's."""
    from safehold.closure.selectors import perpetrator_explanation_of_closure

    details = sealing.unseal(case.data_key, perpetrator)
    programme, phone = directory_entry("perpetrator_programme")
    closure_message = explanation = ""
    if kind == LetterKind.CLOSURE:
        closure_message = PERPETRATOR_CLOSURE_MESSAGES.get(case.closure_reason, NO_FURTHER_ACTION)
        explanation = perpetrator_explanation_of_closure(case)
    return PerpetratorLetterView(
        closure_message=closure_message,
        closure_explanation=without_case_references(explanation, case, reference),
        provider=letterhead(active_policy()),
        reference=reference,
        name=details.get("name", ""),
        tenancy_ref=details.get("tenancy_ref", ""),
        address=details.get("address", ""),
        is_tenant=details.get("is_tenant") is True,
        date=now,
        programme=programme,
        programme_phone=phone,
    )


def survivor_details(case: Case) -> tuple[Person, dict[str, Any]]:
    survivor = case.people.get(role=PersonRole.SURVIVOR)
    return survivor, sealing.unseal(case.data_key, survivor)


def closure_explained(case: Case) -> tuple[str, str]:
    """The reason the case closed, in the policy's words, and the officer's explanation."""
    from safehold.closure.selectors import explanation_of_closure

    if case.status != "closed":
        return "", ""
    reason = CLOSURE_REASON_LABELS.get(case.closure_reason, "")  # type: ignore[call-overload]
    return reason, explanation_of_closure(case)


def survivor_view(
    case: Case, by: Staff, now: datetime, *, with_plan: bool, kind: str = ""
) -> SurvivorLetterView:
    _, details = survivor_details(case)
    reason, explanation = closure_explained(case) if kind == LetterKind.CLOSURE else ("", "")
    actions = []
    if with_plan:
        for action in Action.objects.filter(case=case).order_by("due_at"):
            sealed = sealing.unseal(case.data_key, action)
            actions.append(
                {
                    "kind": action.get_kind_display(),
                    "detail": sealed["detail"],
                    "due_at": action.due_at,
                    "status": action.get_status_display(),
                    "cancel_reason": sealed.get("cancel_reason", "")
                    if action.status == ActionStatus.CANCELLED
                    else "",
                }
            )
    helpline, phone = directory_entry("national_helpline")
    return SurvivorLetterView(
        provider=letterhead(active_policy()),
        reference=case.reference,
        name=details["name"],
        address=details["address"],
        officer=by.full_name,
        date=now,
        helpline=helpline,
        helpline_phone=phone,
        actions=actions,
        closure_reason=reason,
        closure_explanation=explanation,
    )


def shared_with(case: Case, basis: services.DisclosureBasis) -> str:
    """What the disclosure allows the letter to say. Without consent: only what the
    approver approved (the referral's own words). With her consent: what the latest
    referral sent to the agency says, or, before any referral, the report's summary."""
    referral = basis.referral or (
        Referral.objects.filter(case=case, agency=basis.agency, status=ReferralStatus.SENT)
        .order_by("-sent_at", "-id")
        .first()
    )
    if referral is not None:
        return str(sealing.unseal(case.data_key, referral).get("reason", ""))
    return str(sealing.unseal(case.data_key, case).get("summary", ""))


def agency_view(
    case: Case, by: Staff, basis: services.DisclosureBasis, now: datetime
) -> AgencyLetterView:
    policy = active_policy()
    agency = policy.agencies[basis.agency]
    _, details = survivor_details(case)
    ground = basis.referral.without_consent_ground if basis.referral else ""
    return AgencyLetterView(
        provider=letterhead(policy),
        reference=case.reference,
        agency=agency.name,
        agency_phone=agency.phone or "",
        survivor_name=details["name"],
        reason=shared_with(case, basis),
        officer=by.full_name,
        date=now,
        with_consent=basis.consent is not None,
        ground=DISCLOSURE_GROUND_LABELS.get(ground, ground),  # type: ignore[call-overload]
        officer_role=by.get_role_display(),
        officer_email=by.email,
        marac=marac_details(case, by, shared=basis.consent is not None)
        if basis.agency == "marac"
        else None,
    )


def tool_name(tools: Any, tool_id: str) -> str:
    """The risk tool's name as practitioners know it, or its id for one since removed."""
    try:
        return str(tools.tool_by_id(tool_id).name)
    except tools.UnknownRiskTool:
        return tool_id


def relationship_words(relationship: str) -> str:
    return relationship.replace("_", " ").capitalize() if relationship else "Not recorded"


def marac_details(case: Case, by: Staff, *, shared: bool) -> MaracDetails:
    """The MARAC referral form's content for `by`, who writes the letter: the `repeat`
    reason only when `by` may see the earlier case (`risk.selectors.seen_by`), so the
    letter tells no more than its writer's pages do. Risk is read here, where the letter
    is written, so casework and risk load in either order (docs/architecture.md)."""
    from safehold.risk import selectors as risk
    from safehold.risk import tools

    assessment = risk.latest_assessment(case)
    if assessment is None:
        return MaracDetails(assessed=False, shared=shared)
    risk.seen_by(by, [assessment])
    people = list(
        case.people.filter(role__in=(PersonRole.CHILD, PersonRole.ALLEGED_PERPETRATOR)).order_by(
            "id"
        )
    )
    children: list[tuple[str, int | None]] = []
    perpetrators: list[tuple[str, str, str]] = []
    for person in people if shared else []:
        details = sealing.unseal(case.data_key, person)
        if person.role == PersonRole.CHILD:
            children.append((details.get("name", ""), person.age))
        else:
            perpetrators.append(
                (
                    details.get("name", ""),
                    relationship_words(person.relationship),
                    details.get("address", ""),
                )
            )
    return MaracDetails(
        assessed=True,
        level=assessment.get_level_display() if assessment.level else "",
        score=assessment.score,
        tool=tool_name(tools, assessment.tool_id),
        assessed_on=assessment.completed_at,
        reasons=tuple(risk.reason_texts(assessment)),
        shared=shared,
        children=tuple(children),
        perpetrators=tuple(perpetrators),
    )


def check_letter(case: Case, kind: str, recipient: str, agency: str, channel: str) -> None:
    if kind not in RECIPIENTS:
        raise Refusal("unknown_letter_kind", f"kind must be one of: {', '.join(RECIPIENTS)}")
    if recipient not in RECIPIENTS[LetterKind(kind)]:
        raise Refusal("wrong_recipient", f"A {kind} letter cannot go to the {recipient}")
    if channel not in CHANNELS:
        raise Refusal("unknown_channel", f"channel must be one of: {', '.join(CHANNELS)}")
    if kind == LetterKind.CLOSURE and case.status != "closed":
        raise Refusal("case_not_closed", "A closure letter needs a closed case", status=409)
    if recipient == Recipient.AGENCY and agency not in active_policy().agencies:
        raise Refusal(
            "unknown_agency",
            f"The policy's directory has no agency {agency!r}",
            policy_rule="agencies",
            field="agency",
        )
    if recipient == Recipient.SURVIVOR and channel == "post":
        survivor, _ = survivor_details(case)
        if survivor.post_ok is not True:
            raise Refusal(
                "unsafe_contact_channel",
                "The survivor has not said post is safe: give the letter by hand or ask her first",
                field="channel",
            )


def perpetrator_for_letter(case: Case, person_id: str = "") -> Person:
    """The alleged perpetrator a letter is addressed to: the one named, or the case's only
    one. Each is written to separately, from his own view."""
    people = list(case.people.filter(role=PersonRole.ALLEGED_PERPETRATOR).order_by("id"))
    if not people:
        raise Refusal("no_alleged_perpetrator", "The case names no alleged perpetrator")
    if person_id:
        named = next((p for p in people if p.pk == person_id), None)
        if named is None:
            raise Refusal(
                "unknown_alleged_perpetrator",
                "The case names no such alleged perpetrator",
                field="alleged_perpetrator",
            )
        return named
    if len(people) > 1:
        raise Refusal(
            "alleged_perpetrator_required",
            "The case names more than one alleged perpetrator: say which one the letter is to",
            field="alleged_perpetrator",
        )
    return people[0]


def check_perpetrator_address(case: Case, person: Person, channel: str) -> None:
    """A letter to an alleged perpetrator by post needs his postal address on record: it
    is never guessed, and never the survivor's."""
    if channel == "post" and not sealing.unseal(case.data_key, person).get("address"):
        raise Refusal(
            "address_required",
            "No postal address is recorded for the alleged perpetrator: give the letter by "
            "hand, or record his address first",
            field="channel",
        )


def perpetrator_choices(case: Case) -> list[tuple[str, str]]:
    """The alleged perpetrators on a case the caller reached, by person id and name."""
    people = case.people.filter(role=PersonRole.ALLEGED_PERPETRATOR).order_by("id")
    return [(p.pk, sealing.unseal(case.data_key, p).get("name", "") or p.pk) for p in people]


def render_pdf(kind: str, recipient: str, view: object) -> bytes:
    return pdf_from_html(render_to_string(f"letters/{kind}_{recipient}.html", {"letter": view}))


def pdf_from_html(html: str) -> bytes:
    """A PDF of a page of HTML, for letters, exports and the board report. The HTML
    links to nothing outside itself: WeasyPrint fetches no URL."""
    from PIL import ImageFile
    from weasyprint import HTML  # type: ignore[import-untyped]  # loaded only to render

    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would
    # let a damaged evidence upload through. Letters carry no images: keep Pillow strict.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    pdf: bytes = HTML(string=html, url_fetcher=refuse_url).write_pdf()
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return pdf


def refuse_url(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"letters and reports fetch nothing, not even {url!r}")


@transaction.atomic
def letter_create(
    *,
    case: Case,
    by: Staff,
    kind: str,
    recipient: str,
    agency: str = "",
    channel: str = "post",
    alleged_perpetrator: str = "",
    now: datetime | None = None,
) -> Document:
    """Writes a letter. To an agency only on a disclosure basis that stands, audited as a
    disclosure; to an alleged perpetrator (the one named, or the only one) only with the
    survivor's permission where the policy asks for it."""
    now = now or timezone.now()
    case = Case.objects.select_related("data_key").get(pk=case.pk)
    check_letter(case, kind, recipient, agency, channel)
    if alleged_perpetrator and recipient != Recipient.ALLEGED_PERPETRATOR:
        raise Refusal(
            "alleged_perpetrator_not_expected",
            "Only a letter to an alleged perpetrator names one",
            field="alleged_perpetrator",
        )
    view: object
    person: Person | None = None
    basis: services.DisclosureBasis | None = None
    reference = ""
    if recipient == Recipient.ALLEGED_PERPETRATOR:
        person = perpetrator_for_letter(case, alleged_perpetrator)
        services.check_perpetrator_permission(case, active_policy())
        check_perpetrator_address(case, person, channel)
        reference = neutral_reference_new()
        view = perpetrator_view(case, person, now, kind=kind, reference=reference)
    elif recipient == Recipient.AGENCY:
        basis = services.check_disclosure(case, agency)
        view = agency_view(case, by, basis, now)
    else:
        view = survivor_view(case, by, now, with_plan=kind == LetterKind.ACTION_PLAN, kind=kind)
    document = Document(
        id=new_id("doc"),
        case=case,
        kind=kind,
        recipient=recipient,
        agency=agency,
        person=person,
        channel=channel,
        reference=reference,
        created_by=by,
        created_at=now,
    )
    pdf = render_pdf(kind, recipient, view)
    document.sealed = sealing.seal(
        case.data_key, document, {"pdf": base64.b64encode(pdf).decode("ascii")}
    )
    document.save(force_insert=True)
    audit.record(
        actor=by.username,
        action="letter.created",
        target_type="case",
        target_id=case.pk,
        detail={"document": document.pk, "kind": kind, "recipient": recipient},
    )
    if basis is not None:
        audit.record(
            actor=by.username,
            action="disclosure.letter",
            target_type="case",
            target_id=case.pk,
            detail={"document": document.pk, **basis.audit_detail()},
        )
    return document


def document_pdf(document: Document, *, by: Staff) -> bytes:
    """The PDF of a document the caller reached through the access rules; audited."""
    details = sealing.unseal(document.case.data_key, document)
    audit.record(
        actor=by.username,
        action="document.downloaded",
        target_type="case",
        target_id=document.case_id,
        detail={"document": document.pk},
    )
    return base64.b64decode(details["pdf"])
