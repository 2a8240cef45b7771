"""`GET /api/v1/policy` (API.md §5 "Policy")."""

from __future__ import annotations

import inspect
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import create_model

from safehold.policy.explain import policy_document
from safehold.policy.loader import active_policy
from safehold.policy.schema import Closure, Policy

router = Router(tags=["policy"])


class ResponseTargetOut(Schema):
    kind: Literal["clock_hours", "working_days"]
    amount: int


class SettingSourceOut(Schema):
    """Where one setting comes from (docs/policy-files.md, "Whose rule it is")."""

    source: Literal["quoted", "default", "provider_to_set"] = Field(
        description="`quoted`: the provider's document states it, in `quote`. `default`: "
        "the document is silent and Safehold's default applies. `provider_to_set`: the "
        "document leaves it open; Safehold runs on the value given, which the provider "
        "must decide."
    )
    quote: str | None = Field(
        default=None, description="The provider's own words; only when `source` is `quoted`."
    )


class PolicyNamed(Schema):
    """The settings API.md §5 names, typed; `PolicyOut` adds every other setting."""

    id: str
    name: str
    version: str = Field(description="The first 16 hex digits of the file's SHA-256.")
    response_target: ResponseTargetOut
    review_interval_days: int
    emergency_repair_hours: int
    disclosure_approver_roles: list[str] = Field(description="`disclosure.approver_roles`.")
    closure: dict[str, Any] = Field(description=inspect.getdoc(Closure))
    sources: dict[str, SettingSourceOut] = Field(
        description="Every setting by its dotted path (`response_target`, "
        "`closure.letters_to`, `agencies`): whether it is the provider's own words, "
        "Safehold's default, or the provider's to set (docs/policy-files.md, \"Whose "
        'rule it is").'
    )


# The active policy: every setting of the policy file under its own name, with the
# value the file gives it (docs/policy-files.md), and `sources`. Built from the schema,
# so a new setting is in the document, and described, as soon as it is declared.
_OTHER_SETTINGS: dict[str, Any] = {
    name: (Any, Field(description=field.description or inspect.getdoc(field.annotation)))
    for name, field in Policy.model_fields.items()
    if name not in PolicyNamed.model_fields
}
PolicyOut = create_model("PolicyOut", __base__=PolicyNamed, **_OTHER_SETTINGS)


@router.get(
    "",
    response=PolicyOut,
    exclude_unset=True,
    summary="The provider's policy that drives the rules, and whose rule each setting is",
)
def policy_get(request: HttpRequest) -> dict[str, Any]:
    return policy_document(active_policy())
