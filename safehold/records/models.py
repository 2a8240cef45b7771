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


class VerificationMethod(models.TextChoices):
    """How the requester's identity was checked before anything is gathered."""

    PHOTO_ID_IN_PERSON = "photo_id_in_person", "Photo ID seen in person"
    SAFE_PHONE_CALL_BACK = (
        "safe_phone_call_back",
        "Called back on the safe phone number recorded on the case",
    )
    KNOWN_IN_PERSON = "known_in_person", "Met in person by staff who know them"
    OTHER = "other", "Another way (described in the notes)"


class ReleaseChannel(models.TextChoices):
    """Where a released export goes: only to a channel the requester gave as safe on the
    case the request was made on."""

    EMAIL = "email", "By email, to the safe email address on the case"
    POST = "post", "By post, to the address on the case (only where post is safe)"


class SubjectAccessRequest(models.Model):
    """A request by the survivor or an alleged perpetrator for a copy of what Safehold
    holds about them (UK GDPR article 15), due one calendar month after receipt.

    Nothing is gathered until the requester's identity has been checked (by someone other
    than who logged it), the handler has confirmed each case it covers, and a handler has
    reviewed what could not be redacted automatically; releasing it is a disclosure."""

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
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_method = models.CharField(
        max_length=30, choices=VerificationMethod.choices, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_channel = models.CharField(max_length=10, choices=ReleaseChannel.choices, blank=True)
    sealed = models.BinaryField(
        help_text="Encrypted: notes, how identity was checked, where the export was sent"
    )

    class Meta:
        indexes = [models.Index(fields=["completed_at", "due_at"], name="sar_open_due")]

    def __str__(self) -> str:
        return self.id


class SubjectAccessCase(models.Model):
    """A case the handler confirmed, by itself, as the requester's: only these are in the
    export. The case the request was made on is always one of them."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="included"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "case"], name="sar_case_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.case_id}"


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
