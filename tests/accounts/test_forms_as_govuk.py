"""Account forms as GOV.UK patterns (issue 18): sign-in errors say what to enter; an
administrator chooses a member of staff's team from the teams that exist, and creating a
team is a separate, audited step; a member of staff's languages are chosen and shown by
name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff, Team
from safehold.privacy.models import AuditEntry
from tests.factories import PASSWORD, TeamFactory

pytestmark = pytest.mark.django_db

NEW_STAFF = {
    "username": "ruth.new",
    "full_name": "Ruth New",
    "role": "officer",
    "sex": "female",
    "team": "Northgate",
    "password": "a long and unusual passphrase",
}


def test_sign_in_errors_say_what_to_enter() -> None:
    page = Client().post("/sign-in", {"username": "", "password": ""})

    html = page.content.decode()
    assert page.status_code == 400
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert "This field is required" not in html


def test_the_code_step_asks_for_the_6_digit_code(officer: Staff) -> None:
    client = Client()
    client.post("/sign-in", {"username": officer.username, "password": PASSWORD})
    page = client.post("/sign-in/two-factor", {"code": ""})

    html = page.content.decode()
    assert page.status_code == 400
    assert '<a href="#id_code">Enter the 6-digit code from your authenticator app</a>' in html
    assert "This field is required" not in html


def test_the_team_is_chosen_from_the_teams_that_exist(
    admin: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    TeamFactory(name="Riverside")
    client = as_staff(admin)

    form = client.get("/staff/new").content.decode()
    assert '<select class="govuk-select" id="id_team" name="team">' in form
    assert '<option value="Riverside">Riverside</option>' in form
    assert '<option value="Northgate">Northgate</option>' in form
    assert 'name="team" type="text"' not in form
    assert 'href="/teams/"' in form

    typo = client.post("/staff/new", {**NEW_STAFF, "team": "Rivreside"})
    assert typo.status_code == 400
    assert "Choose a team that exists, or create the team first" in typo.content.decode()
    assert not Team.objects.filter(name="Rivreside").exists()
    assert not Staff.objects.filter(username="ruth.new").exists()

    made = client.post("/staff/new", {**NEW_STAFF, "team": "Riverside"})
    assert made.status_code == 302
    assert Staff.objects.get(username="ruth.new").team.name == "Riverside"


def test_changing_a_team_chooses_from_those_that_exist(
    admin: Staff, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    TeamFactory(name="Riverside")
    client = as_staff(admin)

    page = client.get(f"/staff/{officer.username}/").content.decode()
    assert '<option value="Northgate" selected>Northgate</option>' in page
    assert '<option value="Riverside">Riverside</option>' in page

    typo = client.post(f"/staff/{officer.username}/team", {"team": "Nowhere"})
    assert typo.status_code == 400
    assert "Choose a team that exists" in typo.content.decode()
    assert not Team.objects.filter(name="Nowhere").exists()
    officer.refresh_from_db()
    assert officer.team.name == "Northgate"


def test_creating_a_team_is_its_own_audited_step(
    admin: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(admin)
    assert 'href="/teams/"' in client.get("/staff/").content.decode()
    page = client.get("/teams/").content.decode()
    assert "Create a team" in page
    assert "Northgate" in page

    made = client.post("/teams/", {"name": "  Riverside   East "})
    assert made.status_code == 302
    assert Team.objects.filter(name="Riverside East").exists()
    entry = AuditEntry.objects.get(action="team.created")
    assert (entry.actor, entry.detail["name"]) == (admin.username, "Riverside East")

    again = client.post("/teams/", {"name": "riverside east"})
    assert again.status_code == 400
    assert "There is already a team called riverside east" in again.content.decode()
    empty = client.post("/teams/", {"name": ""})
    assert "Enter the team&#x27;s name" in empty.content.decode()
    assert Team.objects.filter(name__iexact="riverside east").count() == 1
    assert AuditEntry.objects.filter(action="team.created").count() == 1


@pytest.mark.parametrize("persona", ["officer", "manager", "director", "da_lead", "auditor"])
def test_only_an_administrator_creates_a_team(
    request: pytest.FixtureRequest, as_staff: Callable[[Staff], Client], persona: str
) -> None:
    client = as_staff(request.getfixturevalue(persona))
    assert client.get("/teams/").status_code == 403
    assert client.post("/teams/", {"name": "Riverside"}).status_code == 403
    assert not Team.objects.filter(name="Riverside").exists()


def test_a_member_of_staffs_languages_are_chosen_and_shown_by_name(
    admin: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(admin)
    form = client.get("/staff/new").content.decode()
    assert 'name="languages" type="checkbox" value="pl"' in form
    assert ">Polish</label>" in form
    assert 'name="languages" type="text"' not in form

    client.post("/staff/new", {**NEW_STAFF, "languages": ["ur", "pa"]})
    ruth = Staff.objects.get(username="ruth.new")
    assert ruth.languages == ["pa", "ur"]
    page = client.get("/staff/ruth.new/").content.decode()
    assert "Punjabi, Urdu" in page
