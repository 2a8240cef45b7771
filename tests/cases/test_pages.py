"""The web intake, the case page, the home queues and the audit of every read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case, Incident
from safehold.privacy.models import AuditEntry
from tests.casedata import SURVIVOR_NAME

pytestmark = pytest.mark.django_db

FORM: dict[str, Any] = {
    "source": "self",
    "abuse_types": ["physical"],
    "summary": "<script>alert('x')</script> threatened her",
    "name": "Marigold Pennywhistle",
    "date_of_birth_0": "3",
    "date_of_birth_1": "7",
    "date_of_birth_2": "1991",
    "sex": "female",
    "address": "2 Fennel Row",
    "phone": "07700 900555",
    "post_ok": "no",
    "perpetrators": "1",
    "children": "0",
    "p0_name": "Rex Pennywhistle",
    "p0_relationship": "spouse",
    "p0_is_resident": "yes",
    "p0_tenancy_ref": "",
    "same_sex_officer": "yes",
}


def record(client: Client, form: dict[str, Any], **extra: str):
    check = client.post("/cases/new", {**form, "step": "check"})
    assert check.status_code == 200, check.content.decode()[:3000]
    return client.post("/cases/new", {**form, "step": "confirm", **extra})


def test_an_officer_records_a_report_through_check_your_answers(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    check = client.post("/cases/new", {**FORM, "step": "check"})
    assert "Check your answers" in check.content.decode()
    assert "Marigold Pennywhistle" in check.content.decode()
    assert Case.objects.count() == 0  # nothing is stored before confirming

    saved = client.post("/cases/new", {**FORM, "step": "confirm"})
    case = Case.objects.get()
    assert saved["Location"] == f"/cases/{case.pk}/"
    page = client.get(saved["Location"]).content.decode()
    assert case.reference in page
    assert "Marigold Pennywhistle" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert('x')</script>" not in page
    assert "Contact the survivor" in page
    assert case.same_sex_officer


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": ""}, "Select who reported it"),
        ({"name": ""}, "Enter the survivor&#x27;s name"),
        ({"date_of_birth_0": "31", "date_of_birth_1": "2"}, "Enter a real date"),
        (
            {
                "reported_time": "25:99",
                "reported_date_0": "1",
                "reported_date_1": "1",
                "reported_date_2": "2026",
            },
            "Enter a time like 2:30pm or 14:30",
        ),
        ({"abuse_types": ["not_a_kind"]}, "Select a valid choice"),
        ({"c0_age": "forty", "children": "1", "c0_name": ""}, "Enter the child&#x27;s age"),
        ({"email": "not-an-email"}, "Enter an email like"),
    ],
)
def test_the_form_explains_what_is_wrong(
    officer: Staff, as_staff: Callable[[Staff], Client], change: dict[str, Any], message: str
) -> None:
    response = as_staff(officer).post("/cases/new", {**FORM, **change, "step": "check"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert Case.objects.count() == 0


@time_machine.travel("2026-11-22T12:00:00Z", tick=False)
def test_a_future_report_time_is_refused_on_the_page(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    future = {"reported_date_0": "30", "reported_date_1": "11", "reported_date_2": "2026"}
    response = record(as_staff(officer), {**FORM, **future})
    assert response.status_code == 422
    assert "The time of the report cannot be in the future" in response.content.decode()
    assert Case.objects.count() == 0


def test_adding_people_keeps_what_was_typed(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    response = as_staff(officer).post("/cases/new", {**FORM, "step": "add-perpetrator"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alleged perpetrator 2" in page
    assert "Marigold Pennywhistle" in page
    assert "There is a problem" not in page


def test_a_known_survivor_with_an_open_case_is_offered_that_case(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    first = record(client, FORM)
    case = Case.objects.get()
    check = client.post("/cases/new", {**FORM, "step": "check"}).content.decode()
    assert "This survivor already has an open case" in check
    assert f"Add this report to {case.reference}" in check

    added = client.post("/cases/new", {**FORM, "step": "confirm", "choice": case.pk})
    assert added["Location"] == first["Location"]
    assert Case.objects.count() == 1
    assert Incident.objects.filter(case=case).count() == 1


def test_a_separate_case_needs_a_reason(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    record(client, FORM)
    refused = client.post("/cases/new", {**FORM, "step": "confirm", "choice": "separate"})
    assert refused.status_code == 400
    assert "Say why this needs a separate case" in refused.content.decode()
    client.post(
        "/cases/new",
        {
            **FORM,
            "step": "confirm",
            "choice": "separate",
            "separate_reason": "A new address and a new perpetrator",
        },
    )
    assert Case.objects.count() == 2
    assert Case.objects.filter(repeat=True).count() == 1


def test_every_read_of_a_case_is_audited(
    case: Case, officer: Staff, manager: Staff, as_staff, api_as
) -> None:
    as_staff(officer).get(f"/cases/{case.pk}/")
    api_as(manager).get(f"/api/v1/cases/{case.pk}")
    reads = AuditEntry.objects.filter(action="case.viewed", target_id=case.pk)
    assert [(e.actor, e.detail["via"]) for e in reads] == [
        (officer.username, "web"),
        (manager.username, "api"),
    ]
    trail = as_staff(manager).get(f"/cases/{case.pk}/audit").content.decode()
    assert "Who has seen this case" in trail
    assert officer.full_name in trail  # by name and role (issue 18)
    assert "Read the case" in trail
    assert SURVIVOR_NAME not in trail


def test_a_hidden_case_read_attempt_is_not_a_read(case: Case, outsider: Staff, as_staff) -> None:
    assert as_staff(outsider).get(f"/cases/{case.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action="case.viewed", actor=outsider.username).exists()


def test_sign_in_and_token_use_are_audited(officer: Staff, api_as) -> None:
    from tests.accounts.test_sign_in import sign_in_fully

    sign_in_fully(Client(), officer)
    Client().post("/sign-in", {"username": officer.username, "password": "wrong password!!"})
    Client().post("/sign-in", {"username": "Someone Typed A Name", "password": "x"})
    api_as(officer).get("/api/v1/cases")
    actions = list(AuditEntry.objects.values_list("action", "actor"))
    assert ("sign_in.succeeded", officer.username) in actions
    assert ("sign_in.password_refused", officer.username) in actions
    assert ("sign_in.password_refused", "") in actions
    assert ("token.used", officer.username) in actions
    assert "Someone Typed A Name" not in str(list(AuditEntry.objects.values()))


def test_the_home_queue_puts_the_most_urgent_first_and_marks_the_overdue(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    now = timezone.now()
    overdue = open_case(reported_at=now - timedelta(days=3))
    recent = open_case(reported_at=now - timedelta(hours=1))
    page = as_staff(officer).get("/").content.decode()
    assert page.index(overdue.reference) < page.index(recent.reference)
    assert "Overdue" in page


def test_list_pages_make_a_fixed_number_of_queries(
    open_case: Callable[..., Case], officer: Staff, as_staff, api_as, fresh_minute: None
) -> None:
    client, api = as_staff(officer), api_as(officer)
    api.get("/api/v1/cases")  # the token's first use is audited once

    def counts() -> list[int]:
        result = []
        for request in (
            lambda: client.get("/"),
            lambda: client.get("/cases/"),
            lambda: api.get("/api/v1/cases"),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert request().status_code == 200
            result.append(len(queries))
        return result

    open_case()
    open_case()  # a repeat of the first: whether the reader is told so is one query
    few = counts()
    for _ in range(5):
        open_case()
    assert counts() == few


@pytest.mark.parametrize(
    ("persona", "status"),
    [("auditor", 302), ("manager", 302), ("other_manager", 400), ("officer", 403), ("admin", 403)],
)
def test_the_audit_trail_is_found_by_reference(
    request: pytest.FixtureRequest,
    case: Case,
    make_staff: Callable[..., Staff],
    as_staff: Callable[[Staff], Client],
    persona: str,
    status: int,
) -> None:
    if persona == "other_manager":
        person = make_staff("rita.riverside", role="manager", team="Riverside")
    else:
        person = request.getfixturevalue(persona)
    response = as_staff(person).post("/audit", {"reference": case.reference.lower()})
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/cases/{case.pk}/audit"
        assert as_staff(person).get(response["Location"]).status_code == 200


def test_account_changes_are_audited(
    admin: Staff, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """Issue 17 §3: an administrator no longer makes tokens (the page has no such action),
    and every power is audited, unlocking too; a password set after a two-factor reset
    would hand the administrator both factors, so it waits for a second administrator."""
    client = as_staff(admin)
    assert client.post(f"/staff/{officer.username}/token").status_code == 404
    client.post(f"/staff/{officer.username}/disable")
    client.post(f"/staff/{officer.username}/enable")
    client.post(f"/staff/{officer.username}/unlock")
    client.post("/teams/", {"name": "Riverside"})  # a team is created before it is chosen
    client.post(f"/staff/{officer.username}/team", {"team": "Riverside"})
    client.post(f"/staff/{officer.username}/reset-two-factor")
    client.post(f"/staff/{officer.username}/password", {"password": "a temporary passphrase"})
    actions = list(
        AuditEntry.objects.filter(target_type="staff", target_id=officer.username).values_list(
            "actor", "action"
        )
    )
    assert actions == [
        (admin.username, "staff.disabled"),
        (admin.username, "staff.enabled"),
        (admin.username, "staff.unlocked"),
        (admin.username, "staff.team_changed"),
        (admin.username, "staff.two_factor_reset"),
        (admin.username, "staff.change_requested"),
    ]


def test_the_case_list_pages_by_keyset_and_filters(
    open_case: Callable[..., Case], officer: Staff, api_as
) -> None:
    from safehold.cases import selectors

    for _ in range(3):
        open_case()
    first, cursor = selectors.case_page(officer, limit=2)
    rest, end = selectors.case_page(officer, limit=2, cursor=cursor)
    assert len(first) == 2 and len(rest) == 1 and end is None  # noqa: PT018
    assert {c.pk for c in first} | {c.pk for c in rest} == set(
        Case.objects.values_list("pk", flat=True)
    )
    client = api_as(officer)
    assert client.get("/api/v1/cases?status=open").status_code == 200
    assert client.get("/api/v1/cases?status=archived").json()["code"] == "invalid_request"
    assert client.get("/api/v1/cases?cursor=not-a-cursor").json()["code"] == "invalid_cursor"


def test_the_api_case_list_gives_a_next_link_after_50(
    open_case: Callable[..., Case], officer: Staff, api_as
) -> None:
    for _ in range(51):
        open_case()
    client = api_as(officer)
    first = client.get("/api/v1/cases?status=open").json()
    assert len(first["items"]) == 50
    assert first["next"].startswith("/api/v1/cases?status=open&cursor=")
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 1
    assert second["next"] is None
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert len(set(ids)) == 51
