"""Issue 17 §3, "No acting as another person": an administrator, who never sees case
content, has no power that lets them sign in or call the API as someone else.

- A credential that acts as a person (an API token) is made only by that person, signed
  in with both factors and giving their password and a code again; or by the operator at
  the server (`safehold token create`), audited and told to the person and the DA leads.
- A password an administrator sets is temporary; a two-factor reset makes the person
  enrol again and ends their sessions and tokens; a change that would leave the
  administrator holding both factors, any change to a director's or DA lead's account,
  and any change that makes someone a director, DA lead or administrator wait for a
  second administrator (never the one who asked: 403 `own_request`). The person and the
  DA leads are told, and each is audited."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold import cli
from safehold.accounts import services
from safehold.accounts.models import AccountChange, ApiToken, ChangeStatus, Staff
from safehold.cases.models import Alert
from safehold.errors import Refusal
from safehold.privacy.models import AuditEntry
from tests.conftest import current_code
from tests.factories import PASSWORD, TeamFactory

pytestmark = pytest.mark.django_db

TEMPORARY = "a temporary passphrase from the admin"


def token_on_page(page: str) -> str:
    found = re.search(r'data-testid="new-token">([^<]+)<', page)
    return found.group(1) if found else ""


def api(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def told(person: Staff, words: str) -> bool:
    return Alert.objects.filter(recipient=person, case=None, message__contains=words).exists()


def sign_in(username: str, password: str, code: str) -> Client:
    client = Client()
    client.post("/sign-in", {"username": username, "password": password})
    client.post("/sign-in/two-factor", {"code": code})
    return client


@pytest.fixture
def second_admin(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("bea.admin", role="admin")


# API tokens --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["director", "officer"])
def test_it_gives_an_administrator_no_way_to_make_a_token_for_someone_else(
    request: pytest.FixtureRequest,
    admin: Staff,
    as_staff: Callable[[Staff], Client],
    persona: str,
) -> None:
    """The issue's probe: a token for a director, or for the officer named on a
    restricted case, made from the staff page. Gone: 404, and the service refuses."""
    person = request.getfixturevalue(persona)
    client = as_staff(admin)
    assert client.post(f"/staff/{person.username}/token").status_code == 404
    assert client.post(f"/staff/{person.username}/tokens").status_code == 404
    with pytest.raises(Refusal) as refused:
        services.token_create(staff=person, by=admin)
    assert (refused.value.code, refused.value.status) == ("not_your_token", 403)
    assert not ApiToken.objects.filter(staff=person).exists()


def test_a_person_makes_their_own_token_with_password_and_code_shown_once(
    officer: Staff, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    answer = client.post("/account/tokens", {"password": PASSWORD, "code": current_code(officer)})
    assert answer.status_code == 200
    token = token_on_page(answer.content.decode())
    assert token.startswith("shk_")
    assert api(token).get("/api/v1/cases").status_code == 200
    assert token not in client.get("/account/tokens").content.decode()
    entry = AuditEntry.objects.get(action="token.created")
    assert (entry.actor, entry.target_id, entry.detail["by"]) == (
        officer.username,
        officer.username,
        "self",
    )
    # Someone else's page makes only their own token.
    theirs = as_staff(outsider).post(
        "/account/tokens", {"password": PASSWORD, "code": current_code(outsider)}
    )
    assert ApiToken.objects.get(prefix=token_on_page(theirs.content.decode())[:10]).staff == (
        outsider
    )


@pytest.mark.parametrize(
    "typed",
    [
        {"password": "not my password at all", "code": "right"},
        {"password": PASSWORD, "code": "wrong"},
    ],
    ids=["wrong password", "wrong code"],
)
def test_it_makes_no_token_without_both_factors_again(
    officer: Staff, as_staff: Callable[[Staff], Client], typed: dict[str, str]
) -> None:
    right = current_code(officer)
    code = right if typed["code"] == "right" else f"{(int(right) + 1) % 1_000_000:06d}"
    answer = as_staff(officer).post(
        "/account/tokens", {"password": typed["password"], "code": code}
    )
    assert answer.status_code == 400
    assert "The password or the code is not right" in answer.content.decode()
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.filter(action="reauth.refused", actor=officer.username).exists()


def test_after_five_wrong_tries_even_the_right_ones_wait(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """A session left open cannot be used to guess the password."""
    client = as_staff(officer)
    for _ in range(services.REAUTH_TRIES):
        client.post("/account/tokens", {"password": "guess again", "code": "123456"})
    answer = client.post("/account/tokens", {"password": PASSWORD, "code": current_code(officer)})
    assert answer.status_code == 429
    assert "Too many wrong tries" in answer.content.decode()
    assert not ApiToken.objects.exists()


def test_a_person_revokes_their_own_token_and_no_one_elses(
    officer: Staff, teammate: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    token = services.token_create(staff=officer, by=officer)
    stored = ApiToken.objects.get(staff=officer)
    assert as_staff(teammate).post(f"/account/tokens/{stored.pk}/revoke").status_code == 404
    assert api(token).get("/api/v1/cases").status_code == 200
    as_staff(officer).post(f"/account/tokens/{stored.pk}/revoke")
    assert api(token).get("/api/v1/cases").status_code == 401


def test_the_operators_token_create_is_audited_and_told_to_the_person_and_da_leads(
    director: Staff, da_lead: Staff, capsys: pytest.CaptureFixture[str]
) -> None:
    """API.md §1 keeps `safehold token create USERNAME` for the operator at the server."""
    assert cli.main(["token", "create", director.username]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert api(token).get("/api/v1/cases").status_code == 200
    entry = AuditEntry.objects.get(action="token.created")
    assert (entry.actor, entry.target_id, entry.detail["by"]) == ("", director.username, "cli")
    assert told(director, "safehold token create")
    assert told(da_lead, f"({director.username})")


# A two-factor reset and a temporary password ------------------------------------------


def test_a_two_factor_reset_makes_the_person_enrol_again_and_ends_sessions_and_tokens(
    admin: Staff, officer: Staff, da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    session = as_staff(officer)
    token = services.token_create(staff=officer, by=officer)
    answer = as_staff(admin).post(f"/staff/{officer.username}/reset-two-factor")
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert session.get("/").status_code == 302
    assert api(token).get("/api/v1/cases").status_code == 401
    assert told(officer, "reset two-factor sign-in")
    assert told(da_lead, f"reset two-factor sign-in for {officer.full_name}")
    entry = AuditEntry.objects.get(action="staff.two_factor_reset")
    assert (entry.actor, entry.target_id) == (admin.username, officer.username)

    # She enrols her own authenticator at her next sign-in, with her own password.
    client = Client()
    client.post("/sign-in", {"username": officer.username, "password": PASSWORD})
    assert "Set up two-factor sign-in" in client.get("/sign-in/two-factor").content.decode()


def test_a_temporary_password_must_be_changed_at_the_next_sign_in(
    admin: Staff, officer: Staff, da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    as_staff(admin).post(f"/staff/{officer.username}/password", {"password": TEMPORARY})
    assert told(officer, "set a temporary password")
    assert told(da_lead, f"set a temporary password for {officer.full_name}")
    client = sign_in(officer.username, TEMPORARY, current_code(officer))
    for path in ("/", "/cases/", "/account/tokens", "/staff/"):
        answer = client.get(path)
        assert (answer.status_code, answer["Location"]) == (302, "/account/password"), path
    changed = client.post(
        "/account/password",
        {
            "current_password": TEMPORARY,
            "new_password": "my very own new passphrase",
            "new_password_again": "my very own new passphrase",
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("order", ["reset then password", "password then reset"])
def test_an_admin_cannot_hold_both_factors_of_an_account(
    admin: Staff,
    officer: Staff,
    second_admin: Staff,
    as_staff: Callable[[Staff], Client],
    order: str,
) -> None:
    """Resetting the authenticator and setting the password together would let the
    administrator enrol their own phone and sign in as the officer: the second step waits
    for another administrator, and the officer's sign-in is still hers alone."""
    client = as_staff(admin)
    steps = [
        lambda: client.post(f"/staff/{officer.username}/reset-two-factor", follow=True),
        lambda: client.post(
            f"/staff/{officer.username}/password", {"password": TEMPORARY}, follow=True
        ),
    ]
    first, second = steps if order == "reset then password" else steps[::-1]
    assert "They and the DA leads have been told" in first().content.decode()
    assert "waits for a second administrator" in second().content.decode()
    pending = AccountChange.objects.get(staff=officer, status=ChangeStatus.PENDING)
    assert pending.why_approval == "both_factors"
    assert told(second_admin, f"for {officer.username}")
    officer.refresh_from_db()
    if order == "reset then password":
        assert officer.check_password(PASSWORD)
        refused = Client().post("/sign-in", {"username": officer.username, "password": TEMPORARY})
        assert refused.status_code == 400
    else:
        assert TOTPDevice.objects.filter(user=officer).exists()


# A second administrator -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("reset-two-factor", {}),
        ("password", {"password": TEMPORARY}),
        ("unlock", {}),
        ("role", {"role": "manager"}),
        ("team", {"team": "Riverside"}),
    ],
)
def test_changes_to_a_directors_account_wait_for_a_second_admin_never_the_same(
    admin: Staff,
    second_admin: Staff,
    director: Staff,
    da_lead: Staff,
    as_staff: Callable[[Staff], Client],
    action: str,
    data: dict[str, str],
) -> None:
    client = as_staff(admin)
    TeamFactory(name="Riverside")  # a team is chosen from those that exist (issue 18)
    assert client.post(f"/staff/{director.username}/{action}", data).status_code == 302
    change = AccountChange.objects.get(staff=director)
    assert (change.status, change.why_approval) == (ChangeStatus.PENDING, "privileged_account")
    assert TOTPDevice.objects.filter(user=director).exists()
    assert not told(director, "for your account")
    assert "Waiting for a second administrator" in client.get("/staff/").content.decode()

    own = client.post(f"/staff/changes/{change.pk}/approve")
    assert own.status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    refusal = AuditEntry.objects.get(action="request.refused", actor=admin.username)
    assert refusal.detail["code"] == "own_request"

    assert as_staff(second_admin).post(f"/staff/changes/{change.pk}/approve").status_code == 302
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeStatus.APPLIED, second_admin)
    assert told(director, f"approved by {second_admin.username}")
    assert told(da_lead, director.full_name)
    applied = AuditEntry.objects.filter(target_id=director.username).last()
    assert applied is not None
    assert (applied.actor, applied.detail["approved_by"]) == (admin.username, second_admin.username)


def test_making_someone_a_director_or_admin_waits_for_a_second_admin(
    admin: Staff, second_admin: Staff, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(admin)
    client.post(f"/staff/{officer.username}/role", {"role": "director"})
    officer.refresh_from_db()
    assert officer.role == "officer"
    new_admin = client.post(
        "/staff/new",
        {
            "username": "evan.accomplice",
            "full_name": "Evan Accomplice",
            "role": "admin",
            "sex": "male",
            "team": "Northgate",
            "password": "a long and unusual passphrase",
        },
    )
    assert new_admin.status_code == 302
    assert not Staff.objects.get(username="evan.accomplice").is_active
    pending = AccountChange.objects.filter(status=ChangeStatus.PENDING)
    assert {c.why_approval for c in pending} == {"grants_privileged_role"}
    for change in pending:
        as_staff(second_admin).post(f"/staff/changes/{change.pk}/approve")
    officer.refresh_from_db()
    assert officer.role == "director"
    assert Staff.objects.get(username="evan.accomplice").is_active


def test_nobody_decides_a_change_to_their_own_account(
    admin: Staff, second_admin: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    as_staff(admin).post(f"/staff/{second_admin.username}/role", {"role": "director"})
    change = AccountChange.objects.get(staff=second_admin)
    answer = as_staff(second_admin).post(f"/staff/changes/{change.pk}/approve")
    assert answer.status_code == 403
    assert AuditEntry.objects.get(action="request.refused").detail["code"] == "own_account"
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


@pytest.mark.parametrize(
    "persona", ["officer", "outsider", "manager", "director", "da_lead", "auditor"]
)
def test_only_administrators_ask_for_or_decide_changes(
    request: pytest.FixtureRequest,
    admin: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Client],
    persona: str,
) -> None:
    as_staff(admin).post(f"/staff/{director.username}/reset-two-factor")
    change = AccountChange.objects.get()
    client = as_staff(request.getfixturevalue(persona))
    assert client.post(f"/staff/changes/{change.pk}/approve").status_code == 403
    assert (
        client.post(f"/staff/{director.username}/password", {"password": TEMPORARY}).status_code
        == 403
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_a_refused_change_is_never_made_and_its_password_forgotten(
    admin: Staff, second_admin: Staff, director: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    as_staff(admin).post(f"/staff/{director.username}/password", {"password": TEMPORARY})
    change = AccountChange.objects.get()
    assert change.password_hash.startswith("argon2")
    as_staff(second_admin).post(f"/staff/changes/{change.pk}/refuse")
    change.refresh_from_db()
    director.refresh_from_db()
    assert (change.status, change.password_hash) == (ChangeStatus.REFUSED, "")
    assert director.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="staff.change_refused").exists()


# Each other power, made at once for an ordinary account, audited and told -----------


def test_unlocking_lifts_the_lock_out_and_is_audited_and_told(
    admin: Staff, officer: Staff, da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = Client()
    for _ in range(5):
        client.post("/sign-in", {"username": officer.username, "password": "wrong wrong"})
    assert (
        client.post("/sign-in", {"username": officer.username, "password": PASSWORD}).status_code
        == 429
    )
    as_staff(admin).post(f"/staff/{officer.username}/unlock")
    assert (
        client.post("/sign-in", {"username": officer.username, "password": PASSWORD}).status_code
        == 302
    )
    assert AuditEntry.objects.filter(action="staff.unlocked", actor=admin.username).exists()
    assert told(officer, "lifted the lock-out")
    assert told(da_lead, "lifted the lock-out")


def test_a_new_team_and_enabling_an_account_are_audited_and_told(
    admin: Staff, officer: Staff, da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(admin)
    # A new team is created on its own, audited (issue 18), then chosen.
    assert client.post("/teams/", {"name": "Riverside"}).status_code == 302
    created = AuditEntry.objects.get(action="team.created")
    assert (created.actor, created.detail["name"]) == (admin.username, "Riverside")
    client.post(f"/staff/{officer.username}/team", {"team": "Riverside"})
    client.post(f"/staff/{officer.username}/disable")
    client.post(f"/staff/{officer.username}/enable")
    officer.refresh_from_db()
    assert (officer.team.name, officer.is_active) == ("Riverside", True)
    team = AuditEntry.objects.get(action="staff.team_changed")
    assert (team.detail["from"], team.detail["to"]) == ("Northgate", "Riverside")
    assert AuditEntry.objects.filter(action="staff.enabled").exists()
    assert told(officer, "changed the team to Riverside")
    assert told(da_lead, "enabled the account")


def test_enabling_a_disabled_da_lead_waits_for_a_second_admin(
    admin: Staff, second_admin: Staff, da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    as_staff(admin).post(f"/staff/{da_lead.username}/disable")
    as_staff(admin).post(f"/staff/{da_lead.username}/enable")
    da_lead.refresh_from_db()
    assert not da_lead.is_active
    change = AccountChange.objects.get(status=ChangeStatus.PENDING)
    as_staff(second_admin).post(f"/staff/changes/{change.pk}/approve")
    da_lead.refresh_from_db()
    assert da_lead.is_active
