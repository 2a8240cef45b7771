"""Subject access requests and legal holds.

Like every record of a case, what identifies someone or says something about them is in
`sealed`, encrypted under the case's data key (cases.sealing): the notes of how a
requester's identity was checked, the reason for a legal hold. The columns hold only
dates, roles and who did what, so the queue and the retention run need no key.
Read these only through `records.selectors`; write them only through
`records.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safehold.cases.models import Case, Person


class Subject(models.TextChoices):
    """Who may ask for their records: the two people a case is about."""

    SURVIVOR = "survivor"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"


class SubjectAccessRequest(models.Model):
    """A request by the survivor or an alleged perpetrator for a copy of what Safehold
    holds about them (UK GDPR article 15), due one calendar month after receipt."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subject_access")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=20, choices=Subject.choices)
    received_at = models.DateTimeField()
    due_at = models.DateField(help_text="One calendar month after the day it was received")
    exported_at = models.DateTimeField(null=True, blank=True, help_text="The latest export")
    completed_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(help_text="Encrypted: notes, such as how identity was checked")

    class Meta:
        indexes = [models.Index(fields=["completed_at", "due_at"], name="sar_open_due")]

    def __str__(self) -> str:
        return self.id


class HoldAction(models.TextChoices):
    PLACED = "placed"
    LIFTED = "lifted"


class LegalHold(models.Model):
    """One placing or lifting of a legal hold: the history behind `Case.legal_hold`."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_holds")
    action = models.CharField(max_length=10, choices=HoldAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    sealed = models.BinaryField(help_text="Encrypted: the reason")

    class Meta:
        indexes = [models.Index(fields=["case", "-at"], name="legal_hold_latest")]

    def __str__(self) -> str:
        return f"{self.action} {self.case_id}"
