"""Dead ends removed (issue 18): the recorder can take the case, a closed case shows no
live tasks, and break glass shows itself on the case page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import glass, selectors, services
from safehold.cases.models import BreakGlass, Case
from safehold.closure import services as closure
from safehold.policy.loader import active_policy
from safehold.risk import services as risk
from safehold.web import words

pytestmark = pytest.mark.django_db

REPORT: dict[str, Any] = {
    "source": "self",
    "abuse_types": ["physical"],
    "summary": "He pushed her",
    "name": "Hazel Brightwater",
    "sex": "female",
    "perpetrators": "1",
    "children": "0",
}
TAKE = "Take this case as mine"


def record(client: Client, form: dict[str, Any]) -> Any:
    checked = client.post("/cases/new", {**form, "step": "check"})
    assert checked.status_code == 200, checked.content.decode()[:3000]
    return client.post("/cases/new", {**form, "step": "confirm"}, follow=True)


def home(client: Client) -> str:
    return client.get("/").content.decode()


def row_of(html: str, reference: str) -> str:
    """The table row on a page that holds a case's reference."""
    rows = [row for row in re.findall(r"<tr.*?</tr>", html, re.S) if reference in row]
    assert rows, f"{reference} is not listed"
    return rows[0]


# The recorder can take the case --------------------------------------------------------


def test_it_offers_an_officer_to_take_the_case_and_shows_it_on_the_check_page(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assert TAKE in client.get("/cases/new").content.decode()

    html = client.post("/cases/new", {**REPORT, "take_case": "on", "step": "check"})
    assert 'data-testid="check-take_case">Yes' in html.content.decode()


def test_it_assigns_the_case_to_the_recorder_who_takes_it_and_it_is_in_my_cases(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)

    page = record(client, {**REPORT, "take_case": "on"})

    case = Case.objects.get()
    assert case.assigned_officer == officer
    assert "The case is assigned to you, as one of your cases" in page.content.decode()
    # "My cases" (selectors.my_cases) holds it, and the home page shows it as hers.
    assert case in selectors.my_cases(officer)
    assert "Alice Officer" in row_of(home(client), case.reference)


def test_it_leaves_the_case_unassigned_when_the_recorder_does_not_take_it(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)

    record(client, REPORT)

    case = Case.objects.get()
    assert case.assigned_officer is None
    assert case not in selectors.my_cases(officer)
    assert "Alice Officer" not in row_of(home(client), case.reference)


def test_a_refused_taking_still_records_the_case_and_says_why(
    teammate: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """The survivor asked for an officer of her own sex; the recorder is a man."""
    client = as_staff(teammate)

    page = record(client, {**REPORT, "same_sex_officer": "yes", "take_case": "on"})

    case = Case.objects.get()
    assert case.assigned_officer is None
    html = page.content.decode()
    assert f"Report recorded as {case.reference}" in html
    assert "The case was not assigned to you" in html
    assert "The survivor asked for an officer of their own sex" in html
    assert "same_sex_officer_requested" not in html


def test_it_does_not_offer_the_case_to_an_untrained_officer_under_a_trained_only_policy(
    make_staff: Callable[..., Staff], as_staff: Callable[[Staff], Client]
) -> None:
    untrained = make_staff("una.untrained", trained=False)
    client = as_staff(untrained)
    assert TAKE not in client.get("/cases/new").content.decode()

    # Posted anyway, the report is recorded and nobody is assigned.
    record(client, {**REPORT, "take_case": "on"})

    assert Case.objects.get().assigned_officer is None


@pytest.mark.parametrize("persona", ["manager", "director", "da_lead"])
def test_it_does_not_offer_the_case_to_a_role_never_assigned_cases(
    persona: str, request: pytest.FixtureRequest, as_staff: Callable[[Staff], Client]
) -> None:
    staff: Staff = request.getfixturevalue(persona)
    client = as_staff(staff)
    assert TAKE not in client.get("/cases/new").content.decode()

    record(client, {**REPORT, "take_case": "on"})

    assert Case.objects.get().assigned_officer is None


def test_an_outsider_still_cannot_record_or_take_and_an_auditor_is_refused(
    auditor: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(auditor)
    assert client.get("/cases/new").status_code == 403
    response = client.post("/cases/new", {**REPORT, "take_case": "on", "step": "confirm"})
    assert response.status_code == 403
    assert Case.objects.count() == 0


# Closed cases show no live tasks -------------------------------------------------------

LIVE_TASKS = (
    "assess again by",
    "Assess risk again",
    "Refer to MARAC",
    "Contact every (days)",
    'name="days"',
    "Agree an action plan with the survivor",
    "Record a review",
    "Assign an officer",
)


def worked(case: Case, officer: Staff) -> Case:
    """A high-risk case with a contact interval agreed: every live task is on its page."""
    risk.assessment_create(
        case=case,
        by=officer,
        tool_id="dash-ric",
        answers={f"q{n}": "yes" for n in range(1, 25)},
        professional_judgement=False,
    )
    services.contact_interval_agree(case=case, by=officer, days=14)
    case.refresh_from_db()
    return case


def closed(case: Case, officer: Staff, manager: Staff) -> Case:
    closure.closure_request(
        case=case,
        by=officer,
        reason=active_policy().closure.reasons[0],
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(days=1),
        explanation="Everything agreed at the review has been done.",
    )
    closure.closure_approve(case=case, by=manager)
    case.refresh_from_db()
    assert case.status == "closed"
    return case


def test_an_open_case_page_shows_its_live_tasks(
    case: Case, officer: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    worked(case, officer)

    page = as_staff(manager).get(f"/cases/{case.pk}/").content.decode()

    for text in LIVE_TASKS:
        assert text in page, text
    assert 'data-testid="closed-no-tasks"' not in page


def test_a_closed_case_page_shows_no_live_tasks(
    case: Case, officer: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    closed(worked(case, officer), officer, manager)

    page = as_staff(manager).get(f"/cases/{case.pk}/").content.decode()

    for text in LIVE_TASKS:
        assert text not in page, text
    assert "This case is closed, so nothing is due on it" in page
    assert "Reopen the case" in page  # what follows a closure stays


# Break glass shows itself --------------------------------------------------------------

BANNER = 'data-testid="glass-banner"'


def test_a_case_opened_by_break_glass_says_so_and_when_access_ends(
    case: Case, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(outsider)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    grant = glass.break_glass(case=case, by=outsider, reason="She rang our office out of hours")
    assert grant.expires_at is not None

    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert BANNER in page
    until = f"until {words.clock(grant.expires_at)} on {words.day(grant.expires_at)}"
    assert f"You are seeing this case through break glass {until}" in page
    assert grant.expires_at.isoformat()[:10] not in page.split(BANNER, 1)[1][:600]


def test_the_cases_own_officer_and_its_manager_see_no_break_glass_banner(
    case: Case,
    officer: Staff,
    manager: Staff,
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    glass.break_glass(case=case, by=outsider, reason="She rang our office out of hours")

    for staff in (officer, manager):
        page = as_staff(staff).get(f"/cases/{case.pk}/").content.decode()
        assert BANNER not in page, staff
        assert "through break glass" not in page, staff


def test_the_banner_goes_when_the_break_glass_access_has_ended(
    case: Case, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    grant = glass.break_glass(case=case, by=outsider, reason="She rang our office out of hours")
    BreakGlass.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert as_staff(outsider).get(f"/cases/{case.pk}/").status_code == 404
