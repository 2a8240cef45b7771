"""Telling people about changes to accounts: an in-app alert (the Alert of break glass,
with no case) and an email where the person has an address. A change that could let
someone act as another person is told to that person and to the DA leads; a change
waiting for approval is told to the other administrators.

Messages name accounts and what was done, never anything from a case."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases.models import Alert

SUBJECT = "Safehold: a change to a staff account"
NO_CASE_DETAILS = "This email holds no case details."


def tell(people: Iterable[Staff], message: str, *, subject: str = SUBJECT) -> None:
    """An alert for each person (once each), and one email to those with an address,
    sent when the change commits."""
    recipients = {person.pk: person for person in people if person.is_active}
    Alert.objects.bulk_create(
        [
            Alert(recipient=person, case=None, message=message[:300])
            for person in recipients.values()
        ]
    )
    addresses = sorted({person.email for person in recipients.values() if person.email})
    if addresses:
        body = f"{message}\n\nSign in to Safehold to see your alerts. {NO_CASE_DETAILS}"
        transaction.on_commit(
            lambda: send_mail(
                subject=subject,
                message=body,
                from_email=None,
                recipient_list=addresses,
                fail_silently=True,
            )
        )


def da_leads() -> list[Staff]:
    return list(Staff.objects.filter(role=Role.DA_LEAD, is_active=True))


def administrators(*, besides: Staff | None) -> list[Staff]:
    others = Staff.objects.filter(role=Role.ADMIN, is_active=True)
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    return list(others)


def person_and_da_leads(staff: Staff, *, to_person: str, to_leads: str) -> None:
    tell([staff], to_person)
    tell([lead for lead in da_leads() if lead.pk != staff.pk], to_leads)
