"""Session rules that apply to every page: sign-in required by default, two-factor
verification, and the absolute session limit."""

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

SIGNED_IN_AT = "safehold_signed_in_at"

# Paths anyone may reach without a session: the sign-in steps, the health check, the
# API (which authenticates each request with a bearer token) and static files.
PUBLIC_PREFIXES = ("/sign-in", "/signed-out", "/healthz", "/api/", "/static/")


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
