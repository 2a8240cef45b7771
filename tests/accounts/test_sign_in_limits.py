"""How often anyone may try to sign in: lock-out after repeated wrong passwords counts
the client's own address behind the load balancer, never the balancer's, and wrong
two-factor codes are slowed down on the account's authenticator."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from safehold.accounts.models import Staff
from safehold.accounts.views import THROTTLED, WRONG_CODE
from safehold.privacy.models import AuditEntry
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.2"
GUESSER = "203.0.113.7"
COLLEAGUE = "198.51.100.23"


def through_the_balancer(client_address: str, *, sent_by_client: str = "") -> Client:
    """A browser behind nginx, which appends the address it saw to X-Forwarded-For."""
    forwarded_for = f"{sent_by_client}, {client_address}" if sent_by_client else client_address
    return Client(REMOTE_ADDR=BALANCER, headers={"X-Forwarded-For": forwarded_for})


def guess_passwords(client: Client) -> None:
    """Wrong passwords for as many different usernames as the lock-out allows, so that
    only the address, never a username, reaches the limit. The last one locks it."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/sign-in", {"username": f"guess{n}", "password": "wrong"})
    assert response.status_code == 429


def password_step(client: Client, staff: Staff):
    return client.post("/sign-in", {"username": staff.username, "password": PASSWORD})


def test_behind_a_proxy_a_guessers_address_is_locked_out_and_no_one_elses(
    settings: Settings, officer: Staff
) -> None:
    settings.SAFEHOLD_PROXY_COUNT = 1
    guess_passwords(through_the_balancer(GUESSER))

    locked = password_step(through_the_balancer(GUESSER), officer)
    assert locked.status_code == 429
    assert "locked" in locked.content.decode()

    colleague = password_step(through_the_balancer(COLLEAGUE), officer)
    assert colleague.status_code == 302
    assert colleague["Location"] == "/sign-in/two-factor"


def test_a_guesser_cannot_escape_by_writing_its_own_forwarded_address(
    settings: Settings, officer: Staff
) -> None:
    settings.SAFEHOLD_PROXY_COUNT = 1
    guess_passwords(through_the_balancer(GUESSER, sent_by_client="192.0.2.1"))
    forged_anew = through_the_balancer(GUESSER, sent_by_client="192.0.2.99")
    assert password_step(forged_anew, officer).status_code == 429


def test_without_the_proxy_count_everyone_behind_the_balancer_shares_one_address(
    settings: Settings, officer: Staff
) -> None:
    """The failure twin of the first test: what SAFEHOLD_PROXY_COUNT is for."""
    settings.SAFEHOLD_PROXY_COUNT = 0
    guess_passwords(through_the_balancer(GUESSER))
    assert password_step(through_the_balancer(COLLEAGUE), officer).status_code == 429


def test_a_stranger_who_knows_a_username_cannot_lock_its_owner_out(
    settings: Settings, officer: Staff
) -> None:
    """Issue 17 §8 (ASVS 6.1.1): failures count per username and address together, so
    five wrong passwords for the officer lock the guesser's address out of her account,
    and she signs in from hers."""
    settings.SAFEHOLD_PROXY_COUNT = 1
    guesser = through_the_balancer(GUESSER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        guesser.post("/sign-in", {"username": officer.username, "password": "a guess"})
    assert password_step(guesser, officer).status_code == 429

    at_her_desk = password_step(through_the_balancer(COLLEAGUE), officer)
    assert (at_her_desk.status_code, at_her_desk["Location"]) == (302, "/sign-in/two-factor")


def test_past_the_username_ceiling_each_address_gets_one_wrong_try(
    settings: Settings, officer: Staff
) -> None:
    """A guess spread over many addresses is slowed: once the username has had
    SAFEHOLD_SIGN_IN_USERNAME_CEILING failures from everywhere in the window, an address
    that has failed for it once is locked out of it. The officer, at an address she has
    not failed from, still signs in with her password."""
    settings.SAFEHOLD_PROXY_COUNT = 1
    settings.SAFEHOLD_SIGN_IN_USERNAME_CEILING = 6
    for n in range(settings.SAFEHOLD_SIGN_IN_USERNAME_CEILING - 1):
        bot = through_the_balancer(f"192.0.2.{n + 10}")
        answer = bot.post("/sign-in", {"username": officer.username, "password": "x"})
        assert answer.status_code == 400  # a wrong password, nothing locked yet
    # The failure that reaches the ceiling, and any address's first one after it, is
    # answered with the lock-out: one wrong try per address per window.
    for address in ("192.0.2.98", "192.0.2.99"):
        bot = through_the_balancer(address)
        assert (
            bot.post("/sign-in", {"username": officer.username, "password": "x"}).status_code == 429
        )
        assert password_step(bot, officer).status_code == 429
    assert password_step(through_the_balancer("192.0.2.10"), officer).status_code == 429

    assert password_step(through_the_balancer(COLLEAGUE), officer).status_code == 302


def test_below_the_ceiling_an_address_keeps_its_five_tries(
    settings: Settings, officer: Staff
) -> None:
    """The failure twin: the same one failure per address, short of the ceiling, locks
    nothing."""
    settings.SAFEHOLD_PROXY_COUNT = 1
    settings.SAFEHOLD_SIGN_IN_USERNAME_CEILING = 6
    for n in range(settings.SAFEHOLD_SIGN_IN_USERNAME_CEILING - 2):
        through_the_balancer(f"192.0.2.{n + 10}").post(
            "/sign-in", {"username": officer.username, "password": "x"}
        )
    another = through_the_balancer("192.0.2.99")
    another.post("/sign-in", {"username": officer.username, "password": "a first guess"})
    assert password_step(another, officer).status_code == 302


def test_lock_outs_are_audited_a_few_a_minute_per_address(
    settings: Settings, officer: Staff
) -> None:
    """A locked-out guesser who keeps trying cannot flood the audit trail. The tries are
    made within one minute (the clock held in the middle of one): the limit is per
    minute of the clock, so tries that ran across the turn of a minute, as on a slow
    machine they did, were rightly recorded three more times (CI of 7 December 2026)."""
    settings.SAFEHOLD_PROXY_COUNT = 1
    settings.SAFEHOLD_REFUSAL_AUDIT_PER_MINUTE = 3
    guesser = through_the_balancer(GUESSER)
    one_minute = timezone.now().replace(second=30, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(one_minute, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT + 10):
            guesser.post("/sign-in", {"username": officer.username, "password": "a guess"})
    locked = AuditEntry.objects.filter(action="sign_in.locked_out").order_by("seq")
    assert locked.count() == 3
    assert {entry.detail["address"] for entry in locked} == {GUESSER}
    assert locked.last().detail["more_this_minute_not_recorded"] is True  # type: ignore[union-attr]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_codes_make_the_next_try_wait_longer_each_time(officer: Staff) -> None:
    """django-axes counts passwords only; the code page is limited by django-otp's
    throttle on the authenticator itself (OTP_TOTP_THROTTLE_FACTOR), which doubles the
    wait after each wrong code and is kept in the database, so every server applies it."""
    client = Client()
    password_step(client, officer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = client.post("/sign-in/two-factor", {"code": wrong(current_code(officer))})
        assert WRONG_CODE in first.content.decode()
        right_too_soon = client.post("/sign-in/two-factor", {"code": current_code(officer)})
        assert right_too_soon.status_code == 400
        assert THROTTLED in right_too_soon.content.decode()
    with time_machine.travel(start + timedelta(seconds=1.5), tick=False):
        second = client.post("/sign-in/two-factor", {"code": wrong(current_code(officer))})
        assert WRONG_CODE in second.content.decode()
    with time_machine.travel(start + timedelta(seconds=3), tick=False):  # a 2 s wait now
        refused = client.post("/sign-in/two-factor", {"code": current_code(officer)})
        assert THROTTLED in refused.content.decode()
    with time_machine.travel(start + timedelta(seconds=4), tick=False):
        response = client.post("/sign-in/two-factor", {"code": current_code(officer)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
