"""Issue 17 §8 (OWASP ASVS 16.2.1, 16.3.2, 16.3.3): every audit entry written while
answering a request says where it came from; refused authorisation decisions (403),
refused break glass and rate-limited requests (429) are in the audit trail, a few a
minute per key at most, so a flood of refusals cannot flood the chain; and a 404 for a
hidden case is never recorded, so it stays exactly like a missing one (whose pages
tests/cases/test_access_matrix.py compares)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from pytest_django.fixtures import Settings

from safehold import cli
from safehold.accounts import services
from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.2"
CLIENT = "198.51.100.23"
REASON = "The survivor rang the out-of-hours line about a threat tonight"


def behind_the_balancer(staff: Staff) -> Client:
    client = signed_in(staff)
    client.defaults.update(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=CLIENT)
    return client


def refusals(action: str = "request.refused") -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_every_entry_written_for_a_request_carries_the_clients_address(
    settings: Settings, officer: Staff, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.SAFEHOLD_PROXY_COUNT = 1
    behind_the_balancer(officer).get(f"/cases/{case.pk}/")
    read = AuditEntry.objects.filter(action="case.viewed").get()
    assert read.detail["address"] == CLIENT
    # The command line answers no request: its entries carry no address.
    cli.main(["token", "create", officer.username])
    made = AuditEntry.objects.get(action="token.created")
    assert "address" not in made.detail


def test_a_refused_page_is_audited_with_who_where_and_what(
    settings: Settings, officer: Staff
) -> None:
    settings.SAFEHOLD_PROXY_COUNT = 1
    assert behind_the_balancer(officer).get("/staff/").status_code == 403
    (entry,) = refusals()
    assert (entry.actor, entry.target_type) == (officer.username, "request")
    assert entry.detail == {"status": 403, "method": "GET", "path": "/staff/", "address": CLIENT}


def test_a_refusal_from_the_api_is_audited_with_its_code(
    officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    answer = api_as(officer).get("/api/v1/reports/monitoring?from=2026-01-01&to=2026-03-31")
    assert answer.status_code == 403
    (entry,) = refusals()
    assert (entry.actor, entry.detail["code"]) == (officer.username, answer.json()["code"])


def test_a_hidden_case_and_a_missing_one_are_alike_and_neither_is_recorded(
    outsider: Staff, case: Case, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(outsider)
    before = AuditEntry.objects.count()
    hidden = client.get(f"/cases/{case.pk}/")
    missing = client.get("/cases/cas_doesnotexist0000/")
    assert hidden.status_code == missing.status_code == 404
    assert AuditEntry.objects.count() == before


def test_a_flood_of_refusals_costs_the_chain_a_few_entries_a_minute(
    settings: Settings, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    settings.SAFEHOLD_REFUSAL_AUDIT_PER_MINUTE = 3
    client = as_staff(officer)
    with time_machine.travel(time.time(), tick=False):
        for _ in range(20):
            assert client.get("/staff/").status_code == 403
    recorded = refusals()
    assert len(recorded) == 3
    assert recorded[-1].detail["more_this_minute_not_recorded"] is True
    with time_machine.travel(time.time() + 61, tick=False):
        client.get("/staff/")
    assert len(refusals()) == 4


def test_rate_limited_requests_are_audited_a_few_a_minute_per_token(
    settings: Settings, officer: Staff
) -> None:
    settings.SAFEHOLD_API_RATE_PER_TOKEN = "1/h"
    settings.SAFEHOLD_REFUSAL_AUDIT_PER_MINUTE = 3
    token = services.token_create(staff=officer, by=officer)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    with time_machine.travel(time.time(), tick=False):
        statuses = [api.get("/api/v1/cases").status_code for _ in range(12)]
    assert statuses == [200] + [429] * 11
    limited = refusals("request.rate_limited")
    assert len(limited) == 3
    assert {(e.actor, e.detail["limit"], e.detail["path"]) for e in limited} == {
        (officer.username, "api.token", "/api/v1/cases")
    }


def test_refused_break_glass_is_audited_without_its_reason(
    auditor: Staff, case: Case, api_as: Callable[[Staff], Client]
) -> None:
    answer = api_as(auditor).post(
        f"/api/v1/cases/{case.pk}/break-glass",
        json.dumps({"reason": REASON}),
        content_type="application/json",
    )
    assert answer.status_code == 403
    (entry,) = refusals("break_glass.refused")
    assert (entry.actor, entry.detail["code"]) == (auditor.username, "may_not_break_glass")
    assert "out-of-hours" not in json.dumps(entry.detail)
