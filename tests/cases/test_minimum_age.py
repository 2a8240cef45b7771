"""A survivor under the policy's minimum age (issue 16, section 4): the report is still
recorded (never refuse a child's report), the case is flagged, and it is routed to the
children's safeguarding referral the policy names (`definitions.under_age_referral_agency`).

Every bundled policy covers abuse between people "aged 16 or over" ([001 2.1], [002 1],
[004 2. Definition]; the baseline's 16 for [000] and [003]), and Wrekin names the route:
[004 Policy Approach] "Where the Group becomes aware of objective evidence of domestic
abuse impacting children a referral will be made to the appropriate Safeguarding
agency". The others are silent: the baseline's children's services.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.policy.loader import PolicyFileError, parse_policy
from safehold.privacy.models import AuditEntry
from tests.casedata import CASE_BODY, SEEDS
from tests.policy.policies import MINIMAL_POLICY

pytestmark = pytest.mark.django_db
NOW = "2026-11-20T12:00:00Z"
FIFTEEN = "2011-03-02"  # 15 on 20 November 2026
SIXTEEN_TODAY = "2010-11-20"


def report_of(client: Client, born: str) -> Any:
    body = copy.deepcopy(CASE_BODY)
    body["survivor"]["date_of_birth"] = born
    return client.post("/api/v1/cases", body, content_type="application/json")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_records_a_fifteen_year_olds_report_flagged_and_routed(
    policy: str, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    response = report_of(api_as(officer), FIFTEEN)

    assert response.status_code == 201, response.content
    case = response.json()
    assert case["under_minimum_age"] is True
    assert case["under_age_referral_agency"] == "childrens_services"
    entry = AuditEntry.objects.get(action="case.under_minimum_age", target_id=case["id"])
    assert entry.detail == {
        "minimum_age": 16, "referral_agency": "childrens_services", "address": "127.0.0.1",
    }  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_a_survivor_sixteen_on_the_day_of_the_report_is_not_flagged(
    officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    response = report_of(api_as(officer), SIXTEEN_TODAY)

    assert response.status_code == 201
    assert response.json()["under_minimum_age"] is False
    assert response.json()["under_age_referral_agency"] is None
    assert not AuditEntry.objects.filter(action="case.under_minimum_age").exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("policy", ["wrekin", "default"], indirect=True)
def test_the_case_page_flags_the_case_and_links_to_the_safeguarding_referral(
    policy: str, officer: Staff, api_as: Callable[[Staff], Client], as_staff
) -> None:
    case_id = report_of(api_as(officer), FIFTEEN).json()["id"]
    client = as_staff(officer)

    page = client.get(f"/cases/{case_id}/").content.decode()
    link = f"/cases/{case_id}/referrals/new?agency=childrens_services"
    form = client.get(link).content.decode()

    assert 'data-testid="under-age-banner"' in page
    assert "The survivor was under 16 when this was reported" in page
    assert "Refer to children&#x27;s services (safeguarding)" in page
    assert f'href="{link}"' in page
    assert 'value="childrens_services" selected' in form


@time_machine.travel(NOW, tick=False)
def test_the_task_shows_the_referral_once_made(
    officer: Staff, api_as: Callable[[Staff], Client], as_staff
) -> None:
    client = api_as(officer)
    case_id = report_of(client, FIFTEEN).json()["id"]
    before = as_staff(officer).get(f"/cases/{case_id}/").content.decode()

    made = client.post(
        f"/api/v1/cases/{case_id}/referrals",
        {
            "agency": "childrens_services",
            "reason": "A child reporting abuse at home.",
            "without_consent": {"ground": "child_at_risk", "explanation": "She is 15."},
        },
        content_type="application/json",
    )
    after = as_staff(officer).get(f"/cases/{case_id}/").content.decode()

    assert made.status_code == 201, made.content
    status = 'data-testid="under-age-status">'
    assert "To do" in before.split(status, 1)[1].split("</div>", 1)[0]
    assert "Awaiting approval" in after.split(status, 1)[1].split("</div>", 1)[0]


def test_an_adults_case_shows_no_safeguarding_task(
    officer: Staff, api_as: Callable[[Staff], Client], as_staff
) -> None:
    case_id = report_of(api_as(officer), "1988-04-12").json()["id"]

    page = as_staff(officer).get(f"/cases/{case_id}/").content.decode()

    assert 'data-testid="under-age-banner"' not in page
    assert 'data-testid="under-age-task"' not in page


def test_the_web_intake_records_a_childs_report_and_says_so_first(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    form = {"source": "self", "name": "Marigold Pennywhistle", "perpetrators": "0"}
    form |= {"children": "0", "date_of_birth_0": "2", "date_of_birth_1": "3"}
    form |= {"date_of_birth_2": "2011", "reported_date_0": "20", "reported_date_1": "11"}
    form |= {"reported_date_2": "2026", "reported_time": "10:00"}

    with time_machine.travel(NOW, tick=False):
        check = client.post("/cases/new", {**form, "step": "check"}).content.decode()
        saved = client.post("/cases/new", {**form, "step": "confirm"})

    assert 'data-testid="under-age-warning"' in check
    assert saved.status_code == 302
    assert Case.objects.get().under_minimum_age


def test_a_policy_must_name_an_agency_of_its_directory() -> None:
    text = MINIMAL_POLICY + '\n[definitions]\nunder_age_referral_agency = "nowhere"\n'

    with pytest.raises(PolicyFileError) as refused:
        parse_policy(text, source="test.toml")

    assert "definitions.under_age_referral_agency" in str(refused.value)
