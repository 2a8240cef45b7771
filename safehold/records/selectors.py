"""Reads of subject access requests and legal holds, always through cases.access.

Lists answer with what identifies no one (case reference, who asked by role, dates);
the notes and hold reasons appear only on a case's own records page, whose read is
audited like any other read of a case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases import selectors as case_selectors
from safehold.cases.models import Case
from safehold.records import rules
from safehold.records.models import LegalHold, Subject, SubjectAccessRequest

QUEUE_LIMIT = 200


def subject_access_due(user: Staff, *, limit: int = QUEUE_LIMIT) -> list[SubjectAccessRequest]:
    """Open requests the user may handle, the soonest due first, in a fixed number of
    queries: the queue page, and a panel on the home page."""
    if not rules.may_handle_subject_access(user):
        return []
    requests = SubjectAccessRequest.objects.filter(
        completed_at__isnull=True, case__in=access.cases_visible_to(user)
    )
    if user.role == Role.MANAGER:
        requests = requests.filter(case__team_id=user.team_id)
    return list(
        requests.select_related("case", "logged_by").order_by("due_at", "received_at", "id")[:limit]
    )


def subject_access_for(user: Staff, request_id: str) -> SubjectAccessRequest:
    """A request on a case the user may see; 404 otherwise, the same answer whether it
    is missing or not theirs."""
    found = (
        SubjectAccessRequest.objects.filter(pk=request_id, case__in=access.cases_visible_to(user))
        .select_related("case", "case__data_key", "person")
        .first()
    )
    if found is None:
        raise Http404("No such subject access request")
    return found


def subject_access_of(case: Case) -> list[SubjectAccessRequest]:
    return list(
        SubjectAccessRequest.objects.filter(case=case)
        .select_related("logged_by", "completed_by")
        .order_by("-received_at", "-id")
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
