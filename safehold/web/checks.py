"""A Django system check that the configured policy is valid, so `manage.py check`
and anything that runs the checks refuses a half-valid policy too."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from safehold.policy.loader import PolicyFileError, active_policy


@register()
def policy_is_valid(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    try:
        active_policy()
    except PolicyFileError as error:
        return [Error(problem, id="safehold.E001") for problem in error.problems]
    return []
