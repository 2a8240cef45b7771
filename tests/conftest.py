"""Persona fixtures (STYLE.md habit 7): the people who use Safehold, made through the
real models, each with an authenticator set up unless a test says otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from safehold.accounts.middleware import SIGNED_IN_AT
from safehold.accounts.models import Authenticator, Staff
from safehold.accounts.sessions import session_start
from tests.factories import DeviceFactory, StaffFactory, TeamFactory

# Cases made through the real intake service, shared by every test folder.
pytest_plugins = ["tests.casedata"]


def enrolled(staff: Staff) -> Staff:
    DeviceFactory(user=staff)
    return staff


@pytest.fixture
def make_staff(db: None) -> Callable[..., Staff]:
    def make(
        username: str, role: str = "officer", team: str = "Northgate", **fields: object
    ) -> Staff:
        staff: Staff = StaffFactory(
            username=username, role=role, team=TeamFactory(name=team), **fields
        )
        return enrolled(staff)

    return make


@pytest.fixture
def officer(make_staff: Callable[..., Staff]) -> Staff:
    """The officer on the case."""
    return make_staff("alice.officer", full_name="Alice Officer")


@pytest.fixture
def teammate(make_staff: Callable[..., Staff]) -> Staff:
    """Another officer in the same team, not on the case."""
    return make_staff("bob.teammate", sex="male")


@pytest.fixture
def outsider(make_staff: Callable[..., Staff]) -> Staff:
    """An officer in another team: should have no access."""
    return make_staff("olga.outsider", team="Riverside")


@pytest.fixture
def manager(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("mona.manager", role="manager")


@pytest.fixture
def director(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("dave.director", role="director", sex="male")


@pytest.fixture
def da_lead(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("lena.dalead", role="da_lead")


@pytest.fixture
def auditor(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("arthur.auditor", role="auditor", sex="male")


@pytest.fixture
def admin(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("ada.admin", role="admin")


def current_code(staff: Staff, *, offset_steps: int = 0) -> str:
    device = Authenticator.objects.get(user=staff)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


def signed_in(staff: Staff) -> Client:
    """A client signed in as `staff` with two-factor passed, as the sign-in pages leave it."""
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = Authenticator.objects.get(user=staff).persistent_id
    session[SIGNED_IN_AT] = timezone.now().isoformat()
    session.save()
    # The row every signed-in session has (accounts/sessions.py), as sign-in writes it.
    session_start(
        staff=staff, session_key=str(session.session_key), address="127.0.0.1", user_agent=""
    )
    return client


@pytest.fixture
def as_staff() -> Callable[[Staff], Client]:
    return signed_in


@pytest.fixture
def fresh_minute() -> Iterator[None]:
    """Runs the test from a second into the next minute, the clock ticking: for tests that
    count queries. The first request of a rate limit's window also sweeps spent counters
    (limits/counters.py), one query more, so a minute turning between two counted requests
    would add it to one of them (as it once did in CI)."""
    now = timezone.now()
    with time_machine.travel(
        now.replace(second=1, microsecond=0) + timedelta(minutes=1), tick=True
    ):
        yield
