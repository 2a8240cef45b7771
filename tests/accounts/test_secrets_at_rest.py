"""What a copy of the database gives someone who wants to sign in as staff: no session
they can use and no two-factor seed that makes codes (issue 17 §7; docs/security.md,
7.2.1 and 6.5.x). Each attack reads the tables as SQL would, from a copy of the
database, and tries what it found at the front door; each has a success twin with the
same setup, made by the person themselves."""

from __future__ import annotations

import base64
import importlib
from binascii import unhexlify

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold.accounts.authenticators import is_sealed
from safehold.accounts.models import Authenticator, Staff
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SEEDS_MIGRATION = importlib.import_module(
    "safehold.accounts.migrations.0004_sealed_seeds_hashed_sessions"
)


def signed_in_by_hand(staff: Staff) -> Client:
    """A browser that signed in with the password and the current code."""
    client = Client()
    client.post("/sign-in", {"username": staff.username, "password": PASSWORD})
    client.post("/sign-in/two-factor", {"code": current_code(staff)})
    assert client.get("/").status_code == 200
    return client


def every_value_in_the_database() -> list[str]:
    """Every value of every row of every table, as a copy of the database holds them."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the database itself
            values += [str(value) for row in cursor.fetchall() for value in row]
    return values


def opens_a_page(cookie: str) -> bool:
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return replay.get("/").status_code == 200


def test_a_session_taken_from_a_copy_of_the_database_opens_no_page(officer: Staff) -> None:
    client = signed_in_by_hand(officer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    found = every_value_in_the_database()

    assert cookie not in "\n".join(found)  # the key is nowhere, in no form
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash FROM accounts_websession")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored
    assert not any(opens_a_page(key) for key in stored)
    assert opens_a_page(cookie)  # the cookie itself, in the browser that signed in


def test_a_seed_taken_from_a_copy_of_the_database_makes_no_code_that_signs_in(
    officer: Staff,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE user_id = %s", [officer.pk])
        (stored,) = cursor.fetchone()
    assert is_sealed(stored)
    with pytest.raises(ValueError, match="Non-hexadecimal"):
        unhexlify(stored)  # django-otp's own reading of the column
    sealed = base64.urlsafe_b64decode(stored.split(":", 1)[1] + "==")
    guesses = {
        f"{TOTP(candidate).token():06d}" for candidate in (sealed, sealed[13:33], sealed[-20:])
    }

    for guess in guesses - {current_code(officer)}:
        client = Client()
        client.post("/sign-in", {"username": officer.username, "password": PASSWORD})
        assert client.post("/sign-in/two-factor", {"code": guess}).status_code == 400
        TOTPDevice.objects.filter(user=officer).update(throttling_failure_count=0)

    assert signed_in_by_hand(officer)  # the officer's own app still signs in


def test_a_seed_written_into_the_database_by_hand_is_refused(officer: Staff) -> None:
    """Whoever can write the database cannot plant a seed they know, in clear or sealed
    for another account: only a seed sealed for this account, under the key the
    database does not hold, opens."""
    known = "3132333435363738393031323334353637383930"
    TOTPDevice.objects.filter(user=officer).update(key=known)
    client = Client()
    client.post("/sign-in", {"username": officer.username, "password": PASSWORD})
    code = f"{TOTP(bytes.fromhex(known)).token():06d}"
    assert client.post("/sign-in/two-factor", {"code": code}).status_code == 400


def test_a_sealed_seed_copied_to_another_account_does_not_open(
    officer: Staff, outsider: Staff
) -> None:
    theirs = Authenticator.objects.get(user=outsider)
    Authenticator.objects.filter(user=officer).update(key=theirs.key)
    client = Client()
    client.post("/sign-in", {"username": officer.username, "password": PASSWORD})
    assert client.post("/sign-in/two-factor", {"code": current_code(outsider)}).status_code == 400


def test_authenticators_enrolled_before_seeds_were_sealed_keep_signing_in(
    officer: Staff,
) -> None:
    """Migration accounts 0004 seals the seed each person's app already holds."""
    seed = bytes(range(20))
    TOTPDevice.objects.filter(user=officer).update(key=seed.hex())  # as it was stored before

    SEEDS_MIGRATION.seeds_sealed(apps, None)

    device = Authenticator.objects.get(user=officer)
    assert is_sealed(device.key)
    assert seed.hex() not in device.key
    assert device.bin_key == seed
    client = Client()
    client.post("/sign-in", {"username": officer.username, "password": PASSWORD})
    response = client.post("/sign-in/two-factor", {"code": f"{TOTP(seed).token():06d}"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
