"""The casework a policy reserves for staff trained in domestic abuse work.

Where `assignment.trained_officers_only` is on, the seeds' promise that the people who
deal with a report are trained ([000 Who to contact within WHA] "The housing officer
will be appropriately trained to deal with such incidents", [001 2.10], [002 7],
[003 Aim of the policy], [004 Policy Approach]) holds for the work itself, not only for
who is assigned: assessing the risk, adding to the action plan, making a referral and
asking to close a case. Recording a report is not reserved: anyone may take one.

Each of those services calls `check_trained` first, whatever the caller's role.
"""

from __future__ import annotations

from safehold.accounts.models import Staff
from safehold.errors import Refusal
from safehold.policy.loader import active_policy

RULE = "assignment.trained_officers_only"


def check_trained(by: Staff, *, doing: str) -> None:
    """Refuses `by` (422 `officer_not_trained`) when the policy reserves casework for
    trained staff and they are not trained. `doing` names the work, for the message."""
    if active_policy().assignment.trained_officers_only and not by.trained:
        raise Refusal(
            "officer_not_trained",
            f"{by.full_name or by.username} is not trained in domestic abuse work, and this "
            f"policy reserves {doing} for trained staff",
            policy_rule=RULE,
        )
