"""The API's rate limits (safehold/api/limits.py): per token, and per client address for
requests without a valid token; past a limit, 429 problem+json with a Retry-After."""

from __future__ import annotations

import json
import time

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from pytest_django.fixtures import Settings

from safehold.accounts import services
from safehold.accounts.models import Staff
from safehold.privacy.models import AuditEntry
from safehold.settings import rate_limit

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.2"


def api(token: str = "", *, address: str = "127.0.0.1", forwarded_for: str = "") -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return Client(REMOTE_ADDR=address, headers=headers)


def assert_rate_limited(response, *, period: int = 60) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["code"] == "rate_limited"
    assert body["status"] == 429
    assert 1 <= int(response["Retry-After"]) <= period
    assert response["Retry-After"] in body["detail"]
    assert response["Cache-Control"] == "no-store"


def test_the_defaults_leave_room_for_a_busy_integration() -> None:
    assert settings.SAFEHOLD_API_RATE_PER_TOKEN == "1200/m"
    assert settings.SAFEHOLD_API_RATE_PER_ADDRESS == "120/m"


def test_a_token_past_its_limit_is_429_until_the_window_ends(
    settings: Settings, officer: Staff
) -> None:
    settings.SAFEHOLD_API_RATE_PER_TOKEN = "3/m"
    token = services.token_create(staff=officer)
    start = time.time()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert api(token).get("/api/v1/cases").status_code == 200
        refused = api(token).get("/api/v1/cases")
        assert_rate_limited(refused)
        wait = int(refused["Retry-After"])
    with time_machine.travel(start + wait - 1, tick=False):
        assert api(token).get("/api/v1/cases").status_code == 429
    with time_machine.travel(start + wait, tick=False):
        assert api(token).get("/api/v1/cases").status_code == 200


def test_one_tokens_limit_does_not_touch_another_token(
    settings: Settings, officer: Staff, teammate: Staff
) -> None:
    settings.SAFEHOLD_API_RATE_PER_TOKEN = "2/m"
    busy = services.token_create(staff=officer)
    other = services.token_create(staff=teammate)
    with time_machine.travel(time.time(), tick=False):
        for _ in range(2):
            api(busy).get("/api/v1/cases")
        assert_rate_limited(api(busy).get("/api/v1/cases"))
        assert api(other).get("/api/v1/cases").status_code == 200


def test_a_limited_request_reaches_no_handler_and_writes_nothing_but_its_refusal(
    settings: Settings, officer: Staff
) -> None:
    """The handler never runs (no search is audited); since issue 17 §8 the refusal itself
    is in the audit trail, naming the token's owner (accounts/refusals.py)."""
    settings.SAFEHOLD_API_RATE_PER_TOKEN = "1/h"
    token = services.token_create(staff=officer)
    with time_machine.travel(time.time(), tick=False):
        api(token).get("/api/v1/cases")
        entries = AuditEntry.objects.count()
        refused = api(token).post(
            "/api/v1/cases/search", {"q": "Jane Doe"}, content_type="application/json"
        )
    assert_rate_limited(refused, period=3600)
    written = AuditEntry.objects.filter(seq__gt=entries).order_by("seq")
    assert [(e.actor, e.action) for e in written] == [(officer.username, "request.rate_limited")]
    assert "Jane" not in json.dumps(written[0].detail)


def test_requests_without_a_valid_token_are_limited_per_address(
    settings: Settings, officer: Staff
) -> None:
    settings.SAFEHOLD_API_RATE_PER_ADDRESS = "2/m"
    token = services.token_create(staff=officer)
    with time_machine.travel(time.time(), tick=False):
        assert api(address="203.0.113.7").get("/api/v1/cases").status_code == 401
        assert api("guessed", address="203.0.113.7").get("/api/v1/cases").status_code == 401
        assert_rate_limited(api("guessed-again", address="203.0.113.7").get("/api/v1/cases"))
        assert api(address="198.51.100.23").get("/api/v1/cases").status_code == 401
        # A valid token from the same address is counted against the token only.
        assert api(token, address="203.0.113.7").get("/api/v1/cases").status_code == 200


def test_behind_a_proxy_the_address_is_the_clients(settings: Settings) -> None:
    settings.SAFEHOLD_API_RATE_PER_ADDRESS = "1/m"
    settings.SAFEHOLD_PROXY_COUNT = 1
    with time_machine.travel(time.time(), tick=False):
        first = api(address=BALANCER, forwarded_for="203.0.113.7")
        assert first.get("/api/v1/cases").status_code == 401
        assert_rate_limited(first.get("/api/v1/cases"))
        other = api(address=BALANCER, forwarded_for="198.51.100.23")
        assert other.get("/api/v1/cases").status_code == 401


def test_a_limit_can_be_turned_off(settings: Settings, officer: Staff) -> None:
    settings.SAFEHOLD_API_RATE_PER_TOKEN = None  # SAFEHOLD_API_RATE_PER_TOKEN=off
    token = services.token_create(staff=officer)
    for _ in range(5):
        assert api(token).get("/api/v1/cases").status_code == 200


@pytest.mark.parametrize(
    ("value", "rate"), [("600/m", "600/m"), (" 50/S ", "50/s"), ("5000/h", "5000/h"), ("off", None)]
)
def test_a_rate_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, rate: str | None
) -> None:
    monkeypatch.setenv("SAFEHOLD_API_RATE_PER_TOKEN", value)
    assert rate_limit("SAFEHOLD_API_RATE_PER_TOKEN", "1200/m") == rate


@pytest.mark.parametrize("value", ["1200", "0/m", "-5/m", "lots/m", "10/week", "10 per m"])
def test_a_malformed_rate_stops_the_app_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SAFEHOLD_API_RATE_PER_ADDRESS", value)
    with pytest.raises(ImproperlyConfigured, match="SAFEHOLD_API_RATE_PER_ADDRESS"):
        rate_limit("SAFEHOLD_API_RATE_PER_ADDRESS", "120/m")
