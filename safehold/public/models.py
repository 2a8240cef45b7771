"""A report sent through the public page (`/tell-us`), beside the case it opened.

The case itself is a case like any other (cases.models.Case, opened by
cases.services.case_open_from_public_page). This row keeps what only a public report
has: who sent it (their relation to the survivor), whether it is waiting for triage and
how triage ended, and the sender's own details, sealed under the case's data key like
every other free text. Its columns hold codes and flags, never a name or a phone number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safehold.cases.models import Case


class Relation(models.TextChoices):
    SELF = "self", "The person experiencing abuse"
    WITNESS = "witness", "A witness, friend, family member or neighbour"
    PROFESSIONAL = "professional", "A professional"
    NOT_SAID = "", "Not said"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"
    NOT_SAID = "", "Not answered"


class Triage(models.TextChoices):
    WAITING = "waiting", "Waiting for triage"
    ASSIGNED = "assigned", "Assigned to an officer"
    MERGED = "merged", "Added to an open case of the same survivor"
    NO_ACTION = "no_action", "No action"


class PublicReport(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="public_report")
    relation = models.CharField(max_length=12, choices=Relation.choices, blank=True)
    anonymous = models.BooleanField(
        default=False, help_text="The sender chose to tell us anonymously: no way to contact them"
    )
    danger_now = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    children_in_home = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    sent_at = models.DateTimeField(help_text="When it was sent: the response clock starts here")
    routed = models.BooleanField(
        default=False,
        help_text="The policy's routing named the case's team; otherwise the DA leads triage",
    )
    # A keyed hash (survivor-name purpose) of the name given for the person causing harm:
    # staff who may see a case whose survivor has that name are told it may be a
    # counter-allegation; nobody else, and never the public.
    harm_name_as_survivor = models.CharField(max_length=64, blank=True, db_index=True)
    triage = models.CharField(max_length=10, choices=Triage.choices, default=Triage.WAITING)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(
        help_text="Encrypted: the sender's name, organisation, phone, email, safe times, "
        "whether a message or post is safe, and why no action follows"
    )

    class Meta:
        indexes = [models.Index(fields=["triage", "sent_at"], name="public_report_triage")]

    def __str__(self) -> str:
        return self.id
