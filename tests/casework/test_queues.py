"""Work queues on the home page, the agreed contact interval, and the daily digest."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import services as case_services
from safehold.cases.models import Case
from safehold.casework import contacts, plan
from safehold.cli import main
from safehold.policy.loader import active_policy
from safehold.web import words
from tests.casedata import PERPETRATOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_NAME, SURVIVOR_PHONE

pytestmark = pytest.mark.django_db


def queue_counts(page: str) -> dict[str, int]:
    section = page.split('data-testid="queues"')[1].split("</dl>")[0]
    counts = {}
    for row in section.split('govuk-summary-list__row">')[1:]:
        title = row.split('">', 2)[2].split("</a>")[0]
        counts[title] = int(row.split('govuk-summary-list__value">')[1].split("<")[0])
    return counts


def test_the_home_page_counts_each_queue_and_links_to_it(
    open_case: Callable[..., Case],
    officer: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    case = open_case()
    plan.action_add(case=case, by=officer, kind="emergency_repair", detail="Door")
    old = open_case(
        reported_at=timezone.now() - timedelta(days=active_policy().review_interval_days)
    )
    case_services.contact_interval_agree(case=old, by=officer, days=3)
    client = as_staff(officer)
    counts = queue_counts(client.get("/").content.decode())
    assert counts == {
        "Awaiting first contact": 2,
        "Actions due": 1,
        "Reviews due": 1,
        "Contacts due": 1,
        "Feedback to ask for": 0,  # default.toml asks for feedback after closure
    }
    for slug, expected in (
        ("first-contact", case.reference),
        ("actions", case.reference),
        ("reviews", old.reference),
        ("contacts", old.reference),
    ):
        assert expected in client.get(f"/queues/{slug}").content.decode()
    assert "Approvals waiting" in queue_counts(as_staff(director).get("/").content.decode())


def test_queues_show_only_cases_a_person_may_see(
    case: Case, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(outsider)
    assert set(queue_counts(client.get("/").content.decode()).values()) == {0}
    assert case.reference not in client.get("/queues/first-contact").content.decode()
    assert client.get("/queues/nothing").status_code == 404


def test_the_agreed_contact_interval_sets_the_next_contact(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    client.post(f"/cases/{case.pk}/contact-interval", {"days": "7"})
    case.refresh_from_db()
    assert case.next_contact_due_at == case.reported_at + timedelta(days=7)
    at = timezone.now()
    contacts.contact_record(
        case=case, by=officer, at=at, channel="phone", direction="outbound", with_whom="survivor"
    )
    case.refresh_from_db()
    assert case.next_contact_due_at == at + timedelta(days=7)
    assert client.post(f"/cases/{case.pk}/contact-interval", {"days": "0"}).status_code == 302
    case.refresh_from_db()
    assert case.contact_interval_days == 7


def test_the_daily_digest_names_cases_by_reference_only(
    case: Case,
    officer: Staff,
    manager: Staff,
    outsider: Staff,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for person, address in (
        (officer, "alice@example.org"),
        (manager, "mona@example.org"),
        (outsider, "olga@example.org"),
    ):
        person.email = address
        person.save()
    with time_machine.travel(case.response_due_at + timedelta(hours=1)):
        assert main(["digest"]) == 0
    assert "Sent 2 digests" in capsys.readouterr().out
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["alice@example.org", "mona@example.org"]
    for message in mail.outbox:
        assert case.reference in message.body
        assert "OVERDUE" in message.body
        # Times in GOV.UK's words, as on the pages (5 December 2026, 2:36pm), never 05 Dec 14:36.
        assert f"{case.reference} due {words.moment(case.response_due_at)}" in message.body
        assert re.search(
            r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}(:\d\d)?(am|pm)|midday|midnight", message.body
        )
        assert not re.search(r"\d\d:\d\d(?![ap]m)", message.body)  # 10:35am, never 10:35
        for secret in (SURVIVOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_PHONE, PERPETRATOR_NAME):
            assert secret not in message.body
