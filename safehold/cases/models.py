"""People and cases.

Identifying and free-text details live only in `sealed` columns: a JSON document
encrypted under the case's data key (privacy.vault), bound to its table and row. The
other columns are what the service needs to run and count: dates, ids from API.md's
vocabularies, flags and coarse diversity bands, never a name, address or phone number.
Read cases only through `cases.access`; write them only through `cases.services`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case as CaseWhen
from django.db.models import F, Q, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from safehold.accounts.models import Team
from safehold.policy import vocabulary
from safehold.privacy.models import WrappedKey


def new_id(prefix: str) -> str:
    """An opaque id: a prefix saying what it is, then 80 random bits."""
    return f"{prefix}_{secrets.token_hex(10)}"


def choices(ids: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(i, i.replace("_", " ")) for i in ids]


class Status(models.TextChoices):
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class Source(models.TextChoices):
    SELF = "self", "The survivor"
    WITNESS = "witness", "A witness"
    POLICE = "police", "Police"
    AGENCY = "agency", "Another agency"
    STAFF = "staff", "A member of staff"
    ANONYMOUS = "anonymous", "Anonymous"


class RiskLevel(models.TextChoices):
    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"


class PersonRole(models.TextChoices):
    SURVIVOR = "survivor"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
    CHILD = "child"
    HOUSEHOLD_MEMBER = "household_member", "Other household member"
    WITNESS = "witness"


class SurvivorIdentity(models.Model):
    """The same survivor across cases. Holds no details: only a keyed index of the
    normalised full name and date of birth, so a later report can be recognised."""

    id = models.CharField(primary_key=True, max_length=32)
    identity_index = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.id


class ReferenceCounter(models.Model):
    """The last reference number used in a year. Taken under a row lock inside the
    transaction that opens the case, so a refused report uses no number."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# Far beyond any date a case waits for: what stands in for "nothing" when the earliest of
# several dates is taken (LEAST treats a missing date differently on each database).
NEVER = datetime(9999, 1, 1, tzinfo=UTC)
OPEN = Q(status="open")


def next_due() -> Least:
    """The earliest date an open case waits for, as `selectors.next_due` reads it: first
    contact until it is made, then the next contact agreed; and the next review."""
    contact = CaseWhen(
        When(first_contact_at__isnull=True, then=F("response_due_at")),
        default=Coalesce("next_contact_due_at", Value(NEVER)),
        output_field=models.DateTimeField(),
    )
    review = Coalesce("next_review_at", Value(NEVER), output_field=models.DateTimeField())
    return Least(contact, review, output_field=models.DateTimeField())


class Case(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    reference = models.CharField(max_length=20, unique=True)
    data_key = models.ForeignKey(WrappedKey, on_delete=models.PROTECT, related_name="+")
    survivor_identity = models.ForeignKey(
        SurvivorIdentity, on_delete=models.PROTECT, related_name="cases"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=10, choices=Source.choices)
    reported_at = models.DateTimeField()
    response_due_at = models.DateTimeField()
    first_contact_at = models.DateTimeField(null=True, blank=True)
    risk_level = models.CharField(  # noqa: DJ001 - null is API.md's "not yet assessed"
        max_length=10, choices=RiskLevel.choices, null=True, blank=True
    )
    repeat = models.BooleanField(default=False)
    restricted = models.BooleanField(
        default=False, help_text="The survivor is a member of staff: only people named on it see it"
    )
    abuse_types = models.JSONField(default=list)
    same_sex_officer = models.BooleanField(default=False)
    same_sex_officer_answer = models.CharField(
        max_length=10,
        blank=True,
        choices=[("requested", "Requested"), ("declined", "Declined")],
        help_text="The survivor's answer when offered an officer of their sex; empty: not asked",
    )
    under_minimum_age = models.BooleanField(
        default=False, help_text="The survivor was under the policy's minimum age when reported"
    )
    severity_at_receipt = models.CharField(  # noqa: DJ001 - null is "not judged"
        max_length=10,
        choices=RiskLevel.choices,
        null=True,
        blank=True,
        help_text="The severity judged when the report was received, where the policy sets "
        "response targets by it",
    )
    interpreter_language = models.CharField(max_length=20, blank=True)
    childcare = models.BooleanField(default=False)
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    last_review_at = models.DateTimeField(null=True, blank=True)
    last_assessed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its latest risk assessment was completed"
    )
    last_incident_at = models.DateTimeField(
        null=True, blank=True, help_text="When its latest further report was recorded"
    )
    next_review_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the next review is due: the report plus the policy's interval, "
        "then the date the latest review set (by default the interval after it)",
    )
    contact_interval_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How often the survivor agreed to be contacted"
    )
    next_contact_due_at = models.DateTimeField(
        null=True, blank=True, help_text="The last contact with the survivor plus the interval"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(
        max_length=40, blank=True, choices=choices(vocabulary.CLOSURE_REASONS)
    )
    legal_hold = models.BooleanField(
        default=False, help_text="Kept beyond the retention period while a hold stands"
    )
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its data key was destroyed: only the statistical columns remain",
    )
    policy_id = models.CharField(max_length=60)
    policy_version = models.CharField(max_length=64)
    sealed = models.BinaryField(help_text="Encrypted: summary, interview venue")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Kept by the database from the row's own dates, so no writer can leave it stale.
    next_due_at = models.GeneratedField(
        expression=next_due(),
        output_field=models.DateTimeField(),
        db_persist=True,
        help_text="The earliest date this case waits for (the home page's order): first "
        "contact until it is made, then the next contact agreed; and the next review",
    )

    class Meta:
        indexes = [
            models.Index(fields=["-reported_at", "-id"], name="case_newest"),
            # The queues and the home page of a person's open cases, read in the order of
            # what is due, stopping at a page (issue 19).
            models.Index(fields=["next_due_at", "id"], name="case_open_next_due", condition=OPEN),
            models.Index(
                fields=["next_review_at", "id"], name="case_open_review_due", condition=OPEN
            ),
            models.Index(
                fields=["next_contact_due_at", "id"], name="case_open_contact_due", condition=OPEN
            ),
            # The risk page's lists (issue 19): by level, and the high-risk cases by when
            # they were last assessed, read in order and stopped at a page.
            models.Index(
                fields=["risk_level", "reported_at", "id"], name="case_open_risk", condition=OPEN
            ),
            models.Index(
                fields=["risk_level", "last_assessed_at", "id"],
                name="case_open_assessed",
                condition=OPEN,
            ),
            models.Index(
                fields=["reported_at", "id"],
                name="case_open_further_report",
                condition=OPEN & Q(last_incident_at__isnull=False),
            ),
            # The MARAC page: the latest assessments of open cases ever assessed.
            models.Index(
                fields=["last_assessed_at", "id"],
                name="case_open_ever_assessed",
                condition=OPEN & Q(last_assessed_at__isnull=False),
            ),
            models.Index(fields=["team", "-reported_at"], name="case_team_newest"),
            # An officer's case list, newest first (cases/access.py `newest_in_reach`).
            models.Index(
                fields=["assigned_officer", "-reported_at", "-id"], name="case_officer_newest"
            ),
            # A manager's reach and own work among open cases (cases/access.py
            # `open_reach`, desk/queues.py `own_open_ids`): their team's open cases.
            models.Index(fields=["team", "id"], name="case_open_by_team", condition=OPEN),
            models.Index(
                fields=["status", "first_contact_at", "response_due_at"], name="case_awaiting"
            ),
            models.Index(fields=["status", "closed_at"], name="case_closed"),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseAbuseType(models.Model):
    """One kind of abuse reported on a case, in the report or a further report: a row
    per kind, so the monitoring figures count them with one GROUP BY on any database.
    `Case.abuse_types` holds the same ids for showing the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="abuse_type_rows")
    abuse_type = models.CharField(max_length=30, choices=choices(vocabulary.ABUSE_TYPES))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "abuse_type"], name="one_row_per_abuse_type")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.abuse_type}"


class CaseTeamMember(models.Model):
    """Staff on a case's team: the officer who recorded it, and any added later."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team_members")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    added_at = models.DateTimeField(default=timezone.now)
    # The case's `reported_at`, which never changes once a case is recorded, kept here so
    # that a person's case list reads the cases naming them newest first from an index
    # and stops at a page (cases/access.py `newest_in_reach`). Filled from the case on
    # save when not given.
    case_reported_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "staff"], name="one_membership")]
        indexes = [
            # Need to know (cases/access.py) asks "is this person on the case's team?" of
            # every case a list considers; PostgreSQL answers by hashing all of the
            # person's memberships, which this index gives without reading the table (at
            # a million cases: 5 ms instead of 30 for 50,000 memberships).
            models.Index(fields=["staff", "case"], name="membership_by_staff"),
            models.Index(fields=["staff", "-case_reported_at", "-case"], name="membership_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} on {self.case_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.case_reported_at is None:
            self.case_reported_at = self.case.reported_at
        super().save(*args, **kwargs)


class Person(models.Model):
    """Someone named in a case. Names, dates of birth, addresses, tenancy references and
    contact details are in `sealed`; the columns hold only what is counted or matched."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=20, choices=PersonRole.choices)
    name_index = models.CharField(max_length=64, blank=True, db_index=True)
    sex = models.CharField(max_length=20, blank=True)
    is_staff_member = models.BooleanField(default=False)
    relationship = models.CharField(
        max_length=20, blank=True, choices=choices(vocabulary.RELATIONSHIPS)
    )
    is_resident = models.BooleanField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    age_band = models.CharField(
        max_length=10, blank=True, help_text="The survivor's age band when reported, for monitoring"
    )
    voicemail_ok = models.BooleanField(null=True, blank=True)
    post_ok = models.BooleanField(null=True, blank=True)
    ethnicity = models.CharField(max_length=40, blank=True)
    disability = models.CharField(max_length=40, blank=True)
    sexual_orientation = models.CharField(max_length=40, blank=True)
    gender_identity = models.CharField(max_length=40, blank=True)
    religion = models.CharField(max_length=40, blank=True)
    # Copies of the case's own columns, for the monitoring figures alone: with them the
    # report counts each person once from this table's rows of the period, without
    # joining every one of them to its case (docs/performance.md). A case's report time,
    # team and survivor never change once it is opened, so the copies cannot go stale.
    case_reported_at = models.DateTimeField()
    case_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", db_index=False)
    survivor_identity = models.ForeignKey(
        SurvivorIdentity,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
        help_text="The survivor's identity, on her own row only",
    )
    sealed = models.BinaryField()

    class Meta:
        indexes = [
            # Search by name, newest case first, however many share the name: in the
            # search's own order to the last column, so a search reads matches newest
            # first and stops at a page of them (cases/selectors.case_search).
            models.Index(
                fields=["role", "name_index", "-case_reported_at", "-case"],
                name="person_name_newest_case",
            ),
            models.Index(fields=["role", "case_reported_at"], name="person_role_reported"),
            # A team's monitoring figures (a manager's report): its people of the period,
            # not the whole provider's filtered by team (issue 19).
            models.Index(
                fields=["role", "case_team", "case_reported_at"], name="person_team_reported"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.id}"


class Incident(models.Model):
    """A further report about a case that is still open."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    reported_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices)
    abuse_types = models.JSONField(default=list)
    sealed = models.BinaryField(help_text="Encrypted: summary")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.id


class Contact(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=choices(vocabulary.CONTACT_CHANNELS))
    direction = models.CharField(max_length=10, choices=choices(vocabulary.CONTACT_DIRECTIONS))
    with_whom = models.CharField(max_length=20, choices=choices(vocabulary.CONTACT_WITH))
    sealed = models.BinaryField(help_text="Encrypted: notes")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.id


class BreakGlassStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a decision"
    GRANTED = "granted", "Granted"
    DECLINED = "declined", "Declined"


class BreakGlass(models.Model):
    """Time-limited access to one case outside a person's need to know. On a restricted
    case, where the policy wants a second person's approval, it starts as a request
    (`waiting`) and is `granted` or `refused` by them; `granted_at` and `expires_at` are
    set only when access starts. The reasons, the asker's and the decider's, are sealed
    under the case's data key like all free text."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=BreakGlassStatus.choices, default=BreakGlassStatus.GRANTED
    )
    sealed = models.BinaryField(default=b"", help_text="Encrypted: reason, decision_reason")
    requested_at = models.DateTimeField(default=timezone.now)
    granted_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["staff", "expires_at"], name="break_glass_active")]

    def __str__(self) -> str:
        return self.id


class Alert(models.Model):
    """An in-app alert, such as a DA lead's notice that someone broke the glass. Its
    message is kept in clear, so it never carries free text from a case (a break-glass
    reason is read on the request's own page, `link`)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", null=True)
    message = models.CharField(max_length=300)
    link = models.CharField(
        max_length=200, blank=True, help_text="A page of Safehold the alert points to, if any"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


class SearchToken(models.Model):
    """One way to find a case's survivor (cases/search.py): a keyed blind index of a
    normalised token of her details (a name part, its sound key, date of birth, postcode,
    phone digits, tenancy reference) or of the case's reference. Never the value itself:
    an HMAC under the shared blind-index key, its purpose naming the kind. Written with
    the person's details, deleted when the case is erased."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="search_tokens", db_index=False
    )
    role = models.CharField(max_length=20, choices=PersonRole.choices)
    kind = models.CharField(max_length=10)
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "role", "digest"], name="one_token_per_case")
        ]
        # A search asks, for each word, which cases have a token with one of its digests:
        # read from this index alone, without reading any case (docs/performance.md).
        indexes = [models.Index(fields=["digest", "role", "case"], name="search_token_digest")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
