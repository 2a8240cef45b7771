"""An officer of the survivor's own sex (issue 16, section 4).

Every bundled policy gives one on request ([000 Victim-centred approach] "We will
provide an investigator of the same sex as the victim, if this is requested", [004 How
reports ... are dealt with], the baseline for the others). When the survivor asked and
their sex is not recorded, assignment is refused: ask, do not guess. Viridian goes
further, [003 Service Standards] "We will always offer the option of the interview being
undertaken by an officer of the "same sex" as the person reporting domestic violence":
the offer and the answer are recorded, so "declined" differs from "never asked".
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from tests.casedata import CASE_BODY, SEEDS

pytestmark = pytest.mark.django_db


def asked_by(sex: str) -> dict[str, Any]:
    return {
        "survivor": inputs.SurvivorDetails(name="Marigold Pennywhistle", sex=sex),
        "requests": inputs.Requests(same_sex_officer=True),
    }


def assign(client: Client, case: Case, officer: str) -> Any:
    return client.post(
        f"/api/v1/cases/{case.pk}/assignment", {"officer": officer}, content_type="application/json"
    )


@pytest.mark.parametrize("sex", ["", "prefer_not_to_say", "other"])
@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_refuses_to_assign_when_the_survivor_asked_and_their_sex_is_not_recorded(
    policy: str,
    sex: str,
    open_case: Callable[..., Case],
    manager: Staff,
    officer: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    case = open_case(**asked_by(sex))

    response = assign(api_as(manager), case, officer.username)

    assert response.status_code == 422
    assert response.json()["code"] == "survivor_sex_unknown"
    assert response.json()["policy_rule"] == "assignment.same_sex_officer_on_request"
    case.refresh_from_db()
    assert case.assigned_officer is None


def test_it_assigns_an_officer_of_the_survivors_recorded_sex(
    open_case: Callable[..., Case],
    manager: Staff,
    officer: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    case = open_case(**asked_by("female"))  # the officer is female

    response = assign(api_as(manager), case, officer.username)

    assert response.status_code == 200
    assert response.json()["assigned_officer"] == officer.username


def test_it_assigns_anyone_the_policy_allows_when_the_survivor_did_not_ask(
    open_case: Callable[..., Case], manager: Staff, teammate: Staff, api_as
) -> None:
    case = open_case(survivor=inputs.SurvivorDetails(name="Marigold Pennywhistle", sex=""))

    assert assign(api_as(manager), case, teammate.username).status_code == 200


def test_the_assign_page_says_to_ask_the_survivor(
    open_case: Callable[..., Case], manager: Staff, officer: Staff, as_staff
) -> None:
    case = open_case(**asked_by("prefer_not_to_say"))

    response = as_staff(manager).post(f"/cases/{case.pk}/assign", {"officer": officer.username})

    assert response.status_code == 422
    assert "their sex is not recorded" in response.content.decode()


def test_an_outsider_learns_nothing_of_the_case(
    open_case: Callable[..., Case], outsider: Staff, officer: Staff, api_as
) -> None:
    case = open_case(**asked_by(""))

    assert assign(api_as(outsider), case, officer.username).status_code == 404


def body_with(same_sex_officer: object) -> dict[str, Any]:
    body = copy.deepcopy(CASE_BODY)
    if same_sex_officer == "absent":
        del body["requests"]["same_sex_officer"]
    else:
        body["requests"]["same_sex_officer"] = same_sex_officer
    return body


@pytest.mark.parametrize(
    ("sent", "answer", "requested"),
    [
        (True, "requested", True),
        (False, "declined", False),
        (None, "not_asked", False),
        ("absent", "not_asked", False),
    ],
)
def test_the_api_records_declined_apart_from_never_asked(
    sent: object, answer: str, requested: bool, officer: Staff, api_as
) -> None:
    client = api_as(officer)

    made = client.post("/api/v1/cases", body_with(sent), content_type="application/json")

    assert made.status_code == 201
    assert made.json()["requests"]["same_sex_officer"] is requested  # still a bool
    assert made.json()["requests"]["same_sex_officer_answer"] == answer
    read = client.get(f"/api/v1/cases/{made.json()['id']}").json()
    assert read["requests"]["same_sex_officer_answer"] == answer


INTAKE = {"source": "self", "name": "Marigold Pennywhistle", "sex": "female"}
INTAKE |= {"perpetrators": "0", "children": "0"}


@pytest.mark.parametrize(
    ("said", "stored", "shown"),
    [("yes", "requested", "Requested"), ("no", "declined", "Offered and declined"),
     ("", "", "Not asked")],
)  # fmt: skip
def test_the_web_intake_asks_it_as_a_question(
    said: str, stored: str, shown: str, officer: Staff, as_staff
) -> None:
    client = as_staff(officer)
    form = {**INTAKE, "same_sex_officer": said}

    page = client.get("/cases/new").content.decode()
    client.post("/cases/new", {**form, "step": "check"})
    saved = client.post("/cases/new", {**form, "step": "confirm"})

    assert "Would they like an officer of their own sex?" in page
    case = Case.objects.get()
    assert case.same_sex_officer_answer == stored
    case_page = client.get(saved["Location"]).content.decode()
    assert f'data-testid="same-sex-answer">{shown}<' in case_page


@pytest.mark.parametrize("policy", ["viridian"], indirect=True)
def test_viridian_shows_the_offer_as_a_task_until_the_survivor_answers(
    policy: str, open_case: Callable[..., Case], officer: Staff, as_staff
) -> None:
    # [003 Service Standards] "We will always offer the option of the interview being
    # undertaken by an officer of the "same sex" as the person reporting".
    case = open_case()  # not asked at intake
    client = as_staff(officer)

    before = client.get(f"/cases/{case.pk}/").content.decode()
    answered = client.post(f"/cases/{case.pk}/same-sex-officer", {"answer": "declined"})
    after = client.get(f"/cases/{case.pk}/").content.decode()

    assert 'data-testid="same-sex-offer"' in before
    assert "Offer an officer of the survivor's own sex" in before
    assert answered.status_code == 302
    assert 'data-testid="same-sex-offer"' not in after
    assert 'data-testid="same-sex-answer">Offered and declined<' in after
    assert "the survivor declined" in after
    case.refresh_from_db()
    assert (case.same_sex_officer_answer, case.same_sex_officer) == ("declined", False)
    entry = AuditEntry.objects.get(action="same_sex_officer.answered", target_id=case.pk)
    assert entry.detail == {"answer": "declined", "address": "127.0.0.1"}


@pytest.mark.parametrize("policy", ["viridian"], indirect=True)
def test_viridian_records_a_request_made_when_offered(
    policy: str, open_case: Callable[..., Case], officer: Staff, manager: Staff, teammate: Staff,
    as_staff, api_as,
) -> None:  # fmt: skip
    case = open_case()
    as_staff(officer).post(f"/cases/{case.pk}/same-sex-officer", {"answer": "requested"})

    case.refresh_from_db()
    assert case.same_sex_officer_answer == "requested"
    assert assign(api_as(manager), case, teammate.username).json()["code"] == (
        "same_sex_officer_requested"  # the teammate is male, the survivor female
    )


@pytest.mark.parametrize("policy", ["viridian"], indirect=True)
def test_viridian_shows_no_task_once_answered_at_intake(
    policy: str, open_case: Callable[..., Case], officer: Staff, as_staff
) -> None:
    case = open_case(requests=inputs.Requests(same_sex_officer=False))

    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()

    assert 'data-testid="same-sex-offer"' not in page
    assert 'data-testid="same-sex-answer">Offered and declined<' in page


@pytest.mark.parametrize("policy", ["wha", "wrekin"], indirect=True)
def test_a_policy_that_gives_it_on_request_shows_no_offer_task(
    policy: str, open_case: Callable[..., Case], officer: Staff, as_staff
) -> None:
    # [000 Victim-centred approach] "if this is requested"; [004] "If appropriate".
    case = open_case()

    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()

    assert 'data-testid="same-sex-offer"' not in page
    assert 'data-testid="same-sex-answer">Not asked<' in page


def test_an_outsider_cannot_record_the_answer(
    open_case: Callable[..., Case], outsider: Staff, as_staff
) -> None:
    case = open_case()

    response = as_staff(outsider).post(f"/cases/{case.pk}/same-sex-officer", {"answer": "declined"})

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.same_sex_officer_answer == ""
