"""Legal action that would increase the risk is not pursued (issue 16): where the policy
says so (`action_plan.no_legal_action_that_increases_risk`), the officer answers "Is it
likely to increase the risk to the survivor?" for every legal action, and "yes" is
refused. 002 (the Association) [6. ACTION AGAINST PERPETRATORS]: "Legal action will not
be pursued where this is likely to increase the risk to the victim." The other seeds are
silent and take Safehold's default, which is the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import selectors
from safehold.casework.models import Action
from tests.casedata import SEEDS

pytestmark = pytest.mark.django_db
RULE = "action_plan.no_legal_action_that_increases_risk"


def legal_action(client: Client, case: Case, **body: Any):
    return client.post(
        f"/api/v1/cases/{case.pk}/actions",
        {
            "kind": "legal_action",
            "option": "injunction",
            "detail": "Apply for an injunction with a power of arrest",
            "agreed_with_survivor": True,
            **body,
        },
        content_type="application/json",
    )


@pytest.fixture
def case_in_policy(policy: str, open_case: Callable[..., Case]) -> Case:
    return open_case()


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_legal_action_needs_the_officers_answer_about_the_risk(
    policy: str, case_in_policy: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = legal_action(api_as(officer), case_in_policy)

    assert answer.status_code == 422
    assert answer.json()["code"] == "risk_answer_required"
    assert answer.json()["policy_rule"] == RULE
    assert not Action.objects.exists()


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_legal_action_likely_to_increase_the_risk_is_refused(
    policy: str, case_in_policy: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    """002 [6]: "Legal action will not be pursued where this is likely to increase the
    risk to the victim." Any text in the risk assessment does not change that."""
    answer = legal_action(
        api_as(officer),
        case_in_policy,
        likely_to_increase_risk=True,
        risk_assessment="He has said he will retaliate if served, but she wants it.",
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "legal_action_increases_risk"
    assert answer.json()["policy_rule"] == RULE
    assert not Action.objects.exists()


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_legal_action_not_likely_to_increase_the_risk_is_added_with_the_answer(
    policy: str, case_in_policy: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = legal_action(api_as(officer), case_in_policy, likely_to_increase_risk=False)

    assert answer.status_code == 201, answer.content
    action = Action.objects.select_related("case__data_key").get(pk=answer.json()["id"])
    assert selectors.action_details(action)["likely_to_increase_risk"] is False
    assert b"likely_to_increase_risk" not in bytes(action.sealed)  # sealed


def test_other_actions_are_not_asked(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = api_as(officer).post(
        f"/api/v1/cases/{case.pk}/actions",
        {"kind": "support", "detail": "Help with a benefits claim"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_the_answer_is_true_or_false(
    policy: str, value: Any, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = legal_action(api_as(officer), case, likely_to_increase_risk=value)
    assert answer.status_code == 400
    assert not Action.objects.exists()


def test_without_the_rule_legal_action_needs_no_answer(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
) -> None:
    own_policy("[action_plan]\nno_legal_action_that_increases_risk = false\n")
    answer = legal_action(api_as(officer), open_case())
    assert answer.status_code == 201, answer.content


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_the_action_page_asks_the_question_and_refuses_yes(
    policy: str,
    case_in_policy: Case,
    officer: Staff,
    as_staff: Callable[..., Client],
) -> None:
    """002 [6]: "Legal action will not be pursued where this is likely to increase the
    risk to the victim." """
    client = as_staff(officer)
    path = f"/cases/{case_in_policy.pk}/actions/new"
    form = client.get(path).content.decode()
    assert "Legal action: is it likely to increase the risk to the survivor?" in form
    assert 'name="likely_to_increase_risk" type="radio" value="yes"' in form
    body = {
        "kind": "legal_action",
        "option": "injunction",
        "detail": "Injunction",
        "recharge": "none",
        "source": "plan",
    }

    unanswered = client.post(path, body)
    assert unanswered.status_code == 400
    assert "Answer whether this legal action is likely to increase the risk" in (
        unanswered.content.decode()
    )
    refused = client.post(path, {**body, "likely_to_increase_risk": "yes"})
    assert refused.status_code == 400
    assert "does not pursue legal action that is likely to increase the risk" in (
        refused.content.decode()
    )
    assert not Action.objects.exists()

    added = client.post(path, {**body, "likely_to_increase_risk": "no"})
    assert added.status_code == 302
    assert Action.objects.get().kind == "legal_action"
