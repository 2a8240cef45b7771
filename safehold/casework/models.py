"""Casework records: the consent register and referrals (disclosures) to other agencies.
The risk checks read referrals too (a MARAC referral in the 12 months before makes a new
one a repeat)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from safehold.cases.models import Case


class ReferralStatus(models.TextChoices):
    SENT = "sent"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    REJECTED = "rejected"


class ConsentPurpose(models.TextChoices):
    REFERRAL = "referral"
    INFORMATION_SHARING = "information_sharing", "Information sharing"
    CONTACT_ALLEGED_PERPETRATOR = (
        "contact_alleged_perpetrator",
        "Contacting or writing to the alleged perpetrator",
    )


class Consent(models.Model):
    """The survivor's consent, or its withdrawal, for one agency and purpose. The latest
    record for an agency and purpose stands."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    agency = models.CharField(max_length=60, blank=True, help_text="Empty for a permission")
    purpose = models.CharField(max_length=40, choices=ConsentPurpose.choices)
    given = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["case", "agency", "purpose", "-recorded_at"], name="consent_latest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.purpose} {'given' if self.given else 'withdrawn'}"


class Referral(models.Model):
    """A referral or disclosure to another agency (API.md §5 "Consent, referrals and
    disclosure"). `agency` is an id from the policy's agencies directory."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    agency = models.CharField(max_length=60)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    without_consent_ground = models.CharField(max_length=30, blank=True)
    sealed = models.BinaryField(help_text="Encrypted: reason, explanation, decision note")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "status", "sent_at"], name="referral_sent"),
            models.Index(fields=["status", "created_at"], name="referral_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.status}"


class ActionKind(models.TextChoices):
    """API.md §5 "Action plan, reviews"."""

    SECURITY_MEASURE = "security_measure", "Security measure"
    EMERGENCY_REPAIR = "emergency_repair", "Emergency repair"
    REFERRAL = "referral"
    REHOUSING = "rehousing"
    LEGAL_ACTION = "legal_action", "Legal action against the alleged perpetrator"
    SUPPORT = "support"


class SecurityMeasure(models.TextChoices):
    """The catalogue of security measures a survivor can be offered."""

    PANIC_ALARM = "panic_alarm", "Panic alarm"
    DOOR_WINDOW_SECURITY = "door_window_security", "Door and window security"
    SAFE_LETTERBOX = "safe_letterbox", "Safe letterbox (fire-safe)"
    EXTERNAL_LIGHTING = "external_lighting", "External lighting"
    LOCK_CHANGE = "lock_change", "Lock change"
    SANCTUARY_SCHEME = "sanctuary_scheme_referral", "Sanctuary scheme referral"


class ActionOption(models.TextChoices):
    """The routes of a rehousing or legal action."""

    MANAGEMENT_TRANSFER = "management_transfer", "Management transfer application"
    TEMPORARY_ACCOMMODATION = "temporary_accommodation", "Temporary accommodation"
    HOMELESSNESS_REFERRAL = (
        "homelessness_referral",
        "Referral to the council's homelessness service",
    )
    INJUNCTION = "injunction", "Injunction"
    POSSESSION = "possession", "Possession proceedings against the alleged perpetrator"
    PERPETRATOR_PROGRAMME = "perpetrator_programme", "Perpetrator programme"


OPTIONS_BY_KIND = {
    "rehousing": ("management_transfer", "temporary_accommodation", "homelessness_referral"),
    "legal_action": ("injunction", "possession", "perpetrator_programme"),
}


class Recharge(models.TextChoices):
    NONE = "none"
    SURVIVOR = "survivor"
    PERPETRATOR = "perpetrator", "Alleged perpetrator"


class ActionStatus(models.TextChoices):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Action(models.Model):
    """One action of the plan agreed with the survivor. `sealed` holds the detail and,
    for rehousing and legal action, the assessment of how it affects the risk."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    measure = models.CharField(max_length=30, choices=SecurityMeasure.choices, blank=True)
    option = models.CharField(max_length=30, choices=ActionOption.choices, blank=True)
    source = models.CharField(max_length=20, default="plan", help_text="plan or marac")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    agreed_with_survivor = models.BooleanField(default=False)
    recharge = models.CharField(max_length=12, choices=Recharge.choices, default=Recharge.NONE)
    sealed = models.BinaryField(help_text="Encrypted: detail, risk assessment, reasons, outcome")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last reopened the action after it was marked done",
    )
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_at"], name="action_due"),
            models.Index(fields=["kind", "due_at"], name="action_kind_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"


class RiskChange(models.TextChoices):
    """How the risk to the survivor changed since the last review, in the officer's view."""

    INCREASED = "increased", "Increased"
    SAME = "same", "Stayed the same"
    DECREASED = "decreased", "Decreased"
    NOT_KNOWN = "not_known", "Not known"


class Review(models.Model):
    """An internal review of the case at the policy's interval. `sealed` holds the notes,
    the survivor's views and the progress of each open action (by action id);
    `risk_change` and `next_review_on` are plain (a fixed choice and a date)."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    at = models.DateTimeField()
    due_at = models.DateTimeField(
        null=True,
        help_text="When this review was due: the one before, or the report, plus the interval",
    )
    sealed = models.BinaryField(
        help_text="Encrypted: notes, survivor's views, progress of each open action"
    )
    risk_change = models.CharField(max_length=10, choices=RiskChange.choices, blank=True)
    next_review_on = models.DateField(
        null=True, blank=True, help_text="The next review date the reviewer set"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["at"], name="review_held")]

    def __str__(self) -> str:
        return self.id


class LetterKind(models.TextChoices):
    """API.md §5 "Letters and documents"."""

    ACKNOWLEDGEMENT = "acknowledgement"
    ACTION_PLAN = "action_plan", "Action plan"
    REFERRAL = "referral"
    WARNING = "warning"
    CLOSURE = "closure"


class Recipient(models.TextChoices):
    SURVIVOR = "survivor"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
    AGENCY = "agency"


class Document(models.Model):
    """A letter rendered to PDF, stored encrypted under the case's data key."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    recipient = models.CharField(max_length=20, choices=Recipient.choices)
    agency = models.CharField(max_length=60, blank=True)
    person = models.ForeignKey(
        "cases.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The alleged perpetrator a letter is addressed to",
    )
    channel = models.CharField(max_length=10, default="post")
    reference = models.CharField(
        max_length=12,
        blank=True,
        help_text="A letter to an alleged perpetrator: the neutral reference it quotes "
        "instead of the case's (casework/letters.py); empty on other documents",
    )
    sealed = models.BinaryField(help_text="Encrypted: the PDF, base64")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="one_document_per_neutral_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}"


class InterviewStatus(models.TextChoices):
    AWAITING_AGREEMENT = "awaiting_agreement", "Awaiting a manager's agreement"
    AGREED = "agreed"
    DECLINED = "declined"


class PerpetratorInterview(models.Model):
    """A request to interview the alleged perpetrator, with each condition the policy
    sets recorded: the survivor's agreement, the safety check, and the manager who
    answered the request (never the officer who asked)."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrator_interviews")
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    manager_agreed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    survivor_agrees = models.BooleanField()
    status = models.CharField(
        max_length=20, choices=InterviewStatus.choices, default=InterviewStatus.AGREED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    sealed = models.BinaryField(help_text="Encrypted: the safety assessment, decision note")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="interview_waiting")]

    def __str__(self) -> str:
        return self.id
