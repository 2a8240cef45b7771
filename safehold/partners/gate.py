"""A partner (someone at another agency, API.md §4) reaches only the partner pages, their
own account's pages and signing out: every other page answers 404, as for a page that
does not exist, before its view runs. The staff door (cases/access.py) already shows a
partner no case; this keeps them off every list, queue, report and form as well, whatever
a page's own checks say. The API's own check is in api/auth.py (`/api/v1/partner/...`
only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from safehold.accounts.roles import is_partner

# The pages a signed-in partner may open besides the partner pages (`partner-...`).
PARTNER_MAY_OPEN = frozenset(
    {
        "home",  # redirects to the partner page
        "healthz",
        "sign-in",
        "two-factor",
        "sign-out",
        "signed-out",
        "account",
        "password-change",
        "account-sessions",
        "account-sessions-end-others",
        "account-session-end",
        "account-tokens",
        "account-token-revoke",
        "tell-us",
        "tell-us-sent",
        "tell-us-policy",
    }
)


def partner_may_open(url_name: str | None) -> bool:
    return bool(url_name) and (str(url_name).startswith("partner-") or url_name in PARTNER_MAY_OPEN)


class PartnerGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_partner(user.role):
            return None
        match = request.resolver_match
        if match is not None and match.namespace == "api-v1":
            return None  # the API checks its token's account itself (api/auth.py)
        if partner_may_open(match.url_name if match else None):
            return None
        raise Http404("No such page")
