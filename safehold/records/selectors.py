"""Reads of subject access requests and legal holds, always through cases.access.

Lists answer with what identifies no one (case reference, who asked by role, dates);
the notes and hold reasons appear only on a case's own records page, whose read is
audited like any other read of a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases import selectors as case_selectors
from safehold.cases.models import Case, Person, PersonRole
from safehold.records import export, rules
from safehold.records.models import LegalHold, Subject, SubjectAccessRequest
from safehold.records.redaction import folded, phone_key

# How many open requests the queue page reads; the home page's count stops there too
# and says "200 or more" (desk/home.py). A presentation choice, not a policy rule.
QUEUE_LIMIT = 200


def subject_access_open(user: Staff) -> QuerySet[SubjectAccessRequest]:
    """Open requests the user may handle, the soonest due first, unread (none for
    someone who may handle none): the queue page reads its rows and the home page
    counts them, stopping where it needs (issue 19)."""
    if not rules.may_handle_subject_access(user):
        return SubjectAccessRequest.objects.none()
    requests = SubjectAccessRequest.objects.filter(
        access.on_one_of(access.cases_visible_to(user)), completed_at__isnull=True
    )
    if user.role == Role.MANAGER:
        requests = requests.filter(case__team_id=user.team_id)
    return requests.select_related("case", "logged_by").order_by("due_at", "received_at", "id")


def subject_access_due(user: Staff) -> list[SubjectAccessRequest]:
    """The first QUEUE_LIMIT of `subject_access_open`, in a fixed number of queries: the
    queue page."""
    return list(subject_access_open(user)[:QUEUE_LIMIT])


def subject_access_for(user: Staff, request_id: str) -> SubjectAccessRequest:
    """A request on a case the user may see; 404 otherwise, the same answer whether it
    is missing or not theirs."""
    found = (
        SubjectAccessRequest.objects.filter(pk=request_id, case__in=access.cases_visible_to(user))
        .select_related(
            "case",
            "case__data_key",
            "person",
            "logged_by",
            "verified_by",
            "reviewed_by",
            "released_by",
            "completed_by",
        )
        .first()
    )
    if found is None:
        raise Http404("No such subject access request")
    return found


def subject_access_of(case: Case) -> list[SubjectAccessRequest]:
    return list(
        SubjectAccessRequest.objects.filter(case=case)
        .select_related("logged_by", "verified_by", "reviewed_by", "released_by", "completed_by")
        .prefetch_related("included")
        .order_by("-received_at", "-id")
    )


@dataclass(frozen=True)
class Candidate:
    """A case the handler may include in the export, and whether they have."""

    case: Case
    request_made_on_this_case: bool
    included: bool
    # For the survivor: whether the case has her phone, email or address as on the case
    # the request was made on. False is a warning: the person who asked may not be the
    # person on this case. None for the case the request was made on.
    contact_details_match: bool | None


CONTACT_KEYS = ("phone", "email", "address")


def same_contact(one: dict[str, Any], other: dict[str, Any]) -> bool:
    for key in CONTACT_KEYS:
        a, b = str(one.get(key) or ""), str(other.get(key) or "")
        if key == "phone":
            a, b = phone_key(a), phone_key(b)
        else:
            a, b = folded(a), folded(b)
        if a and a == b:
            return True
    return False


def candidates(user: Staff, request: SubjectAccessRequest) -> list[Candidate]:
    """The cases listed for the handler to confirm one by one (reference, date, team),
    only once the requester's identity has been checked: before then nothing is
    gathered, not even the list."""
    rules.check_subject_access(user, request.case)
    if request.verified_at is None:
        raise rules.identity_not_verified()
    cases = export.candidate_cases(request, user)
    included = export.included_ids(request)
    match: dict[str, bool] = {}
    if request.subject == Subject.SURVIVOR:
        keys = {case.pk: case.data_key for case in cases}
        survivors = Person.objects.filter(case_id__in=keys, role=PersonRole.SURVIVOR)
        details = {p.case_id: sealing.unseal(keys[p.case_id], p) for p in survivors}
        asked = details.get(request.case_id, {})
        match = {case_id: same_contact(asked, theirs) for case_id, theirs in details.items()}
    return [
        Candidate(
            case,
            case.pk == request.case_id,
            case.pk in included,
            None if case.pk == request.case_id else match.get(case.pk),
        )
        for case in cases
    ]


@dataclass(frozen=True)
class RequestDetail:
    request: SubjectAccessRequest
    requester: str
    notes: str
    verification_notes: str
    released_to: str
    closed_reason: str
    candidates: list[Candidate] | None  # None until the identity is checked
    review: list[export.ReviewItem] | None  # None until the cases are confirmed


def subject_access_detail(
    user: Staff, request_id: str, *, via: str, now: datetime | None = None
) -> RequestDetail:
    """A request, with the cases listed for it and what must be reviewed, for its
    handler. Reading it is audited as a read of the case it was made on, and, once the
    review list (which quotes their text) is shown, of each case included."""
    if not rules.may_handle_subject_access(user):
        raise rules.subject_access_refusal()
    request = subject_access_for(user, request_id)
    case = access.case_for(user, request.case_id)
    rules.check_subject_access(user, case)
    request.case = case
    key = case.data_key
    sealed = sealing.unseal(key, request)
    listed = candidates(user, request) if request.verified_at else None
    review = None
    if listed and any(c.included for c in listed):
        review = export.built_for(request, user, now or timezone.now()).review
    case_selectors.viewed_record(user, case, via=via)
    for candidate in listed or []:
        if review is not None and candidate.included and candidate.case.pk != case.pk:
            case_selectors.viewed_record(user, candidate.case, via=via)
    return RequestDetail(
        request,
        requester_label(request, sealing.unseal(key, request.person)),
        sealed.get("notes", ""),
        sealed.get("verification_notes", ""),
        sealed.get("released_to", ""),
        sealed.get("closed_reason", ""),
        listed,
        review,
    )


@dataclass(frozen=True)
class RequestRow:
    request: SubjectAccessRequest
    requester: str
    notes: str


@dataclass(frozen=True)
class HoldRow:
    hold: LegalHold
    reason: str


@dataclass(frozen=True)
class CaseRecords:
    case: Case
    requests: list[RequestRow]
    holds: list[HoldRow]


def requester_label(request: SubjectAccessRequest, details: dict[str, Any]) -> str:
    role = request.get_subject_display().capitalize()
    name = details.get("name", "")
    return f"{role}: {name}" if name else role


def case_records(user: Staff, case_id: str, *, via: str) -> CaseRecords:
    """A case's subject access requests and legal hold history, for the people who
    handle them; the read is audited."""
    case = access.case_for(user, case_id)
    if not (rules.may_handle_subject_access(user) or rules.may_hold(user)):
        raise rules.subject_access_refusal()
    key = case.data_key
    requests = (
        SubjectAccessRequest.objects.filter(case=case)
        .select_related("logged_by", "completed_by", "person")
        .order_by("-received_at", "-id")
    )
    rows = [
        RequestRow(
            r,
            requester_label(r, sealing.unseal(key, r.person)),
            sealing.unseal(key, r).get("notes", ""),
        )
        for r in requests
    ]
    holds = LegalHold.objects.filter(case=case).select_related("by").order_by("-at", "-id")
    hold_rows = [HoldRow(h, sealing.unseal(key, h).get("reason", "")) for h in holds]
    case_selectors.viewed_record(user, case, via=via)
    return CaseRecords(case, rows, hold_rows)


def requester_choices(case: Case) -> list[tuple[str, str]]:
    """Who on the case may ask: the survivor, then each alleged perpetrator by name, as
    `role:person_id` values for the form."""
    people = sorted(
        case.people.filter(role__in=Subject.values),
        key=lambda p: (p.role != Subject.SURVIVOR, p.pk),
    )
    choices = []
    for person in people:
        name = sealing.unseal(case.data_key, person).get("name", "") or "name not recorded"
        label = "The survivor" if person.role == Subject.SURVIVOR else "Alleged perpetrator"
        choices.append((f"{person.role}:{person.pk}", f"{label}: {name}"))
    return choices
