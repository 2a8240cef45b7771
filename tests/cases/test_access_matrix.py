"""Need to know (API.md §4): every case page and API operation for eight people.

The case is recorded by `officer` (so they are on its case team) in Northgate. A case a
person may not see is 404 for them, and absent from their lists and searches."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from tests.casedata import SURVIVOR_NAME

pytestmark = pytest.mark.django_db

PERSONAS = [
    "officer",  # on the case: recorded it
    "teammate",  # an officer in the same team, not on it
    "outsider",  # an officer of another team
    "manager",  # manager of the case's team
    "other_manager",  # manager of another team
    "director",
    "auditor",
    "admin",
]
SEES_CASE = {"officer", "manager", "director"}
ASSIGNS = {"manager", "director"}
READS_AUDIT = {"manager", "director", "auditor"}
AUDIT_ROLES = {"manager", "other_manager", "director", "auditor"}


@pytest.fixture
def other_manager(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("rita.riverside", role="manager", team="Riverside")


@pytest.fixture
def assignable(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("fay.officer", full_name="Fay Officer")


def expected(persona: str, allowed: set[str], *, ok: int, hidden: int = 404) -> int:
    return ok if persona in allowed else hidden


def json_post(client: Client, path: str, body: dict[str, object]):
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_operations(
    request: pytest.FixtureRequest,
    case: Case,
    assignable: Staff,
    api_as: Callable[[Staff], Client],
    persona: str,
) -> None:
    client = api_as(request.getfixturevalue(persona))
    base = f"/api/v1/cases/{case.pk}"
    contact = {
        "at": "2026-01-01T00:00:00Z",
        "channel": "phone",
        "direction": "outbound",
        "with": "other",
    }
    statuses = {
        "get": client.get(base).status_code,
        "contact": json_post(client, f"{base}/contacts", {**contact, "at": now_iso()}).status_code,
        "incident": json_post(client, f"{base}/incidents", {"source": "police"}).status_code,
        "assign": json_post(client, f"{base}/assignment", {"officer": "fay.officer"}).status_code,
        "audit": client.get(f"{base}/audit").status_code,
    }
    sees = persona in SEES_CASE
    assert statuses == {
        "get": 200 if sees else 404,
        "contact": 201 if sees else 404,
        "incident": 201 if sees else 404,
        "assign": (200 if persona in ASSIGNS else 403) if sees else 404,
        "audit": (200 if persona in READS_AUDIT else 404) if persona in AUDIT_ROLES else 403,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_and_searches(
    request: pytest.FixtureRequest, case: Case, api_as: Callable[[Staff], Client], persona: str
) -> None:
    client = api_as(request.getfixturevalue(persona))
    listed = [c["id"] for c in client.get("/api/v1/cases").json()["items"]]
    by_name = json_post(client, "/api/v1/cases/search", {"q": SURVIVOR_NAME}).json()["items"]
    by_ref = json_post(client, "/api/v1/cases/search", {"q": case.reference}).json()["items"]
    found = [
        listed == [case.pk],
        [c["id"] for c in by_name] == [case.pk],
        [c["id"] for c in by_ref] == [case.pk],
    ]
    assert found == ([True] * 3 if persona in SEES_CASE else [False] * 3)
    if persona not in SEES_CASE:
        assert (listed, by_name, by_ref) == ([], [], [])


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages(
    request: pytest.FixtureRequest, case: Case, as_staff: Callable[[Staff], Client], persona: str
) -> None:
    client = as_staff(request.getfixturevalue(persona))
    base = f"/cases/{case.pk}"
    statuses = {
        "case": client.get(f"{base}/").status_code,
        "contact": client.get(f"{base}/contacts/new").status_code,
        "assign": client.get(f"{base}/assign").status_code,
        "audit": client.get(f"{base}/audit").status_code,
    }
    sees = persona in SEES_CASE
    assert statuses == {
        "case": 200 if sees else 404,
        "contact": 200 if sees else 404,
        "assign": (200 if persona in ASSIGNS else 403) if sees else 404,
        "audit": (200 if persona in READS_AUDIT else 404) if persona in AUDIT_ROLES else 403,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_and_list_pages_show_only_visible_cases(
    request: pytest.FixtureRequest, case: Case, as_staff: Callable[[Staff], Client], persona: str
) -> None:
    client = as_staff(request.getfixturevalue(persona))
    home = client.get("/").content.decode()
    assert (case.reference in home) == (persona in SEES_CASE)
    listing = client.get("/cases/")
    if persona in ("auditor", "admin"):
        assert listing.status_code == 403
    else:
        assert (case.reference in listing.content.decode()) == (persona in SEES_CASE)


def test_an_assigned_officer_from_another_team_sees_the_case(
    case: Case, manager: Staff, outsider: Staff, api_as: Callable[[Staff], Client]
) -> None:
    assert api_as(outsider).get(f"/api/v1/cases/{case.pk}").status_code == 404
    json_post(
        api_as(manager), f"/api/v1/cases/{case.pk}/assignment", {"officer": outsider.username}
    )
    assert api_as(outsider).get(f"/api/v1/cases/{case.pk}").status_code == 200


def test_a_missing_case_and_a_hidden_case_look_the_same(
    case: Case, outsider: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(outsider)
    hidden = client.get(f"/api/v1/cases/{case.pk}")
    missing = client.get("/api/v1/cases/case_00000000000000000000")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def now_iso() -> str:
    from django.utils import timezone

    return timezone.now().isoformat()
