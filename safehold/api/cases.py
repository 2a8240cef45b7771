"""API.md §5 "Cases", "Response and contact", "Assignment", break glass and audit:
thin handlers over cases.services and cases.selectors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from safehold.accounts.models import Staff
from safehold.api.schemas import (
    AssignmentIn,
    AuditOut,
    BreakGlassIn,
    BreakGlassOut,
    BreakGlassRequestOut,
    CaseIn,
    CaseOut,
    CasePage,
    CaseSearch,
    CaseSummary,
    ContactIn,
    ContactOut,
    IncidentIn,
    PersonOut,
    PersonPatchIn,
    problems,
)
from safehold.cases import access, inputs, selectors, services
from safehold.cases.models import BreakGlassStatus, Case
from safehold.casework import contacts
from safehold.closure import selectors as closure_selectors
from safehold.errors import Refusal
from safehold.policy.loader import active_policy

router = Router(tags=["cases"])


def staff(request: HttpRequest) -> Staff:
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, Staff):  # BearerToken always sets it; be sure all the same
        raise PermissionError("no authenticated staff on an API request")
    return user


def utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


def summary(case: selectors.CaseRow) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "status": case.status,
        "team": case.team_name,
        "source": case.source,
        "reported_at": utc(case.reported_at),
        "response_due_at": utc(case.response_due_at),
        "response_status": selectors.response_status(case),
        "first_contact_at": utc(case.first_contact_at),
        "risk_level": case.risk_level,
        "repeat": case.repeat,
        "restricted": case.restricted,
        "assigned_officer": case.assigned_officer_username,
        "next_review_due_at": utc(selectors.next_review_due_at(case)),
        "abuse_types": case.abuse_types,
        "policy": {"id": case.policy_id, "version": case.policy_version},
    }


def diversity(person: Any) -> dict[str, str]:
    fields = ("ethnicity", "disability", "sexual_orientation", "gender_identity", "religion")
    return {name: getattr(person, name) for name in fields}


def full(view: selectors.CaseView) -> dict[str, Any]:
    case, survivor = view.case, view.survivor
    details = survivor.details
    return {
        **summary(selectors.CaseRow.of(case)),
        "repeat": view.repeat,
        "response_status": view.response_status,
        "summary": view.details.get("summary", ""),
        "survivor": {
            "id": survivor.person.pk,
            "person_id": view.person_id,
            "name": details["name"],
            "date_of_birth": details["date_of_birth"],
            "sex": survivor.person.sex,
            "address": details["address"],
            "tenancy_ref": details["tenancy_ref"],
            "is_staff_member": survivor.person.is_staff_member,
            "safe_contact": {
                "phone": details["phone"],
                "email": details["email"],
                "safe_times": details["safe_times"],
                "voicemail_ok": survivor.person.voicemail_ok,
                "post_ok": survivor.person.post_ok,
            },
            **diversity(survivor.person),
        },
        "alleged_perpetrators": [
            {
                "id": p.person.pk,
                "person_id": p.person.pk,
                "name": p.details["name"],
                "relationship": p.person.relationship,
                "is_resident": p.person.is_resident,
                "tenancy_ref": p.details["tenancy_ref"],
                "address": p.details.get("address", ""),
                "is_tenant": p.details.get("is_tenant"),
                **diversity(p.person),
            }
            for p in view.alleged_perpetrators
        ],
        "children": [{"age": c.person.age, "name": c.details["name"]} for c in view.children],
        "severity": case.severity_at_receipt,
        "under_minimum_age": case.under_minimum_age,
        "under_age_referral_agency": under_age_referral_agency(case),
        "requests": {
            "same_sex_officer": case.same_sex_officer,
            "same_sex_officer_answer": selectors.same_sex_officer_answer(case),
            "interpreter_language": case.interpreter_language,
            "childcare": case.childcare,
            "interview_venue": view.details.get("interview_venue", ""),
        },
        "incidents": [
            {
                "id": incident.pk,
                "reported_at": utc(incident.reported_at),
                "source": incident.source,
                "abuse_types": incident.abuse_types,
                "summary": sealed["summary"],
            }
            for incident, sealed in view.incidents
        ],
        "letters_outstanding": [
            outstanding_out(letter) for letter in closure_selectors.letters_outstanding(case)
        ],
    }


def outstanding_out(letter: closure_selectors.OutstandingLetter) -> dict[str, Any]:
    """A closure letter the case still owes an alleged perpetrator, and why."""
    return {
        "kind": letter.kind,
        "recipient": letter.recipient,
        "alleged_perpetrator": letter.person_id,
        "name": letter.name,
        "reason": letter.reason,
        "detail": letter.message,
    }


def under_age_referral_agency(case: Case) -> str | None:
    """The agency a survivor under the policy's minimum age is referred to, or None."""
    if not case.under_minimum_age:
        return None
    return active_policy().definitions.under_age_referral_agency


def report_from(body: CaseIn) -> inputs.Report:
    s = body.survivor
    return inputs.Report(
        reported_at=body.reported_at,
        source=body.source,
        team=body.team,
        survivor=inputs.SurvivorDetails(
            person_id=s.person_id,
            name=s.name,
            date_of_birth=s.date_of_birth,
            sex=s.sex,
            address=s.address,
            tenancy_ref=s.tenancy_ref,
            is_staff_member=s.is_staff_member,
            safe_contact=inputs.SafeContact(**s.safe_contact.model_dump()),
            diversity=diversity_from(s),
        ),
        alleged_perpetrators=tuple(
            inputs.PerpetratorDetails(
                name=p.name,
                sex=p.sex,
                relationship=p.relationship,
                is_resident=p.is_resident,
                tenancy_ref=p.tenancy_ref,
                diversity=diversity_from(p),
                address=p.address,
                is_tenant=p.is_tenant,
            )
            for p in body.alleged_perpetrators
        ),
        children=tuple(inputs.ChildDetails(age=c.age, name=c.name) for c in body.children),
        abuse_types=tuple(body.abuse_types),
        summary=body.summary,
        requests=inputs.Requests(**body.requests.model_dump()),
        severity=body.severity,
    )


def diversity_from(person: Schema) -> inputs.Diversity:
    return inputs.Diversity(
        **{name: getattr(person, name) for name in inputs.Diversity.__dataclass_fields__}
    )


class ListFilters(Schema):
    status: Literal["open", "closing", "closed"] | None = None
    risk_level: Literal["standard", "medium", "high"] | None = None
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None


@router.post("", response={201: CaseOut, **problems(403, 422)}, summary="Open a case from a report")
def case_create(request: HttpRequest, body: CaseIn) -> Status[dict[str, Any]]:
    user = staff(request)
    case = services.case_open(report=report_from(body), by=user)
    return Status(201, full(selectors.case_detail(user, case.pk, via="api")))


@router.get("", response=CasePage, summary="The cases the caller may see, newest first")
def case_list(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    cases, cursor = selectors.case_row_page(
        staff(request), status=filters.status, risk_level=filters.risk_level, cursor=filters.cursor
    )
    return {"items": [summary(c) for c in cases], "next": next_url(filters, cursor)}


def next_url(filters: ListFilters, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = {k: v for k, v in (("status", filters.status), ("risk_level", filters.risk_level)) if v}
    return f"{reverse('api-v1:case_list')}?{urlencode({**query, 'cursor': cursor})}"


@router.post(
    "/search",
    response=CasePage,
    summary=(
        "Find cases by what a caller says: the survivor's name or part of it, a name spelt "
        "another way, date of birth, phone, postcode, tenancy reference, or the case "
        "reference or its number (names travel in the body)"
    ),
)
def case_search(request: HttpRequest, search: CaseSearch) -> dict[str, Any]:
    found = selectors.case_row_search(
        staff(request), q=search.q, status=search.status, risk_level=search.risk_level
    )
    return {"items": [summary(c) for c in found], "next": None}


@router.get("/{case_id}", response=CaseOut, summary="One case; the read is audited")
def case_get(request: HttpRequest, case_id: str) -> dict[str, Any]:
    return full(selectors.case_detail(staff(request), case_id, via="api"))


@router.post(
    "/{case_id}/incidents",
    response={201: dict[str, Any], **problems(409, 422)},
    summary="A further report",
)
def incident_create(request: HttpRequest, case_id: str, body: IncidentIn) -> Status[dict[str, Any]]:
    user = staff(request)
    case = access.case_for(user, case_id)
    incident = services.incident_add(
        case=case,
        by=user,
        reported_at=body.reported_at,
        source=body.source,
        abuse_types=tuple(body.abuse_types),
        summary=body.summary,
    )
    return Status(
        201,
        {
            "id": incident.pk,
            "case": case.pk,
            "reported_at": utc(incident.reported_at),
            "source": incident.source,
            "abuse_types": incident.abuse_types,
        },
    )


@router.patch(
    "/{case_id}/people/{person_id}",
    response={200: PersonOut, **problems(422)},
    summary="Change some of the survivor's or an alleged perpetrator's details",
    description=(
        "A partial update: only the fields sent change, each sealed again like every "
        "address, and the survivor's search tokens are written again. The audit log "
        "records which details changed (`person.updated`), never their values. "
        "`person_id` is the `id` of the survivor or of an alleged perpetrator in "
        "`GET /cases/{id}`. A date of birth in the future is 422 `date_of_birth_in_future`."
    ),
)
def person_update(
    request: HttpRequest, case_id: str, person_id: str, body: PersonPatchIn
) -> dict[str, Any]:
    user = staff(request)
    case = access.case_for(user, case_id)
    changes = body.model_dump(include=body.model_fields_set)
    changed = services.person_update(case=case, person_id=person_id, by=user, changes=changes)
    role = case.people.values_list("role", flat=True).get(pk=person_id)
    return {"id": person_id, "role": role, "changed": changed}


@router.post(
    "/{case_id}/contacts", response={201: ContactOut, **problems(422)}, summary="Record a contact"
)
def contact_create(request: HttpRequest, case_id: str, body: ContactIn) -> Status[dict[str, Any]]:
    user = staff(request)
    case = access.case_for(user, case_id)
    contact = contacts.contact_record(
        case=case,
        by=user,
        at=body.at,
        channel=body.channel,
        direction=body.direction,
        with_whom=body.with_,
        notes=body.notes,
    )
    case.refresh_from_db()
    return Status(
        201,
        {
            "id": contact.pk,
            "at": utc(contact.at),
            "channel": contact.channel,
            "direction": contact.direction,
            "with": contact.with_whom,
            "first_contact_at": utc(case.first_contact_at),
            "response_status": selectors.response_status(case),
        },
    )


@router.post(
    "/{case_id}/assignment",
    response={200: CaseSummary, **problems(403, 422)},
    summary="Assign an officer",
)
def assignment_create(request: HttpRequest, case_id: str, body: AssignmentIn) -> dict[str, Any]:
    user = staff(request)
    case = services.officer_assign(
        case=access.case_for(user, case_id), officer_username=body.officer, by=user
    )
    return summary(selectors.rows_seen_by(user, [selectors.CaseRow.of(case)])[0])


@router.post(
    "/{case_id}/break-glass",
    response={201: BreakGlassOut, 202: BreakGlassRequestOut, **problems(403, 422)},
    summary="24 hours of access to one case outside your need to know; the DA leads are alerted",
    description=(
        "On a restricted case only the roles `restricted_cases.break_glass_roles` names may "
        "ask (anyone else gets 404, as for a case that does not exist); where the policy "
        "wants approval the answer is 202 with a request (`status` `waiting`) that another "
        "of them decides at `/break-glass/{id}/approve` or `/decline`."
    ),
)
def break_glass_create(
    request: HttpRequest, case_id: str, body: BreakGlassIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    if not access.may_break_glass(user):
        raise Refusal("may_not_break_glass", "Your role may not break the glass", status=403)
    services.break_glass_reason(body.reason)  # before the lookup: no oracle
    case = access.case_to_break_glass(user, case_id=case_id)
    if case is None:
        raise Http404("No such case")
    grant = services.break_glass(case=case, by=user, reason=body.reason)
    if grant.status == BreakGlassStatus.WAITING:
        waiting = {"id": grant.pk, "case": case.pk, "status": grant.status}
        return Status(202, waiting | {"requested_at": utc(grant.requested_at)})
    return Status(201, {"id": grant.pk, "case": case.pk, "expires_at": utc(grant.expires_at)})


class AuditPage(Schema):
    after: Annotated[int, Field(ge=0, le=2**62)] = 0


@router.get(
    "/{case_id}/audit",
    response={200: AuditOut, **problems(403)},
    summary="Who has seen and changed a case",
)
def audit_list(request: HttpRequest, case_id: str, page: Query[AuditPage]) -> dict[str, Any]:
    """Oldest first, `selectors.AUDIT_API_PAGE` entries an answer; `next` is the URL of
    the entries after the last one here, or null at the end of the trail."""
    _, entries, more = selectors.audit_trail(staff(request), case_id, after=page.after)
    following = None
    if more:
        url = reverse("api-v1:audit_list", kwargs={"case_id": case_id})
        following = f"{url}?{urlencode({'after': entries[-1].seq})}"
    return {
        "items": [
            {"at": utc(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in entries
        ],
        "next": following,
    }
