from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja.security import HttpBearer

from safehold.accounts.models import Staff
from safehold.accounts.refusals import API_CALLER
from safehold.accounts.roles import is_partner
from safehold.accounts.selectors import token_for
from safehold.accounts.services import token_use_record
from safehold.api.limits import request_count
from safehold.limits.addresses import client_address

PARTNER_PATHS = "/api/v1/partner/"


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN`; an unknown, revoked or disabled account's token is 401.

    Every request is counted against a rate limit (limits.py): a valid token's against
    that token's, any other against its client address's."""

    def __call__(self, request: HttpRequest) -> Staff | None:
        staff: Staff | None = super().__call__(request)
        if staff is None:
            request_count(
                request,
                group="api.address",
                key=client_address(request),
                rate=settings.SAFEHOLD_API_RATE_PER_ADDRESS,
            )
        return staff

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        found = token_for(token)
        if found is None:
            return None
        if is_partner(found.staff.role) and not request.path.startswith(PARTNER_PATHS):
            # A partner reads only through the partner door: every other endpoint is
            # "not found", as for a case they may not know of (partners/selectors.py).
            raise Http404("No such object")
        request.user = found.staff
        setattr(request, API_CALLER, found.staff)  # named in the entry of a refusal
        request_count(
            request, group="api.token", key=str(found.pk), rate=settings.SAFEHOLD_API_RATE_PER_TOKEN
        )
        token_use_record(token=found)
        return found.staff
