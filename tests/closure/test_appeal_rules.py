"""Appeals keep to what the seeds wrote (issue 16): any words are grounds, and a second
stage exists only where a policy says so, before another reviewer role, so no appeal can
wait for ever for a reviewer who may not decide it.

000 (WHA) [Appeals]: "Where a victim or alleged perpetrator is dissatisfied with the
investigation or the decision, they may appeal ... and request a review of the case. The
HSD will conduct this review." One review; none of the other four seeds describes
appeals at all, and none a second stage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.closure.models import Appeal
from safehold.policy.loader import PolicyFileError, load_policy, parse_policy
from tests.casedata import SEEDS
from tests.policy.policies import MINIMAL_POLICY

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any] | None = None):
    return client.post(f"/api/v1{path}", body or {}, content_type="application/json")


@pytest.fixture
def case_in_policy(policy: str, open_case: Callable[..., Case]) -> Case:
    return open_case()


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
@pytest.mark.parametrize("grounds", ["unfair", "No", "?"])
def test_any_words_are_grounds_for_an_appeal(
    policy: str,
    grounds: str,
    case_in_policy: Case,
    officer: Staff,
    api_as: Callable[..., Client],
) -> None:
    """No seed sets a minimum length: "unfair" is a reason."""
    answer = post(
        api_as(officer),
        f"/cases/{case_in_policy.pk}/appeals",
        {"by": "survivor", "grounds": grounds},
    )

    assert answer.status_code == 201, answer.content
    appeal = answer.json()
    assert appeal["reviewer_role"] == load_policy(policy).appeals.reviewer_role
    assert appeal["due_at"] > appeal["acknowledge_due_at"] > appeal["received_at"]


@pytest.mark.parametrize("grounds", ["", "   \n "])
def test_an_appeal_needs_some_grounds(
    policy: str, grounds: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = post(
        api_as(officer), f"/cases/{case.pk}/appeals", {"by": "survivor", "grounds": grounds}
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "grounds_required"
    assert not Appeal.objects.exists()


def test_short_reasons_for_an_outcome_are_reasons(
    policy: str, case: Case, officer: Staff, director: Staff, api_as: Callable[..., Client]
) -> None:
    made = post(
        api_as(officer), f"/cases/{case.pk}/appeals", {"by": "survivor", "grounds": "unfair"}
    ).json()
    path = f"/appeals/{made['id']}/decision"

    empty = post(api_as(director), path, {"outcome": "upheld", "reasons": " "})
    assert empty.status_code == 422
    assert empty.json()["code"] == "reasons_required"
    decided = post(api_as(director), path, {"outcome": "upheld", "reasons": "Agreed."})
    assert decided.status_code == 200, decided.content


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_no_bundled_policy_has_a_second_stage(
    policy: str,
    case_in_policy: Case,
    officer: Staff,
    director: Staff,
    as_staff: Callable[..., Client],
    api_as: Callable[..., Client],
) -> None:
    """None of the five seeds describes a second stage (000 [Appeals]: "The HSD will
    conduct this review": one review), so the stage 1 answer is final: escalating is
    refused with the policy's rule, and no appeal waits for a second reviewer."""
    assert load_policy(policy).appeals.stage_2 is None
    made = post(
        api_as(officer),
        f"/cases/{case_in_policy.pk}/appeals",
        {"by": "alleged_perpetrator", "grounds": "The warning letter was unfair."},
    ).json()
    decision = {"outcome": "not_upheld", "reasons": "The letter was fair."}
    assert post(api_as(director), f"/appeals/{made['id']}/decision", decision).status_code == 200

    escalated = post(
        api_as(officer), f"/appeals/{made['id']}/escalate", {"grounds": "Still unfair"}
    )

    assert escalated.status_code == 422
    assert escalated.json()["code"] == "no_second_stage"
    assert escalated.json()["policy_rule"] == "appeals.stage_2"
    assert Appeal.objects.count() == 1
    page = as_staff(officer).get(f"/appeals/{made['id']}/").content.decode()
    assert "Escalate to stage 2" not in page
    assert "this answer is final" in page


SECOND_STAGE = (
    "[appeals]\nstage_2 = { acknowledge_working_days = 5, respond_working_days = 20, "
    'reviewer_role = "da_lead" }\n'
)


def test_a_policy_with_a_second_stage_escalates_to_its_own_reviewer(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    director: Staff,
    da_lead: Staff,
    outsider: Staff,
    api_as: Callable[..., Client],
) -> None:
    own_policy(SECOND_STAGE)
    case = open_case()
    made = post(
        api_as(officer), f"/cases/{case.pk}/appeals", {"by": "survivor", "grounds": "unfair"}
    ).json()
    decision = {"outcome": "not_upheld", "reasons": "Calls were made."}
    assert post(api_as(director), f"/appeals/{made['id']}/decision", decision).status_code == 200
    path = f"/appeals/{made['id']}/escalate"
    assert post(api_as(outsider), path, {"grounds": "Still unfair"}).status_code == 404

    escalated = post(api_as(officer), path, {"grounds": "Still unfair"})

    assert escalated.status_code == 201, escalated.content
    assert escalated.json()["stage"] == 2
    assert escalated.json()["reviewer_role"] == "da_lead"
    stage_2 = f"/appeals/{escalated.json()['id']}/decision"
    by_director = post(api_as(director), stage_2, decision)
    assert by_director.status_code == 403
    assert by_director.json()["policy_rule"] == "appeals.stage_2.reviewer_role"
    assert post(api_as(da_lead), stage_2, decision).status_code == 200


@pytest.mark.parametrize(
    ("stage_2", "problem"),
    [
        (
            "{ acknowledge_working_days = 5, respond_working_days = 20, "
            'reviewer_role = "director" }',
            "appeals.stage_2.reviewer_role: must differ from appeals.reviewer_role",
        ),
        (
            "{ acknowledge_working_days = 5, respond_working_days = 20 }",
            "appeals.stage_2.reviewer_role",
        ),
    ],
    ids=["same-role", "no-role"],
)
def test_a_second_stage_needs_a_reviewer_role_of_its_own(stage_2: str, problem: str) -> None:
    """A stage 2 decided by someone other than the stage 1 reviewer, from the same role,
    deadlocks where one person holds that role: the file is refused."""
    with pytest.raises(PolicyFileError) as refused:
        parse_policy(MINIMAL_POLICY + f"[appeals]\nstage_2 = {stage_2}\n", source="two.toml")

    assert any(found.startswith(problem) for found in refused.value.problems), (
        refused.value.problems
    )
