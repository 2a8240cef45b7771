"""The signed-in sessions a person can see and end (ASVS 7.5.2).

Each browser session that passed both factors has a SignedInSession row, keyed by an
HMAC of its session key under SECRET_KEY (never the key itself, however the session
store keeps its own keys). The row is written at sign-in and, on later requests, at most
once a minute (`SEEN_EVERY`), with the device (browser and system, from the User-Agent)
and the client's address. SessionRecordMiddleware reads it on every page: a session
whose row is missing or ended is signed out there and then."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from safehold.accounts.models import SignedInSession, Staff
from safehold.privacy import audit

SEEN_EVERY = timedelta(minutes=1)
# Rows of sessions long over are swept when the same person signs in again.
KEPT_FOR = timedelta(days=30)
KEY_SALT = "safehold.accounts.signed-in-session"


def key_hash(session_key: str) -> str:
    return salted_hmac(KEY_SALT, session_key, algorithm="sha256").hexdigest()


BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "Mac"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def device_of(user_agent: str) -> str:
    """'Firefox on Windows' and the like: enough for a person to know their own devices,
    without keeping the whole User-Agent string."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    cleaned = re.sub(r"[^\w ./()-]", "", user_agent)[:60]
    return cleaned or "Unknown browser"


@transaction.atomic
def session_start(
    *, staff: Staff, session_key: str, address: str, user_agent: str, now: datetime | None = None
) -> SignedInSession:
    now = now or timezone.now()
    SignedInSession.objects.filter(staff=staff, last_seen_at__lt=now - KEPT_FOR).delete()
    return SignedInSession.objects.create(
        key_hash=key_hash(session_key),
        staff=staff,
        device=device_of(user_agent),
        address=address[:45],
        signed_in_at=now,
        last_seen_at=now,
    )


def session_seen(
    *, staff: Staff, session_key: str, address: str, now: datetime | None = None
) -> bool:
    """True while this session may go on; its last-seen time and address are written at
    most once a minute. False when it was ended, or never recorded."""
    found = (
        SignedInSession.objects.filter(key_hash=key_hash(session_key))
        .values_list("pk", "staff_id", "ended_at", "last_seen_at")
        .first()
    )
    if found is None:
        return False
    pk, staff_id, ended_at, last_seen_at = found
    if ended_at is not None or staff_id != staff.pk:
        return False
    now = now or timezone.now()
    if now - last_seen_at >= SEEN_EVERY:
        SignedInSession.objects.filter(pk=pk).update(last_seen_at=now, address=address[:45])
    return True


def session_rekey(*, old_key: str, new_key: str) -> None:
    """The same session under a new key (Django gives one when the password changes)."""
    SignedInSession.objects.filter(key_hash=key_hash(old_key)).update(key_hash=key_hash(new_key))


def live_sessions(staff: Staff, *, now: datetime | None = None) -> QuerySet[SignedInSession]:
    """The person's sessions that can still be used: not ended, not idle past the time-out
    (allowing for the minute between writes), not past the absolute limit."""
    now = now or timezone.now()
    idle = settings.SESSION_IDLE_TIMEOUT + SEEN_EVERY
    return SignedInSession.objects.filter(
        staff=staff,
        ended_at__isnull=True,
        last_seen_at__gte=now - idle,
        signed_in_at__gte=now - settings.SESSION_ABSOLUTE_LIMIT,
    ).order_by("-last_seen_at")


def sessions_end(
    *, staff: Staff, reason: str, keep_key: str = "", now: datetime | None = None
) -> int:
    """Ends every session of the account but the one with `keep_key`; returns how many."""
    ended = SignedInSession.objects.filter(staff=staff, ended_at__isnull=True)
    if keep_key:
        ended = ended.exclude(key_hash=key_hash(keep_key))
    return ended.update(ended_at=now or timezone.now(), end_reason=reason)


@transaction.atomic
def session_end(
    *, record: SignedInSession, by: Staff, now: datetime | None = None
) -> SignedInSession:
    """A person ends one of their own sessions (another device, or this one)."""
    record = SignedInSession.objects.select_for_update().get(pk=record.pk, staff=by)
    if record.ended_at is None:
        record.ended_at = now or timezone.now()
        record.end_reason = "ended_by_person"
        record.save(update_fields=["ended_at", "end_reason"])
        audit.record(
            actor=by.username,
            action="session.ended",
            target_type="staff",
            target_id=by.username,
            detail={"device": record.device, "signed_in_at": record.signed_in_at.isoformat()},
        )
    return record


def session_end_current(*, session_key: str | None, reason: str) -> None:
    """Sign-out: the row of the session being left."""
    if session_key:
        SignedInSession.objects.filter(
            key_hash=key_hash(session_key), ended_at__isnull=True
        ).update(ended_at=timezone.now(), end_reason=reason)


@transaction.atomic
def sessions_end_others(*, staff: Staff, keep_key: str) -> int:
    """ "Sign out everywhere else": every session of the person but this one."""
    ended = sessions_end(staff=staff, reason="ended_by_person", keep_key=keep_key)
    audit.record(
        actor=staff.username,
        action="session.ended_others",
        target_type="staff",
        target_id=staff.username,
        detail={"sessions": ended},
    )
    return ended
