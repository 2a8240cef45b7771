"""Session rules that apply to every page: sign-in required by default, two-factor
verification, the absolute session limit, sessions a person has ended, a first password
to change before anything else; and the audit of refused requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from safehold.accounts import refusals, sessions
from safehold.errors import Refusal
from safehold.limits.addresses import client_address

SIGNED_IN_AT = "safehold_signed_in_at"

# Paths anyone may reach without a session: the sign-in steps, the health check, the
# API (which authenticates each request with a bearer token) and static files.
PUBLIC_PREFIXES = ("/sign-in", "/signed-out", "/healthz", "/api/", "/static/", "/tell-us")


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


class SessionLimitsMiddleware:
    """Ends a session 10 hours after sign-in, however active it has been. The idle
    time-out is the session's own expiry (SESSION_COOKIE_AGE, renewed on each request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            limit = settings.SESSION_ABSOLUTE_LIMIT
            if started is None or timezone.now() - datetime.fromisoformat(started) > limit:
                logout(request)
                return redirect(f"{reverse('sign-in')}?{urlencode({'expired': '1'})}")
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Every page but the public ones needs a signed-in account that passed two-factor.

    Sign-in only logs an account in after its code is checked, so an unverified session
    here means its authenticator was reset by an admin: it is ended."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public(request.path):
            return self.get_response(request)
        if request.user.is_authenticated and not request.user.is_verified():  # type: ignore[attr-defined]
            logout(request)
        if not request.user.is_authenticated:
            return redirect(f"{reverse('sign-in')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class SessionRecordMiddleware:
    """Every signed-in page checks the session's row (accounts/sessions.py): one the
    person has ended, or that was never recorded, is signed out at once. The row's
    last-seen time and address are written at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public(request.path) or not request.user.is_authenticated:
            return self.get_response(request)
        key = request.session.session_key
        if key is None or not sessions.session_seen(
            staff=request.user,
            session_key=key,
            address=client_address(request),
        ):
            logout(request)
            return redirect(f"{reverse('sign-in')}?{urlencode({'expired': '1'})}")
        return self.get_response(request)


# What a person with a first or temporary password may reach before changing it.
FIRST_PASSWORD_PATHS = ("/account/password", "/sign-out")


class PasswordChangeRequiredMiddleware:
    """A first password (from `safehold staff add`, an administrator, or a reset) is
    changed at the first sign-in, before any other page opens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            not is_public(request.path)
            and user.is_authenticated
            and getattr(user, "password_change_required", False)
            and request.path not in FIRST_PASSWORD_PATHS
        ):
            return redirect("password-change")
        return self.get_response(request)


class RefusalAuditMiddleware:
    """Refused requests in the audit trail: every 403, refused break glass and every
    rate-limited API request (accounts/refusals.py), at most a few a minute per key."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (400, 403, 422, 429):
            refusals.response_record(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """A page's PermissionDenied raised from a Refusal: keep its code for the entry."""
        cause = exception.__cause__
        if isinstance(cause, Refusal):
            setattr(request, refusals.REFUSAL_CODE, cause.code)
