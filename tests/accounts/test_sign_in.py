"""Signing in with a password and a code from an authenticator app, and what ends a session."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold.accounts import services
from safehold.accounts.models import Staff
from tests.conftest import current_code, signed_in
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def password_step(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post("/sign-in", {"username": username, "password": password, **extra})


def sign_in_fully(client: Client, staff: Staff):
    password_step(client, staff.username)
    return client.post("/sign-in/two-factor", {"code": current_code(staff)})


def test_it_signs_in_with_password_and_code(officer: Staff) -> None:
    client = Client()
    response = password_step(client, officer.username)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/two-factor"

    response = client.post("/sign-in/two-factor", {"code": current_code(officer)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Alice Officer" in home.content.decode()


def test_it_reaches_no_page_after_the_password_alone(officer: Staff) -> None:
    client = Client()
    password_step(client, officer.username)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")


def test_it_refuses_a_wrong_password_with_an_error_summary(officer: Staff) -> None:
    client = Client()
    response = password_step(client, officer.username, password="not the password at all")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a correct username and password" in page
    assert client.get("/sign-in/two-factor")["Location"].startswith("/sign-in?expired=1")


def test_it_refuses_a_wrong_code(officer: Staff) -> None:
    client = Client()
    password_step(client, officer.username)
    right = current_code(officer)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/sign-in/two-factor", {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
def test_it_refuses_a_malformed_code(officer: Staff, code: str) -> None:
    client = Client()
    password_step(client, officer.username)
    response = client.post("/sign-in/two-factor", {"code": code})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_it_refuses_an_expired_code(officer: Staff) -> None:
    client = Client()
    password_step(client, officer.username)
    old = current_code(officer, offset_steps=-3)
    response = client.post("/sign-in/two-factor", {"code": old})
    assert response.status_code == 400


def test_it_refuses_a_code_used_once_already(officer: Staff) -> None:
    code = current_code(officer)
    first = Client()
    password_step(first, officer.username)
    assert first.post("/sign-in/two-factor", {"code": code}).status_code == 302

    second = Client()
    password_step(second, officer.username)
    response = second.post("/sign-in/two-factor", {"code": code})
    assert response.status_code == 400
    assert second.get("/").status_code == 302


def test_it_forgets_a_password_step_left_too_long(officer: Staff) -> None:
    client = Client()
    password_step(client, officer.username)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.post("/sign-in/two-factor", {"code": current_code(officer)})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in?expired=1")


def test_it_locks_an_account_after_repeated_failures(officer: Staff) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, officer.username, password="wrong password again")
    response = password_step(client, officer.username)
    assert response.status_code == 429
    assert "locked" in response.content.decode()


def test_it_enrols_an_account_without_an_authenticator(db: None) -> None:
    newcomer: Staff = StaffFactory(username="new.starter")
    client = Client()
    password_step(client, newcomer.username)
    page = client.get("/sign-in/two-factor")
    assert page.status_code == 200
    assert "Set up two-factor sign-in" in page.content.decode()
    assert "<svg" in page.content.decode()
    assert client.get("/").status_code == 302  # nothing else until enrolled

    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    response = client.post("/sign-in/two-factor", {"code": current_code(newcomer)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_it_keeps_enrolment_open_after_a_wrong_first_code(db: None) -> None:
    newcomer: Staff = StaffFactory(username="new.starter")
    client = Client()
    password_step(client, newcomer.username)
    response = client.post("/sign-in/two-factor", {"code": "000000"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()


def test_it_returns_to_the_page_asked_for(officer: Staff) -> None:
    client = Client()
    client.post("/sign-in?next=/staff/", {"username": officer.username, "password": PASSWORD})
    response = client.post("/sign-in/two-factor", {"code": current_code(officer)})
    assert response["Location"] == "/staff/"


def test_it_never_redirects_off_site_after_sign_in(officer: Staff) -> None:
    client = Client()
    client.post(
        "/sign-in?next=https://evil.example/", {"username": officer.username, "password": PASSWORD}
    )
    response = client.post("/sign-in/two-factor", {"code": current_code(officer)})
    assert response["Location"] == "/"


def test_it_ends_an_idle_session_after_30_minutes(officer: Staff) -> None:
    client = signed_in(officer)
    assert client.get("/").status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_IDLE_TIMEOUT.total_seconds()
    with time_machine.travel(timezone.now() + settings.SESSION_IDLE_TIMEOUT + timedelta(seconds=5)):
        assert client.get("/").status_code == 302


def test_it_ends_a_busy_session_after_10_hours(officer: Staff) -> None:
    client = signed_in(officer)
    start = timezone.now()
    step = timedelta(minutes=25)
    moment = start
    while moment - start < settings.SESSION_ABSOLUTE_LIMIT - step:
        moment += step
        with time_machine.travel(moment):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + settings.SESSION_ABSOLUTE_LIMIT + timedelta(minutes=1)):
        response = client.get("/")
    assert response.status_code == 302
    assert "expired=1" in response["Location"]


def test_disabling_an_account_ends_its_sessions_at_once(officer: Staff) -> None:
    client = signed_in(officer)
    assert client.get("/").status_code == 200
    services.staff_disable(staff=officer)
    assert client.get("/").status_code == 302


def test_a_disabled_account_cannot_sign_in(officer: Staff) -> None:
    services.staff_disable(staff=officer)
    response = password_step(Client(), officer.username)
    assert response.status_code == 400


def test_resetting_two_factor_ends_sessions_signed_in_with_it(officer: Staff) -> None:
    client = signed_in(officer)
    services.two_factor_reset(staff=officer)
    assert client.get("/").status_code == 302


def test_sign_out_clears_the_browser(officer: Staff) -> None:
    client = signed_in(officer)
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/signed-out")["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/").status_code == 302


def test_sign_out_needs_a_post(officer: Staff) -> None:
    client = signed_in(officer)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/").status_code == 200


def test_passwords_are_hashed_with_argon2(officer: Staff) -> None:
    assert officer.password.startswith("argon2")


@pytest.mark.parametrize("password", ["short-pw1", "password1234", "123456789012345"])
def test_weak_passwords_are_refused(officer: Staff, password: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.staff_set_password(staff=officer, password=password)
