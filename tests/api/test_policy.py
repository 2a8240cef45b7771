"""GET /api/v1/policy reports the active policy's rules (API.md §5 "Policy")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from safehold.accounts import services
from safehold.accounts.models import Staff
from safehold.policy.loader import clear_active_policy, load_policy
from safehold.policy.schema import rule_settings

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


def get_policy(officer: Staff, settings, policy_id: str) -> dict:
    settings.SAFEHOLD_POLICY = policy_id
    clear_active_policy()
    token = services.token_create(staff=officer)
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/policy")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("policy_id", BUNDLED)
def test_it_says_whose_rule_each_setting_is(
    officer: Staff, settings, use_policy: None, policy_id: str
) -> None:
    body = get_policy(officer, settings, policy_id)
    policy = load_policy(policy_id)
    sources = body["sources"]

    assert list(sources) == list(rule_settings())
    for setting, source in sources.items():
        assert source["source"] in ("quoted", "default", "provider_to_set"), setting
        if source["source"] == "quoted":
            assert source["quote"] in policy.quotes.values(), setting
        else:
            assert "quote" not in source, setting
    # The values stay where they were (API.md §5).
    assert body["response_target"] == policy.response_target.model_dump()
    assert body["closure"]["letters_to"] == list(policy.closure.letters_to)


def test_wha_quotes_its_disclosure_approver_and_is_silent_on_a_response_time(
    officer: Staff, settings, use_policy: None
) -> None:
    sources = get_policy(officer, settings, "wha")["sources"]

    # 000_d48778e071033c63.txt, Confidentiality.
    assert sources["disclosure.approver_roles"] == {
        "source": "quoted",
        "quote": "The Housing Services Director will approve any disclosure without the "
        "victim\u2019s consent.",
    }
    # The guide sets no time to respond: the 24 hours are Safehold's.
    assert sources["response_target"] == {"source": "default"}
    # Nor does it set the office day, or how long a closed case is kept.
    assert sources["working_hours.end"] == {"source": "provider_to_set"}
    assert sources["retention.years_after_closure"] == {"source": "provider_to_set"}
    # Nor who closes a case the victim does not agree to close ("some cases will have to
    # be closed even though the victim is not satisfied", Closure of cases).
    assert sources["closure.override_role"] == {"source": "provider_to_set"}
    assert sources["closure.survivor_agreement"]["source"] == "quoted"
    # "The HSD will evaluate the effectiveness of every closed case."
    assert sources["closure.evaluation_role"]["source"] == "quoted"


def test_the_associations_response_times_are_its_to_set(
    officer: Staff, settings, use_policy: None
) -> None:
    body = get_policy(officer, settings, "association")
    sources = body["sources"]

    # 002_855cb3cd2fb93c33.txt, 3: "as promptly as is necessary ... based on an
    # assessment of the severity": the times are Safehold's proposal, not its words.
    for setting in (
        "response_target",
        "response_target_by_risk_level.standard",
        "response_target_by_risk_level.medium",
        "response_target_by_risk_level.high",
    ):
        assert sources[setting] == {"source": "provider_to_set"}, setting
    assert body["response_target_by_risk_level"]["high"] == {"kind": "clock_hours", "amount": 24}
    # Silent on closure: the survivor's agreement is Safehold's default, not its rule.
    assert sources["closure.survivor_agreement"] == {"source": "default"}
    # 6: "Legal action will not be pursued where this is likely to increase the risk".
    assert sources["action_plan.no_legal_action_that_increases_risk"]["source"] == "quoted"


def test_whg_shows_the_settings_it_never_wrote_as_safeholds_defaults(
    officer: Staff, settings, use_policy: None
) -> None:
    sources = get_policy(officer, settings, "whg")["sources"]

    # 001_ba292ac3c64587bb.txt sets no response time, no closure rules, no evaluation.
    for setting in (
        "response_target",
        "closure.survivor_agreement",
        "closure.evaluation_role",
        "appeals.stage_1",
    ):
        assert sources[setting] == {"source": "default"}, setting
    # 4.1 "every three years".
    assert sources["policy_review.every_months"]["source"] == "quoted"


def test_the_openapi_document_describes_the_sources(db: None) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    operation = document["paths"]["/api/v1/policy"]["get"]

    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/PolicyOut"}
    policy = schemas["PolicyOut"]["properties"]
    assert policy["sources"]["additionalProperties"] == {
        "$ref": "#/components/schemas/SettingSourceOut"
    }
    assert schemas["SettingSourceOut"]["properties"]["source"]["enum"] == [
        "quoted",
        "default",
        "provider_to_set",
    ]
    assert {"response_target", "closure", "disclosure_approver_roles", "retention"} <= set(policy)
