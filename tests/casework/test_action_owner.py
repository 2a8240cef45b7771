"""An action can be owned only by someone who may see its case (issue 17 §9): naming
anyone else is refused with an error that says only that they cannot be given this
action, and the web form offers only the people who may see the case
(safehold/casework/owners.py). The case officer's assignment keeps the same rule: only
an active officer may be assigned, and being assigned is what lets them see it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Case
from safehold.casework.models import Action
from tests.casedata import SURVIVOR_NAME

pytestmark = pytest.mark.django_db
REFUSED = "cannot be given this action. Choose someone who works on this case"


def add(client: Client, case: Case, **body: Any):
    return client.post(
        f"/api/v1/cases/{case.pk}/actions",
        {"kind": "support", "detail": "Ring the IDVA with her", **body},
        content_type="application/json",
    )


def offered(client: Client, case: Case) -> set[str]:
    page = client.get(f"/cases/{case.pk}/actions/new")
    assert page.status_code == 200
    select = page.content.decode().split('name="owner"', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r'<option value="([^"]+)"', select))


@pytest.fixture
def restricted(open_case: Callable[..., Case]) -> Case:
    """A staff member's case, recorded by `officer`, in the team `manager` manages."""
    survivor = inputs.SurvivorDetails(
        name=SURVIVOR_NAME, date_of_birth=date(1988, 4, 12), sex="female", is_staff_member=True
    )
    case = open_case(survivor=survivor)
    assert case.restricted
    return case


@pytest.mark.parametrize("person", ["teammate", "outsider"])
def test_an_action_given_to_someone_who_may_not_see_the_case_is_refused_saying_nothing_of_it(
    request: pytest.FixtureRequest, case: Case, officer: Staff, api_as, person: str
) -> None:
    other: Staff = request.getfixturevalue(person)
    response = add(api_as(officer), case, owner=other.username)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "owner_may_not_see_case"
    assert problem["detail"] == f"{other.full_name} {REFUSED}"
    assert case.reference not in json.dumps(problem)
    assert not Action.objects.exists()
    # ...and they still cannot see the case.
    assert api_as(other).get(f"/api/v1/cases/{case.pk}").status_code == 404


@pytest.mark.parametrize("person", ["officer", "manager", "director", "da_lead"])
def test_an_action_may_be_given_to_anyone_who_may_see_the_case(
    request: pytest.FixtureRequest, case: Case, officer: Staff, api_as, person: str
) -> None:
    owner: Staff = request.getfixturevalue(person)
    response = add(api_as(officer), case, owner=owner.username)
    assert response.status_code == 201
    assert response.json()["owner"] == owner.username
    assert api_as(owner).get(f"/api/v1/cases/{case.pk}").status_code == 200


def test_on_a_restricted_case_only_the_people_on_it_may_own_an_action(
    restricted: Case, officer: Staff, manager: Staff, director: Staff, da_lead: Staff, api_as
) -> None:
    client = api_as(officer)
    for hidden in (manager, director, da_lead):  # her line manager above all
        response = add(client, restricted, owner=hidden.username)
        assert response.status_code == 422
        assert response.json()["detail"] == f"{hidden.full_name} {REFUSED}"
    assert not Action.objects.exists()
    assert add(client, restricted, owner=officer.username).status_code == 201


def test_the_form_offers_only_the_people_who_may_see_the_case(
    case: Case,
    restricted: Case,
    officer: Staff,
    teammate: Staff,
    outsider: Staff,
    manager: Staff,
    director: Staff,
    da_lead: Staff,
    auditor: Staff,
    admin: Staff,
    as_staff,
    api_as,
) -> None:
    everyone = (officer, teammate, outsider, manager, director, da_lead, auditor, admin)
    broke = api_as(outsider).post(
        f"/api/v1/cases/{case.pk}/break-glass",
        {"reason": "The survivor rang the out-of-hours line about a threat tonight"},
        content_type="application/json",
    )
    assert broke.status_code == 201
    for shown in (case, restricted):
        sees = {
            s.username
            for s in everyone
            if as_staff(s).get(f"/cases/{shown.pk}/").status_code == 200
        }
        assert offered(as_staff(officer), shown) == sees
    assert offered(as_staff(officer), case) == {
        officer.username,
        outsider.username,  # while the glass is broken
        manager.username,
        director.username,
        da_lead.username,
    }
    assert offered(as_staff(officer), restricted) == {officer.username}


def test_the_form_gives_the_action_to_the_person_chosen_and_refuses_anyone_else(
    case: Case, officer: Staff, teammate: Staff, manager: Staff, as_staff
) -> None:
    client = as_staff(officer)
    form = {"kind": "support", "recharge": "none", "detail": "Ring the IDVA with her"}
    refused = client.post(f"/cases/{case.pk}/actions/new", {**form, "owner": teammate.username})
    assert refused.status_code == 400
    assert "Choose someone who works on this case" in refused.content.decode()
    assert not Action.objects.exists()
    assert (
        "selected"
        in client.get(f"/cases/{case.pk}/actions/new")
        .content.decode()
        .split(f'value="{officer.username}"', 1)[1]
        .split(">", 1)[0]
    )
    added = client.post(f"/cases/{case.pk}/actions/new", {**form, "owner": manager.username})
    assert added.status_code == 302
    assert Action.objects.get().owner == manager


def test_a_case_officer_is_an_active_officer_and_being_assigned_lets_them_see_it(
    case: Case,
    manager: Staff,
    teammate: Staff,
    auditor: Staff,
    admin: Staff,
    director: Staff,
    make_staff: Callable[..., Staff],
    api_as,
) -> None:
    """The assignment path keeps the rule by its nature: an officer assigned to a case
    sees it (cases/access.py), and no one else can be its officer."""
    gone = make_staff("gil.gone", is_active=False)
    client = api_as(manager)
    for other in (auditor, admin, director, gone):
        response = client.post(
            f"/api/v1/cases/{case.pk}/assignment",
            {"officer": other.username},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_officer"
    assert api_as(teammate).get(f"/api/v1/cases/{case.pk}").status_code == 404
    response = client.post(
        f"/api/v1/cases/{case.pk}/assignment",
        {"officer": teammate.username},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert api_as(teammate).get(f"/api/v1/cases/{case.pk}").status_code == 200
