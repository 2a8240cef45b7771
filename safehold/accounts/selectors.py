"""Reads of staff accounts and tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from safehold.accounts.models import ApiToken, Staff
from safehold.accounts.services import token_digest


def token_for(token: str) -> ApiToken | None:
    """The live token, or None for an unknown, revoked or disabled account's one (all
    three look the same to the caller)."""
    return (
        ApiToken.objects.select_related("staff", "staff__team")
        .filter(digest=token_digest(token), revoked_at__isnull=True, staff__is_active=True)
        .first()
    )


def staff_for_token(token: str) -> Staff | None:
    found = token_for(token)
    return found.staff if found else None


def staff_list() -> QuerySet[Staff]:
    return Staff.objects.select_related("team").order_by("team__name", "username")
