"""Review of issue 21: the MARAC figures' `repeats` must not tell a reader that a survivor
whose case they see was referred to MARAC on a case they may not see.

A hearing is a repeat when the same survivor was referred to MARAC in the 12 months
before, on any of her cases. When the only such earlier referral is on a restricted case
the reader may not see, the hearing counts in `repeats` for those who may see that case,
never for the others, as the monitoring report's `repeat_reports` does
(reports/unseen.py) and as the meeting page and the pack tell new or repeat
(marac.selectors.repeats_seen_by)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Referral
from tests.casedata import full_survivor
from tests.marac.hearings import listed, referred

pytestmark = pytest.mark.django_db


def figures(client: Client) -> dict[str, object]:
    end = timezone.localdate()
    start = end - timedelta(days=30)
    answer = client.get(f"/api/v1/reports/monitoring?from={start}&to={end}&suppress=false")
    assert answer.status_code == 200, answer.content
    marac: dict[str, object] = answer.json()["marac"]
    return marac


def test_a_repeat_only_through_a_restricted_case_is_not_told(
    open_case: Callable[..., Case],
    officer: Staff,
    director: Staff,
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    # Her earlier case, restricted (she is a member of staff), recorded by the DA lead:
    # seen only by those named on it.
    staff_member = replace(full_survivor(), is_staff_member=True)
    earlier = open_case(by=da_lead, survivor=staff_member)
    assert earlier.restricted
    first = referred(earlier, da_lead)
    Referral.objects.filter(pk=first.pk).update(sent_at=timezone.now() - timedelta(days=60))
    # Her new case, not restricted, referred and heard as a repeat.
    later = open_case(survivor=full_survivor())
    assert not later.restricted
    assert later.survivor_identity_id == earlier.survivor_identity_id
    listed(later, officer, heard_at=timezone.now() - timedelta(days=2), repeat=True)

    # The director may see the later case, not the restricted one.
    told = figures(api_as(director))
    assert told["heard"] == 1
    assert told["repeats"] == 0
    # The DA lead, named on the restricted case, is told it is a repeat.
    assert figures(api_as(da_lead))["repeats"] == 1
