"""Partner accounts: made by an administrator (staff pages or `safehold staff add --role
partner --agency AGENCY`), with the same two-factor sign-in; an agency's accounts
suspended at once, their sessions and API tokens ended."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import ApiToken, SignedInSession, Staff
from safehold.cases.models import Case
from safehold.cli import main
from safehold.privacy.models import AuditEntry


def test_staff_add_makes_a_partner_with_an_agency(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "staff", "add", "ida", "--role", "partner", "--agency", "idva",
            "--sex", "female", "--team", "Partners", "--token",
        ]
    )  # fmt: skip
    assert code == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    ida = Staff.objects.get(username="ida")
    assert (ida.role, ida.agency) == ("partner", "idva")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/partner/cases").json() == {"items": [], "next_page": None}
    assert api.get("/api/v1/cases").status_code == 404


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "partner"], "Choose the partner's agency"),
        (["--role", "partner", "--agency", "mi5"], "Agency must be one of the policy's"),
        (["--role", "officer", "--agency", "idva"], "Only a partner's account names an agency"),
    ],
)
def test_staff_add_refuses_a_partner_without_a_known_agency_and_staff_with_one(
    db: None, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["staff", "add", "kim", "--sex", "female", "--team", "North", *args])
    assert code == 1
    assert message in capsys.readouterr().err
    assert not Staff.objects.filter(username="kim").exists()


def test_an_administrator_makes_a_partner_on_the_staff_pages(
    admin: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(admin)
    form = {
        "username": "pat",
        "full_name": "Pat Constable",
        "role": "partner",
        "sex": "male",
        "team": admin.team.name,
        "password": "a long enough first password 42",
    }
    refused = client.post("/staff/new", form)
    assert refused.status_code == 400
    assert "Choose the partner" in refused.content.decode()
    assert client.post("/staff/new", {**form, "agency": "police"}).status_code == 302
    pat = Staff.objects.get(username="pat")
    assert (pat.role, pat.agency, pat.password_change_required) == ("partner", "police", True)
    assert "Police" in client.get("/staff/pat/").content.decode()


def test_a_partner_is_never_made_staff_by_a_change_of_role(
    admin: Staff, partner: Staff, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(admin)
    assert client.post(f"/staff/{partner.username}/role", {"role": "officer"}).status_code == 400
    assert client.post(f"/staff/{officer.username}/role", {"role": "partner"}).status_code == 400
    partner.refresh_from_db()
    officer.refresh_from_db()
    assert (partner.role, officer.role) == ("partner", "officer")


def test_suspending_an_agency_ends_its_sessions_and_tokens_at_once(
    shared: Case,
    admin: Staff,
    officer: Staff,
    partner: Staff,
    police_partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    page, api = as_staff(partner), api_as(partner)
    police_page = as_staff(police_partner)
    assert page.get(f"/partner/cases/{shared.pk}/").status_code == 200
    assert api.get(f"/api/v1/partner/cases/{shared.pk}").status_code == 200

    response = as_staff(admin).post("/staff/suspend-agency", {"agency": "idva"})
    assert response.status_code == 302

    after = page.get(f"/partner/cases/{shared.pk}/")
    assert after.status_code == 302
    assert "/sign-in" in after["Location"]
    assert api.get(f"/api/v1/partner/cases/{shared.pk}").status_code == 401
    partner.refresh_from_db()
    assert not partner.is_active
    assert not SignedInSession.objects.filter(staff=partner, ended_at__isnull=True).exists()
    assert not ApiToken.objects.filter(staff=partner, revoked_at__isnull=True).exists()
    # Other agencies' partners and the provider's staff carry on.
    assert police_page.get("/partner/").status_code == 200
    assert as_staff(officer).get(f"/cases/{shared.pk}/").status_code == 200
    assert AuditEntry.objects.filter(
        actor=admin.username, action="staff.agency_suspended", target_id="idva"
    ).exists()


def test_only_an_administrator_suspends_an_agency(
    partner: Staff, da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    assert as_staff(da_lead).post("/staff/suspend-agency", {"agency": "idva"}).status_code == 403
    assert as_staff(partner).post("/staff/suspend-agency", {"agency": "idva"}).status_code == 404
    partner.refresh_from_db()
    assert partner.is_active


def test_suspending_asks_for_an_agency_of_the_policy(
    admin: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    response = as_staff(admin).post("/staff/suspend-agency", {"agency": "mi5"})
    assert response.status_code == 400
    assert "Choose one of the policy" in response.content.decode()
