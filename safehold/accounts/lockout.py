"""Sign-in lock-out that a stranger cannot turn against a known username (ASVS 6.1.1).

django-axes counts failures per (username, client address) and per address
(AXES_LOCKOUT_PARAMETERS): a guesser locks only their own address out of that account,
never its owner at her desk. On top of that, a ceiling per username across all
addresses (SAFEHOLD_SIGN_IN_USERNAME_CEILING in the cool-off window) slows a guess
spread over many addresses: past it, each address gets one wrong try for that username
per window instead of AXES_FAILURE_LIMIT. The owner is never locked out by it: an
address she has not failed from gets her first try, and a right password signs her in."""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures: int = super().get_failures(request, credentials)
        limit: int = get_failure_limit(request, credentials)
        if failures < limit and self.past_username_ceiling(request, credentials):
            return limit
        return failures

    def past_username_ceiling(
        self, request: HttpRequest, credentials: dict[str, Any] | None
    ) -> bool:
        """The username has had its ceiling of failures from all addresses in the window,
        and this address has failed for it at least once."""
        username = get_client_username(request, credentials)
        if not username:
            return False
        recent = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        )
        total = recent.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if total < settings.SAFEHOLD_SIGN_IN_USERNAME_CEILING:
            return False
        address: str = request.axes_ip_address  # type: ignore[attr-defined]
        return bool(recent.filter(ip_address=address).exists())
