"""Kept figures: the monitoring report as it was last counted for one reader (reports/kept.py).

A row holds what the page shows (counts, and the names of the staff who approved
referrals; no case, no survivor, no text), for the one reader they were
counted for. Read and written only through `reports.kept`."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class KeptReport(models.Model):
    """One reader's question (period, scope, small counts hidden or not) and the figures
    last counted for it, this period's and the previous one's, as the page shows them."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=20)  # "provider", or the team's id
    start = models.DateField()
    end = models.DateField()
    suppress = models.BooleanField()
    # Who the reader was and which policy counted them: kept figures are shown only while
    # both are the same (a new role, team or policy is a new count).
    standing = models.CharField(max_length=100)
    figures = models.JSONField()  # {"current": {...}, "previous": {...}}
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "scope", "start", "end", "suppress"], name="kept_report_question"
            )
        ]
        indexes = [models.Index(fields=["counted_at"], name="kept_report_counted")]

    def __str__(self) -> str:
        return f"figures {self.start} to {self.end} ({self.scope}) counted at {self.counted_at}"
