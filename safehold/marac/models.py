"""MARAC meetings (issue 21, docs/marac.md): a meeting of one of the policy's MARAC
conferences, the cases on its list (hearings), and the actions the MARAC agreed for each.

What a hearing decided and what an action is are sealed under the case's data key (they
describe the survivor's situation); the conference, dates, levels, agencies and statuses
are in clear, since the service lists, counts and queues by them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from safehold.cases.models import Case, RiskLevel
from safehold.casework.models import Action, Referral


class Meeting(models.Model):
    """One meeting of a MARAC conference (`conference` is a slug of the policy's
    `marac.conferences`)."""

    id = models.CharField(primary_key=True, max_length=32)
    conference = models.CharField(max_length=60)
    held_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conference", "-held_on"], name="meeting_latest")]

    def __str__(self) -> str:
        return f"{self.conference} {self.held_on}"


class Hearing(models.Model):
    """A case on a meeting's list, put there by its MARAC referral. The risk level, score,
    date and reasons are those of the case's latest complete risk assessment when the
    list was built. `heard_at` is set when the MARAC's decisions are recorded."""

    id = models.CharField(primary_key=True, max_length=32)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="hearings")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hearings")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="hearings")
    repeat = models.BooleanField(default=False)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    marac_reasons = models.JSONField(default=list)
    heard_at = models.DateTimeField(null=True, blank=True)
    heard_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    survivor_discussed_at = models.DateTimeField(null=True, blank=True)
    survivor_discussed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(
        default=b"", blank=True, help_text="Encrypted: decision notes, survivor discussion"
    )

    class Meta:
        indexes = [models.Index(fields=["case", "heard_at"], name="hearing_case_heard")]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="hearing_once_a_meeting")
        ]

    def __str__(self) -> str:
        return self.id


class MaracActionStatus(models.TextChoices):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class MaracAction(models.Model):
    """An action the MARAC agreed at a hearing. `agency` is an id from the policy's
    agencies directory; the provider's own actions go onto the case's action plan
    (`plan_action`), at once or, under Wrekin's rule, once the survivor was consulted."""

    id = models.CharField(primary_key=True, max_length=32)
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="marac_actions")
    agency = models.CharField(max_length=60)
    provider_own = models.BooleanField(default=False)
    sealed = models.BinaryField(help_text="Encrypted: what the action is, status notes")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=MaracActionStatus.choices, default=MaracActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)
    plan_action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="marac_action_due")]

    def __str__(self) -> str:
        return f"{self.agency} {self.status}"
