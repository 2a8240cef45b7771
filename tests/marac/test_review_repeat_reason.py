"""Review of issue 21: the meeting list's MARAC reasons must not say "repeat" to a reader
the list tells the case is new.

A hearing keeps the MARAC reasons of the case's latest risk assessment, `repeat` among
them when the survivor was referred to MARAC in the months before. When the only earlier
referral is on a case the reader may not see (a restricted case), the list shows the
case as new to them (marac.selectors.repeats_seen_by); the reasons column and the API's
`marac_reasons` must not then say "Repeat referral", as the case's own risk pages leave
the reason out (risk/selectors.py `seen_by`) and the pack does."""

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
from safehold.marac.models import Hearing
from tests.casedata import full_survivor
from tests.marac.hearings import listed, referred

pytestmark = pytest.mark.django_db


@pytest.fixture
def repeat_through_restricted(
    open_case: Callable[..., Case], officer: Staff, da_lead: Staff
) -> Hearing:
    earlier = open_case(by=da_lead, survivor=replace(full_survivor(), is_staff_member=True))
    assert earlier.restricted
    first = referred(earlier, da_lead)
    Referral.objects.filter(pk=first.pk).update(sent_at=timezone.now() - timedelta(days=60))
    later = open_case(survivor=full_survivor())
    assert later.survivor_identity_id == earlier.survivor_identity_id
    hearing = listed(later, officer, repeat=True)
    Hearing.objects.filter(pk=hearing.pk).update(marac_reasons=["visible_high_risk", "repeat"])
    return hearing


def test_the_list_and_api_say_no_repeat_reason_to_whom_the_case_is_new(
    repeat_through_restricted: Hearing,
    director: Staff,
    da_lead: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    hearing = repeat_through_restricted
    page = as_staff(director).get(f"/marac/meetings/{hearing.meeting_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert hearing.case.reference in text
    assert "Repeat" not in text

    api = api_as(director)
    listed_case = api.get(f"/api/v1/marac/meetings/{hearing.meeting_id}").json()["hearings"]
    assert [h["repeat"] for h in listed_case] == [False]
    assert [h["marac_reasons"] for h in listed_case] == [["visible_high_risk"]]
    detail = api.get(f"/api/v1/marac/hearings/{hearing.pk}").json()
    assert detail["repeat"] is False
    assert detail["marac_reasons"] == ["visible_high_risk"]

    # The DA lead, named on the restricted case, is told both.
    told = api_as(da_lead).get(f"/api/v1/marac/hearings/{hearing.pk}").json()
    assert told["repeat"] is True
    assert told["marac_reasons"] == ["visible_high_risk", "repeat"]
