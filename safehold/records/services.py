"""Subject access, legal holds and retention: every write a named service, keyword-only,
atomic, checked and audited (STYLE.md habit 2).

Subject access: a DA lead or director, or a manager for their own team's cases, logs a
request from the survivor or an alleged perpetrator, exports what is held about that
person (JSON and PDF, export.py) and marks the request complete once it has been sent.

Retention: `retention_due` finds the closed cases whose retention period has ended and
that no legal hold keeps; `case_erase` crypto-shreds one by destroying its data key. The
rows and their statistical columns stay, so the monitoring figures still count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import (
    Alert,
    BreakGlass,
    Case,
    Person,
    PersonRole,
    Status,
    SurvivorIdentity,
    new_id,
)
from safehold.casework.letters import render_pdf
from safehold.errors import Refusal
from safehold.evidence.models import Evidence
from safehold.policy.loader import active_policy
from safehold.privacy import audit, vault
from safehold.records import dates, export, rules
from safehold.records.models import HoldAction, LegalHold, Subject, SubjectAccessRequest

MAX_NOTES = 5000
MIN_HOLD_REASON = 10  # not-policy: an input rule, so a hold always says why
ERASED_ALERT = "[erased at the end of the retention period]"


def record(actor: str, action: str, case_id: str, **detail: str | int) -> None:
    audit.record(actor=actor, action=action, target_type="case", target_id=case_id, detail=detail)


# Subject access --------------------------------------------------------------------


def requester(case: Case, person_role: str, person_id: str) -> Person:
    """The person on the case who asked. With several alleged perpetrators, the caller
    must say which: guessing would send one person's records to another."""
    if person_role not in Subject.values:
        raise Refusal(
            "unknown_subject",
            "The subject must be the survivor or an alleged perpetrator",
            field="subject",
        )
    people = case.people.filter(role=person_role).order_by("id")
    if person_id:
        people = people.filter(pk=person_id)
    found = list(people[:2])
    if not found:
        label = PersonRole(person_role).label.lower()
        field = "person_id" if person_id else "subject"
        raise Refusal("unknown_person", f"The case names no such {label}", field=field)
    if len(found) > 1:
        raise Refusal(
            "person_required",
            "The case names more than one alleged perpetrator: say which one asked",
            field="person_id",
        )
    return found[0]


@transaction.atomic
def subject_access_log(
    *,
    case: Case,
    by: Staff,
    person_role: str,
    received_at: datetime,
    notes: str = "",
    person_id: str = "",
    now: datetime | None = None,
) -> SubjectAccessRequest:
    """Logs a request; it is due one calendar month after the day it was received."""
    if not rules.may_handle_subject_access(by):
        raise rules.subject_access_refusal()
    case = access.case_for(by, case.pk)  # 404 for a case the handler may not see
    rules.check_subject_access(by, case)
    now = now or timezone.now()
    if received_at > now:
        raise Refusal(
            "received_at_in_future",
            "The date the request was received cannot be in the future",
            field="received_at",
        )
    if len(notes) > MAX_NOTES:
        raise Refusal(
            "notes_too_long", f"Notes must be {MAX_NOTES} characters or fewer", field="notes"
        )
    person = requester(case, person_role, person_id)
    request = SubjectAccessRequest(
        id=new_id("sar"),
        case=case,
        person=person,
        subject=person.role,
        received_at=received_at,
        due_at=dates.one_calendar_month_after(dates.london_date(received_at)),
        logged_by=by,
        logged_at=now,
    )
    request.sealed = sealing.seal(case.data_key, request, {"notes": notes.strip()})
    request.save(force_insert=True)
    record(
        by.username,
        "subject_access.logged",
        case.pk,
        request=request.pk,
        subject=request.subject,
        due_at=request.due_at.isoformat(),
    )
    return request


def handled_case(request: SubjectAccessRequest, by: Staff) -> Case:
    if not rules.may_handle_subject_access(by):
        raise rules.subject_access_refusal()
    case = access.case_for(by, request.case_id)
    rules.check_subject_access(by, case)
    return case


def subject_access_export(
    *, request: SubjectAccessRequest, by: Staff, now: datetime | None = None
) -> tuple[dict[str, Any], bytes]:
    """Everything held about the person who asked, as a JSON document and a PDF.
    The export is audited (with no personal data in the entry) and its time kept."""
    case = handled_case(request, by)
    now = now or timezone.now()
    request = SubjectAccessRequest.objects.select_related("person").get(pk=request.pk)
    request.case = case
    document = export.export_for(request, by, now)
    view = export.ExportView(
        provider=document["request"]["provider"],
        reference=case.reference,
        date=now,
        export=document,
    )
    pdf = render_pdf("subject_access", request.subject, view)
    # The writes come after the reading and rendering, so the row lock is held briefly.
    with transaction.atomic():
        SubjectAccessRequest.objects.filter(pk=request.pk).update(exported_at=now)
        record(
            by.username,
            "subject_access.exported",
            case.pk,
            request=request.pk,
            subject=request.subject,
            cases=len(document["cases"]) if "cases" in document else 1,
        )
    return document, pdf


@transaction.atomic
def subject_access_complete(
    *, request: SubjectAccessRequest, by: Staff, now: datetime | None = None
) -> SubjectAccessRequest:
    """Marks a request answered. Separate from the export, because the export is checked
    by a person (withheld notes, evidence files) before it is sent."""
    handled_case(request, by)
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.completed_at is not None:
        raise Refusal("already_completed", "This request is already complete", status=409)
    if request.exported_at is None:
        raise Refusal(
            "not_exported", "Export the records before marking the request complete", status=409
        )
    request.completed_at, request.completed_by = now or timezone.now(), by
    request.save(update_fields=["completed_at", "completed_by"])
    record(by.username, "subject_access.completed", request.case_id, request=request.pk)
    return request


# Legal hold ------------------------------------------------------------------------


def held_case(case: Case, by: Staff, reason: str) -> tuple[Case, str]:
    rules.check_may_hold(by)
    access.case_for(by, case.pk)  # 404 for a case they may not see
    reason = reason.strip()
    if len(reason) < MIN_HOLD_REASON:
        raise Refusal(
            "reason_too_short",
            f"Give the reason in at least {MIN_HOLD_REASON} characters",
            field="reason",
        )
    locked = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
    return locked, reason


def hold_change(
    *, case: Case, by: Staff, reason: str, hold: bool, now: datetime | None
) -> LegalHold:
    case, reason = held_case(case, by, reason)
    if case.legal_hold == hold:
        code, message = (
            ("already_on_hold", "The case is already on legal hold")
            if hold
            else ("not_on_hold", "The case is not on legal hold")
        )
        raise Refusal(code, message, status=409)
    entry = LegalHold(
        id=new_id("hold"),
        case=case,
        action=HoldAction.PLACED if hold else HoldAction.LIFTED,
        by=by,
        at=now or timezone.now(),
    )
    entry.sealed = sealing.seal(case.data_key, entry, {"reason": reason})
    entry.save(force_insert=True)
    case.legal_hold = hold
    case.save(update_fields=["legal_hold"])
    action = "case.legal_hold_placed" if hold else "case.legal_hold_lifted"
    record(by.username, action, case.pk, hold=entry.pk)
    return entry


@transaction.atomic
def legal_hold_place(
    *, case: Case, by: Staff, reason: str, now: datetime | None = None
) -> LegalHold:
    """Keeps the case past its retention period, for litigation, an inquiry or a
    complaint, until the hold is lifted."""
    return hold_change(case=case, by=by, reason=reason, hold=True, now=now)


@transaction.atomic
def legal_hold_lift(
    *, case: Case, by: Staff, reason: str, now: datetime | None = None
) -> LegalHold:
    return hold_change(case=case, by=by, reason=reason, hold=False, now=now)


# Retention -------------------------------------------------------------------------


def retention_cutoff(now: datetime) -> datetime:
    return dates.calendar_years_before(now, active_policy().retention.years_after_closure)


def open_subject_access(case: Any) -> Exists:
    """Whether a request for the case's records is still being answered: erasing them
    then would destroy what someone has asked to see."""
    return Exists(SubjectAccessRequest.objects.filter(case=case, completed_at__isnull=True))


def retention_due(*, now: datetime) -> QuerySet[Case]:
    """Closed cases whose retention period has ended, not on legal hold, with no subject
    access request being answered, not erased."""
    return (
        Case.objects.filter(
            status=Status.CLOSED,
            closed_at__isnull=False,
            closed_at__lte=retention_cutoff(now),
            legal_hold=False,
            erased_at__isnull=True,
        )
        .exclude(open_subject_access(OuterRef("pk")))
        .order_by("closed_at", "id")
    )


def check_erasable(case: Case, now: datetime) -> None:
    """The same rule as `retention_due`, asked again under the row lock: a hold placed,
    a request logged or a case reopened since the list was read stops the erasure."""
    if case.legal_hold:
        raise Refusal("legal_hold", f"{case.reference} is on legal hold", status=409)
    if case.status != Status.CLOSED or case.closed_at is None:
        raise Refusal("case_not_closed", f"{case.reference} is not closed", status=409)
    if SubjectAccessRequest.objects.filter(case=case, completed_at__isnull=True).exists():
        raise Refusal(
            "subject_access_open",
            f"{case.reference} has a subject access request still being answered",
            status=409,
        )
    if case.closed_at > retention_cutoff(now):
        raise Refusal(
            "retention_not_ended",
            f"{case.reference}'s retention period has not ended",
            policy_rule="retention.years_after_closure",
            status=409,
        )


@transaction.atomic
def case_erase(*, case: Case, now: datetime, actor: str = "") -> Case:
    """Crypto-shreds a case whose retention period has ended. Erasing an erased case
    changes nothing and writes nothing."""
    case = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
    if case.erased_at is not None:
        return case
    check_erasable(case, now)
    vault.data_key_destroy(wrapped=case.data_key)
    Person.objects.filter(case=case).update(name_index="")
    shares_identity = Case.objects.filter(
        survivor_identity_id=case.survivor_identity_id, erased_at__isnull=True
    ).exclude(pk=case.pk)
    if not shares_identity.exists():
        SurvivorIdentity.objects.filter(pk=case.survivor_identity_id).update(identity_index="")
    # Already unreadable without the key; the ciphertext of files goes too, so backups
    # taken from now on do not carry it. Size and type stay for the figures.
    Evidence.objects.filter(case=case).update(content=b"")
    # Break-glass reasons and their alerts are the only free text kept in clear.
    BreakGlass.objects.filter(case=case).update(reason="")
    Alert.objects.filter(case=case).update(message=ERASED_ALERT)
    case.erased_at = now
    case.save(update_fields=["erased_at"])
    record(actor, "case.erased", case.pk, reference=case.reference)
    return case


@dataclass(frozen=True)
class Erasure:
    reference: str
    closed_at: datetime | None
    erased: bool
    problem: str = ""


def retention_erase_due(*, now: datetime, actor: str = "") -> list[Erasure]:
    """Erases every due case, each in its own transaction: a case that cannot be erased
    (a hold placed a moment ago) is reported and the rest still go."""
    done = []
    for case in list(retention_due(now=now)):
        try:
            case_erase(case=case, now=now, actor=actor)
        except Refusal as refusal:
            done.append(Erasure(case.reference, case.closed_at, False, refusal.message))
        else:
            done.append(Erasure(case.reference, case.closed_at, True))
    return done
