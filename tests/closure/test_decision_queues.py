"""The queues of decisions show who each case is about (issue 18: "every case list ...
shows what confirms the right person to someone allowed to see it"): closures to
approve and evaluate, feedback to ask for, appeals to answer and interviews to agree
show the survivor's name and date of birth, and the case's status and risk, on the cases
the reader may see, audited as `case.listed`. A restricted case its decider may not see
keeps her name off the row and out of that entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access, inputs
from safehold.cases.access import Decision
from safehold.cases.models import Case
from safehold.casework import interviews
from safehold.casework import services as casework
from safehold.closure import appeals
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from tests.casedata import SURVIVOR_NAME
from tests.closure.test_evaluation_structure import close_now

pytestmark = pytest.mark.django_db


def listed_by(staff: Staff) -> list[list[str]]:
    return [
        entry.detail["cases"]
        for entry in AuditEntry.objects.filter(action="case.listed", actor=staff.username)
    ]


def row_of(page: str, reference: str) -> str:
    start = page.rindex('<tr class="govuk-table__row">', 0, page.index(reference))
    return page[start : page.index("</tr>", start)]


def test_the_interviews_to_agree_show_who_each_case_is_about(
    policy: str,
    open_case: Callable[..., Case],
    officer: Staff,
    manager: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    case = open_case()
    casework.consent_record(
        case=case, by=officer, purpose="contact_alleged_perpetrator", given=True
    )
    interviews.interview_request(
        case=case, by=officer, survivor_agrees=True, safety_assessment="He is away"
    )

    page = as_staff(manager).get("/queues/interviews-to-agree").content.decode()

    row = row_of(page, case.reference)
    assert SURVIVOR_NAME in row
    assert "Born 12 April 1988" in row
    assert "Open, risk not assessed" in row
    assert [case.pk] in listed_by(manager)


def test_an_appeal_row_names_the_survivor_and_its_case_in_words(
    policy: str,
    open_case: Callable[..., Case],
    officer: Staff,
    manager: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    case = close_now(open_case(), officer, manager)
    appeals.appeal_make(case=case, by=officer, party="survivor", grounds="Closed too early.")

    page = as_staff(director).get("/queues/appeals-to-answer").content.decode()

    row = row_of(page, case.reference)
    assert SURVIVOR_NAME in row
    assert "Closed, risk not assessed" in row
    assert "Not shown" not in row
    assert [case.pk] in listed_by(director)


def staff_survivor() -> inputs.SurvivorDetails:
    return inputs.SurvivorDetails(
        name=SURVIVOR_NAME, date_of_birth=date(1988, 4, 12), sex="female", is_staff_member=True
    )


def closing_body() -> dict[str, Any]:
    return {
        "reason": active_policy().closure.reasons[0],
        "survivor_agrees": True,
        "review_meeting_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "explanation": "Everything agreed at the review has been done.",
    }


def test_a_restricted_case_its_decider_may_not_see_names_no_one(
    policy: str,
    open_case: Callable[..., Case],
    officer: Staff,
    make_staff: Callable[..., Staff],
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    """A staff member's case (restricted): the director deciding on its closure reaches
    only the decision, so the queue shows its reference, never her name or its risk."""
    restricted = open_case(survivor=staff_survivor())
    ordinary = open_case()
    assert restricted.restricted
    for case in (restricted, ordinary):
        answer = api_as(officer).post(
            f"/api/v1/cases/{case.pk}/closure", closing_body(), content_type="application/json"
        )
        assert answer.status_code == 201, answer.content
    role = access.decision_roles(active_policy(), Decision.CLOSURE, restricted=True)[0]
    decider = make_staff(f"{role}.closure", role=role, team="Head Office")
    assert not access.may_see(decider, restricted.pk)

    page = as_staff(decider).get("/queues/closures-to-approve").content.decode()

    hidden = row_of(page, restricted.reference)
    assert SURVIVOR_NAME not in hidden
    assert "Not shown: you decide on this case without working on it" in hidden
    assert "risk" not in hidden
    assert f'href="/cases/{restricted.pk}/closure/decision"' in hidden
    if access.may_see(decider, ordinary.pk):
        assert SURVIVOR_NAME in row_of(page, ordinary.reference)
    assert all(restricted.pk not in cases for cases in listed_by(decider))
