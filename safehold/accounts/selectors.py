"""Reads of staff accounts and tokens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from safehold.accounts.models import AccountChange, ApiToken, ChangeStatus, Staff
from safehold.accounts.services import token_digest
from safehold.cases.models import Alert
from safehold.prepared import Prepared


def live_token(*, digest: str) -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("staff", "staff__team").filter(
        digest=digest, revoked_at__isnull=True, staff__is_active=True
    )[:1]


# Compiled once (safehold/prepared.py): every API request starts here.
LIVE_TOKEN = Prepared(live_token, values={"digest": str})


def token_for(token: str) -> ApiToken | None:
    """The live token, or None for an unknown, revoked or disabled account's one (all
    three look the same to the caller)."""
    return LIVE_TOKEN.first(digest=token_digest(token))


def staff_for_token(token: str) -> Staff | None:
    found = token_for(token)
    return found.staff if found else None


def staff_list() -> QuerySet[Staff]:
    return Staff.objects.select_related("team").order_by("team__name", "username")


def signed_in_staff(request: HttpRequest) -> Staff:
    """The member of staff behind a page request. Sign-in middleware has already turned
    away everyone else; this makes the type plain to the code after it."""
    if not isinstance(request.user, Staff):
        raise PermissionDenied
    return request.user


def account_alerts(staff: Staff, *, limit: int = 20) -> list[Alert]:
    """What the person has been told about their own account (accounts/notices.py)."""
    return list(Alert.objects.filter(recipient=staff, case__isnull=True)[:limit])


def pending_changes() -> QuerySet[AccountChange]:
    return AccountChange.objects.filter(status=ChangeStatus.PENDING).select_related(
        "staff", "requested_by"
    )
