"""Reads of staff accounts and tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from safehold.accounts.models import ApiToken, Staff
from safehold.accounts.services import token_digest


def staff_for_token(token: str) -> Staff | None:
    """The active account a bearer token belongs to, or None for an unknown, revoked or
    disabled one (all three look the same to the caller)."""
    found = (
        ApiToken.objects.select_related("staff", "staff__team")
        .filter(digest=token_digest(token), revoked_at__isnull=True, staff__is_active=True)
        .first()
    )
    return found.staff if found else None


def staff_list() -> QuerySet[Staff]:
    return Staff.objects.select_related("team").order_by("team__name", "username")
