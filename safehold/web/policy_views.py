"""The "Our policy" page: each rule in plain English beside the seed's own words, and
whose rule it is (the provider's words, Safehold's default, or the provider's to set)."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safehold.accounts.roles import Role
from safehold.policy.agencies import agencies_by_area
from safehold.policy.explain import SECTIONS, policy_review_overdue, policy_rules, source_key
from safehold.policy.loader import active_policy

# Who answers to the board for the policy, and so is warned when its review is late.
ROLES_WARNED_OF_LATE_REVIEW = (Role.DIRECTOR, Role.DA_LEAD)


def our_policy(request: HttpRequest) -> HttpResponse:
    policy = active_policy()
    rules = sorted(policy_rules(policy), key=lambda rule: SECTIONS.index(rule.section))
    sections = [(name, list(group)) for name, group in groupby(rules, key=lambda r: r.section)]
    overdue = policy_review_overdue(policy, timezone.localdate())
    warned = getattr(request.user, "role", "") in ROLES_WARNED_OF_LATE_REVIEW
    context = {
        "policy": policy,
        "sections": sections,
        "source_key": source_key(policy, rules),
        "agencies": agencies_by_area(policy.agencies),
        "review_warning": overdue and warned,
        "nav": "policy",
    }
    return render(request, "web/our_policy.html", context)
