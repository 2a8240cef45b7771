"""Risk assessments. The answers, notes and sources are sealed under the case's data
key (they describe the survivor's situation); the score, level and MARAC reasons are in
clear, since the service counts and queues by them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from safehold.cases.models import Case, RiskLevel


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete"


class RiskAssessment(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    tool_id = models.CharField(max_length=60)
    tool_version = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=AssessmentStatus.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    level = models.CharField(  # noqa: DJ001 - null until the assessment is complete
        max_length=10, choices=RiskLevel.choices, null=True, blank=True
    )
    professional_judgement = models.BooleanField(default=False)
    police_callouts_last_12_months = models.PositiveSmallIntegerField(null=True, blank=True)
    marac_referral_recommended = models.BooleanField(default=False)
    marac_reasons = models.JSONField(default=list)
    sealed = models.BinaryField(help_text="Encrypted: answers, notes, sources")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["case", "status", "-completed_at"], name="assessment_latest")
        ]

    def __str__(self) -> str:
        return self.id
