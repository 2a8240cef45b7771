"""`GET /api/v1/policy` (API.md §5 "Policy")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from safehold.policy.explain import policy_document
from safehold.policy.loader import active_policy

router = Router(tags=["policy"])


@router.get("", response=dict[str, Any], summary="The provider's policy that drives the rules")
def policy_get(request: HttpRequest) -> dict[str, Any]:
    return policy_document(active_policy())
