"""Every write to cases, as a named function: keyword-only, atomic, checked against the
policy, audited. The web intake and `POST /api/v1/cases` both call `case_open`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from safehold.accounts.models import Staff, Team
from safehold.accounts.roles import Role, Sex
from safehold.cases import access, diversity, followups, sealing, search, selectors
from safehold.cases.glass import break_glass as break_glass
from safehold.cases.glass import break_glass_reason as break_glass_reason
from safehold.cases.inputs import Diversity, Report
from safehold.cases.models import (
    Alert,
    Case,
    CaseAbuseType,
    CaseTeamMember,
    Incident,
    Person,
    PersonRole,
    ReferenceCounter,
    RiskLevel,
    Source,
    SurvivorIdentity,
    new_id,
)
from safehold.errors import Refusal
from safehold.policy import clock, vocabulary
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.prepared import statement_cursor
from safehold.privacy import audit, vault

LONDON = ZoneInfo("Europe/London")
REFERENCE_DIGITS = 5


def record(by: Staff, action: str, case: Case, **detail: Any) -> None:
    audit.record(
        actor=by.username, action=action, target_type="case", target_id=case.pk, detail=detail
    )


FIELD_LABELS = {"reported_at": "The time of the report", "at": "The time of the contact"}


def not_in_future(moment: datetime, *, now: datetime, field: str) -> None:
    if moment > now:
        label = FIELD_LABELS.get(field, field)
        raise Refusal(f"{field}_in_future", f"{label} cannot be in the future", field=field)


def check_abuse_types(abuse_types: tuple[str, ...]) -> None:
    """Any kind of abuse in the shared vocabulary (API.md §3) is accepted under every
    policy: the seeds accept what the survivor perceives as abuse ([000 Definition of
    domestic violence] "if any one ... perceives the incident to be domestic violence",
    [003 Survivor-centred approach] "if a person feels they are experiencing domestic
    violence", [001 2.1] and [004 2. Definition] "not limited to"). The policy's
    `definitions.abuse_types` decides the words and the order they are offered in."""
    unknown = sorted(set(abuse_types) - set(vocabulary.ABUSE_TYPES))
    if unknown:
        raise Refusal(
            "unknown_abuse_type",
            f"Not a kind of abuse Safehold records: {', '.join(unknown)}",
            field="abuse_types",
        )


def check_severity(severity: str | None) -> None:
    if severity is not None and severity not in RiskLevel.values:
        raise Refusal(
            "unknown_severity",
            f"Severity must be one of: {', '.join(RiskLevel.values)}",
            field="severity",
        )


SAME_SEX_OFFICER_ANSWERS = {True: "requested", False: "declined", None: ""}


def under_minimum_age(policy: Policy, born: date | None, reported_at: datetime) -> bool:
    """Whether the survivor was younger than the policy's minimum age on the day the
    report was received (London date). Unknown when no date of birth: not flagged."""
    if born is None:
        return False
    day = reported_at.astimezone(LONDON).date()
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return age < policy.definitions.minimum_age


def check_source(source: str) -> None:
    if source not in Source.values:
        raise Refusal("unknown_source", f"Source must be one of: {', '.join(Source.values)}")


def team_named(name: str, *, by: Staff) -> Team:
    if not name:
        return by.team
    team = Team.objects.filter(name=name).first()
    if team is None:
        raise Refusal("unknown_team", f"There is no team called {name}", field="team")
    return team


def next_reference(now: datetime) -> str:
    """DA-YYYY-NNNNN, taken under a row lock in the opening transaction: unique under
    concurrency, and a refused report leaves no gap. One statement, which makes the
    year's counter or adds one to it, and locks its row until the transaction ends."""
    year = now.astimezone(LONDON).year
    with statement_cursor(connection) as cursor:
        cursor.execute(NEXT_NUMBER, [year])
        (number,) = cursor.fetchone()
    return f"DA-{year}-{number:0{REFERENCE_DIGITS}d}"


COUNTER_TABLE = ReferenceCounter._meta.db_table
NEXT_NUMBER = (
    f'INSERT INTO {COUNTER_TABLE} ("year", "last") VALUES (%s, 1) '  # noqa: S608 - our table
    f'ON CONFLICT ("year") DO UPDATE SET "last" = {COUNTER_TABLE}."last" + 1 RETURNING "last"'
)


def survivor_identity_for(report: Report, *, by: Staff) -> SurvivorIdentity:
    survivor = report.survivor
    if survivor.person_id:
        visible = access.cases_visible_to(by).filter(survivor_identity_id=survivor.person_id)
        # The alias this reader was told (cases.selectors.person_id_for), or the raw
        # identity id of a case she may see.
        found_id = (
            survivor.person_id
            if visible.exists()
            else selectors.identity_of_alias(by, survivor.person_id)
        )
        if found_id is None:
            raise Refusal(
                "unknown_person", "No survivor with that person_id", field="survivor.person_id"
            )
        return SurvivorIdentity.objects.get(pk=found_id)
    dob = survivor.date_of_birth.isoformat() if survivor.date_of_birth else ""
    index = sealing.identity_index(survivor.name, dob)
    if index:
        found = SurvivorIdentity.objects.filter(identity_index=index).first()
        if found is not None:
            return found
    return SurvivorIdentity.objects.create(id=new_id("per"), identity_index=index)


def is_repeat(policy: Policy, identity: SurvivorIdentity, reported_at: datetime) -> bool:
    """API.md: the same survivor had a case reported in the 12 months before."""
    since = clock.repeat_window_start(policy, reported_at)
    earlier = Case.objects.filter(
        survivor_identity=identity, reported_at__gte=since, reported_at__lt=reported_at
    )
    return earlier.exists()


def repeat_alerts_send(policy: Policy, case: Case, *, by: Staff) -> None:
    """A new case that repeats earlier ones is told privately to those who may see each
    earlier case, so they can link the two: for a restricted case only the staff named
    on it, otherwise its officer (or, with none, those on its team), as the
    subject-access notices do. The recorder is told nothing here: `repeat` on her
    answer says what she may know. The message names the two references and nothing
    of the survivor."""
    since = clock.repeat_window_start(policy, case.reported_at)
    earlier = Case.objects.filter(
        survivor_identity_id=case.survivor_identity_id,
        reported_at__gte=since,
        reported_at__lt=case.reported_at,
    ).select_related("assigned_officer")
    alerts = []
    for other in earlier:
        on_case = CaseTeamMember.objects.filter(case=other).select_related("staff")
        named = {member.staff for member in on_case}
        if other.assigned_officer is not None:
            # Its officer, as the subject-access notices do (records.services.officers_of);
            # a restricted case's whole named team, who alone may see it.
            named = (
                named | {other.assigned_officer} if other.restricted else {other.assigned_officer}
            )
        message = (
            f"A new case, {case.reference}, may be about the same survivor as "
            f"{other.reference}. Check them and link the two if so."
        )
        for person in named:
            if person.pk != by.pk and person.is_active and access.may_see(person, other.pk):
                alerts.append(Alert(recipient=person, case=other, message=message[:300]))
    Alert.objects.bulk_create(alerts)


def open_cases_of_survivor(report: Report, *, by: Staff) -> list[Case]:
    """The open cases this report's survivor already has, among those `by` may see: the
    web intake offers to add the report to one of them as an incident."""
    survivor = report.survivor
    dob = survivor.date_of_birth.isoformat() if survivor.date_of_birth else ""
    index = sealing.identity_index(survivor.name, dob)
    if not index:
        return []
    return list(
        access.cases_visible_to(by)
        .filter(survivor_identity__identity_index=index, status="open")
        .order_by("-reported_at")
    )


@transaction.atomic
def case_open(*, report: Report, by: Staff, now: datetime | None = None) -> Case:
    if not access.may_record_report(by):
        raise Refusal("may_not_record", "Your role does not record reports", status=403)
    return case_record(report=report, by=by, now=now or timezone.now(), joins_team=True)


@transaction.atomic
def case_open_from_public_page(*, report: Report, recorder: Staff, now: datetime) -> Case:
    """A report sent by anyone through the public page (safehold/public): recorded in the
    name of the page's own account, which nobody signs in as and which sees no case
    (inactive, a role that sees no case content). It does not join the case team, so
    the account could see nothing even if someone enabled it. Every other rule of a
    report is the same as for one recorded by staff."""
    if recorder.is_active or recorder.role not in access.ROLES_WHO_SEE_NO_CASE:
        raise Refusal("may_not_record", "Only the public page's own account", status=403)
    return case_record(report=report, by=recorder, now=now, joins_team=False)


def case_record(*, report: Report, by: Staff, now: datetime, joins_team: bool) -> Case:
    policy = active_policy()
    reported_at = report.reported_at or now
    not_in_future(reported_at, now=now, field="reported_at")
    born = report.survivor.date_of_birth
    if born is not None and born > now.astimezone(LONDON).date():
        raise Refusal(
            "date_of_birth_in_future",
            "A date of birth cannot be in the future",
            field="survivor.date_of_birth",
        )
    check_source(report.source)
    check_abuse_types(report.abuse_types)
    check_severity(report.severity)
    check_diversity(report)
    team = team_named(report.team, by=by)
    identity = survivor_identity_for(report, by=by)
    case = Case(
        id=new_id("case"),
        data_key=vault.data_key_create(),
        survivor_identity=identity,
        team=team,
        source=report.source,
        reported_at=reported_at,
        # The severity judged at receipt sets the deadline where the policy has targets
        # by it; a later risk assessment may only bring it forward (risk.services).
        response_due_at=clock.response_due_at(policy, reported_at, report.severity),  # type: ignore[arg-type]
        severity_at_receipt=report.severity,
        # The first review: the policy's interval after the report (a review sets the next).
        next_review_at=clock.next_review_due_at(policy, reported_at),
        repeat=is_repeat(policy, identity, reported_at),
        restricted=report.survivor.is_staff_member,
        abuse_types=sorted(set(report.abuse_types)),
        same_sex_officer=bool(report.requests.same_sex_officer),
        same_sex_officer_answer=SAME_SEX_OFFICER_ANSWERS[report.requests.same_sex_officer],
        under_minimum_age=under_minimum_age(policy, born, reported_at),
        interpreter_language=report.requests.interpreter_language.strip().lower(),
        childcare=report.requests.childcare,
        policy_id=policy.id,
        policy_version=policy.version,
        created_by=by,
        created_at=now,
    )
    case.sealed = sealing.seal(
        case.data_key,
        case,
        {
            "summary": report.summary,
            "interview_venue": report.requests.interview_venue,
            "separate_case_reason": report.separate_case_reason,
        },
    )
    # The year's reference counter stays locked until this transaction commits, and every
    # other intake waits for it: taken last, after everything that needs no reference.
    case.reference = next_reference(now)
    case.save(force_insert=True)
    abuse_types_count(case, case.abuse_types)
    if joins_team:
        CaseTeamMember.objects.create(case=case, staff=by, added_at=now)
    people_add(case=case, report=report)
    # Not `repeat`: the trail is read by managers who may not see the earlier case
    # (docs/security.md "Oracles"); the case row keeps it.
    record(by, "case.opened", case, reference=case.reference)
    if case.repeat:
        repeat_alerts_send(policy, case, by=by)
    followups.run(followups.Event.REPORT, case=case, by=by, now=now)
    if case.under_minimum_age:
        # Recorded, never refused: flagged and routed to the safeguarding referral.
        record(
            by,
            "case.under_minimum_age",
            case,
            minimum_age=policy.definitions.minimum_age,
            referral_agency=policy.definitions.under_age_referral_agency,
        )
    return case


def abuse_types_count(case: Case, abuse_types: list[str]) -> None:
    """The statistical rows the monitoring figures count (one per kind per case)."""
    CaseAbuseType.objects.bulk_create(
        [CaseAbuseType(case=case, abuse_type=kind) for kind in abuse_types],
        ignore_conflicts=True,
    )


def check_diversity(report: Report) -> None:
    diversity.check("survivor", vars(report.survivor.diversity))
    for n, perpetrator in enumerate(report.alleged_perpetrators):
        diversity.check(f"alleged_perpetrators.{n}", vars(perpetrator.diversity))


def people_add(*, case: Case, report: Report) -> None:
    survivor = report.survivor
    person_create(
        case=case,
        role=PersonRole.SURVIVOR,
        name_index=sealing.survivor_name_index(survivor.name),
        sex=survivor.sex,
        is_staff_member=survivor.is_staff_member,
        voicemail_ok=survivor.safe_contact.voicemail_ok,
        post_ok=survivor.safe_contact.post_ok,
        age_band=diversity.age_band(
            survivor.date_of_birth, case.reported_at.astimezone(LONDON).date()
        ),
        diversity=survivor.diversity,
        details={
            "name": survivor.name,
            "date_of_birth": survivor.date_of_birth.isoformat() if survivor.date_of_birth else "",
            "address": survivor.address,
            "tenancy_ref": survivor.tenancy_ref,
            "phone": survivor.safe_contact.phone,
            "email": survivor.safe_contact.email,
            "safe_times": survivor.safe_contact.safe_times,
        },
    )
    for perpetrator in report.alleged_perpetrators:
        person_create(
            case=case,
            role=PersonRole.ALLEGED_PERPETRATOR,
            name_index=sealing.perpetrator_name_index(perpetrator.name),
            sex=perpetrator.sex,
            relationship=perpetrator.relationship,
            is_resident=perpetrator.is_resident,
            diversity=perpetrator.diversity,
            details={
                "name": perpetrator.name,
                "tenancy_ref": perpetrator.tenancy_ref,
                "address": perpetrator.address,
                "is_tenant": perpetrator.is_tenant,
            },
        )
    for child in report.children:
        person_create(case=case, role=PersonRole.CHILD, age=child.age, details={"name": child.name})


def person_create(
    *,
    case: Case,
    role: str,
    details: dict[str, Any],
    diversity: Diversity | None = None,
    **columns: Any,
) -> Person:
    bands = diversity or Diversity()
    person = Person(
        id=new_id("ppl"),
        case=case,
        role=role,
        ethnicity=bands.ethnicity,
        disability=bands.disability,
        sexual_orientation=bands.sexual_orientation,
        gender_identity=bands.gender_identity,
        religion=bands.religion,
        case_reported_at=case.reported_at,
        case_team_id=case.team_id,
        survivor_identity_id=case.survivor_identity_id if role == PersonRole.SURVIVOR else None,
        **columns,
    )
    person.sealed = sealing.seal(case.data_key, person, details)
    person.save(force_insert=True)
    search.tokens_write(case, role, details)
    return person


def locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)


@transaction.atomic
def incident_add(
    *,
    case: Case,
    by: Staff,
    source: str,
    abuse_types: tuple[str, ...],
    summary: str,
    reported_at: datetime | None = None,
    now: datetime | None = None,
) -> Incident:
    now = now or timezone.now()
    case = locked(case)
    if case.status != "open":
        raise Refusal("case_not_open", "Only an open case can take a further report", status=409)
    reported_at = reported_at or now
    not_in_future(reported_at, now=now, field="reported_at")
    if reported_at < case.reported_at:
        raise Refusal(
            "incident_before_report",
            "A further report cannot be dated before the case's first report",
            field="reported_at",
        )
    check_source(source)
    check_abuse_types(abuse_types)
    incident = Incident(
        id=new_id("inc"),
        case=case,
        reported_at=reported_at,
        source=source,
        abuse_types=sorted(set(abuse_types)),
        recorded_by=by,
        created_at=now,
    )
    incident.sealed = sealing.seal(case.data_key, incident, {"summary": summary})
    incident.save(force_insert=True)
    # The risk page's "a further report since the last assessment" reads this (issue 19).
    case.last_incident_at = now
    merged = sorted(set(case.abuse_types) | set(abuse_types))
    if merged != case.abuse_types:
        case.abuse_types = merged
        case.save(update_fields=["abuse_types", "last_incident_at"])
        abuse_types_count(case, merged)
    else:
        case.save(update_fields=["last_incident_at"])
    record(by, "incident.added", case, incident=incident.pk)
    followups.run(followups.Event.INCIDENT, case=case, by=by, now=now)
    return incident


# The sexes a member of staff is recorded with (API.md `staff add --sex female|male`):
# a survivor recorded as anything else ("", "prefer_not_to_say", "other") has no
# officer of "their own sex" Safehold could pick without guessing.
OFFICER_SEXES = tuple(Sex.values)


def assignment_refusal(policy: Policy, case: Case, officer: Staff) -> Refusal | None:
    """Why the policy forbids this officer for this case, or None."""
    rules = policy.assignment
    if rules.trained_officers_only and not officer.trained:
        return Refusal(
            "officer_not_trained",
            f"{officer.full_name} is not trained in domestic abuse work, and this policy "
            "assigns trained officers only",
            policy_rule="assignment.trained_officers_only",
        )
    if rules.same_sex_officer_on_request and case.same_sex_officer:
        survivor = case.people.get(role=PersonRole.SURVIVOR)
        if survivor.sex not in OFFICER_SEXES:
            return Refusal(
                "survivor_sex_unknown",
                "The survivor asked for an officer of their own sex, and their sex is not "
                "recorded: ask them, then record it, before assigning an officer",
                policy_rule="assignment.same_sex_officer_on_request",
            )
        if officer.sex != survivor.sex:
            return Refusal(
                "same_sex_officer_requested",
                f"The survivor asked for an officer of their own sex, and {officer.full_name} "
                "is not",
                policy_rule="assignment.same_sex_officer_on_request",
            )
    return None


@transaction.atomic
def officer_assign(*, case: Case, officer_username: str, by: Staff) -> Case:
    if not access.cases_visible_to(by).filter(pk=case.pk).exists():
        raise Http404("No such case")
    case = locked(case)  # read afresh under the lock: whether it has an officer decides
    taking = officer_username == by.username and access.may_take(by, case)
    if not (taking or access.may_assign(by, case)):
        raise Refusal("may_not_assign", "Only a manager of the team can assign", status=403)
    officer = Staff.objects.filter(
        username=officer_username, is_active=True, role=Role.OFFICER
    ).first()
    if officer is None:
        raise Refusal(
            "unknown_officer", f"No active officer called {officer_username}", field="officer"
        )
    refusal = assignment_refusal(active_policy(), case, officer)
    if refusal is not None:
        raise refusal
    case.assigned_officer = officer
    case.save(update_fields=["assigned_officer"])
    record(by, "case.assigned", case, officer=officer.username)
    return case


def next_contact_due(case: Case, *, last_contact: datetime | None = None) -> datetime | None:
    """The agreed interval after the latest contact with the survivor (or the report)."""
    if not case.contact_interval_days:
        return None
    latest = (
        case.contacts.filter(with_whom="survivor")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    candidates = [moment for moment in (latest, last_contact) if moment is not None]
    start = max(candidates) if candidates else case.reported_at
    return start + timedelta(days=case.contact_interval_days)


@transaction.atomic
def contact_interval_agree(*, case: Case, by: Staff, days: int) -> Case:
    """Records how often the survivor agreed to be contacted."""
    if not 1 <= days <= 365:  # not-policy: an input range, agreed with each survivor
        raise Refusal("invalid_interval", "Enter a number of days from 1 to 365", field="days")
    case = locked(case)
    case.contact_interval_days = days
    case.next_contact_due_at = next_contact_due(case)
    case.save(update_fields=["contact_interval_days", "next_contact_due_at"])
    record(by, "contact_interval.agreed", case, days=days)
    return case


@transaction.atomic
def same_sex_officer_answer_record(*, case: Case, by: Staff, answer: str) -> Case:
    """Records the survivor's answer when offered an officer of their own sex
    (`requested` or `declined`), so "declined" is told apart from "never asked"."""
    if answer not in SAME_SEX_OFFICER_ANSWERS.values() or not answer:
        raise Refusal(
            "unknown_answer",
            "Choose whether the survivor wants an officer of their own sex",
            field="same_sex_officer_answer",
        )
    case = locked(case)
    case.same_sex_officer_answer = answer
    case.same_sex_officer = answer == "requested"
    case.save(update_fields=["same_sex_officer_answer", "same_sex_officer"])
    record(by, "same_sex_officer.answered", case, answer=answer)
    return case


# Changing a person's details after the report -------------------------------------

SEALED, COLUMN = "sealed", "column"
# The details of the survivor and of each alleged perpetrator that may be changed after
# the report, and where each is kept: in the person's sealed details or a column.
EDITABLE: dict[str, dict[str, str]] = {
    PersonRole.SURVIVOR: {
        "name": SEALED,
        "date_of_birth": SEALED,
        "sex": COLUMN,
        "address": SEALED,
        "tenancy_ref": SEALED,
        "phone": SEALED,
        "email": SEALED,
        "safe_times": SEALED,
        "voicemail_ok": COLUMN,
        "post_ok": COLUMN,
    },
    PersonRole.ALLEGED_PERPETRATOR: {
        "name": SEALED,
        "sex": COLUMN,
        "relationship": COLUMN,
        "is_resident": COLUMN,
        "tenancy_ref": SEALED,
        "is_tenant": SEALED,
        "address": SEALED,
    },
}
# The longest each text may be, as at intake (api/schemas.py, cases/forms.py).
TEXT_LENGTHS = {
    "name": 200,
    "address": 500,
    "tenancy_ref": 60,
    "phone": 40,
    "email": 254,
    "safe_times": 500,
}
YES_NO_UNKNOWN_FIELDS = ("voicemail_ok", "post_ok", "is_resident", "is_tenant")
SEXES = ("female", "male", "other", "prefer_not_to_say", "")
# What each detail is called in a sentence (refusals, the chronology).
DETAIL_WORDS = {
    "name": "name",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "address": "address",
    "tenancy_ref": "tenancy reference",
    "phone": "safe phone number",
    "email": "safe email address",
    "safe_times": "safe times to contact",
    "voicemail_ok": "whether a voicemail is safe",
    "post_ok": "whether letters by post are safe",
    "relationship": "relationship to the survivor",
    "is_resident": "whether they live at the survivor's address",
    "is_tenant": "whether they are one of our tenants",
}


def editable_person(case: Case, person_id: str) -> Person:
    """The survivor or an alleged perpetrator of `case` (reached through access by the
    caller), by the id of their row; Http404 for anyone else, as for a missing one."""
    person = (
        Person.objects.filter(pk=person_id, case=case, role__in=tuple(EDITABLE)).first()
        if isinstance(person_id, str)
        else None
    )
    if person is None:
        raise Http404("No such person")
    return person


def checked_detail(name: str, value: Any, *, today: date) -> Any:
    """A detail's new value, as it is kept, or a Refusal naming the field."""
    words = DETAIL_WORDS[name]
    if name in TEXT_LENGTHS:
        if not isinstance(value, str):
            raise Refusal("invalid_detail", f"Enter the {words} as text", field=name)
        value = value.strip()
        if len(value) > TEXT_LENGTHS[name]:
            raise Refusal(
                "detail_too_long",
                f"The {words} must be {TEXT_LENGTHS[name]} characters or fewer",
                field=name,
            )
        return value
    if name in YES_NO_UNKNOWN_FIELDS:
        if value is not None and not isinstance(value, bool):
            raise Refusal("invalid_detail", f"Say yes, no or not known for {words}", field=name)
        return value
    if name == "date_of_birth":
        if value is None or value == "":
            return ""
        if isinstance(value, datetime) or not isinstance(value, date):
            raise Refusal("invalid_detail", "Enter the date of birth as a date", field=name)
        if value > today:
            raise Refusal(
                "date_of_birth_in_future", "A date of birth cannot be in the future", field=name
            )
        if value.year < clock.FIRST_YEAR:
            raise Refusal(
                "invalid_detail", f"Enter a year from {clock.FIRST_YEAR} or later", field=name
            )
        return value.isoformat()
    if name == "sex":
        if value not in SEXES or not isinstance(value, str):
            raise Refusal(
                "unknown_sex", f"Sex must be one of: {', '.join(s for s in SEXES if s)}", field=name
            )
        return value
    # relationship: one of the shared vocabulary's, or "" for not known
    if not isinstance(value, str) or (value and value not in vocabulary.RELATIONSHIPS):
        raise Refusal(
            "unknown_relationship",
            f"Relationship must be one of: {', '.join(vocabulary.RELATIONSHIPS)}, or empty",
            field=name,
        )
    return value


def person_changes(
    person: Person, details: dict[str, Any], changes: dict[str, Any], *, today: date
) -> dict[str, Any]:
    """The changes that differ from what is kept, checked; a Refusal (and nothing
    written) for a detail this person does not have or a value that is not one."""
    fields = EDITABLE[person.role]
    unknown = sorted(name for name in changes if name not in fields)
    if unknown:
        whose = "the survivor" if person.role == PersonRole.SURVIVOR else "an alleged perpetrator"
        raise Refusal(
            "unknown_detail",
            f"Not a detail of {whose} that can be changed: {', '.join(unknown)}",
            field=unknown[0],
        )
    changed: dict[str, Any] = {}
    for name, where in fields.items():  # in the form's order, so the audit lists them alike
        if name not in changes:
            continue
        value = checked_detail(name, changes[name], today=today)
        if where == SEALED:
            kept = details.get(name, None if name in YES_NO_UNKNOWN_FIELDS else "")
        else:
            kept = getattr(person, name)
        if value != kept:
            changed[name] = value
    return changed


@transaction.atomic
def person_update(
    *,
    case: Case,
    person_id: str,
    by: Staff,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> list[str]:
    """Changes some of the survivor's or an alleged perpetrator's details after the
    report: only the details given, each checked as at intake. A changed detail is sealed
    again under the case's key, the person's search tokens and indexes are written
    again, and the audit log records which details changed (their names, never their
    values) as `person.updated`. Returns the names of the details that changed (none:
    nothing is written or recorded). `case` is one the caller reached through
    `access.case_for`: any case action is open to whoever may see the case."""
    now = now or timezone.now()
    case = locked(case)
    person = editable_person(case, person_id)
    details = sealing.unseal(case.data_key, person)
    today = now.astimezone(LONDON).date()
    changed = person_changes(person, details, changes, today=today)
    if not changed:
        return []
    fields = EDITABLE[person.role]
    columns = []
    for name, value in changed.items():
        if fields[name] == SEALED:
            details[name] = value
        else:
            setattr(person, name, value)
            columns.append(name)
    if any(fields[name] == SEALED for name in changed):
        person.sealed = sealing.seal(case.data_key, person, details)
        columns.append("sealed")
    if "name" in changed:
        index = (
            sealing.survivor_name_index
            if person.role == PersonRole.SURVIVOR
            else sealing.perpetrator_name_index
        )
        person.name_index = index(details.get("name", ""))
        columns.append("name_index")
    if person.role == PersonRole.SURVIVOR and "date_of_birth" in changed:
        born = date.fromisoformat(details["date_of_birth"]) if details["date_of_birth"] else None
        person.age_band = diversity.age_band(born, case.reported_at.astimezone(LONDON).date())
        columns.append("age_band")
    person.save(update_fields=columns)
    if person.role == PersonRole.SURVIVOR:
        search.tokens_write(case, person.role, details, again=True)
        if {"name", "date_of_birth"} & set(changed):
            survivor_identity_renew(case, details)
        if "date_of_birth" in changed:
            minimum_age_renew(case, details, by=by)
    record(by, "person.updated", case, person=person.pk, role=person.role, fields=list(changed))
    return list(changed)


def survivor_identity_renew(case: Case, details: dict[str, Any]) -> None:
    """A corrected name or date of birth is what a later report about her will give:
    her identity's index follows it, so that report is recognised as a repeat. Only when
    both are known (an index of part of them matches nobody)."""
    index = sealing.identity_index(details.get("name", ""), details.get("date_of_birth", ""))
    if index:
        SurvivorIdentity.objects.filter(pk=case.survivor_identity_id).update(identity_index=index)


def minimum_age_renew(case: Case, details: dict[str, Any], *, by: Staff) -> None:
    """A corrected date of birth decides afresh whether she was under the policy's
    minimum age when reported: newly so, the case is flagged and recorded as at intake."""
    policy = active_policy()
    born = date.fromisoformat(details["date_of_birth"]) if details["date_of_birth"] else None
    under = under_minimum_age(policy, born, case.reported_at)
    if under == case.under_minimum_age:
        return
    case.under_minimum_age = under
    case.save(update_fields=["under_minimum_age"])
    if under:
        record(
            by,
            "case.under_minimum_age",
            case,
            minimum_age=policy.definitions.minimum_age,
            referral_agency=policy.definitions.under_age_referral_agency,
        )
