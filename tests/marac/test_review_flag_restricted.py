"""Review of issue 21: flag and tag must not tell anyone of a restricted case.

A new report about the survivor of a flagged case alerts the flagged case's officer and
the DA leads, naming the new report's reference. When the new report is restricted (the
survivor is a member of staff) only the people named on it may know it exists: a DA lead
who may not open it would learn from the alert that a staff member's report was made
about this survivor. So for a restricted new report only those who may see it are told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Alert, Case
from tests.casedata import CASE_BODY
from tests.marac.hearings import listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(case: Case, officer: Staff, manager: Staff, api_as: Callable[[Staff], Client]) -> Case:
    """The officer's case, assigned to her, heard at MARAC a month ago."""
    assigned = api_as(manager).post(
        f"/api/v1/cases/{case.pk}/assignment",
        {"officer": officer.username},
        content_type="application/json",
    )
    assert assigned.status_code == 200, assigned.content
    listed(case, officer, heard_at=timezone.now() - timedelta(days=30))
    return case


def told(case: Case) -> dict[str, str]:
    alerts = Alert.objects.filter(case=case, message__contains="MARAC").select_related("recipient")
    return {alert.recipient.username: alert.message for alert in alerts}


def test_a_restricted_new_report_is_told_only_to_those_who_may_see_it(
    flagged: Case,
    officer: Staff,
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    survivor = {**CASE_BODY["survivor"], "is_staff_member": True}
    body = {**CASE_BODY, "survivor": survivor, "reported_at": timezone.now().isoformat()}
    response = api_as(officer).post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 201, response.content
    new = Case.objects.get(pk=response.json()["id"])
    assert new.restricted
    assert new.survivor_identity_id == flagged.survivor_identity_id
    # The officer recorded it (named on it) and is told; the DA lead, who may not open
    # it, hears nothing of it, neither its reference nor that it exists.
    assert sorted(told(flagged)) == [officer.username]
    assert new.reference in told(flagged)[officer.username]
    assert not Alert.objects.filter(recipient=da_lead, message__contains=new.reference).exists()
    assert not Alert.objects.filter(recipient=da_lead, message__contains="MARAC").exists()
