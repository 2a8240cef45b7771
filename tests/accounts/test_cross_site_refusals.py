"""Another site cannot write audit entries in the name of a session it makes a browser
send (issue 17 §9, "a cross-site request is refused before anything is written"): a
request that fails the CSRF check writes no entry; the refusal of a request the browser
says came from another site is recorded by its address, naming nobody; and an API
request is someone's only through its bearer token. The refusals and rate limits of
issue 17 §8 are still audited (tests/accounts/test_refusals_audited.py)."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from safehold.accounts.models import Staff
from safehold.cases.models import Case, Contact
from safehold.privacy.models import AuditEntry
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def refusals(action: str = "request.refused") -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def contact_form() -> dict[str, str]:
    now = timezone.localtime()
    return {
        "at_date": now.strftime("%d/%m/%Y"),
        "at_time": now.strftime("%H:%M"),
        "channel": "phone",
        "direction": "outbound",
        "with_whom": "survivor",
        "notes": "Rang about the lock change",
    }


@pytest.mark.parametrize("person", ["officer", "outsider"])
def test_a_post_that_fails_the_csrf_check_writes_no_entry_in_the_sessions_name(
    request: pytest.FixtureRequest, case: Case, person: str
) -> None:
    staff: Staff = request.getfixturevalue(person)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = signed_in(staff).cookies
    entries = AuditEntry.objects.count()
    response = browser.post(f"/cases/{case.pk}/contacts/new", contact_form())
    assert response.status_code == 403
    assert AuditEntry.objects.count() == entries
    assert not Contact.objects.exists()


def test_a_refused_page_another_site_opened_is_audited_naming_nobody(officer: Staff) -> None:
    browser = signed_in(officer)
    assert browser.get("/staff/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert browser.get("/staff/", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 403
    cross, own = refusals()
    assert (cross.actor, cross.detail["path"], cross.detail["address"]) == (
        "",
        "/staff/",
        "127.0.0.1",
    )
    assert own.actor == officer.username


def test_an_api_request_without_a_token_names_nobody_though_the_browser_sent_a_session(
    settings: Settings, officer: Staff
) -> None:
    settings.SAFEHOLD_API_RATE_PER_ADDRESS = "1/h"
    browser = signed_in(officer)
    with time_machine.travel(time.time(), tick=False):
        statuses = [browser.get("/api/v1/cases").status_code for _ in range(3)]
    assert statuses == [401, 429, 429]
    limited = refusals("request.rate_limited")
    assert limited
    assert {(e.actor, e.detail["limit"]) for e in limited} == {("", "api.address")}


def test_an_oversized_api_body_is_413_before_anything_is_written(
    settings: Settings, officer: Staff, case: Case, api_as
) -> None:
    """ProblemMiddleware answers before the session or the token is read."""
    clients = (signed_in(officer), api_as(officer))
    entries = AuditEntry.objects.count()
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    for client in clients:
        response = client.post(
            f"/api/v1/cases/{case.pk}/contacts", body, content_type="application/json"
        )
        assert response.status_code == 413
        assert response.json()["code"] == "body_too_large"
    assert AuditEntry.objects.count() == entries
    assert not Contact.objects.exists()
