"""How a case ends and what follows: closures, evaluations, feedback and appeals.

As everywhere, free text (explanations, reasons, comments, grounds) lives only in the
encrypted `sealed` column, under the case's data key; the other columns are what the
queues and the monitoring figures count. Write only through `closure.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safehold.cases.models import Case, choices
from safehold.policy import vocabulary


class ClosureStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    CLOSED = "closed"
    DECLINED = "declined", "Approval declined"
    REOPENED = "reopened"


class Effectiveness(models.TextChoices):
    """How effective the work on a closed case was, in the evaluator's judgement (the
    policy's closure evaluation: "The HSD will evaluate the effectiveness of every closed
    case")."""

    EFFECTIVE = "effective", "Effective"
    PARTLY_EFFECTIVE = "partly_effective", "Partly effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"
    TOO_EARLY = "too_early", "Too early to tell"


class Closure(models.Model):
    """One closing of a case. A case reopened and closed again has a row for each."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    status = models.CharField(max_length=20, choices=ClosureStatus.choices)
    reason = models.CharField(max_length=40, choices=choices(vocabulary.CLOSURE_REASONS))
    survivor_agrees = models.BooleanField()
    review_meeting_at = models.DateTimeField(null=True, blank=True)
    sealed = models.BinaryField(
        help_text="Encrypted: explanation, override reason, decision and reopening notes, "
        "and the evaluation's words (what worked, what did not, lessons, other notes)"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    effectiveness = models.CharField(
        max_length=20,
        choices=Effectiveness.choices,
        blank=True,
        help_text="The evaluator's judgement of how effective the work was; blank if not given",
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "requested_at"], name="closure_waiting"),
            models.Index(fields=["status", "evaluated_at", "closed_at"], name="closure_evaluate"),
            models.Index(fields=["closed_at"], name="closure_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.status}"


class FeedbackChannel(models.TextChoices):
    PHONE = "phone"
    EMAIL = "email"
    POST = "post"
    IN_PERSON = "in_person", "In person"


class FeedbackRequest(models.Model):
    """Asking the survivor, after closure, how the case was handled: by a channel she
    marked safe."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback_requests")
    channel = models.CharField(max_length=10, choices=FeedbackChannel.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} by {self.channel}"


class FeedbackKind(models.TextChoices):
    FEEDBACK = "feedback"
    COMPLAINT = "complaint"
    PRAISE = "praise"


class Feedback(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    sealed = models.BinaryField(help_text="Encrypted: comments")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="satisfaction_1_to_5",
            )
        ]
        indexes = [models.Index(fields=["kind", "recorded_at"], name="feedback_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.satisfaction}"


class AppealStatus(models.TextChoices):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    DECIDED = "decided"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class Appeal(models.Model):
    """One stage of an appeal. Escalating a decided stage 1 makes a stage 2 row."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appeals")
    by = models.CharField(max_length=20, choices=choices(vocabulary.PARTIES))
    stage = models.PositiveSmallIntegerField(default=1)
    escalated_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="escalated_to"
    )
    status = models.CharField(
        max_length=20, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    reviewer_role = models.CharField(max_length=20)
    received_at = models.DateTimeField()
    acknowledge_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(help_text="When the answer is due")
    outcome = models.CharField(max_length=20, choices=AppealOutcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    sealed = models.BinaryField(help_text="Encrypted: grounds, reasons for the outcome")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["reviewer_role", "status", "due_at"], name="appeal_queue"),
            models.Index(fields=["received_at"], name="appeal_received"),
            # The appeals to answer (the queue's page and the home page's count): only
            # the undecided, soonest due first, so neither reads the provider's every
            # appeal as they are decided over the years (issue 19).
            models.Index(
                fields=["reviewer_role", "due_at", "id"],
                name="appeal_undecided",
                condition=~Q(status=AppealStatus.DECIDED),
            ),
        ]

    def __str__(self) -> str:
        return f"stage {self.stage} by {self.by}"
