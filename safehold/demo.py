"""`safehold demo`: a believable set of synthetic staff across two teams and every role.

Everyone shares one demo password; all but one account already have two-factor set up,
and `safehold demo-code USERNAME` prints the code their app would show. The account
`new.officer` has no authenticator yet, to show enrolment."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold.accounts import services
from safehold.accounts.models import Staff

DEMO_PASSWORD = "safehold-demo-password"  # noqa: S105 - synthetic accounts in development only

DemoPerson = tuple[str, str, str, str, str, bool, list[str]]

DEMO_STAFF: list[DemoPerson] = [
    # username, full name, role, sex, team, trained, languages
    ("amira.officer", "Amira Hussain", "officer", "female", "Northgate", True, ["ur", "pa"]),
    ("tom.officer", "Tom Kowalski", "officer", "male", "Northgate", True, ["pl"]),
    ("jess.officer", "Jess Morgan", "officer", "female", "Riverside", True, []),
    ("dan.officer", "Dan Price", "officer", "male", "Riverside", False, []),
    ("grace.manager", "Grace Adeyemi", "manager", "female", "Northgate", True, []),
    ("owen.manager", "Owen Baxter", "manager", "male", "Riverside", True, ["cy"]),
    ("helen.director", "Helen Carter", "director", "female", "Northgate", True, []),
    ("priya.dalead", "Priya Shah", "da_lead", "female", "Riverside", True, ["gu"]),
    ("martin.auditor", "Martin Hale", "auditor", "male", "Northgate", True, []),
    ("sam.admin", "Sam Ellis", "admin", "male", "Northgate", True, []),
]
UNENROLLED: DemoPerson = ("new.officer", "Nadia Obi", "officer", "female", "Riverside", True, [])


class DemoError(Exception):
    pass


@transaction.atomic
def load() -> str:
    """Creates the demo staff (once) and returns how to sign in."""
    for username, full_name, role, sex, team, trained, languages in [*DEMO_STAFF, UNENROLLED]:
        if Staff.objects.filter(username=username).exists():
            continue
        staff = services.staff_create(
            username=username,
            full_name=full_name,
            role=role,
            sex=sex,
            team=team,
            password=DEMO_PASSWORD,
            trained=trained,
            languages=languages,
        )
        if username != UNENROLLED[0]:
            TOTPDevice.objects.create(user=staff, name="Demo authenticator", confirmed=True)
    return sign_in_instructions()


def sign_in_instructions() -> str:
    accounts = "\n".join(
        f"  {username:16} {role:9} {team:10} {full_name}"
        for username, full_name, role, _, team, _, _ in DEMO_STAFF
    )
    return (
        "Demo staff (synthetic people only):\n"
        f"{accounts}\n\n"
        f"Every demo password is: {DEMO_PASSWORD}\n"
        "For the two-factor code, run in another terminal:\n"
        "  safehold demo-code amira.officer\n"
        f"'{UNENROLLED[0]}' has no authenticator yet: signing in shows the QR code to scan."
    )


def current_code(username: str) -> str:
    if not settings.DEVELOPMENT:
        raise DemoError("demo-code only works when SAFEHOLD_ENV=development")
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        raise DemoError(f"{username} has no authenticator set up")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
