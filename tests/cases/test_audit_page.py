"""The "Who has seen this case" page in plain words (issue 18): who by name and role,
what in words, when as GOV.UK writes it, the break-glass reason to those who may see
the case, newest first, filtered by kind of action, a page at a time."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import services as cases
from safehold.cases.models import Case
from safehold.casework import contacts
from safehold.privacy.models import AuditEntry
from safehold.privacy.trail import PAGE_SIZE

pytestmark = pytest.mark.django_db

REASON = "Covering the out-of-hours line tonight"


def whats(page: str) -> list[str]:
    """The "What" column, top to bottom."""
    return [html.unescape(cell) for cell in re.findall(r'data-testid="what">([^<]*)</td>', page)]


def contact(case: Case, officer: Staff, n: int = 1) -> None:
    for _ in range(n):
        contacts.contact_record(
            case=case,
            by=officer,
            at=timezone.now(),
            channel="phone",
            direction="outbound",
            with_whom="survivor",
        )


def test_it_says_who_by_name_and_role_and_what_in_words_newest_first(
    case: Case, officer: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    contact(case, officer)
    page = as_staff(manager).get(f"/cases/{case.pk}/audit").content.decode()
    assert whats(page)[:2] == ["Recorded a contact", "Opened the case"]
    assert f"{officer.full_name}<br>" in page
    assert "Housing officer" in page
    assert "case.opened" not in page
    assert "contact.recorded" not in page


def test_it_gives_the_break_glass_reason_to_those_who_may_see_the_case_and_never_an_auditor(
    case: Case,
    outsider: Staff,
    manager: Staff,
    da_lead: Staff,
    auditor: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    cases.break_glass(case=case, by=outsider, reason=REASON)
    for reader in (manager, da_lead):
        page = as_staff(reader).get(f"/cases/{case.pk}/audit").content.decode()
        assert "Broke the glass to open the case" in page
        assert REASON in page
    page = as_staff(auditor).get(f"/cases/{case.pk}/audit").content.decode()
    assert "Broke the glass to open the case" in page
    assert outsider.full_name in page
    assert REASON not in page
    assert "break-glass-reason" not in page


def test_it_filters_by_kind_of_action(
    case: Case, officer: Staff, outsider: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    contact(case, officer)
    cases.break_glass(case=case, by=outsider, reason=REASON)
    client = as_staff(manager)
    assert whats(client.get(f"/cases/{case.pk}/audit?kind=contacts").content.decode()) == [
        "Recorded a contact"
    ]
    glass = client.get(f"/cases/{case.pk}/audit?kind=break_glass").content.decode()
    assert whats(glass) == ["Broke the glass to open the case"]
    opened = whats(client.get(f"/cases/{case.pk}/audit?kind=case").content.decode())
    assert "Opened the case" in opened
    assert "Broke the glass to open the case" not in opened


def test_it_shows_a_page_at_a_time(
    case: Case, officer: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    contact(case, officer, PAGE_SIZE)  # with the opening, one more than a page
    client = as_staff(manager)
    first = client.get(f"/cases/{case.pk}/audit").content.decode()
    assert whats(first) == ["Recorded a contact"] * PAGE_SIZE
    assert "page=2" in first
    assert "Older entries" in first
    second = client.get(f"/cases/{case.pk}/audit?page=2").content.decode()
    assert whats(second)[-1] == "Opened the case"
    assert "Newer entries" in second
    assert "Older entries" not in second


def test_an_unknown_kind_or_page_is_not_found_and_reads_nothing(
    case: Case, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(manager)
    for query in ("kind=everything", "page=0", "page=two", "kind=case.opened"):
        assert client.get(f"/cases/{case.pk}/audit?{query}").status_code == 404
    assert not AuditEntry.objects.filter(action="case.audit_viewed").exists()


def test_each_page_read_is_audited(
    case: Case, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(manager)
    client.get(f"/cases/{case.pk}/audit")
    client.get(f"/cases/{case.pk}/audit?kind=risk")
    reads = AuditEntry.objects.filter(action="case.audit_viewed", target_id=case.pk)
    assert [entry.actor for entry in reads] == [manager.username] * 2


def test_an_officer_reads_no_trail(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    assert as_staff(officer).get(f"/cases/{case.pk}/audit").status_code == 403


def test_the_api_gives_the_trail_oldest_first_a_page_at_a_time(
    case: Case,
    officer: Staff,
    manager: Staff,
    api_as: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`GET /cases/{id}/audit` (issue 19): a page of entries from an index range, and
    `next` for the rest, so a long trail is read a page at a time; following `next` to
    the end gives every entry once, in the chain's order."""
    from safehold.cases import selectors

    monkeypatch.setattr(selectors, "AUDIT_API_PAGE", 3)
    contact(case, officer, n=4)
    trail = AuditEntry.objects.filter(target_type="case", target_id=case.pk).order_by("seq")
    expected = [entry.action for entry in trail]  # before reading it: the reads add entries
    api = api_as(manager)
    url: str | None = f"/api/v1/cases/{case.pk}/audit"
    pages = []
    while url is not None:
        answer = api.get(url)
        assert answer.status_code == 200
        body = answer.json()
        assert len(body["items"]) <= 3
        pages.append([item["action"] for item in body["items"]])
        url = body["next"]
    # Opened and four contacts, then the first page's own read: two pages of three.
    assert pages == [expected[:3], [*expected[3:], "case.audit_viewed"]]
    for bad in ("-1", "x", "1.5"):  # a bad query string is refused, as on GET /cases
        refused = api.get(f"/api/v1/cases/{case.pk}/audit?after={bad}")
        assert refused.status_code == 400, bad
        assert refused["Content-Type"] == "application/problem+json"
