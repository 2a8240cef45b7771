"""The API's front door (API.md §2): tokens, health, OpenAPI and problem+json errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from safehold.accounts import services
from safehold.accounts.models import ApiToken, Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(officer: Staff) -> str:
    return services.token_create(staff=officer)


def api(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def assert_problem(response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["code"] == code
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.content.decode()
    return body


def test_healthz_answers_ok_without_sign_in(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_document_is_served(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/cases" in document["paths"]
    assert "/api/v1/cases/search" in document["paths"]


def test_case_list_is_empty_until_cases_exist(token: str) -> None:
    response = api(token).get("/api/v1/cases")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next": None}
    assert response["Cache-Control"] == "no-store"


def test_a_missing_token_is_401(db: None) -> None:
    assert_problem(Client().get("/api/v1/cases"), 401, "not_authenticated")


def test_an_unknown_token_is_401(token: str) -> None:
    assert_problem(api(token + "x").get("/api/v1/cases"), 401, "not_authenticated")


def test_a_revoked_token_is_401(token: str) -> None:
    services.token_revoke(token=ApiToken.objects.get())
    assert_problem(api(token).get("/api/v1/cases"), 401, "not_authenticated")


def test_a_disabled_accounts_token_is_401(token: str, officer: Staff) -> None:
    services.staff_disable(staff=officer)
    assert_problem(api(token).get("/api/v1/cases"), 401, "not_authenticated")


def test_tokens_are_stored_hashed(token: str) -> None:
    stored = ApiToken.objects.get()
    assert stored.digest != token
    assert token not in stored.digest
    assert token.startswith(stored.prefix)


def test_malformed_json_is_400(token: str) -> None:
    response = api(token).post(
        "/api/v1/cases/search", data="{not json", content_type="application/json"
    )
    assert_problem(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "body",
    [{"q": 42}, {"q": ""}, {"status": "open"}, {"q": "x", "risk_level": "extreme"}, [], "q"],
)
def test_a_body_of_the_wrong_shape_is_400(token: str, body: object) -> None:
    response = api(token).post("/api/v1/cases/search", data=body, content_type="application/json")
    assert_problem(response, 400, "invalid_request")


def test_search_by_name_answers_in_the_body(token: str) -> None:
    response = api(token).post(
        "/api/v1/cases/search", data={"q": "Jane Doe"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"items": [], "next": None}


def test_an_oversized_body_is_413(token: str) -> None:
    huge = json.dumps({"q": "x" * 2_000_000})
    response = api(token).post("/api/v1/cases/search", data=huge, content_type="application/json")
    assert_problem(response, 413, "body_too_large")


def test_an_unknown_path_is_a_404_problem(token: str) -> None:
    assert_problem(api(token).get("/api/v1/nothing-here"), 404, "not_found")


def test_a_wrong_method_is_a_405_problem(token: str) -> None:
    assert_problem(api(token).delete("/api/v1/cases"), 405, "method_not_allowed")


def test_a_crash_is_a_500_problem_without_a_trace(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safehold.accounts import selectors

    def broken(token: str) -> Staff:
        raise RuntimeError("database exploded: secret detail")

    monkeypatch.setattr("safehold.api.auth.token_for", broken)
    client = api(token)
    client.raise_request_exception = False
    body = assert_problem(client.get("/api/v1/cases"), 500, "internal_error")
    assert "secret detail" not in json.dumps(body)
    assert selectors.staff_for_token(token) is not None
