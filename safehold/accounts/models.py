from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold.accounts import authenticators
from safehold.accounts.roles import Role, Sex


class Team(models.Model):
    """A patch or region; cases and managers belong to one."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffManager(BaseUserManager["Staff"]):
    def create_user(self, username: str, password: str | None = None, **fields: Any) -> Staff:
        staff = self.model(username=username, **fields)
        staff.set_password(password)
        staff.save(using=self._db)
        return staff


class Staff(AbstractBaseUser):
    """A member of staff who signs in to Safehold."""

    username = models.CharField(
        max_length=150, unique=True, validators=[UnicodeUsernameValidator()]
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.CharField(
        max_length=60,
        blank=True,
        help_text="A partner's agency: an id of the policy's agencies directory; empty for staff",
    )
    trained = models.BooleanField(default=True, help_text="Trained in domestic abuse work")
    languages = models.JSONField(default=list, blank=True, help_text="Language codes spoken")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    password_change_required = models.BooleanField(
        default=False,
        help_text="Has a first or temporary password, to be changed at the next sign-in",
    )

    objects: ClassVar[StaffManager] = StaffManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["username"]
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored; the token is
    shown once, when it is made."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.staff.username})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SignedInSession(models.Model):
    """What a person sees of one of their signed-in browser sessions, and how they end it.

    Keyed by an HMAC (under SECRET_KEY) of the session's key, never the key itself, so a
    reader of the database learns nothing that opens a session. Written at sign-in and
    at most once a minute after (`last_seen_at`); a session whose row is missing or ended
    is signed out on its next request (SessionRecordMiddleware)."""

    key_hash = models.CharField(max_length=64, unique=True)
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="signed_in_sessions")
    device = models.CharField(max_length=100, blank=True, help_text="Browser and system")
    address = models.CharField(max_length=45, blank=True, help_text="Last seen from")
    signed_in_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-signed_in_at"]
        indexes = [models.Index(fields=["staff", "ended_at"], name="signed_in_session_live")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.device} {self.signed_in_at:%Y-%m-%d %H:%M}"


class ChangeKind(models.TextChoices):
    PASSWORD = "password", "Set a temporary password"
    TWO_FACTOR_RESET = "two_factor_reset", "Reset two-factor sign-in"
    UNLOCK = "unlock", "Unlock after failed sign-ins"
    ROLE = "role", "Change role"
    TEAM = "team", "Change team"
    ENABLE = "enable", "Enable the account"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second administrator"
    APPLIED = "applied", "Made"
    REFUSED = "refused", "Refused"


class AccountChange(models.Model):
    """An administrator's change to someone's account: made at once, or, where it could
    let an administrator act as someone with wide access, pending until a second
    administrator approves it (services.account_change_request)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="account_changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    value = models.CharField(max_length=150, blank=True, help_text="The new role or team")
    password_hash = models.CharField(
        max_length=128, blank=True, help_text="A pending temporary password, hashed; cleared"
    )
    why_approval = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=ChangeStatus.choices)
    requested_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"], name="account_change_status")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.staff_id} ({self.status})"


class WebSession(AbstractBaseSession):
    """A browser session's data (accounts/session_store.py), found by a keyed hash of the
    session's key: the key itself, which only the cookie carries, is never stored, so a
    copy of this table opens no session."""

    session_key = None  # type: ignore[assignment]  # Django's column for the key: not kept
    key_hash = models.CharField(primary_key=True, max_length=64)

    def __str__(self) -> str:
        return f"session {self.key_hash[:8]}…"

    @classmethod
    def get_session_store_class(cls) -> type[SessionBase]:
        from safehold.accounts.session_store import SessionStore

        return SessionStore


class Authenticator(TOTPDevice):  # type: ignore[misc]
    """An authenticator app: django-otp's TOTP device, in its table, whose seed is kept
    sealed under a key that is not in the database (accounts/authenticators.py).
    django-otp reads the seed only through `bin_key`."""

    class Meta:
        proxy = True

    @property
    def bin_key(self) -> bytes:
        return authenticators.seed_open(self.key, staff_id=self.user_id)

    def verify_token(self, token: Any) -> bool:
        """django-otp's check, refusing every code when the seed does not open (not
        sealed, sealed for another account, or changed), as it refuses a wrong code."""
        if not authenticators.seed_opens(self.key, staff_id=self.user_id):
            self.throttle_increment(commit=True)
            return False
        return bool(super().verify_token(token))
