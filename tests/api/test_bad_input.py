"""What the API fuzz test (tests/test_fuzz_api.py) found, kept as regressions: bad input
gets a clear 4xx problem+json with a `code`, nothing is stored, and the OpenAPI document
declares every answer an operation gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case, Contact, Incident
from safehold.casework.models import Action, Review
from safehold.closure import services as closure
from safehold.closure.models import Appeal, Closure
from safehold.records.models import SubjectAccessRequest
from tests.casedata import CASE_BODY

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "9999-12-31T23:59:59-12:00"]

# (path under the case, the body without its time, the time's field, what it would store)
TIMED_WRITES: list[tuple[str, dict[str, Any], str, type[Model]]] = [
    ("/subject-access-requests", {"subject": "survivor"}, "received_at", SubjectAccessRequest),
    ("/incidents", {"source": "police"}, "reported_at", Incident),
    (
        "/contacts",
        {"channel": "phone", "direction": "outbound", "with": "survivor"},
        "at",
        Contact,
    ),
    ("/actions", {"kind": "support"}, "due_at", Action),
    ("/reviews", {"notes": "On track"}, "at", Review),
    ("/closure", {"reason": "resolved", "survivor_agrees": True}, "review_meeting_at", Closure),
]


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert body["code"] == code
    return body


def post(client: Client, path: str, body: object) -> Any:
    return client.post(f"/api/v1{path}", body, content_type="application/json")


@pytest.fixture
def director_api(director: Staff, api_as: Callable[[Staff], Client]) -> Client:
    return api_as(director)


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
@pytest.mark.parametrize(("path", "body", "field", "stored"), TIMED_WRITES)
def test_a_time_outside_the_working_years_is_400_and_stores_nothing(
    case: Case,
    director_api: Client,
    path: str,
    body: dict[str, Any],
    field: str,
    stored: type[Model],
    moment: str,
) -> None:
    # Found: a subject access request received at 0001-01-01T00:00:00Z was a 500, as
    # moving it to London time went past the first year Python knows.
    before = stored.objects.count()  # type: ignore[attr-defined]

    answer = post(director_api, f"/cases/{case.pk}{path}", {**body, field: moment})

    problem = assert_problem(answer, 400, "invalid_request")
    assert field in problem["detail"]
    assert stored.objects.count() == before  # type: ignore[attr-defined]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_a_report_outside_the_working_years_is_400_and_opens_no_case(
    director_api: Client, moment: str
) -> None:
    answer = post(director_api, "/cases", {**CASE_BODY, "reported_at": moment})

    assert "reported_at" in assert_problem(answer, 400, "invalid_request")["detail"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_an_appeal_received_outside_the_working_years_is_400(
    case: Case, officer: Staff, manager: Staff, director_api: Client, moment: str
) -> None:
    closure.closure_request(
        case=case,
        by=officer,
        reason="resolved",
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(hours=1),
    )
    closure.closure_approve(case=case, by=manager)
    body = {"by": "survivor", "grounds": "Closed too soon", "received_at": moment}

    answer = post(director_api, f"/cases/{case.pk}/appeals", body)

    assert_problem(answer, 400, "invalid_request")
    assert Appeal.objects.count() == 0


def test_the_first_moment_of_the_working_years_is_a_time_like_any_other(
    case: Case, director_api: Client
) -> None:
    body = {"subject": "survivor", "received_at": "1900-01-01T00:00:00Z"}

    answer = post(director_api, f"/cases/{case.pk}/subject-access-requests", body)

    assert answer.status_code == 201, answer.content
    assert answer.json()["due_at"] == "1900-02-01"


def test_a_survivor_and_an_alleged_perpetrator_may_prefer_not_to_say_their_sex(
    director_api: Client,
) -> None:
    # Found on PostgreSQL: `Person.sex` held 10 characters and "prefer_not_to_say" has 17.
    # SQLite does not enforce a column's length; PostgreSQL refused the row (a 500).
    survivor = {**CASE_BODY["survivor"], "sex": "prefer_not_to_say"}
    perpetrator = {**CASE_BODY["alleged_perpetrators"][0], "sex": "prefer_not_to_say"}
    body = {**CASE_BODY, "survivor": survivor, "alleged_perpetrators": [perpetrator]}

    answer = post(director_api, "/cases", body)

    assert answer.status_code == 201, answer.content
    assert answer.json()["survivor"]["sex"] == "prefer_not_to_say"


# The document: what the fuzz test holds every answer to.


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    loaded: dict[str, Any] = response.json()
    return loaded


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_error_answer_is_declared_as_problem_json(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])
    for method, path, operation in operations(document):
        errors = {int(status): answer for status, answer in operation["responses"].items()}
        errors = {status: answer for status, answer in errors.items() if status >= 400}
        assert {401, 429} <= set(errors), (method, path)
        for status, answer in errors.items():
            content = answer["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
        assert errors[401]["headers"]["WWW-Authenticate"]["required"]
        assert errors[429]["headers"]["Retry-After"]["required"]


def test_the_document_declares_what_each_kind_of_operation_may_answer(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        declared = {int(status) for status in operation["responses"]}
        if "{" in path:
            assert 404 in declared, (method, path)
        if "requestBody" in operation:
            assert {400, 413} <= declared, (method, path)


@pytest.mark.parametrize(
    ("method", "path", "refusals"),
    [
        ("POST", "/api/v1/cases", {403, 422}),
        ("POST", "/api/v1/cases/{case_id}/closure", {409, 422}),
        # Issue 16: approving needs a reason (note_required, override_reason_required).
        ("POST", "/api/v1/cases/{case_id}/closure/approve", {403, 409, 422}),
        ("POST", "/api/v1/referrals/{referral_id}/approve", {403, 409, 422}),
        ("GET", "/api/v1/cases/{case_id}/audit", {403}),
        ("GET", "/api/v1/reports/monitoring", {400, 403, 422}),
        ("GET", "/api/v1/policy", set()),
    ],
)
def test_an_operations_own_refusals_are_declared(
    document: dict[str, Any], method: str, path: str, refusals: set[int]
) -> None:
    declared = {int(status) for status in document["paths"][path][method.lower()]["responses"]}
    assert refusals <= declared
    assert not {403, 409, 422} - refusals & declared
