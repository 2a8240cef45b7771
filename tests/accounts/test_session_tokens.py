"""Session keys and passwords as OWASP ASVS 5.0 asks (docs/security.md): a new session key
at each step of sign-in, none usable after sign-out or a password change, and passwords
checked exactly as typed, however long."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from safehold.accounts import services
from safehold.accounts.models import Staff, WebSession
from safehold.accounts.session_store import SessionStore, key_hash
from tests.conftest import current_code, signed_in
from tests.factories import PASSWORD


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def stored(key: str) -> bool:
    """Whether the session store still holds the session with this key."""
    return WebSession.objects.filter(key_hash=key_hash(key)).exists()


def test_each_step_of_sign_in_gets_a_new_session_key(officer: Staff) -> None:
    planted = SessionStore()  # a real session someone else made and slipped to the officer
    planted.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    client.post("/sign-in", {"username": officer.username, "password": PASSWORD})
    pending = session_key(client)
    assert pending != planted.session_key
    assert not stored(str(planted.session_key))

    client.post("/sign-in/two-factor", {"code": current_code(officer)})
    signed_in_key = session_key(client)
    assert signed_in_key != pending
    assert not stored(pending)
    assert client.get("/").status_code == 200


def test_a_session_key_is_useless_after_sign_out(officer: Staff) -> None:
    client = signed_in(officer)
    old_key = session_key(client)
    client.post("/sign-out")

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = replay.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")
    assert not stored(old_key)


def test_a_new_password_ends_the_accounts_sessions(officer: Staff) -> None:
    client = signed_in(officer)
    assert client.get("/").status_code == 200
    services.staff_set_password(staff=officer, password="a new and longer passphrase")
    assert client.get("/").status_code == 302


def test_a_password_of_64_characters_or_more_works_exactly_as_typed(officer: Staff) -> None:
    long_password = "correct horse battery staple " * 4  # 116 characters, spaces kept
    services.staff_set_password(staff=officer, password=long_password)

    for typed in (long_password.strip(), long_password[:64], long_password.upper()):
        refused = Client().post("/sign-in", {"username": officer.username, "password": typed})
        assert refused.status_code == 400
    accepted = Client().post("/sign-in", {"username": officer.username, "password": long_password})
    assert accepted.status_code == 302
