"""A missed response target stays missed (issue 16, section 4).

The Association's policy ties the response to severity: [002 3] "will contact the
resident as promptly as is necessary ... based on an assessment of the severity of the
report and other relevant factors". It names no times: the ones in association.toml are
the provider's to set (24 clock hours high, 1 working day medium, 2 working days
standard; a report received without a severity is treated as high). The severity judged
when the report is received sets `response_due_at`; a later risk assessment may bring
it forward, never later, and never once it has passed.

Friday 20 November 2026 (London is on GMT, so UTC and London agree).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from safehold.accounts.models import Staff
from tests.casedata import CASE_BODY
from tests.risk.test_assessments import answers

pytestmark = pytest.mark.django_db
FRIDAY = "2026-11-20T10:00:00Z"
HIGH = 14  # DASH RIC: 14 or more "yes" answers is high risk
STANDARD = 2


def opened(client: Client, **changes: Any) -> dict[str, Any]:
    body = {**CASE_BODY, "reported_at": "2026-11-20T10:00:00+00:00", **changes}
    response = client.post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def assessed(client: Client, case_id: str, yes: int) -> dict[str, Any]:
    body = {"tool": "dash-ric", "answers": answers(yes)}
    response = client.post(
        f"/api/v1/cases/{case_id}/risk-assessments", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return client.get(f"/api/v1/cases/{case_id}").json()


def contacted(client: Client, case_id: str, at: str) -> dict[str, Any]:
    body = {"at": at, "channel": "phone", "direction": "outbound", "with": "survivor"}
    response = client.post(
        f"/api/v1/cases/{case_id}/contacts", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return client.get(f"/api/v1/cases/{case_id}").json()


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_it_keeps_a_missed_target_missed_after_a_later_assessment(
    policy: str, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(officer)
    with time_machine.travel(FRIDAY, tick=False):
        case = opened(client)  # no severity judged: the high time, 24 hours
    assert case["response_due_at"] == "2026-11-21T10:00:00Z"

    with time_machine.travel("2026-11-23T09:00:00Z", tick=False):  # Monday: missed
        assert client.get(f"/api/v1/cases/{case['id']}").json()["response_status"] == "missed"
        after = assessed(client, case["id"], STANDARD)  # standard: 2 working days
    with time_machine.travel("2026-11-23T10:00:00Z", tick=False):
        reached = contacted(client, case["id"], "2026-11-23T10:00:00Z")

    # Before issue 16 the deadline moved to Tuesday 17:00: pending, then met.
    assert after["response_due_at"] == "2026-11-21T10:00:00Z"
    assert after["response_status"] == "missed"
    assert reached["response_status"] == "missed"


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_it_never_moves_a_deadline_later_before_it_passes(
    policy: str, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(officer)
    with time_machine.travel(FRIDAY, tick=False):
        case = opened(client, severity="high")
    with time_machine.travel("2026-11-20T14:00:00Z", tick=False):
        after = assessed(client, case["id"], STANDARD)

    assert case["severity"] == "high"
    assert after["response_due_at"] == case["response_due_at"] == "2026-11-21T10:00:00Z"
    assert after["risk_level"] == "standard"


@pytest.mark.parametrize(
    ("severity", "due"),
    [
        ("standard", "2026-11-24T17:00:00Z"),  # close of the second working day
        ("medium", "2026-11-23T17:00:00Z"),  # close of the next working day
        ("high", "2026-11-21T10:00:00Z"),  # 24 clock hours
        (None, "2026-11-21T10:00:00Z"),  # not judged: treated as high
    ],
)
@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_the_severity_judged_at_receipt_sets_the_deadline(
    policy: str, severity: str | None, due: str, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    with time_machine.travel(FRIDAY, tick=False):
        case = opened(api_as(officer), severity=severity)

    assert case["severity"] == severity
    assert case["response_due_at"] == due


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_a_high_risk_assessment_brings_the_deadline_forward(
    policy: str, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(officer)
    with time_machine.travel(FRIDAY, tick=False):
        case = opened(client, severity="standard")
    with time_machine.travel("2026-11-20T14:00:00Z", tick=False):
        after = assessed(client, case["id"], HIGH)

    assert case["response_due_at"] == "2026-11-24T17:00:00Z"
    assert after["response_due_at"] == "2026-11-21T10:00:00Z"  # high: 24 hours
    assert after["response_status"] == "pending"


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_a_high_risk_found_after_its_time_has_gone_counts_from_the_assessment(
    policy: str, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    # Staff are not held to a time before they knew: high risk found on Saturday noon,
    # after the report's 24 hours, is due 24 hours after the assessment (still sooner
    # than the standard deadline on Tuesday).
    client = api_as(officer)
    with time_machine.travel(FRIDAY, tick=False):
        case = opened(client, severity="standard")
    with time_machine.travel("2026-11-21T12:00:00Z", tick=False):
        after = assessed(client, case["id"], HIGH)

    assert after["response_due_at"] == "2026-11-22T12:00:00Z"
    assert after["response_status"] == "pending"


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_the_intake_asks_the_severity_where_the_policy_sets_targets_by_it(
    policy: str, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    form = {"source": "self", "name": "Marigold Pennywhistle", "severity": "medium"}
    form |= {"reported_date_0": "20", "reported_date_1": "11", "reported_date_2": "2026"}
    form |= {"reported_time": "10:00", "perpetrators": "0", "children": "0"}

    with time_machine.travel(FRIDAY, tick=False):
        page = client.get("/cases/new").content.decode()
        check = client.post("/cases/new", {**form, "step": "check"}).content.decode()
        saved = client.post("/cases/new", {**form, "step": "confirm"})
        case_page = client.get(saved["Location"]).content.decode()

    assert "How severe is the report, as judged now?" in page
    assert "Severity as judged now" in check
    assert 'data-testid="severity">Medium' in case_page
    due = case_page.split('data-testid="response-due">', 1)[1].split("(", 1)[0]
    assert due.strip() == "By Monday 23 November 2026, 5pm"  # GOV.UK time (issue 18)


def test_the_intake_does_not_ask_the_severity_where_the_policy_has_one_target(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    # default.toml: one 24-hour target for every report ([003 Policy Statement]).
    page = as_staff(officer).get("/cases/new").content.decode()

    assert "How severe is the report" not in page
