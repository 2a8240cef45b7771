"""Issue 17 §8, what a person does with their own account (OWASP ASVS 6.2.2, 6.2.3,
6.4.1, 7.5.2): change their password with the current one, which ends their other
sessions; change a first password before anything else; see where they are signed in
and end any of those sessions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from safehold import cli
from safehold.accounts.models import SignedInSession, Staff
from safehold.privacy.models import AuditEntry
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase of mine"
FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def signed_in_from(
    staff: Staff, *, address: str, user_agent: str, password: str = PASSWORD, step: int = 0
) -> Client:
    """A real sign-in through both pages, from a browser at `address`."""
    client = Client(REMOTE_ADDR=address, headers={"User-Agent": user_agent})
    client.post("/sign-in", {"username": staff.username, "password": password})
    answer = client.post("/sign-in/two-factor", {"code": current_code(staff, offset_steps=step)})
    assert answer.status_code == 302
    return client


def change(client: Client, current: str, new: str = NEW, again: str = ""):
    return client.post(
        "/account/password",
        {"current_password": current, "new_password": new, "new_password_again": again or new},
    )


# Changing one's password ---------------------------------------------------------------


def test_it_changes_the_password_with_the_current_one_and_ends_the_other_sessions(
    officer: Staff,
) -> None:
    here = signed_in_from(officer, address="198.51.100.1", user_agent=FIREFOX_ON_WINDOWS)
    there = signed_in_from(officer, address="203.0.113.9", user_agent=SAFARI_ON_IPHONE, step=1)
    assert there.get("/").status_code == 200

    answer = change(here, PASSWORD)
    assert (answer.status_code, answer["Location"]) == (302, "/account/")
    assert "Your password is changed" in here.get("/account/").content.decode()
    assert here.get("/").status_code == 200  # this session carries on
    assert there.get("/").status_code == 302  # the other has ended
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    assert AuditEntry.objects.filter(action="staff.password_changed", actor=officer.username)
    live = SignedInSession.objects.filter(staff=officer, ended_at__isnull=True)
    assert [s.device for s in live] == ["Firefox on Windows"]


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("not my password", NEW, NEW, "Your current password is not right"),
        (PASSWORD, NEW, "something else entirely", "The two new passwords are not the same"),
        (PASSWORD, PASSWORD, PASSWORD, "Choose a new password, not the one you have now"),
        (PASSWORD, "password1234", "password1234", "This password is too common"),
    ],
)
def test_it_refuses_a_change_without_the_right_current_password_or_a_good_new_one(
    officer: Staff,
    as_staff: Callable[[Staff], Client],
    current: str,
    new: str,
    again: str,
    message: str,
) -> None:
    client = as_staff(officer)
    answer = change(client, current, new, again)
    assert answer.status_code == 400
    assert "There is a problem" in answer.content.decode()
    assert message in answer.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert client.get("/").status_code == 200


def test_guessing_the_current_password_stops_after_five_tries(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    for _ in range(5):
        assert change(client, "a wrong guess").status_code == 400
    assert change(client, PASSWORD).status_code == 429
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


# A first password ------------------------------------------------------------------------


def test_a_first_password_from_staff_add_is_changed_before_anything_else(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """`safehold staff add` prints a first password: the new starter enrols their app,
    then chooses their own password, and reaches nothing else before that."""
    command = "staff add nell.new --role officer --sex female --team Northgate"
    assert cli.main(command.split()) == 0
    printed = re.search(r"Initial password .*: (\S+)", capsys.readouterr().out)
    assert printed is not None
    first = printed.group(1)
    newcomer = Staff.objects.get(username="nell.new")
    assert newcomer.password_change_required

    client = Client()
    client.post("/sign-in", {"username": "nell.new", "password": first})
    assert "Set up two-factor sign-in" in client.get("/sign-in/two-factor").content.decode()
    enrolled = client.post("/sign-in/two-factor", {"code": current_code(newcomer)})
    assert enrolled["Location"] == "/account/password"
    page = client.get("/account/password").content.decode()
    assert "Choose your own password" in page
    for path in ("/", "/cases/new", "/account/sessions"):
        assert client.get(path)["Location"] == "/account/password"

    assert change(client, first).status_code == 302
    assert client.get("/").status_code == 200
    newcomer.refresh_from_db()
    assert not newcomer.password_change_required


def test_sign_out_is_reachable_before_the_first_password_is_changed(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    officer.password_change_required = True
    officer.save(update_fields=["password_change_required"])
    client = as_staff(officer)
    assert client.get("/")["Location"] == "/account/password"
    assert client.post("/sign-out")["Location"] == "/signed-out"


# Seeing and ending one's sessions ---------------------------------------------------------


def test_a_person_sees_where_they_are_signed_in_and_ends_another_session(
    officer: Staff, teammate: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    here = signed_in_from(officer, address="198.51.100.1", user_agent=FIREFOX_ON_WINDOWS)
    there = signed_in_from(officer, address="203.0.113.9", user_agent=SAFARI_ON_IPHONE, step=1)
    page = here.get("/account/sessions").content.decode()
    assert "Firefox on Windows" in page
    assert "This session" in page
    assert "Safari on iPhone" in page
    assert "203.0.113.9" in page
    other = SignedInSession.objects.get(staff=officer, device="Safari on iPhone")

    # Someone else cannot end it: as if it did not exist.
    assert as_staff(teammate).post(f"/account/sessions/{other.pk}/end").status_code == 404
    assert there.get("/").status_code == 200

    assert here.post(f"/account/sessions/{other.pk}/end").status_code == 302
    assert there.get("/").status_code == 302
    assert here.get("/").status_code == 200
    assert "Safari on iPhone" not in here.get("/account/sessions").content.decode()
    entry = AuditEntry.objects.get(action="session.ended")
    assert (entry.actor, entry.detail["device"]) == (officer.username, "Safari on iPhone")


def test_ending_this_session_signs_out_and_sign_out_everywhere_else_keeps_it(
    officer: Staff,
) -> None:
    here = signed_in_from(officer, address="198.51.100.1", user_agent=FIREFOX_ON_WINDOWS)
    there = signed_in_from(officer, address="203.0.113.9", user_agent=SAFARI_ON_IPHONE, step=1)
    here.post("/account/sessions/end-others")
    assert (here.get("/").status_code, there.get("/").status_code) == (200, 302)
    mine = SignedInSession.objects.get(staff=officer, ended_at__isnull=True)
    assert here.post(f"/account/sessions/{mine.pk}/end")["Location"] == "/signed-out"
    assert here.get("/").status_code == 302


def test_a_sessions_row_is_written_at_sign_in_and_at_most_once_a_minute(
    officer: Staff,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_from(officer, address="198.51.100.1", user_agent=FIREFOX_ON_WINDOWS)
        row = SignedInSession.objects.get(staff=officer)
        assert (row.signed_in_at, row.last_seen_at, row.address) == (start, start, "198.51.100.1")
        assert len(row.key_hash) == 64
        assert client.cookies[settings.SESSION_COOKIE_NAME].value not in row.key_hash
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("/")
    row.refresh_from_db()
    assert row.last_seen_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("/")
    row.refresh_from_db()
    assert row.last_seen_at == start + timedelta(seconds=61)


def test_a_session_with_no_row_is_signed_out(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """The failure twin: a session that was never recorded (or whose row is gone) is
    over, rather than unseen by its owner."""
    client = as_staff(officer)
    SignedInSession.objects.filter(staff=officer).delete()
    assert client.get("/")["Location"].startswith("/sign-in")
