"""What partners at other agencies add to a case they were told of, and the DA lead's
approval that lets a restricted case through the partner door (docs/partners.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from safehold.cases.models import Case


class PartnerUpdate(models.Model):
    """An update a partner added to a case shared with their agency: recorded as from that
    agency, its text sealed with the case's key, shown to staff on the chronology."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="partner_updates")
    agency = models.CharField(max_length=60, help_text="The partner's agency, when they added it")
    sealed = models.BinaryField(help_text="Encrypted: the update's text")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["case", "agency", "created_at"], name="partner_update")]

    def __str__(self) -> str:
        return f"{self.agency} on {self.case_id}"


class ShareStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a DA lead"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class RestrictedShare(models.Model):
    """A request that partners at one agency may read a restricted case (the survivor is
    a member of staff) through the partner door: asked by someone who sees the case,
    decided by a DA lead who did not ask, each with their reason (sealed)."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restricted_shares")
    agency = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=ShareStatus.choices)
    sealed = models.BinaryField(help_text="Encrypted: the reason asked, the decision's reason")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "agency", "status"], name="restricted_share")]

    def __str__(self) -> str:
        return f"{self.case_id} to {self.agency} ({self.status})"


class PartnerDocument(models.Model):
    """A file a partner added to a case shared with their agency: judged and cleaned by
    the evidence upload's checks (evidence/inspection.py), its bytes encrypted under the
    case's data key, its file name and description sealed; recorded as from the agency."""

    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="partner_documents")
    agency = models.CharField(max_length=60, help_text="The partner's agency, when they added it")
    content_type = models.CharField(max_length=40, help_text="Detected from the content")
    size = models.PositiveIntegerField(help_text="Bytes, as stored (images after cleaning)")
    content = models.BinaryField(help_text="Encrypted: the file, image metadata removed")
    sealed = models.BinaryField(help_text="Encrypted: original file name, description")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["case", "agency", "created_at"], name="partner_document")]

    def __str__(self) -> str:
        return f"{self.agency} document on {self.case_id}"
