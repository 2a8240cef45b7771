"""`{% policy_refusal refusal %}`: the inset a page shows under its error summary when the
provider's policy refused (a `Refusal` with a `policy_rule`). It names the rule in words
and says whose rule it is, quoting the provider's own words where the policy file does
(safehold.policy.explain.refused_by); the setting's dotted name (`policy_rule`) stays in
the API's answer and the logs, never on a page (issue 18, "Plain words").

    {% load refusals %}
    {% policy_refusal refusal %}
"""

from __future__ import annotations

from typing import Any

from django import template

from safehold.errors import Refusal
from safehold.policy.explain import refused_by
from safehold.policy.loader import active_policy

register = template.Library()


@register.inclusion_tag("web/includes/policy_refusal.html")
def policy_refusal(refusal: Refusal | None) -> dict[str, Any]:
    if refusal is None or not refusal.policy_rule:
        return {"refused": None}
    policy = active_policy()
    return {
        "refused": refused_by(policy, refusal.policy_rule),
        "policy_name": policy.name,
    }
