"""Every write to staff accounts and API tokens, as a named function."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold.accounts import authenticators
from safehold.accounts.models import ApiToken, Authenticator, Staff, Team
from safehold.accounts.roles import Role, Sex
from safehold.errors import Refusal
from safehold.privacy import audit

TOKEN_PREFIX = "shk_"  # noqa: S105 - a label on every token, not a secret


def record(by: Staff | None, action: str, staff: Staff, **detail: str) -> None:
    """Account changes in the audit log; `by` is None for the command line."""
    audit.record(
        actor=by.username if by else "",
        action=action,
        target_type="staff",
        target_id=staff.username,
        detail=detail,
    )


def token_digest(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def team_for_name(name: str) -> Team:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise Refusal("team_required", "Enter the team's name")
    team, _ = Team.objects.get_or_create(name=cleaned)
    return team


@transaction.atomic
def staff_create(
    *,
    username: str,
    full_name: str,
    role: str,
    sex: str,
    team: str,
    password: str,
    email: str = "",
    trained: bool = True,
    languages: list[str] | None = None,
    by: Staff | None = None,
) -> Staff:
    if role not in Role.values:
        raise Refusal("unknown_role", f"Role must be one of: {', '.join(Role.values)}")
    if sex not in Sex.values:
        raise Refusal("unknown_sex", "Sex must be female or male")
    if Staff.objects.filter(username=username).exists():
        raise Refusal("username_taken", f"There is already an account called {username}")
    staff = Staff(
        username=username,
        full_name=full_name or username,
        email=email,
        role=role,
        sex=sex,
        team=team_for_name(team),
        trained=trained,
        languages=sorted(set(languages or [])),
    )
    staff.full_clean(exclude=["password"])
    validate_password(password, user=staff)
    staff.set_password(password)
    staff.save()
    record(by, "staff.created", staff, role=role, team=staff.team.name)
    return staff


@transaction.atomic
def staff_set_password(*, staff: Staff, password: str, by: Staff | None = None) -> Staff:
    validate_password(password, user=staff)
    staff.set_password(password)
    staff.save(update_fields=["password"])
    record(by, "staff.password_set", staff)
    return staff


@transaction.atomic
def staff_disable(*, staff: Staff, by: Staff | None = None) -> Staff:
    """Disabling ends every session at once: Django refuses an inactive account on each
    request, and its tokens stop working."""
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    record(by, "staff.disabled", staff)
    return staff


@transaction.atomic
def staff_enable(*, staff: Staff, by: Staff | None = None) -> Staff:
    staff.is_active = True
    staff.save(update_fields=["is_active"])
    record(by, "staff.enabled", staff)
    return staff


@transaction.atomic
def two_factor_reset(*, staff: Staff, by: Staff | None = None) -> None:
    """Removes the account's authenticator; the next sign-in starts enrolment again and
    any session signed in with the old one is ended by TwoFactorRequiredMiddleware."""
    TOTPDevice.objects.filter(user=staff).delete()
    record(by, "staff.two_factor_reset", staff)


def two_factor_device(*, staff: Staff) -> Authenticator | None:
    device: Authenticator | None = Authenticator.objects.filter(user=staff, confirmed=True).first()
    return device


def two_factor_enrolment_start(*, staff: Staff) -> Authenticator:
    """The unconfirmed authenticator shown as a QR code until its first code is entered."""
    device: Authenticator | None = Authenticator.objects.filter(user=staff, confirmed=False).first()
    if device is None:
        device = authenticator_create(staff=staff, name="Authenticator app", confirmed=False)
    return device


def authenticator_create(*, staff: Staff, name: str, confirmed: bool) -> Authenticator:
    """An authenticator with a new random seed, kept only sealed under a key that is not
    in the database (accounts/authenticators.py)."""
    authenticator: Authenticator = Authenticator.objects.create(
        user=staff,
        name=name,
        confirmed=confirmed,
        key=authenticators.new_sealed_seed(staff_id=staff.pk),
    )
    return authenticator


@transaction.atomic
def two_factor_enrolment_confirm(*, device: Authenticator, code: str) -> bool:
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return True


@transaction.atomic
def token_create(*, staff: Staff, by: Staff | None = None) -> str:
    """Makes a token and returns it; it is never shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[: len(TOKEN_PREFIX) + 6]
    ApiToken.objects.create(staff=staff, prefix=prefix, digest=token_digest(token), created_by=by)
    record(by, "token.issued", staff, token=prefix)
    return token


@transaction.atomic
def token_revoke(
    *, token: ApiToken, by: Staff | None = None, now: datetime | None = None
) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
        record(by, "token.revoked", token.staff, token=token.prefix)
    return token


def token_use_record(*, token: ApiToken, now: datetime | None = None) -> None:
    """Audits a token's use, at most once per TOKEN_USE_AUDIT_INTERVAL: enough to show
    who used the API when, without doubling the log on every request (each read of a
    case is audited on its own)."""
    now = now or timezone.now()
    last = token.last_used_at
    if last is not None and now - last < settings.SAFEHOLD_TOKEN_USE_AUDIT_INTERVAL:
        return
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        audit.record(
            actor=token.staff.username,
            action="token.used",
            target_type="token",
            target_id=token.prefix,
            at=now,
        )


def sign_in_record(*, action: str, username: str = "", **detail: str) -> None:
    """Sign-in events for the audit log. A typed username is kept only when it names an
    account, so nothing else a person types into the box is ever stored."""
    known = username if Staff.objects.filter(username=username).exists() else ""
    audit.record(actor=known, action=action, target_type="staff", target_id=known, detail=detail)
