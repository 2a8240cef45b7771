"""Subject access, legal holds and retention: every write a named service, keyword-only,
atomic, checked and audited (STYLE.md habit 2).

Subject access: a DA lead or director, or a manager for their own team's cases, logs a
request from the survivor or an alleged perpetrator. Nothing is gathered until another
handler has checked and recorded the requester's identity (`subject_access_verify`) and
a handler has confirmed, case by case, which cases it covers
(`subject_access_cases_confirm`): a name and a date of birth are not a person. The
export (JSON and PDF, export.py) is a draft until a handler has reviewed what could not
be redacted automatically (`subject_access_review`); releasing it
(`subject_access_release`) is a disclosure, only by a channel the requester gave as safe
on the case the request was made on, audited on every case it holds, and the officer of
each is told. The request is marked complete once released.

Retention: `retention_due` finds the closed cases whose retention period has ended and
that no legal hold keeps; `case_erase` crypto-shreds one by destroying its data key. The
rows and their statistical columns stay, so the monitoring figures still count it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access, sealing, search
from safehold.cases.models import (
    Alert,
    BreakGlass,
    Case,
    CaseTeamMember,
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
from safehold.records.models import (
    HoldAction,
    LegalHold,
    ReleaseChannel,
    Subject,
    SubjectAccessCase,
    SubjectAccessRequest,
    VerificationMethod,
)

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


def locked_request(request: SubjectAccessRequest) -> SubjectAccessRequest:
    return (
        SubjectAccessRequest.objects.select_for_update()
        .select_related("case", "person")
        .get(pk=request.pk)
    )


def check_not_released(request: SubjectAccessRequest) -> None:
    if request.released_at is not None:
        raise Refusal(
            "already_released",
            "This export has been released: it can no longer be changed",
            status=409,
        )


def check_gatherable(request: SubjectAccessRequest) -> None:
    """Nothing is gathered for a request until the requester's identity is checked and
    the handler has confirmed which cases it covers."""
    if request.verified_at is None:
        raise rules.identity_not_verified()
    if not SubjectAccessCase.objects.filter(request=request).exists():
        raise Refusal(
            "cases_not_confirmed",
            "Confirm which cases the request covers first: nothing is gathered until then",
            status=409,
        )


def sealed_details(case: Case, request: SubjectAccessRequest) -> dict[str, Any]:
    return sealing.unseal(case.data_key, request)


@transaction.atomic
def subject_access_verify(
    *,
    request: SubjectAccessRequest,
    by: Staff,
    method: str,
    notes: str = "",
    now: datetime | None = None,
) -> SubjectAccessRequest:
    """Records who checked the requester's identity, how and when. The checker may not
    be the handler who logged the request: two people, so that one person who is
    deceived, or who means harm, cannot alone start gathering someone's records."""
    case = handled_case(request, by)
    request = locked_request(request)
    check_not_released(request)
    if request.verified_at is not None:
        raise Refusal(
            "already_verified", "The requester's identity has already been checked", status=409
        )
    if request.logged_by_id == by.pk:
        raise Refusal(
            "own_request",
            "Someone other than the person who logged the request must check the "
            "requester's identity",
            status=403,
        )
    if method not in VerificationMethod.values:
        raise Refusal(
            "unknown_verification_method",
            "Say how the requester's identity was checked",
            field="method",
        )
    notes = notes.strip()
    if len(notes) > MAX_NOTES:
        raise Refusal(
            "notes_too_long", f"Notes must be {MAX_NOTES} characters or fewer", field="notes"
        )
    if method == VerificationMethod.OTHER and not notes:
        raise Refusal("notes_required", "Describe how the identity was checked", field="notes")
    details = sealed_details(case, request)
    details["verification_notes"] = notes
    request.sealed = sealing.seal(case.data_key, request, details)
    request.verified_by, request.verified_at = by, now or timezone.now()
    request.verification_method = method
    request.save(update_fields=["sealed", "verified_by", "verified_at", "verification_method"])
    record(
        by.username, "subject_access.identity_verified", case.pk, request=request.pk, method=method
    )
    return request


@transaction.atomic
def subject_access_cases_confirm(
    *,
    request: SubjectAccessRequest,
    by: Staff,
    case_ids: Sequence[str],
    now: datetime | None = None,
) -> list[str]:
    """Sets the cases the export holds: the case the request was made on, and each of
    `case_ids`, every one of which must be among the cases listed for the request
    (export.candidate_cases). Any other id, for a case that does not exist or that the
    handler may not see alike, is refused without saying which. A change after review
    asks for the review again. Each case added is audited on that case."""
    case = handled_case(request, by)
    request = locked_request(request)
    check_not_released(request)
    if request.verified_at is None:
        raise rules.identity_not_verified()
    candidates = {c.pk for c in export.candidate_cases(request, by)}
    wanted = {str(case_id) for case_id in case_ids} | {case.pk}
    if not wanted <= candidates:
        raise Refusal(
            "not_a_candidate",
            "Choose only cases listed for this request",
            field="cases",
        )
    now = now or timezone.now()
    rows = SubjectAccessCase.objects.filter(request=request)
    before = set(rows.values_list("case_id", flat=True))
    rows.exclude(case_id__in=wanted).delete()
    added = sorted(wanted - before)
    SubjectAccessCase.objects.bulk_create(
        [
            SubjectAccessCase(request=request, case_id=case_id, confirmed_by=by, confirmed_at=now)
            for case_id in added
        ]
    )
    if before != wanted and request.reviewed_at is not None:
        request.reviewed_by = request.reviewed_at = None
        request.save(update_fields=["reviewed_by", "reviewed_at"])
    for case_id in added:
        record(by.username, "subject_access.case_included", case_id, request=request.pk)
    for case_id in sorted(before - wanted):
        record(by.username, "subject_access.case_excluded", case_id, request=request.pk)
    return sorted(wanted)


@transaction.atomic
def subject_access_review(
    *, request: SubjectAccessRequest, by: Staff, now: datetime | None = None
) -> SubjectAccessRequest:
    """Records that a handler has looked at what could not be redacted automatically
    and at what was withheld (export.Built.review), so the export can say so."""
    case = handled_case(request, by)
    request = locked_request(request)
    check_not_released(request)
    check_gatherable(request)
    request.reviewed_by, request.reviewed_at = by, now or timezone.now()
    request.save(update_fields=["reviewed_by", "reviewed_at"])
    record(by.username, "subject_access.reviewed", case.pk, request=request.pk)
    return request


def unsafe_channel(message: str) -> Refusal:
    return Refusal("unsafe_contact_channel", message, field="channel")


def safe_destination(case: Case, person: Person, channel: str) -> str:
    """Where the export goes: the email address or postal address the requester gave on
    the case the request was made on. For the survivor, post only where she said post is
    safe. Never anything from another case."""
    if channel not in ReleaseChannel.values:
        raise Refusal(
            "unknown_channel",
            f"channel must be one of: {', '.join(ReleaseChannel.values)}",
            field="channel",
        )
    details = sealing.unseal(case.data_key, person)
    if channel == ReleaseChannel.EMAIL:
        email = str(details.get("email") or "").strip()
        if not email:
            raise unsafe_channel(
                "No email address is recorded for them on this case: it cannot go by email"
            )
        return email
    address = str(details.get("address") or "").strip()
    if person.role == PersonRole.SURVIVOR and person.post_ok is not True:
        raise unsafe_channel("Post is not marked safe for the survivor on this case")
    if not address:
        raise unsafe_channel("No address is recorded for them on this case: it cannot go by post")
    return address


def officers_of(cases: Iterable[Case]) -> dict[str, list[Staff]]:
    """Each case's officer: the assigned officer, or else the people on its case team."""
    cases = list(cases)
    team: dict[str, list[Staff]] = {case.pk: [] for case in cases}
    for member in CaseTeamMember.objects.filter(case__in=cases).select_related("staff"):
        team[member.case_id].append(member.staff)
    return {
        case.pk: [case.assigned_officer] if case.assigned_officer else team[case.pk]
        for case in cases
    }


def officers_told(
    *, cases: list[Case], by: Staff, subject: str, channel: str, now: datetime
) -> None:
    """Tells the officer of each case released, in Safehold and by email, so that an
    officer who knows the survivor did not ask can say so at once. Each message names
    only that officer's own case."""
    who = "the survivor" if subject == Subject.SURVIVOR else "the alleged perpetrator"
    alerts, mails = [], []
    officers = officers_of(cases)
    for case in cases:
        for officer in officers[case.pk]:
            if officer.pk == by.pk or not officer.is_active:
                continue
            message = (
                f"Subject access: the records of {case.reference} were released to {who} by "
                f"{channel} by {by.full_name} ({by.username}). If they did not ask for them, "
                f"tell {by.full_name} and your manager now."
            )
            alerts.append(
                Alert(recipient=officer, case=case, message=message[:300], created_at=now)
            )
            if officer.email:
                mails.append((officer.email, case.reference))
    Alert.objects.bulk_create(alerts)
    for address, reference in mails:
        transaction.on_commit(
            partial(
                send_mail,
                subject=f"Safehold: records of {reference} released",
                message=(
                    f"The records of {reference} were released in answer to a subject "
                    f"access request, by {by.full_name}. The details are in Safehold. This "
                    "email holds no survivor details."
                ),
                from_email=None,
                recipient_list=[address],
                fail_silently=True,
            )
        )


@transaction.atomic
def subject_access_release(
    *,
    request: SubjectAccessRequest,
    by: Staff,
    channel: str,
    now: datetime | None = None,
) -> SubjectAccessRequest:
    """Releases the reviewed export to the requester by `channel`: a disclosure,
    written to the audit trail of every case it holds (`disclosure.subject_access`),
    and told to each case's officer."""
    case = handled_case(request, by)
    request = locked_request(request)
    check_not_released(request)
    check_gatherable(request)
    if request.reviewed_at is None:
        raise Refusal(
            "not_reviewed",
            "Review what could not be redacted automatically before releasing the export",
            status=409,
        )
    destination = safe_destination(case, request.person, channel)
    now = now or timezone.now()
    included = export.included_ids(request)
    released = [c for c in export.candidate_cases(request, by) if c.pk in included]
    details = sealed_details(case, request)
    details["released_to"] = destination
    request.sealed = sealing.seal(case.data_key, request, details)
    request.released_by, request.released_at, request.release_channel = by, now, channel
    request.save(update_fields=["sealed", "released_by", "released_at", "release_channel"])
    for released_case in released:
        record(
            by.username,
            "disclosure.subject_access",
            released_case.pk,
            request=request.pk,
            subject=request.subject,
            channel=channel,
            request_made_on_this_case=released_case.pk == case.pk,
        )
    officers_told(cases=released, by=by, subject=request.subject, channel=channel, now=now)
    return request


def subject_access_export(
    *, request: SubjectAccessRequest, by: Staff, now: datetime | None = None
) -> tuple[dict[str, Any], bytes]:
    """Everything held about the person who asked, in the cases confirmed for the
    request, as a JSON document and a PDF: refused until the requester's identity is
    checked and the cases confirmed. A draft until reviewed; released only through
    `subject_access_release`. The export is audited (with no personal data in the
    entry) and its time kept."""
    case = handled_case(request, by)
    now = now or timezone.now()
    request = SubjectAccessRequest.objects.select_related(
        "person", "verified_by", "reviewed_by", "released_by"
    ).get(pk=request.pk)
    check_gatherable(request)
    request.case = case
    document = export.export_for(request, by, now)
    view = export.ExportView(
        provider=document["request"]["provider"],
        reference=export.export_reference(request),
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
    """Marks a request answered, once its export has been released."""
    handled_case(request, by)
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.completed_at is not None:
        raise Refusal("already_completed", "This request is already complete", status=409)
    if request.released_at is None:
        raise Refusal(
            "not_released", "Release the export before marking the request complete", status=409
        )
    request.completed_at, request.completed_by = now or timezone.now(), by
    request.save(update_fields=["completed_at", "completed_by"])
    record(by.username, "subject_access.completed", request.case_id, request=request.pk)
    return request


MIN_CLOSE_REASON = 10  # not-policy: an input rule, so a closing always says why


@transaction.atomic
def subject_access_close(
    *, request: SubjectAccessRequest, by: Staff, reason: str, now: datetime | None = None
) -> SubjectAccessRequest:
    """Ends a request without releasing anything: the requester's identity could not be
    confirmed, or the request was withdrawn or refused. The reason is sealed; the
    request counts as answered (and no longer keeps the case from erasure)."""
    case = handled_case(request, by)
    request = locked_request(request)
    if request.completed_at is not None:
        raise Refusal("already_completed", "This request is already complete", status=409)
    check_not_released(request)
    reason = reason.strip()
    if len(reason) < MIN_CLOSE_REASON:
        raise Refusal(
            "reason_too_short",
            f"Give the reason in at least {MIN_CLOSE_REASON} characters",
            field="reason",
        )
    if len(reason) > MAX_NOTES:
        raise Refusal(
            "reason_too_long", f"The reason must be {MAX_NOTES} characters or fewer", field="reason"
        )
    details = sealed_details(case, request)
    details["closed_reason"] = reason
    request.sealed = sealing.seal(case.data_key, request, details)
    request.completed_at, request.completed_by = now or timezone.now(), by
    request.save(update_fields=["sealed", "completed_at", "completed_by"])
    record(by.username, "subject_access.closed_without_release", case.pk, request=request.pk)
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
    search.tokens_erase(case)
    shares_identity = Case.objects.filter(
        survivor_identity_id=case.survivor_identity_id, erased_at__isnull=True
    ).exclude(pk=case.pk)
    if not shares_identity.exists():
        SurvivorIdentity.objects.filter(pk=case.survivor_identity_id).update(identity_index="")
    # Already unreadable without the key; the ciphertext of files goes too, so backups
    # taken from now on do not carry it. Size and type stay for the figures.
    Evidence.objects.filter(case=case).update(content=b"")
    # Break-glass reasons are sealed (unreadable now), their ciphertext goes like the
    # files'; alerts hold no reason, but may name the case.
    BreakGlass.objects.filter(case=case).update(sealed=b"")
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
