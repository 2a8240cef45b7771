"""MARAC's `repeat` reason tells only what the caller may see (issue 17 §1, API.md §5
"Risk", docs/security.md "Oracles"): a referral on a case the caller may not see makes
no probe case's assessment say `repeat`, in the API answer, the pages or the MARAC
queue; whoever may see the earlier referral is shown it, and what is stored stays true."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.risk.models import RiskAssessment
from tests.casedata import CASE_BODY, SURVIVOR_NAME
from tests.risk.test_assessments import assess, marac_referral

pytestmark = pytest.mark.django_db


def earlier_referred(client: Client, officer: Staff, *, restricted: bool) -> Case:
    """The survivor's earlier case, referred to MARAC two months ago."""
    body = copy.deepcopy(CASE_BODY)
    body["reported_at"] = (timezone.now() - timedelta(days=90)).isoformat()
    body["survivor"]["is_staff_member"] = restricted
    response = client.post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    marac_referral(case, officer, timezone.now() - timedelta(days=60))
    return case


def probe(client: Client) -> Case:
    body = {
        "source": "anonymous",
        "survivor": {"name": SURVIVOR_NAME, "date_of_birth": "1988-04-12"},
        "abuse_types": ["physical"],
    }
    response = client.post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()["id"])


def repeats_table(page: str) -> str:
    return page.split("Repeat cases:", 1)[1]


def test_it_hides_the_repeat_reason_of_a_restricted_referral_from_a_prober(
    officer: Staff,
    teammate: Staff,
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    earlier = earlier_referred(api_as(officer), officer, restricted=True)
    prober = api_as(teammate)
    assert prober.get(f"/api/v1/cases/{earlier.pk}").status_code == 404
    new = probe(prober)

    body: dict[str, Any] = assess(prober, new).json()

    assert body["marac_reasons"] == []
    assert body["marac_referral_recommended"] is False
    stored = RiskAssessment.objects.get(case=new)
    assert stored.marac_reasons == ["repeat"]  # the truth, kept
    web = as_staff(teammate)
    result = web.get(f"/cases/{new.pk}/risk/{stored.pk}/")
    assert result.status_code == 200
    assert "repeat referral" not in result.content.decode()
    page = web.get(f"/cases/{new.pk}/").content.decode()
    assert ">repeat<" not in page
    assert "Refer to MARAC" not in page
    # The DA lead may see the probe case but not the restricted one: no repeat queued.
    queue = as_staff(da_lead).get("/marac").content.decode()
    assert new.reference not in queue


def test_it_shows_the_repeat_reason_to_whoever_may_see_the_earlier_referral(
    officer: Staff,
    outsider: Staff,
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    """The twin: an earlier referral the DA lead may see, on a case of the officer's
    team; the other team's officer who records the probe still may not see it."""
    earlier_referred(api_as(officer), officer, restricted=False)
    prober = api_as(outsider)
    new = probe(prober)

    assert assess(prober, new).json()["marac_reasons"] == []
    queue = as_staff(da_lead).get("/marac").content.decode()
    assert new.reference in repeats_table(queue)
    # The named officer on the earlier case, assessing a case of her own, sees it.
    own = probe(api_as(officer))
    assert assess(api_as(officer), own).json()["marac_reasons"] == ["repeat"]
    stored = RiskAssessment.objects.get(case=own)
    result = as_staff(officer).get(f"/cases/{own.pk}/risk/{stored.pk}/").content.decode()
    assert "repeat referral" in result


def test_it_writes_no_repeat_reason_into_the_trail_a_manager_reads(
    officer: Staff,
    outsider: Staff,
    make_staff: Callable[..., Staff],
    api_as: Callable[[Staff], Client],
) -> None:
    """The other team's manager reads the probe case's trail, not the earlier referral."""
    earlier_referred(api_as(officer), officer, restricted=False)
    prober = api_as(outsider)
    new = probe(prober)
    assess(prober, new)
    riverside_manager = make_staff("rita.manager", role="manager", team="Riverside")
    trail = api_as(riverside_manager).get(f"/api/v1/cases/{new.pk}/audit")
    assert trail.status_code == 200, trail.content
    [assessed] = [e for e in trail.json()["items"] if e["action"] == "risk.assessed"]
    assert assessed["detail"]["marac_reasons"] == []
    assert RiskAssessment.objects.get(case=new).marac_reasons == ["repeat"]


def test_it_shows_no_marac_recommendation_resting_on_a_hidden_referral_at_closing(
    officer: Staff,
    outsider: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    earlier_referred(api_as(officer), officer, restricted=False)
    new = probe(api_as(outsider))
    assess(api_as(outsider), new)
    page = as_staff(outsider).get(f"/cases/{new.pk}/close")
    assert page.status_code == 200
    assert "Recommended, not referred" not in page.content.decode()
    assert "Not recommended, not referred" in page.content.decode()
