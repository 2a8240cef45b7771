"""What keeps the public form from being abused without any outside service (no
third-party CAPTCHA): a limit per client address and a daily limit for the whole form
(the database's counters, safehold/limits), a largest body, a hidden honeypot field and
a least time to fill the form in, carried by a signed token in the form itself (no
cookie). Each refusal is a `Turned` naming what the page tells a real person."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from safehold.limits import counters
from safehold.limits.addresses import client_address

HONEYPOT = "website"
STARTED = "started"
SALT = "safehold.public.started"
# A form left open longer than this is sent again from a fresh page.
TOKEN_LIFETIME = 60 * 60 * 24
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Turned:
    """Why a sent form was refused, and the HTTP status it answers with."""

    reason: str
    status: int


TOO_MANY = "too_many"
TOO_LARGE = "too_large"
NOT_SENT = "not_sent"


def started_token(now: float | None = None) -> str:
    """When the form was given out, signed so that it cannot be backdated."""
    moment = int(time.time() if now is None else now)
    return signing.Signer(salt=SALT).sign(f"{moment}.{secrets.token_hex(8)}")


def over(rate: str | None, key: str) -> bool:
    if rate is None:
        return False
    number, unit = rate.split("/")
    return counters.hit(key, PERIODS[unit]).value > int(number)


def too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.SAFEHOLD_PUBLIC_MAX_BODY


def before_reading(request: HttpRequest) -> Turned | None:
    """Checks made before the body is read: its size, then the limits."""
    if too_large(request):
        return Turned(TOO_LARGE, 413)
    address = client_address(request)
    if over(settings.SAFEHOLD_PUBLIC_RATE_PER_ADDRESS, f"public:address:{address}"):
        return Turned(TOO_MANY, 429)
    if over(settings.SAFEHOLD_PUBLIC_RATE_DAILY, "public:form"):
        return Turned(TOO_MANY, 429)
    return None


def after_reading(request: HttpRequest) -> Turned | None:
    """The honeypot left empty, and the form filled in no quicker than a person can."""
    if request.POST.get(HONEYPOT, ""):
        return Turned(NOT_SENT, 400)
    try:
        moment = int(signing.Signer(salt=SALT).unsign(request.POST.get(STARTED, "")).split(".")[0])
    except (signing.BadSignature, ValueError):
        return Turned(NOT_SENT, 400)
    taken = time.time() - moment
    if not settings.SAFEHOLD_PUBLIC_MIN_FILL_SECONDS <= taken <= TOKEN_LIFETIME:
        return Turned(NOT_SENT, 400)
    return None
