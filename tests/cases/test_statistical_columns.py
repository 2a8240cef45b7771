"""The unencrypted statistical columns the monitoring figures count: abuse-type rows, the
survivor's age band, a keyed index for the alleged perpetrator, a review's due date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import diversity, inputs, sealing, services
from safehold.cases.forms import IntakeForm
from safehold.cases.models import Case, CaseAbuseType, Person
from safehold.casework import plan
from safehold.policy.loader import active_policy
from tests.casedata import CASE_BODY, PERPETRATOR_NAME

pytestmark = pytest.mark.django_db


def kinds(case: Case) -> list[str]:
    return sorted(CaseAbuseType.objects.filter(case=case).values_list("abuse_type", flat=True))


def test_each_kind_of_abuse_is_a_row_once_including_further_reports(
    case: Case, officer: Staff
) -> None:
    assert kinds(case) == ["controlling_or_coercive", "physical"]

    services.incident_add(
        case=case, by=officer, source="police", abuse_types=("physical", "stalking_harassment"),
        summary="Followed home.",
    )  # fmt: skip

    assert kinds(case) == ["controlling_or_coercive", "physical", "stalking_harassment"]


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2010, 11, 23), "under_16"),
        (date(2010, 11, 22), "16_24"),
        (date(2001, 11, 23), "16_24"),
        (date(2001, 11, 22), "25_34"),
        (date(1961, 11, 22), "65_plus"),
        (None, ""),
    ],
)
def test_the_age_band_is_the_age_reached_on_the_day(born: date | None, band: str) -> None:
    assert diversity.age_band(born, date(2026, 11, 22)) == band


def test_the_survivors_age_band_and_the_perpetrators_index_are_kept(
    open_case: Callable[..., Case],
) -> None:
    case = open_case(reported_at=timezone.now() - timedelta(days=1))

    survivor = Person.objects.get(case=case, role="survivor")
    perpetrator = Person.objects.get(case=case, role="alleged_perpetrator")
    assert survivor.age_band == diversity.age_band(
        date(1988, 4, 12), case.reported_at.astimezone(services.LONDON).date()
    )
    assert perpetrator.name_index == sealing.perpetrator_name_index(f"  {PERPETRATOR_NAME.upper()}")
    assert perpetrator.name_index != sealing.survivor_name_index(PERPETRATOR_NAME)


def test_an_unnamed_perpetrator_has_no_index(open_case: Callable[..., Case]) -> None:
    case = open_case(
        alleged_perpetrators=(inputs.PerpetratorDetails(name="", relationship="partner"),)
    )

    assert Person.objects.get(case=case, role="alleged_perpetrator").name_index == ""


def test_a_review_keeps_when_it_was_due(open_case: Callable[..., Case], officer: Staff) -> None:
    case = open_case(reported_at=timezone.now() - timedelta(days=3))
    first = plan.review_record(case=case, by=officer, at=case.reported_at + timedelta(hours=1))
    second = plan.review_record(case=case, by=officer)

    assert first.due_at == case.reported_at + timedelta(days=14)  # default.toml: 14 days
    assert second.due_at == first.at + timedelta(days=14)


def test_the_alleged_perpetrators_sex_is_taken_by_the_api_and_the_web(
    policy: str, officer: Staff, api_as: Callable[..., Any]
) -> None:
    body = {
        **CASE_BODY,
        "alleged_perpetrators": [{"name": "Gareth Plum", "sex": "male", "relationship": "partner"}],
    }
    made = api_as(officer).post("/api/v1/cases", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert Person.objects.get(case_id=made.json()["id"], role="alleged_perpetrator").sex == "male"

    wrong = {**body, "alleged_perpetrators": [{"name": "Gareth Plum", "sex": "tall"}]}
    assert (
        api_as(officer).post("/api/v1/cases", wrong, content_type="application/json").status_code
        == 400
    )
    form = IntakeForm(data={"perpetrators": "1"}, policy=active_policy())
    assert "p0_sex" in form.fields


def test_every_person_carries_copies_of_the_columns_their_case_is_counted_by(
    case: Case, officer: Staff
) -> None:
    """The monitoring figures count people from the people table alone (its copies of
    the case's report time, team and survivor identity); a person whose copies disagree
    with their case would be counted in the wrong period, team or once too often."""
    people = list(Person.objects.filter(case=case))

    assert {p.role for p in people} >= {"survivor", "alleged_perpetrator"}
    for person in people:
        assert person.case_reported_at == case.reported_at
        assert person.case_team_id == case.team_id
        expected = case.survivor_identity_id if person.role == "survivor" else None
        assert person.survivor_identity_id == expected
