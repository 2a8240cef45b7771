from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from safehold.accounts.models import Staff
from safehold.accounts.selectors import token_for
from safehold.accounts.services import token_use_record


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN`; an unknown, revoked or disabled account's token is 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        found = token_for(token)
        if found is None:
            return None
        token_use_record(token=found)
        request.user = found.staff
        return found.staff
