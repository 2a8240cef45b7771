"""The action form as GOV.UK patterns (issue 18): each kind reveals only its own
questions (conditional reveal on the kind's radios), a choice the policy always refuses
is never offered, and the due date is a GOV.UK date input."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Action

pytestmark = pytest.mark.django_db


def recharge_values(html: str) -> list[str]:
    return re.findall(r'name="recharge" type="radio" value="([^"]*)"', html)


def conditional(html: str, kind: str) -> str:
    start = html.index(f'id="conditional-{kind}"')
    return html[start : html.index('name="kind"', start)]


def test_it_reveals_only_the_questions_of_the_chosen_kind(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    html = as_staff(officer).get(f"/cases/{case.pk}/actions/new").content.decode()

    assert 'value="security_measure" aria-controls="conditional-security_measure"' in html
    assert 'value="rehousing" aria-controls="conditional-rehousing"' in html
    assert 'value="legal_action" aria-controls="conditional-legal_action"' in html
    assert 'name="measure"' in conditional(html, "security_measure")
    rehousing = conditional(html, "rehousing")
    assert 'name="rehousing_option"' in rehousing
    assert "Management transfer" in rehousing
    assert "Injunction" not in rehousing
    legal = conditional(html, "legal_action")
    assert 'name="legal_option"' in legal
    assert "Injunction" in legal
    assert 'name="likely_to_increase_risk"' in legal
    assert "Management transfer" not in legal
    # Nothing is revealed before a kind is chosen.
    assert html.count("govuk-radios__conditional--hidden") == 3


def test_a_kind_chosen_from_a_prompt_shows_its_questions(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    path = f"/cases/{case.pk}/actions/new?kind=security_measure"
    html = as_staff(officer).get(path).content.decode()

    assert 'class="govuk-radios__conditional" id="conditional-security_measure"' in html
    assert html.count("govuk-radios__conditional--hidden") == 2


def test_the_questions_of_a_kind_not_chosen_are_not_recorded(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """A box revealed, filled, then hidden by choosing another kind still posts what was
    typed in it: only the chosen kind's answers are kept."""
    added = as_staff(officer).post(
        f"/cases/{case.pk}/actions/new",
        {
            "kind": "rehousing",
            "rehousing_option": "management_transfer",
            "rehousing_risk_assessment": "Moving her away from his family's street",
            "measure": "lock_change",
            "legal_option": "injunction",
            "likely_to_increase_risk": "yes",
            "recharge": "none",
            "agreed_with_survivor": "on",
        },
    )

    assert added.status_code == 302
    action = Action.objects.get()
    assert (action.kind, action.measure, action.option) == (
        "rehousing",
        "",
        "management_transfer",
    )


def test_a_refusal_about_a_revealed_question_is_shown_on_it(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    refused = as_staff(officer).post(
        f"/cases/{case.pk}/actions/new",
        {"kind": "rehousing", "rehousing_option": "management_transfer", "recharge": "none"},
    )

    html = refused.content.decode()
    assert refused.status_code == 400
    assert '<a href="#id_rehousing_risk_assessment">Record how the move reduces the risk' in html
    assert 'class="govuk-radios__conditional" id="conditional-rehousing"' in html
    assert not Action.objects.exists()


def test_it_never_offers_a_recharge_the_policy_always_refuses(
    policy: str, case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    html = as_staff(officer).get(f"/cases/{case.pk}/actions/new").content.decode()

    # The default policy never recharges the survivor, and may recharge the perpetrator.
    assert recharge_values(html) == ["none", "perpetrator"]


def test_under_a_policy_that_recharges_no_one_only_no_recharge_is_offered(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    own_policy("[recharge]\nsurvivor_forbidden = true\nperpetrator_may_be_charged = false\n")
    case = open_case()
    client = as_staff(officer)

    html = client.get(f"/cases/{case.pk}/actions/new").content.decode()
    assert recharge_values(html) == ["none"]

    # Posted anyway, it is refused in the policy's words, and nothing is recorded.
    refused = client.post(
        f"/cases/{case.pk}/actions/new",
        {"kind": "support", "detail": "Help", "recharge": "perpetrator"},
    )
    assert refused.status_code == 400
    assert "does not recharge the alleged perpetrator" in refused.content.decode()
    assert not Action.objects.exists()


def test_the_due_date_is_a_date_input_whose_error_leads_to_the_day_box(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    path = f"/cases/{case.pk}/actions/new"
    html = client.get(path).content.decode()
    assert all(f'name="due_date_{n}"' in html for n in range(3))
    assert 'name="due_date"' not in html

    body = {"kind": "support", "recharge": "none", "due_date_0": "31", "due_date_1": "2"}
    incomplete = client.post(path, body)
    assert incomplete.status_code == 400
    assert '<a href="#id_due_date_0">Enter the day, month and year' in incomplete.content.decode()
    wrong = client.post(path, {**body, "due_date_2": "2027"})
    assert wrong.status_code == 400
    assert '<a href="#id_due_date_0">Enter a real date' in wrong.content.decode()
    assert 'id="id_due_date_0" name="due_date_0"' in wrong.content.decode()
    assert not Action.objects.exists()

    added = client.post(
        path,
        {
            "kind": "support",
            "detail": "IDVA to call weekly",
            "recharge": "none",
            "due_date_0": "27",
            "due_date_1": "3",
            "due_date_2": "2027",
        },
    )
    assert added.status_code == 302
    due = Action.objects.get().due_at
    assert due is not None
    assert (due.year, due.month, due.day) == (2027, 3, 27)
