from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from safehold.accounts.models import Staff
from safehold.accounts.selectors import staff_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN`; an unknown, revoked or disabled account's token is 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        staff = staff_for_token(token)
        if staff is not None:
            request.user = staff
        return staff
