"""Break glass on a restricted case (issue 17 §5) and the break-glass reason sealed like
all free text (issue 17 §9).

A restricted case (the survivor is a member of staff) is seen only by the people named
on it. Breaking the glass on one is open only to the roles
`restricted_cases.break_glass_roles` names (the DA leads, Safehold's default: no seed
speaks of it); anyone else is answered exactly as for a case that does not exist. With
`restricted_cases.break_glass_needs_approval` (on by default) a DA lead's break glass is
a request that a second DA lead, never the one who asked, approves or declines with a
reason of their own. The alert the other DA leads get carries neither the case's
reference nor the reason: it links to the request's page, which only they and the asker
can open."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Alert, BreakGlass, Case
from safehold.privacy.models import AuditEntry
from tests.casedata import SEEDS, SURVIVOR_NAME

pytestmark = pytest.mark.django_db

MISSING_ID = "case_00000000000000000000"
REASON = "Zephyrine's neighbour rang: shouting heard at the flat tonight"
APPROVAL = "Confirmed with the police control room: emergency at the address"
WHO = "Olga Outsider (olga.outsider)"  # as the alerts before cases 0010 named her
DECLINE = "The police are already there; no need to open her record"


def post(client: Client, path: str, body: dict[str, Any]):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def break_glass(client: Client, case_id: str, reason: str = REASON):
    return post(client, f"/cases/{case_id}/break-glass", {"reason": reason})


@pytest.fixture
def restricted(open_case: Callable[..., Case]) -> Case:
    """A member of staff's case, recorded by the officer (so named on it) in Northgate."""
    survivor = inputs.SurvivorDetails(
        name=SURVIVOR_NAME, date_of_birth=date(1988, 4, 12), sex="female", is_staff_member=True
    )
    case = open_case(survivor=survivor)
    assert case.restricted
    return case


@pytest.fixture
def second_lead(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("sam.secondlead", role="da_lead", team="Head Office", email="sam@example.org")


def missing_reference(case: Case) -> str:
    digits = "99999" if not case.reference.endswith("99999") else "99998"
    return case.reference[:-5] + digits


def page_text(response: Any, case: Case) -> str:
    """The page as a person sees it: without the per-answer nonce and form token, and
    with the reference they typed (echoed in the form) made the same."""
    text = response.content.decode().replace(case.reference, missing_reference(case))
    text = re.sub(r'nonce="[^"]*"', "", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def glass_alerts(**lookup: Any):
    """Break-glass alerts (an API token made for a test tells the DA leads too)."""
    return Alert.objects.filter(case__isnull=False, **lookup)


def nothing_left_behind() -> None:
    assert not BreakGlass.objects.exists()
    assert not glass_alerts().exists()
    assert not AuditEntry.objects.filter(action__startswith="case.break_glass").exists()


@pytest.mark.parametrize("persona", ["outsider", "teammate", "manager", "director"])
def test_it_answers_anyone_else_breaking_glass_on_a_restricted_case_as_for_a_missing_one(
    request: pytest.FixtureRequest, restricted: Case, api_as, as_staff, persona: str
) -> None:
    """An officer, the survivor's own line manager or a director may not break the glass
    on a restricted case they are not named on: the API and the page answer exactly as
    for an id or reference that does not exist, and nothing is granted, alerted or
    audited as break glass."""
    person = request.getfixturevalue(persona)
    client = api_as(person)
    answers = [break_glass(client, case_id) for case_id in (restricted.pk, MISSING_ID)]
    assert answers[0].status_code == answers[1].status_code
    assert answers[0].status_code in (403, 404)
    assert answers[0].content == answers[1].content
    assert answers[0]["Content-Type"] == answers[1]["Content-Type"]
    assert client.get(f"/api/v1/cases/{restricted.pk}").status_code == 404

    page = as_staff(person)
    pages = [
        page.post("/cases/break-glass", {"reference": reference, "reason": REASON})
        for reference in (restricted.reference, missing_reference(restricted))
    ]
    assert pages[0].status_code == pages[1].status_code
    if pages[0].status_code == 400:
        assert "No case has that reference" in pages[0].content.decode()
        assert page_text(pages[0], restricted) == page_text(pages[1], restricted)
    nothing_left_behind()


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_makes_a_da_leads_break_glass_on_a_restricted_case_wait_for_a_second_da_lead(
    policy: str, restricted: Case, da_lead: Staff, second_lead: Staff, outsider: Staff, api_as
) -> None:
    """Safehold's default in every bundled policy (the seeds are silent on it): a DA lead
    asks, with a reason; a second DA lead approves with a reason; only then the first
    sees the case, for the grant's time."""
    asker, approver = api_as(da_lead), api_as(second_lead)
    asked = break_glass(asker, restricted.pk)
    assert asked.status_code == 202
    request_id = asked.json()["id"]
    assert asked.json()["status"] == "waiting"
    assert asker.get(f"/api/v1/cases/{restricted.pk}").status_code == 404
    assert asker.get(f"/api/v1/break-glass/{request_id}").json()["status"] == "waiting"

    waiting = approver.get("/api/v1/break-glass").json()["items"]
    assert [item["id"] for item in waiting] == [request_id]
    assert asker.get("/api/v1/break-glass").json()["items"] == []
    assert api_as(outsider).get(f"/api/v1/break-glass/{request_id}").status_code == 404

    approved = post(approver, f"/break-glass/{request_id}/approve", {"reason": APPROVAL})
    assert approved.status_code == 200
    assert approved.json()["status"] == "granted"
    assert approved.json()["decided_by"] == second_lead.username
    assert approved.json()["expires_at"] is not None
    assert asker.get(f"/api/v1/cases/{restricted.pk}").status_code == 200
    # The approver decided on the request; that does not open the case to them.
    assert approver.get(f"/api/v1/cases/{restricted.pk}").status_code == 404


def test_it_never_lets_the_asker_approve_their_own_request(
    restricted: Case, da_lead: Staff, second_lead: Staff, api_as, as_staff
) -> None:
    asker = api_as(da_lead)
    request_id = break_glass(asker, restricted.pk).json()["id"]

    own = post(asker, f"/break-glass/{request_id}/approve", {"reason": APPROVAL})
    assert own.status_code == 403
    assert own.json()["code"] == "own_request"
    page = as_staff(da_lead).get(f"/break-glass/{request_id}")
    assert page.status_code == 200
    assert 'value="approve"' not in page.content.decode()
    posted = as_staff(da_lead).post(
        f"/break-glass/{request_id}", {"decision": "approve", "reason": APPROVAL}
    )
    assert posted.status_code == 403
    assert BreakGlass.objects.get(pk=request_id).status == "waiting"
    assert asker.get(f"/api/v1/cases/{restricted.pk}").status_code == 404


def test_it_records_and_audits_the_approvers_reason(
    restricted: Case, da_lead: Staff, second_lead: Staff, api_as
) -> None:
    asker, decider = api_as(da_lead), api_as(second_lead)
    request_id = break_glass(asker, restricted.pk).json()["id"]

    short = post(decider, f"/break-glass/{request_id}/decline", {"reason": "no"})
    assert short.status_code == 422
    assert short.json()["code"] == "reason_required"
    declined = post(decider, f"/break-glass/{request_id}/decline", {"reason": DECLINE})
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["decision_reason"] == DECLINE
    assert asker.get(f"/api/v1/break-glass/{request_id}").json()["decision_reason"] == DECLINE
    assert asker.get(f"/api/v1/cases/{restricted.pk}").status_code == 404
    again = post(decider, f"/break-glass/{request_id}/approve", {"reason": APPROVAL})
    assert again.status_code == 422

    (entry,) = AuditEntry.objects.filter(action="case.break_glass_declined")
    assert (entry.actor, entry.target_id) == (second_lead.username, restricted.pk)
    assert entry.detail["requested_by"] == da_lead.username
    assert DECLINE not in str(entry.detail)
    assert AuditEntry.objects.filter(
        action="case.break_glass_requested", actor=da_lead.username
    ).exists()


def test_the_alert_to_the_other_da_leads_names_neither_the_case_nor_the_reason(
    restricted: Case,
    da_lead: Staff,
    second_lead: Staff,
    officer: Staff,
    api_as,
    as_staff,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert break_glass(api_as(da_lead), restricted.pk).status_code == 202

    (alert,) = glass_alerts(recipient=second_lead)
    (email,) = [sent for sent in mail.outbox if "break the glass" in sent.subject]
    assert email.to == [second_lead.email]
    for text in (alert.message, alert.link, email.subject, email.body):
        assert restricted.reference not in text
        assert "Zephyrine" not in text
        assert "shouting" not in text
    assert "restricted case" in alert.message
    assert not glass_alerts(recipient=da_lead).exists()

    home = as_staff(second_lead).get("/").content.decode()
    assert alert.link in home
    assert restricted.reference not in home
    # The link opens for the second DA lead, and for nobody who may not decide on it,
    # not even the officer named on the case.
    assert as_staff(second_lead).get(alert.link).status_code == 200
    assert as_staff(officer).get(alert.link).status_code == 404


def test_the_alert_on_an_ordinary_case_names_it_but_not_the_reason(
    case: Case, outsider: Staff, da_lead: Staff, api_as, as_staff
) -> None:
    """A DA lead may see every ordinary case, so the alert names it; the reason, free
    text kept out of the alert, is read on the grant's page."""
    assert break_glass(api_as(outsider), case.pk).status_code == 201
    (alert,) = glass_alerts(recipient=da_lead)
    assert case.reference in alert.message
    assert "shouting" not in alert.message
    page = as_staff(da_lead).get(alert.link)
    assert page.status_code == 200
    assert "shouting heard at the flat" in page.content.decode()


def test_a_da_lead_asks_and_a_second_approves_through_the_pages(
    restricted: Case, da_lead: Staff, second_lead: Staff, as_staff
) -> None:
    asker = as_staff(da_lead)
    asked = asker.post("/cases/break-glass", {"reference": restricted.reference, "reason": REASON})
    assert asked.status_code == 302
    request_page = asked["Location"]
    assert asker.get(f"/cases/{restricted.pk}/").status_code == 404

    approver = as_staff(second_lead)
    shown = approver.get(request_page).content.decode()
    assert "shouting heard at the flat" in shown
    assert 'value="approve"' in shown
    refused = approver.post(request_page, {"decision": "approve", "reason": ""})
    assert refused.status_code == 400
    done = approver.post(request_page, {"decision": "approve", "reason": APPROVAL})
    assert done.status_code == 302
    assert APPROVAL in approver.get(request_page).content.decode()
    assert asker.get(f"/cases/{restricted.pk}/").status_code == 200


def test_the_reasons_are_not_in_the_database_in_clear(
    case: Case, restricted: Case, outsider: Staff, da_lead: Staff, second_lead: Staff, api_as
) -> None:
    assert break_glass(api_as(outsider), case.pk).status_code == 201
    request_id = break_glass(api_as(da_lead), restricted.pk).json()["id"]
    post(api_as(second_lead), f"/break-glass/{request_id}/approve", {"reason": APPROVAL})

    with connection.cursor() as cursor:
        raw = []
        for table in ("cases_breakglass", "cases_alert"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
            raw += [column for row in cursor.fetchall() for column in row]
    as_text = " ".join(
        bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
        for value in raw
    )
    assert request_id in as_text  # the control: the rows were read
    for words in ("shouting heard", "police control room"):
        assert words not in as_text


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    """Brings every app back to its latest migration when the test ends, whatever it
    migrated to: a test left at cases 0012 leaves later migrations (cases 0013's search
    tokens, other apps' own) unapplied for every transactional test after it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_the_migration_seals_the_reasons_already_given_and_clears_them_from_alerts(
    case: Case, restricted: Case, outsider: Staff, da_lead: Staff, as_staff
) -> None:
    """cases 0010 to 0012: a reason given before it was stored in clear; the migration seals it
    under its case's key, and takes it out of the alerts (with, on a restricted case, the
    reference)."""
    before = [("cases", "0009_same_sex_answer_minimum_age_severity")]
    after = [("cases", "0012_break_glass_reason_in_clear_removed")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = {case.pk: "brk_old_ordinary", restricted.pk: "brk_old_restricted"}
    with connection.cursor() as cursor:
        for case_id, grant_id in old.items():
            cursor.execute(
                "INSERT INTO cases_breakglass (id, case_id, staff_id, reason, granted_at,"
                " expires_at) VALUES (%s, %s, %s, %s, %s, %s)",
                [grant_id, case_id, outsider.pk, REASON, "2026-11-01 10:00", "2026-11-02 10:00"],
            )
        for target in (case, restricted):
            message = (
                f"Olga Outsider (olga.outsider) broke the glass on {target.reference}: {REASON}"
            )
            cursor.execute(
                "INSERT INTO cases_alert (recipient_id, case_id, message, created_at)"
                " VALUES (%s, %s, %s, %s)",
                [da_lead.pk, target.pk, message, "2026-11-01 10:00"],
            )
    MigrationExecutor(connection).migrate(after)
    # Then every later migration (cases 0014 adds a column the pages read), as an
    # upgrade runs them all: what 0010 to 0012 did must still be there after.
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())

    for grant in BreakGlass.objects.filter(pk__in=old.values()):
        assert REASON.encode() not in bytes(grant.sealed)
        assert grant.requested_at == grant.granted_at
    ordinary = as_staff(da_lead).get("/break-glass/brk_old_ordinary")
    assert "shouting heard at the flat" in ordinary.content.decode()
    messages = {alert.case_id: alert.message for alert in glass_alerts(recipient=da_lead)}
    assert (
        messages[case.pk] == f"Olga Outsider (olga.outsider) broke the glass on {case.reference}."
    )
    assert messages[restricted.pk] == (
        "Olga Outsider (olga.outsider) broke the glass on a restricted case."
    )
