"""GET /api/v1/policy reports the active policy's rules (API.md §5 "Policy")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from safehold.accounts import services
from safehold.accounts.models import Staff
from safehold.policy.loader import clear_active_policy, load_policy

pytestmark = pytest.mark.django_db
BUNDLED = ["default", "wha", "whg", "association", "viridian", "wrekin"]


@pytest.fixture
def use_policy(settings) -> Iterator[None]:
    yield
    clear_active_policy()


@pytest.mark.parametrize("policy_id", BUNDLED)
def test_it_reports_each_bundled_policy(
    officer: Staff, settings, use_policy: None, policy_id: str
) -> None:
    settings.SAFEHOLD_POLICY = policy_id
    clear_active_policy()
    token = services.token_create(staff=officer)
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/policy")
    assert response.status_code == 200
    body = response.json()
    policy = load_policy(policy_id)
    assert body["id"] == policy_id
    assert body["version"] == policy.version
    assert body["name"] == policy.name
    assert body["response_target"]["kind"] in ("clock_hours", "working_days")
    assert body["response_target"]["amount"] == policy.response_target.amount
    assert body["review_interval_days"] == policy.review_interval_days
    assert body["emergency_repair_hours"] == policy.emergency_repair_hours
    assert body["disclosure_approver_roles"] == list(policy.disclosure.approver_roles)
    assert set(body["closure"]) >= {"reasons", "survivor_agreement", "manager_approval_required"}


def test_wrekin_reports_one_working_day(officer: Staff, settings, use_policy: None) -> None:
    settings.SAFEHOLD_POLICY = "wrekin"  # 004_b4e29a992dd16467.txt: "within one working day"
    clear_active_policy()
    token = services.token_create(staff=officer)
    body = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/policy").json()
    assert body["response_target"] == {"kind": "working_days", "amount": 1}


def test_it_needs_a_token(db: None) -> None:
    response = Client().get("/api/v1/policy")
    assert response.status_code == 401
