"""Evidence: photos and documents attached to a case.

The file itself is kept in `content` and its original name and description in `sealed`,
both encrypted under the case's data key and bound to this row (evidence.storage,
cases.sealing). In clear: only what the list needs and reveals nothing about the
survivor: the type detected from the content, the size, who added it and when.
Read evidence only through `evidence.selectors`; write it only through
`evidence.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safehold.cases.models import Case


class ContentType(models.TextChoices):
    JPEG = "image/jpeg", "JPG image"
    PNG = "image/png", "PNG image"
    WEBP = "image/webp", "WebP image"
    PDF = "application/pdf", "PDF document"


class Evidence(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    content_type = models.CharField(
        max_length=40, choices=ContentType.choices, help_text="Detected from the content"
    )
    size = models.PositiveIntegerField(help_text="Bytes, as stored (images after cleaning)")
    content = models.BinaryField(help_text="Encrypted: the file, image metadata removed")
    sealed = models.BinaryField(help_text="Encrypted: original file name, description")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["case", "-uploaded_at"], name="evidence_case_newest")]

    def __str__(self) -> str:
        return self.id
