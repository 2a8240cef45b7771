"""A survivor's subject access export carries a cancelled action's reason, as it carries
every other detail of her action plan (issue 16: actions can be cancelled)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import plan

pytestmark = pytest.mark.django_db


def test_the_export_shows_a_cancelled_action_with_its_reason(
    policy: str,
    open_case: Callable[..., Case],
    officer: Staff,
    da_lead: Staff,
    log_request: Callable[..., object],
    api_as: Callable[..., Client],
) -> None:
    case = open_case()
    action = plan.action_add(case=case, by=officer, kind="support", detail="Benefits advice")
    plan.action_cancel(action=action, by=officer, reason="She found an advice centre herself")
    request = log_request(case)

    answer = api_as(da_lead).get(f"/api/v1/subject-access-requests/{request.pk}/export?format=json")

    assert answer.status_code == 200, answer.content
    text = json.dumps(answer.json())
    assert "She found an advice centre herself" in text
    assert '"status": "cancelled"' in text
