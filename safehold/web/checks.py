"""Django system checks that the configured policy and every risk tool file are valid,
so `manage.py check` and anything that runs the checks refuses them too."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from safehold.policy.loader import PolicyFileError, active_policy
from safehold.risk.tools import tool_problems


@register()
def policy_is_valid(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    try:
        active_policy()
    except PolicyFileError as error:
        return [Error(problem, id="safehold.E001") for problem in error.problems]
    return []


@register()
def risk_tools_are_valid(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    return [Error(problem, id="safehold.E002") for problem in tool_problems()]
