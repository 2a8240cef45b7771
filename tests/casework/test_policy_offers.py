"""The settings that promise something an officer does, which no rule can check by
itself, are prompts on the case page under "What our policy offers this survivor"
(issue 16: no setting that nothing reads). Each names its setting; a policy that turns
one off does not show it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Case
from safehold.casework import plan
from tests.casedata import PERPETRATOR_NAME, SEEDS

pytestmark = pytest.mark.django_db
SETTINGS = (
    "action_plan.security_measures_offered",
    "action_plan.joint_tenancy_legal_advice",
    "survivor_interview.venue_of_survivors_choice",
    "survivor_interview.may_be_accompanied",
    "survivor_interview.childcare_offered",
    "assignment.same_gender_interpreter",
    "assignment.same_culture_officer_on_request",
    "survivor_information.documents",
)


def offers_on(client: Client, case: Case) -> dict[str, str]:
    page = client.get(f"/cases/{case.pk}/").content.decode()
    if 'data-testid="policy-offers"' not in page:
        return {}
    block = page.split('data-testid="policy-offers"')[1].split("</ul>")[0]
    found = {}
    for item in block.split('<li data-setting="')[1:]:
        setting, text = item.split('">', 1)
        found[setting] = " ".join(text.split("</li>")[0].split())
    return found


def joint_tenants(open_case: Callable[..., Case], **requests: object) -> Case:
    """The survivor (tenancy T-55821, tests/casedata.py) and the alleged perpetrator hold
    the same tenancy; she asked for an interpreter and to meet at the library."""
    return open_case(
        alleged_perpetrators=(
            inputs.PerpetratorDetails(
                name=PERPETRATOR_NAME, relationship="partner", tenancy_ref="t-55821 "
            ),
        ),
        requests=inputs.Requests(**requests),  # type: ignore[arg-type]
    )


@pytest.fixture
def case_in_policy(policy: str, open_case: Callable[..., Case]) -> Case:
    return joint_tenants(open_case, interpreter_language="pl", interview_venue="the library")


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_every_bundled_policy_offers_what_it_promises(
    policy: str, case_in_policy: Case, officer: Staff, as_staff: Callable[..., Client]
) -> None:
    """Every bundled policy has these settings on (quoted where its seed writes them,
    such as 002 [6] "The victim will be advised to seek independent legal advice on their
    options", 003 [Service Standards] "Make available a copy of the Women's Aid
    'Survivor's Handbook'", 004 [How dealt with] "Interpreters will be provided if
    required and of the same gender"; Safehold's default where it is silent)."""
    offers = offers_on(as_staff(officer), case_in_policy)

    assert set(offers) == set(SETTINGS)
    assert "None on the plan yet" in offers["action_plan.security_measures_offered"]
    assert "joint tenancy (T-55821)" in offers["action_plan.joint_tenancy_legal_advice"]
    assert (
        "They asked to meet at: the library"
        in (offers["survivor_interview.venue_of_survivors_choice"])
    )
    assert "Children are named on the case" in offers["survivor_interview.childcare_offered"]
    # The language by name (issue 18), not its code.
    assert "Book an interpreter (Polish)" in offers["assignment.same_gender_interpreter"]
    assert "Survivor&#x27;s Handbook" in offers["survivor_information.documents"]


def test_a_security_measure_on_the_plan_is_an_offer_made(
    policy: str,
    open_case: Callable[..., Case],
    officer: Staff,
    as_staff: Callable[..., Client],
) -> None:
    case = open_case()
    client = as_staff(officer)
    before = offers_on(client, case)["action_plan.security_measures_offered"]
    assert f'href="/cases/{case.pk}/actions/new?kind=security_measure"' in before
    assert (
        'value="security_measure" checked'
        in client.get(f"/cases/{case.pk}/actions/new?kind=security_measure").content.decode()
    )

    plan.action_add(case=case, by=officer, kind="security_measure", measure="panic_alarm")

    after = offers_on(client, case)["action_plan.security_measures_offered"]
    assert "Offered: see the action plan" in after
    assert "actions/new" not in after


def test_offers_follow_the_case(
    policy: str,
    open_case: Callable[..., Case],
    officer: Staff,
    as_staff: Callable[..., Client],
) -> None:
    """No joint tenancy, no interpreter, no children and no childcare asked for: no
    prompt for them."""
    case = open_case(children=())

    offers = offers_on(as_staff(officer), case)

    assert "action_plan.joint_tenancy_legal_advice" not in offers
    assert "assignment.same_gender_interpreter" not in offers
    assert "survivor_interview.childcare_offered" not in offers
    assert (
        "Ask where they would like to meet"
        in offers["survivor_interview.venue_of_survivors_choice"]
    )
    asked = open_case(children=(), requests=inputs.Requests(childcare=True))
    assert (
        "They asked for childcare"
        in offers_on(as_staff(officer), asked)["survivor_interview.childcare_offered"]
    )


def test_a_policy_without_these_promises_shows_no_offers(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    as_staff: Callable[..., Client],
) -> None:
    own_policy(
        "[assignment]\nsame_gender_interpreter = false\nsame_culture_officer_on_request = false\n"
        "[survivor_interview]\nvenue_of_survivors_choice = false\nmay_be_accompanied = false\n"
        "childcare_offered = false\n"
        "[action_plan]\nsecurity_measures_offered = false\njoint_tenancy_legal_advice = false\n"
        "[survivor_information]\ndocuments = []\n"
    )
    case = joint_tenants(open_case, interpreter_language="pl", childcare=True)

    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()

    assert "What our policy offers this survivor" not in page


def test_a_closed_case_has_no_offers(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    outsider: Staff,
    as_staff: Callable[..., Client],
    api_as: Callable[..., Client],
) -> None:
    own_policy("[closure]\nmanager_approval_required = false\nreview_meeting_required = false\n")
    case = open_case()
    assert offers_on(as_staff(officer), case)
    assert as_staff(outsider).get(f"/cases/{case.pk}/").status_code == 404
    closed = api_as(officer).post(
        f"/api/v1/cases/{case.pk}/closure",
        {"reason": "resolved", "survivor_agrees": True, "explanation": "Resolved."},
        content_type="application/json",
    )
    assert closed.json()["status"] == "closed", closed.content

    assert offers_on(as_staff(officer), case) == {}
