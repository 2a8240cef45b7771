"""What a subject access export holds: everything held about one person, and nothing
about anyone else.

There are two builders, one per kind of requester, and neither starts from the other:

- `survivor_export` holds the cases the handler confirmed, one by one, as hers (from
  `candidate_cases`: the cases of her identity that the handler may handle), and passes
  every free-text value through a `Redactor` of the other people on those cases
  (redaction.py). Other people's sealed details are read only to build the redactor;
  they are never copied into the export. What the alleged perpetrator or an unnamed
  other person said (contact notes, the interview decision) is withheld. Her own contact
  details (address, phone, email, tenancy, safe times, where she asked to meet) from a
  case other than the one the request was made on are withheld where they differ from
  that case's: an impostor who recorded a case in her name gets none of hers.
- `perpetrator_export` is built from a separate, minimal view, like letters to an alleged
  perpetrator (casework.letters): it unseals the requester's own person row and nothing
  else, so there is no survivor name, address, phone, summary or risk answer to leak.

Both return plain JSON-ready dicts: times in UTC ISO 8601 with `Z`, dates ISO 8601.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case, Contact, Incident, Person, PersonRole
from safehold.casework.models import (
    Action,
    Consent,
    Document,
    PerpetratorInterview,
    Recipient,
    Referral,
    Review,
)
from safehold.closure.models import Appeal, Closure, Feedback
from safehold.evidence.models import Evidence
from safehold.marac.models import Hearing, MaracAction
from safehold.partners.models import PartnerDocument, PartnerUpdate
from safehold.policy.loader import active_policy
from safehold.records import rules
from safehold.records.models import (
    Subject,
    SubjectAccessCase,
    SubjectAccessRequest,
    VerificationMethod,
)
from safehold.records.redaction import (
    WITHHELD,
    Redactor,
    Reviewer,
    folded,
    phone_key,
    redactor_for,
    reviewer_for,
)
from safehold.risk import tools
from safehold.risk.models import RiskAssessment

Section = dict[str, Any]
Redact = Callable[[object], str]

WITHHELD_PERPETRATOR = (
    "Withheld: what the alleged perpetrator said is their own personal data, not yours."
)
WITHHELD_OTHER = "Withheld: what another person said is their own personal data, not yours."
WITHHELD_INTERVIEW = (
    "Withheld: the decision to interview the alleged perpetrator concerns them; "
    "the handler reviews it before any of it is shared."
)
WITHHELD_FOR_REVIEW = (
    "Notes withheld for manual review: they may hold another person's information."
)
SURVIVOR_SCOPE = (
    "Everything held about you on the cases listed, as at the date of this export. "
    "Other people's names, contact details and addresses are shown as [redacted], and "
    "what other people said is withheld. Contact details and addresses recorded on "
    "another case that differ from those you gave on this one are shown as [withheld]. "
    "Staff names are shown: they acted in their professional capacity."
)
PERPETRATOR_SCOPE = (
    "Your own details as recorded, the letters we sent you and the dates we contacted "
    "you. Records about other people are their personal data and are not included."
)
# Free text in these columns is what the survivor or staff wrote about her situation;
# contacts with anyone else are what that person said.
NOTES_SHOWN_FOR = ("survivor", "agency")
# What the survivor's export reads of each of her cases, in the order it lists it: read
# for all her cases at once, so that the export makes the same number of queries however
# many cases she has (docs/performance.md, "Fixed query counts"). The functions below
# that take one of her cases read these, never the database.
SURVIVOR_RECORDS = (
    Prefetch("people", Person.objects.order_by("role", "id")),
    Prefetch("incidents", Incident.objects.order_by("reported_at", "id")),
    Prefetch("contacts", Contact.objects.select_related("recorded_by").order_by("at", "id")),
    Prefetch("risk_assessments", RiskAssessment.objects.order_by("started_at", "id")),
    Prefetch("actions", Action.objects.select_related("owner").order_by("created_at", "id")),
    Prefetch("reviews", Review.objects.select_related("reviewed_by").order_by("at", "id")),
    Prefetch("consents", Consent.objects.order_by("recorded_at", "id")),
    Prefetch("referrals", Referral.objects.order_by("created_at", "id")),
    Prefetch("documents", Document.objects.defer("sealed").order_by("created_at", "id")),
    Prefetch("perpetrator_interviews", PerpetratorInterview.objects.order_by("created_at", "id")),
    Prefetch("evidence", Evidence.objects.defer("content").order_by("uploaded_at", "id")),
    Prefetch("closures", Closure.objects.order_by("requested_at", "id")),
    Prefetch("feedback", Feedback.objects.order_by("recorded_at", "id")),
    Prefetch("appeals", Appeal.objects.order_by("received_at", "id")),
    Prefetch("subject_access", SubjectAccessRequest.objects.order_by("received_at", "id")),
    # What other agencies added, and what the MARAC heard and agreed (issue 21).
    Prefetch("partner_updates", PartnerUpdate.objects.order_by("created_at", "id")),
    Prefetch(
        "partner_documents",
        PartnerDocument.objects.defer("content").order_by("created_at", "id"),
    ),
    Prefetch(
        "hearings",
        Hearing.objects.filter(heard_at__isnull=False)
        .select_related("meeting")
        .order_by("heard_at", "id"),
    ),
    Prefetch("marac_actions", MaracAction.objects.order_by("due_on", "id")),
)


def when(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class ExportView:
    """What the PDF template renders (letters/subject_access_*.html)."""

    provider: str
    reference: str
    date: datetime
    export: dict[str, Any]


def full_name(staff: Staff | None) -> str | None:
    return staff.full_name if staff else None


def export_reference(request: SubjectAccessRequest) -> str:
    """What an export quotes as its reference: the case's to the survivor; to an alleged
    perpetrator the request's own id, since a case reference ("DA-2026-00001") would tell
    him there is a domestic abuse case (issue 17 §9; docs/records.md)."""
    if request.subject == Subject.ALLEGED_PERPETRATOR:
        return request.pk
    return request.case.reference


def export_file_name(request: SubjectAccessRequest, fmt: str) -> str:
    """An attachment named by reference and request id, never by the person; an alleged
    perpetrator's by the request id alone."""
    if request.subject == Subject.ALLEGED_PERPETRATOR:
        return f"subject-access-{request.pk}.{fmt}"
    return f"{request.case.reference}-subject-access-{request.pk}.{fmt}"


def request_header(request: SubjectAccessRequest, by: Staff, now: datetime) -> Section:
    """Who checked the requester's identity and how, who reviewed the export, and
    whether it was released: an export not yet reviewed says it is a draft."""
    if request.released_at:
        status = "released"
    elif request.reviewed_at:
        status = "reviewed"
    else:
        status = "draft"
    method = request.verification_method
    return {
        "id": request.pk,
        "subject": request.subject,
        "received_at": when(request.received_at),
        "due_at": day(request.due_at),
        "exported_at": when(now),
        "exported_by": by.full_name,
        "provider": active_policy().provider.name,
        "status": status,
        "identity_checked_by": full_name(request.verified_by),
        "identity_checked_at": when(request.verified_at),
        "identity_checked_how": VerificationMethod(method).label if method else None,
        "reviewed_by": full_name(request.reviewed_by),
        "reviewed_at": when(request.reviewed_at),
        "released_by": full_name(request.released_by),
        "released_at": when(request.released_at),
        "released_by_channel": request.release_channel or None,
    }


# The survivor ----------------------------------------------------------------------


def candidate_cases(request: SubjectAccessRequest, by: Staff) -> list[Case]:
    """The cases the handler may include, through the one door and never around it: for
    an alleged perpetrator, only the case the request was made on; for the survivor,
    every unerased case of her identity (the same name and date of birth) that the
    handler may handle. A name and a date of birth are not a person, so none of these is
    in the export until the handler confirms it (`SubjectAccessCase`)."""
    cases = access.cases_visible_to(by)
    if request.subject == Subject.ALLEGED_PERPETRATOR:
        cases = cases.filter(pk=request.case_id)
    else:
        cases = cases.filter(survivor_identity_id=request.case.survivor_identity_id)
    found = cases.select_related("data_key", "team", "assigned_officer").order_by(
        "reported_at", "id"
    )
    return [case for case in found if rules.may_handle_subject_access_for(by, case)]


def included_ids(request: SubjectAccessRequest) -> set[str]:
    return set(SubjectAccessCase.objects.filter(request=request).values_list("case_id", flat=True))


def survivor_cases(request: SubjectAccessRequest, by: Staff) -> list[Case]:
    """The confirmed cases that are still candidates (a case erased, moved out of the
    handler's reach or given another identity since drops out). Each comes with its
    SURVIVOR_RECORDS."""
    included = included_ids(request)
    handled = [case for case in candidate_cases(request, by) if case.pk in included]
    prefetch_related_objects(handled, *SURVIVOR_RECORDS)
    return handled


# Her details that say where she is or how to reach her: from a case other than the one
# the request was made on, each is shown only when it is the same as on that case.
WHERE_SHE_IS = ("address", "tenancy_ref", "phone", "email", "safe_times")


def same_detail(key: str, value: object, safe: dict[str, Any]) -> bool:
    if key == "phone":
        return phone_key(str(value)) == phone_key(str(safe.get(key) or ""))
    return folded(str(value)) == folded(str(safe.get(key) or ""))


@dataclass(frozen=True)
class ReviewItem:
    """Something the handler must look at before the export is released: what could not
    be redacted automatically, and what was withheld."""

    case: str  # its reference
    where: str
    what: str
    words: tuple[str, ...] = ()

    def as_dict(self) -> Section:
        return {
            "case": self.case,
            "where": self.where,
            "what": self.what,
            "words": list(self.words),
        }


@dataclass(frozen=True)
class Built:
    document: Section
    review: list[ReviewItem]


def survivor_export(request: SubjectAccessRequest, by: Staff, now: datetime) -> Section:
    return survivor_built(request, by, now).document


def survivor_built(request: SubjectAccessRequest, by: Staff, now: datetime) -> Built:
    cases = survivor_cases(request, by)
    people = {case.pk: list(case.people.all()) for case in cases}
    sealed = {
        person.pk: sealing.unseal(case.data_key, person)
        for case in cases
        for person in people[case.pk]
    }
    hers = {
        p.pk: sealed[p.pk] for ps in people.values() for p in ps if p.role == PersonRole.SURVIVOR
    }
    safe = hers.get(request.person_id, {})
    elsewhere = [details for pk, details in hers.items() if pk != request.person_id]
    own = [safe, *({"name": details.get("name", "")} for details in elsewhere)]
    others = [sealed[p.pk] for ps in people.values() for p in ps if p.role != PersonRole.SURVIVOR]
    redact = redactor_for(others=others, own=own, withheld=elsewhere)
    requesting = next((case for case in cases if case.pk == request.case_id), None)
    venue = (
        sealing.unseal(requesting.data_key, requesting).get("interview_venue", "")
        if requesting
        else ""
    )
    sections = []
    for case in cases:
        her = next(p for p in people[case.pk] if p.role == PersonRole.SURVIVOR)
        safe_here = safe if case.pk != request.case_id else None
        sections.append(
            survivor_case(case, her, sealed[her.pk], redact, safe=safe_here, venue=venue)
        )
    staff = Staff.objects.values_list("full_name", flat=True)
    reviewer = reviewer_for(others=others, own=own, staff=staff)
    document = {
        "request": request_header(request, by, now),
        "scope": SURVIVOR_SCOPE,
        "cases": sections,
    }
    return Built(document, [item for section in sections for item in to_review(section, reviewer)])


# Where each free-text value of a case's section is, in words: (list key or None, field).
FREE_TEXT = (
    (None, "summary", "What was reported"),
    (None, "interview_venue", "Where she asked to meet"),
    ("incidents", "summary", "Further report"),
    ("contacts", "notes", "Contact"),
    ("actions", "detail", "Action"),
    ("actions", "risk_assessment", "Action"),
    ("reviews", "notes", "Review"),
    ("evidence", "file_name", "File"),
    ("evidence", "description", "File"),
    ("closures", "explanation", "Closure"),
    ("feedback", "comments", "Feedback"),
    ("appeals", "grounds", "Appeal"),
    ("appeals", "reasons", "Appeal"),
    ("updates_from_agencies", "text", "Update from an agency"),
    ("files_from_agencies", "file_name", "File from an agency"),
    ("files_from_agencies", "description", "File from an agency"),
    ("marac_hearings", "decisions", "MARAC hearing"),
)
MAY_NAME = "May name someone who could not be redacted automatically (a nickname, a short name)"
WITHHELD_HERE = (
    "Her contact details from this case, which differ from those on the case the request "
    "was made on, are withheld: give them only once sure the requester is the person on "
    "this case"
)


def text_review(reference: str, where: str, text: object, reviewer: Reviewer) -> list[ReviewItem]:
    if not isinstance(text, str) or not text:
        return []
    items = []
    words = reviewer.words(text)
    if words:
        items.append(ReviewItem(reference, where, MAY_NAME, tuple(words)))
    if WITHHELD in text:
        items.append(ReviewItem(reference, where, WITHHELD_HERE))
    return items


def to_review(section: Section, reviewer: Reviewer) -> list[ReviewItem]:
    reference = section["reference"]
    items: list[ReviewItem] = []
    you = section["you"]
    held = [key.replace("_", " ") for key in WHERE_SHE_IS if you.get(key) == WITHHELD]
    if held:
        items.append(ReviewItem(reference, f"Her details: {', '.join(held)}", WITHHELD_HERE))
    else:
        items += text_review(reference, "Her details: safe times", you.get("safe_times"), reviewer)
    for group, key, label in FREE_TEXT:
        if group is None:
            items += text_review(reference, label, section.get(key), reviewer)
            continue
        for number, entry in enumerate(section.get(group, []), start=1):
            where = f"{label} {number} ({key.replace('_', ' ')})"
            items += text_review(reference, where, entry.get(key), reviewer)
    for number, assessment in enumerate(section.get("risk_assessments", []), start=1):
        for answer_number, answer in enumerate(assessment["answers"], start=1):
            for key in ("note", "source"):
                where = f"Risk assessment {number}, answer {answer_number} ({key})"
                items += text_review(reference, where, answer.get(key), reviewer)
    withheld = [c for c in section.get("contacts", []) if c.get("withheld")]
    if withheld:
        what = (
            f"{len(withheld)} contact note(s) with other people withheld: check whether any "
            "must be disclosed"
        )
        items.append(ReviewItem(reference, "Contacts", what))
    if section.get("perpetrator_interviews"):
        what = "The detail of interviews with the alleged perpetrator is withheld: check it"
        items.append(ReviewItem(reference, "Interviews with the alleged perpetrator", what))
    if section.get("marac_hearings"):
        what = (
            "What the MARAC decided is the conference's record too: check with the MARAC "
            "before giving it, and withhold what another agency asks to (a police matter, "
            "a risk to her)"
        )
        items.append(ReviewItem(reference, "MARAC hearings", what))
    if section.get("files_from_agencies"):
        what = (
            f"{len(section['files_from_agencies'])} file(s) from other agencies listed but not "
            "included: check each with the agency that sent it before giving a copy"
        )
        items.append(ReviewItem(reference, "Files from other agencies", what))
    if section.get("evidence"):
        what = (
            f"{len(section['evidence'])} file(s) listed but not included: names in photos and "
            "documents cannot be redacted automatically; check each before giving a copy"
        )
        items.append(ReviewItem(reference, "Photos and documents", what))
    return items


def survivor_case(
    case: Case,
    her: Person,
    details: dict[str, Any],
    redact: Redactor,
    *,
    safe: dict[str, Any] | None = None,
    venue: str = "",
) -> Section:
    """One of her cases. `safe` is her details on the case the request was made on,
    given for every other case: what differs from them is withheld."""
    key = case.data_key
    case_details = sealing.unseal(key, case)
    interview_venue = case_details.get("interview_venue", "")
    if safe is not None and interview_venue and folded(interview_venue) != folded(venue):
        interview_venue = WITHHELD
    return {
        "reference": case.reference,
        "request_made_on_this_case": safe is None,
        "status": case.status,
        "reported_at": when(case.reported_at),
        "source": case.source,
        "abuse_types": case.abuse_types,
        "risk_level": case.risk_level,
        "closed_at": when(case.closed_at),
        "closure_reason": case.closure_reason or None,
        "summary": redact(case_details.get("summary", "")),
        "interview_venue": redact(interview_venue),
        "you": survivor_record(her, details, redact, safe=safe),
        "incidents": [
            {
                "reported_at": when(incident.reported_at),
                "source": incident.source,
                "abuse_types": incident.abuse_types,
                "summary": redact(sealing.unseal(key, incident).get("summary", "")),
            }
            for incident in case.incidents.all()
        ],
        "contacts": contacts_for_survivor(case, redact),
        "risk_assessments": risk_assessments(case, redact),
        **casework_for_survivor(case, redact),
        "evidence": evidence_for_survivor(case, redact),
        **closure_for_survivor(case, redact),
        **agencies_for_survivor(case, redact),
        "subject_access_requests": [
            {
                "received_at": when(r.received_at),
                "due_at": day(r.due_at),
                "completed_at": when(r.completed_at),
            }
            for r in case.subject_access.all()
            if r.person_id == her.pk
        ],
    }


def agency_name(agency_id: str) -> str:
    """An agency of the policy's directory by its name, as her export writes it."""
    found = active_policy().agencies.get(agency_id)
    return found.name if found else agency_id


def agencies_for_survivor(case: Case, redact: Redactor) -> Section:
    """What partner agencies added to her case (updates, and what each file is, as for
    her evidence), and each MARAC hearing of it with the actions agreed there. The
    MARAC's record is the conference's too: it is flagged for review (`to_review`)."""
    key = case.data_key
    ours = "Your housing provider"
    actions: dict[str, list[Section]] = {}
    for action in case.marac_actions.all():
        actions.setdefault(action.hearing_id, []).append(
            {
                "agency": ours if action.provider_own else agency_name(action.agency),
                "what": redact(sealing.unseal(key, action).get("what", "")),
                "due_on": day(action.due_on),
                "status": action.status,
                "completed_on": day(action.completed_on),
            }
        )
    return {
        "updates_from_agencies": [
            {
                "agency": agency_name(update.agency),
                "at": when(update.created_at),
                "text": redact(sealing.unseal(key, update).get("text", "")),
            }
            for update in case.partner_updates.all()
        ],
        "files_from_agencies": [
            file_from_agency(document, sealing.unseal(key, document), redact)
            for document in case.partner_documents.all()
        ],
        "marac_hearings": [
            {
                # Not whether it was a repeat: that tells of another case, which may not
                # be one the handler confirmed as hers.
                "meeting_held_on": day(hearing.meeting.held_on),
                "decisions": redact(
                    sealing.unseal(key, hearing).get("notes", "") if hearing.sealed else ""
                ),
                "actions": actions.get(hearing.pk, []),
            }
            for hearing in case.hearings.all()
        ],
    }


def file_from_agency(document: Any, details: dict[str, Any], redact: Redactor) -> Section:
    """What a partner's file is, as for her evidence: not the file."""
    return {
        "agency": agency_name(document.agency),
        "uploaded_at": when(document.created_at),
        "type": document.content_type,
        "size": document.size,
        "file_name": redact(details.get("filename", "")),
        "description": redact(details.get("description", "")),
    }


def closure_for_survivor(case: Case, redact: Redactor) -> Section:
    """Her case's closings, the feedback she gave and her appeals; the alleged
    perpetrator's appeals are his, and withheld."""
    key = case.data_key
    closures, given = case.closures.all(), case.feedback.all()
    appeals = [appeal for appeal in case.appeals.all() if appeal.by == "survivor"]
    return {
        "closures": [
            {
                "reason": closure.reason,
                "status": closure.status,
                "you_agreed": closure.survivor_agrees,
                "review_meeting_at": when(closure.review_meeting_at),
                "closed_at": when(closure.closed_at),
                "reopened_at": when(closure.reopened_at),
                "explanation": redact(sealing.unseal(key, closure).get("explanation", "")),
            }
            for closure in closures
        ],
        "feedback": [
            {
                "kind": row.kind,
                "satisfaction": row.satisfaction,
                "recorded_at": when(row.recorded_at),
                "comments": redact(sealing.unseal(key, row).get("comments", "")),
            }
            for row in given
        ],
        "appeals": [
            appeal_entry(appeal, sealing.unseal(key, appeal), redact) for appeal in appeals
        ],
    }


def appeal_entry(appeal: Appeal, details: dict[str, Any], redact: Redact) -> Section:
    return {
        "stage": appeal.stage,
        "received_at": when(appeal.received_at),
        "due_at": when(appeal.due_at),
        "status": appeal.status,
        "outcome": appeal.outcome or None,
        "decided_at": when(appeal.decided_at),
        "grounds": redact(details.get("grounds", "")),
        "reasons": redact(details.get("reasons", "")),
    }


def survivor_record(
    her: Person, details: dict[str, Any], redact: Redactor, *, safe: dict[str, Any] | None
) -> Section:
    """Her own details as recorded. Only her safe times are free text that could name
    someone else ("when he is at work" stays; "when Barnaby is at work" does not). On a
    case other than the one the request was made on (`safe` given), where she is and how
    to reach her are shown only when they are the same as on that case."""
    shown = {key: details.get(key, "") for key in WHERE_SHE_IS}
    if safe is not None:
        for key, value in shown.items():
            if value and not same_detail(key, value, safe):
                shown[key] = WITHHELD
    return {
        "name": details.get("name", ""),
        "date_of_birth": details.get("date_of_birth", ""),
        "address": shown["address"],
        "tenancy_ref": shown["tenancy_ref"],
        "phone": shown["phone"],
        "email": shown["email"],
        "safe_times": redact(shown["safe_times"]),
        "sex": her.sex,
        "voicemail_ok": her.voicemail_ok,
        "post_ok": her.post_ok,
        "ethnicity": her.ethnicity,
        "disability": her.disability,
        "sexual_orientation": her.sexual_orientation,
        "gender_identity": her.gender_identity,
        "religion": her.religion,
    }


def contacts_for_survivor(case: Case, redact: Redactor) -> list[Section]:
    entries = []
    for contact in case.contacts.all():
        entry: Section = {
            "at": when(contact.at),
            "channel": contact.channel,
            "direction": contact.direction,
            "with": contact.with_whom,
            "recorded_by": contact.recorded_by.full_name,
        }
        if contact.with_whom in NOTES_SHOWN_FOR:
            entry["notes"] = redact(sealing.unseal(case.data_key, contact).get("notes", ""))
        else:  # never unsealed: what the alleged perpetrator or another person said
            entry["notes"] = None
            entry["withheld"] = (
                WITHHELD_PERPETRATOR
                if contact.with_whom == PersonRole.ALLEGED_PERPETRATOR
                else WITHHELD_OTHER
            )
        entries.append(entry)
    return entries


def tool_words(tool_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """The tool's question texts and answer labels, by id; empty when the tool is gone."""
    try:
        tool = tools.tool_by_id(tool_id)
    except LookupError:
        return {}, {}
    questions = {q.id: q.text for section in tool.sections for q in section.questions}
    return questions, {answer_id: answer.label for answer_id, answer in tool.answers.items()}


def risk_assessments(case: Case, redact: Redactor) -> list[Section]:
    entries = []
    for assessment in case.risk_assessments.all():
        record = sealing.unseal(case.data_key, assessment)
        questions, labels = tool_words(assessment.tool_id)
        notes, sources = record.get("notes", {}), record.get("sources", {})
        answers = [
            {
                "question": questions.get(question_id, question_id),
                "answer": labels.get(answer, answer),
                "note": redact(notes.get(question_id, "")),
                "source": redact(sources.get(question_id, "")),
            }
            for question_id, answer in record.get("answers", {}).items()
        ]
        entries.append(
            {
                "tool": assessment.tool_id,
                "status": assessment.status,
                "started_at": when(assessment.started_at),
                "completed_at": when(assessment.completed_at),
                "score": assessment.score,
                "level": assessment.level,
                "answers": answers,
            }
        )
    return entries


def casework_for_survivor(case: Case, redact: Redactor) -> Section:
    key = case.data_key

    return {
        "actions": [
            action_entry(action, sealing.unseal(key, action), redact)
            for action in case.actions.all()
        ],
        "reviews": [
            {
                "at": when(review.at),
                "reviewed_by": review.reviewed_by.full_name,
                "notes": redact(sealing.unseal(key, review).get("notes", "")),
            }
            for review in case.reviews.all()
        ],
        "consents": [
            {
                "agency": agency_name(consent.agency),
                "purpose": consent.purpose,
                "given": consent.given,
                "recorded_at": when(consent.recorded_at),
            }
            for consent in case.consents.all()
        ],
        "referrals": [
            {
                "agency": agency_name(referral.agency),
                "status": referral.status,
                "made_at": when(referral.created_at),
                "sent_at": when(referral.sent_at),
            }
            for referral in case.referrals.all()
        ],
        "letters": letters_to(case.documents.all(), Recipient.SURVIVOR),
        "perpetrator_interviews": [
            {
                "planned_at": when(interview.created_at),
                "you_agreed": interview.survivor_agrees,
                "details": None,
                "withheld": WITHHELD_INTERVIEW,
            }
            for interview in case.perpetrator_interviews.all()
        ],
    }


def action_entry(action: Action, details: dict[str, Any], redact: Redactor) -> Section:
    return {
        "kind": action.kind,
        "measure": action.measure or None,
        "option": action.option or None,
        "status": action.status,
        "due_at": when(action.due_at),
        "completed_at": when(action.completed_at),
        "agreed_with_you": action.agreed_with_survivor,
        "owner": action.owner.full_name,
        "detail": redact(details.get("detail", "")),
        "risk_assessment": redact(details.get("risk_assessment", "")),
        "cancelled_at": when(action.cancelled_at),
        "cancel_reason": redact(details.get("cancel_reason", "")),
    }


def letters_to(documents: Iterable[Document], recipient: str) -> list[Section]:
    """The letters among `documents` (oldest first) sent to `recipient`."""
    return [
        {"kind": document.kind, "date": when(document.created_at), "channel": document.channel}
        for document in documents
        if document.recipient == recipient
    ]


def evidence_for_survivor(case: Case, redact: Redactor) -> list[Section]:
    """What each file is, not the file: copies are given on request, after the handler
    has looked at each for other people's information."""
    entries = []
    for evidence in case.evidence.all():
        details = sealing.unseal(case.data_key, evidence)
        entries.append(
            {
                "uploaded_at": when(evidence.uploaded_at),
                "type": evidence.content_type,
                "size": evidence.size,
                "file_name": redact(details.get("filename", "")),
                "description": redact(details.get("description", "")),
            }
        )
    return entries


# The alleged perpetrator -----------------------------------------------------------


def perpetrator_export(request: SubjectAccessRequest, by: Staff, now: datetime) -> Section:
    """Built from the requester's own person row and the columns of rows addressed to or
    about them. Nothing here unseals the case, the survivor or anyone else."""
    case, person = request.case, request.person
    if person.role != Subject.ALLEGED_PERPETRATOR:  # a wrong row would be a disclosure
        raise ValueError(f"{person.pk} is not an alleged perpetrator")
    own = sealing.unseal(case.data_key, person)
    perpetrators = list(
        case.people.filter(role=PersonRole.ALLEGED_PERPETRATOR)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    # Letters and contacts record only "the alleged perpetrator", not which one (and
    # casework.letters picks the recipient by row id): they are this person's only when
    # the case names no one else in that role. Otherwise the handler sorts them by hand.
    sole = perpetrators == [person.pk]
    documents = case.documents.defer("sealed").order_by("created_at", "id")
    letters = letters_to(documents, Recipient.ALLEGED_PERPETRATOR) if sole else []
    contacts = Contact.objects.filter(case=case, with_whom=PersonRole.ALLEGED_PERPETRATOR)
    return {
        "request": request_header(request, by, now),
        "scope": PERPETRATOR_SCOPE,
        "reference": export_reference(request),
        "you": {
            "name": own.get("name", ""),
            "tenancy_ref": own.get("tenancy_ref", ""),
            "ethnicity": person.ethnicity,
            "disability": person.disability,
            "sexual_orientation": person.sexual_orientation,
            "gender_identity": person.gender_identity,
            "religion": person.religion,
        },
        "letters": letters,
        "contacts": [
            {
                "at": when(contact.at),
                "channel": contact.channel,
                "direction": contact.direction,
                "notes": None,
                "withheld": WITHHELD_FOR_REVIEW,
            }
            for contact in (contacts.order_by("at", "id") if sole else [])
        ],
        "appeals": [
            {
                "stage": appeal.stage,
                "received_at": when(appeal.received_at),
                "due_at": when(appeal.due_at),
                "status": appeal.status,
                "outcome": appeal.outcome or None,
                "decided_at": when(appeal.decided_at),
                "withheld": WITHHELD_FOR_REVIEW,
            }
            for appeal in (
                Appeal.objects.filter(case=case, by="alleged_perpetrator").order_by("received_at")
                if sole
                else []
            )
        ],
    }


def perpetrator_review(document: Section) -> list[ReviewItem]:
    reference = document["reference"]
    items = []
    if document["contacts"] or document["appeals"]:
        what = "The notes of contacts with them, and their appeals, are withheld: check them"
        items.append(ReviewItem(reference, "Contacts and appeals", what))
    return items


def built_for(request: SubjectAccessRequest, by: Staff, now: datetime) -> Built:
    """The export and what its handler must review before it is released."""
    if request.subject == Subject.ALLEGED_PERPETRATOR:
        document = perpetrator_export(request, by, now)
        return Built(document, perpetrator_review(document))
    return survivor_built(request, by, now)


def export_for(request: SubjectAccessRequest, by: Staff, now: datetime) -> Section:
    return built_for(request, by, now).document
