"""Policies for the policy tests: the bundled files, and small variations of them."""

from __future__ import annotations

from typing import Any

from safehold.policy.loader import load_policy
from safehold.policy.schema import Policy

# A valid policy file with only the required settings; every other setting takes the
# baseline. Tests append lines to it (top-level keys first, then tables).
MINIMAL_POLICY = """\
id = "test"
name = "Test policy"
provider = "Test Housing"
review_date = 2027-01-01
response_target = { kind = "clock_hours", amount = 24 }
"""


def policy_with(base: str | Policy = "default", **changes: Any) -> Policy:
    """A bundled policy with some settings replaced (not re-validated: tests only)."""
    policy = load_policy(base) if isinstance(base, str) else base
    return policy.model_copy(update=changes)
