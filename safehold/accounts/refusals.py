"""Refused requests in the audit trail (ASVS 16.3.2, 16.3.3): failed authorisation
decisions (every 403), refused break-glass requests, rate-limited requests (429) and
repeated wrong passwords on the signed-in pages.

Whoever is refused decides how often, so the entries are themselves limited: at most
SAFEHOLD_REFUSAL_AUDIT_PER_MINUTE per key (a person, a token, a client address) in each
minute, the last of them saying that further ones that minute are not recorded. The
count is one statement on the rate-limit counters (safehold/limits/counters.py), so a
flood of refused requests costs the chain a few entries a minute per key, not one each.

A 404 is never recorded here: "missing" and "not yours" must stay alike in answer and in
time (cases/access.py), and recording only one of them would tell them apart.

Nor is anything written in the name of a session that another site's request carried
(issue 17 §9): a request that fails the CSRF check writes no entry at all (Django's log
has it, `django.security.csrf`), and the refusal of one the browser says came from
another site (`Sec-Fetch-Site: cross-site`, a header no page can set) is recorded with
no actor, by its address. An API request is someone's only through its bearer token: a
session the browser sends with it names nobody."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views import csrf

from safehold.accounts.models import Staff
from safehold.limits import counters
from safehold.limits.addresses import client_address
from safehold.privacy import audit
from safehold.privacy.audit import DetailValue

# Set on the request by the API's rate limits (api/limits.py): the key whose limit it
# passed, e.g. "api.token:12" or "api.address:203.0.113.7".
RATE_LIMIT_KEY = "safehold_rate_limit_key"
# Set by RefusalAuditMiddleware.process_exception: the code of the Refusal behind a
# PermissionDenied raised by a page.
REFUSAL_CODE = "safehold_refusal_code"
PATH_KEPT = 200
# Set by `csrf_failure` (settings.CSRF_FAILURE_VIEW) on a request that failed the CSRF check.
CSRF_REFUSED = "safehold_csrf_refused"
# Set by the API's bearer token check (api/auth.py): the member of staff the token is for.
API_CALLER = "safehold_api_caller"
API_PREFIX = "/api/"


def limited_record(
    *,
    key: str,
    actor: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    detail: dict[str, DetailValue] | None = None,
) -> bool:
    """Records the entry unless `key` has had its share this minute; True if recorded."""
    allowed: int = settings.SAFEHOLD_REFUSAL_AUDIT_PER_MINUTE
    count = counters.hit(f"audit.refused:{key}", 60)
    if count.value > allowed:
        return False
    detail = dict(detail or {})
    if count.value == allowed:
        detail["more_this_minute_not_recorded"] = True
    audit.record(
        actor=actor, action=action, target_type=target_type, target_id=target_id, detail=detail
    )
    return True


def is_break_glass(request: HttpRequest) -> bool:
    return request.path.rstrip("/").endswith("break-glass") and request.method == "POST"


def refusal_code(request: HttpRequest, response: HttpResponse) -> str:
    code = getattr(request, REFUSAL_CODE, "")
    if code:
        return str(code)
    if response.get("Content-Type", "").startswith("application/problem+json"):
        try:
            found = json.loads(response.content).get("code", "")
        except (ValueError, AttributeError):
            found = ""
        return str(found or "")
    return ""


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal, marked so that `response_record` writes no entry for it."""
    setattr(request, CSRF_REFUSED, True)
    return csrf.csrf_failure(request, reason=reason)


def who(request: HttpRequest) -> str:
    """The member of staff making the request: on the API only a bearer token's; on a
    page, the session's, unless the browser says another site sent the request."""
    if request.path.startswith(API_PREFIX):
        user = getattr(request, API_CALLER, None)
    elif request.headers.get("Sec-Fetch-Site") == "cross-site":
        user = None
    else:
        user = getattr(request, "user", None)
    return user.username if isinstance(user, Staff) else ""


def response_record(request: HttpRequest, response: HttpResponse) -> None:
    """The audit entry, if any, for a refused answer."""
    if getattr(request, CSRF_REFUSED, False):
        return
    status = response.status_code
    if status == 403 or (is_break_glass(request) and status in (400, 403, 422)):
        actor = who(request)
        action = "break_glass.refused" if is_break_glass(request) else "request.refused"
        detail: dict[str, DetailValue] = {
            "status": status,
            "method": request.method or "",
            "path": request.path[:PATH_KEPT],
        }
        code = refusal_code(request, response)
        if code:
            detail["code"] = code
        limited_record(
            key=f"refused:{actor or client_address(request)}",
            actor=actor,
            action=action,
            target_type="request",
            detail=detail,
        )
    elif status == 429 and hasattr(request, RATE_LIMIT_KEY):
        key = str(getattr(request, RATE_LIMIT_KEY))
        limited_record(
            key=f"rate_limited:{key}",
            actor=who(request),
            action="request.rate_limited",
            target_type="request",
            detail={
                "limit": key.split(":", 1)[0],
                "method": request.method or "",
                "path": request.path[:PATH_KEPT],
            },
        )
