"""A case's `repeat` flag and `survivor.person_id` tell only what the caller may see
(issue 17 §1, docs/security.md "Oracles"): an officer who gets 404 for a survivor's case
and records a probe report with only her name and date of birth (source anonymous)
learns nothing of it; those who may see the earlier case are told privately; the
monitoring figures still count the repeat."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Alert, Case
from tests.casedata import CASE_BODY, SURVIVOR_NAME

pytestmark = pytest.mark.django_db
NOW = "2026-11-22T12:00:00Z"
EARLIER_AT = "2026-06-01T10:00:00+00:00"
TOLD = "may be about the same survivor"


def told(staff: Staff) -> list[Alert]:
    return list(Alert.objects.filter(recipient=staff, message__contains=TOLD))


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/cases", body, content_type="application/json")


def earlier_case(client: Client, *, restricted: bool) -> dict[str, Any]:
    body = copy.deepcopy(CASE_BODY)
    body["reported_at"] = EARLIER_AT
    body["survivor"]["is_staff_member"] = restricted
    response = post(client, body)
    assert response.status_code == 201, response.content
    return response.json()


def probe(client: Client, reported_at: str = "2026-11-21T09:00:00+00:00") -> dict[str, Any]:
    """Only what a prober knows: a name and a date of birth, from no one in particular."""
    body = {
        "reported_at": reported_at,
        "source": "anonymous",
        "survivor": {"name": f"  {SURVIVOR_NAME.upper()} ", "date_of_birth": "1988-04-12"},
        "abuse_types": ["physical"],
    }
    response = post(client, body)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def restricted_earlier(officer: Staff, api_as: Callable[[Staff], Client]) -> dict[str, Any]:
    """The survivor is a member of staff: her case is restricted to those named on it."""
    with time_machine.travel(NOW, tick=False):
        return earlier_case(api_as(officer), restricted=True)


@pytest.fixture
def team_earlier(officer: Staff, api_as: Callable[[Staff], Client]) -> dict[str, Any]:
    """An ordinary case of the officer's team: another team's officer may not see it."""
    with time_machine.travel(NOW, tick=False):
        return earlier_case(api_as(officer), restricted=False)


@time_machine.travel(NOW, tick=False)
def test_it_tells_a_prober_nothing_of_a_restricted_case(
    restricted_earlier: dict[str, Any],
    officer: Staff,
    teammate: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    prober = api_as(teammate)
    assert prober.get(f"/api/v1/cases/{restricted_earlier['id']}").status_code == 404

    new = probe(prober)

    assert new["repeat"] is False
    assert new["survivor"]["person_id"] != restricted_earlier["survivor"]["person_id"]
    assert new["survivor"]["person_id"].startswith("per_")
    assert prober.get(f"/api/v1/cases/{new['id']}").json()["repeat"] is False
    listed = {c["id"]: c for c in prober.get("/api/v1/cases").json()["items"]}
    assert listed[new["id"]]["repeat"] is False
    # the truth is kept for the monitoring figures
    assert Case.objects.get(pk=new["id"]).repeat is True
    assert told(teammate) == []


@time_machine.travel(NOW, tick=False)
def test_it_tells_the_named_officer_of_a_restricted_case_privately(
    restricted_earlier: dict[str, Any],
    officer: Staff,
    teammate: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    new = probe(api_as(teammate))

    [alert] = told(officer)
    assert alert.case_id == restricted_earlier["id"]
    assert new["reference"] in alert.message
    assert restricted_earlier["reference"] in alert.message
    assert SURVIVOR_NAME.lower() not in alert.message.lower()


@time_machine.travel(NOW, tick=False)
def test_it_tells_the_named_officer_of_a_restricted_case_it_is_a_repeat(
    restricted_earlier: dict[str, Any], officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    """The probe's setup, recorded by the officer named on the restricted case."""
    new = probe(api_as(officer))

    assert new["repeat"] is True
    assert new["survivor"]["person_id"] == restricted_earlier["survivor"]["person_id"]
    assert told(officer) == []  # the recorder is told nothing beyond her answer


@time_machine.travel(NOW, tick=False)
def test_it_tells_another_teams_officer_nothing_of_the_earlier_case(
    team_earlier: dict[str, Any],
    officer: Staff,
    outsider: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    prober = api_as(outsider)
    assert prober.get(f"/api/v1/cases/{team_earlier['id']}").status_code == 404

    new = probe(prober)

    assert new["repeat"] is False
    assert new["survivor"]["person_id"] != team_earlier["survivor"]["person_id"]
    found = prober.post(
        "/api/v1/cases/search", {"q": SURVIVOR_NAME}, content_type="application/json"
    ).json()["items"]
    assert [c["repeat"] for c in found] == [False]
    assert [a.case_id for a in told(officer)] == [team_earlier["id"]]
    assert told(outsider) == []


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_repeat_to_whoever_may_see_the_earlier_case(
    team_earlier: dict[str, Any],
    manager: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    """The failure twin's setup, recorded by the team's manager, who sees the earlier case."""
    client = api_as(manager)
    new = probe(client)

    assert new["repeat"] is True
    earlier = client.get(f"/api/v1/cases/{team_earlier['id']}").json()
    assert new["survivor"]["person_id"] == earlier["survivor"]["person_id"]


@time_machine.travel(NOW, tick=False)
def test_it_lets_a_new_report_quote_the_person_id_a_prober_was_told(
    team_earlier: dict[str, Any], outsider: Staff, api_as: Callable[[Staff], Client]
) -> None:
    prober = api_as(outsider)
    first = probe(prober)
    body = copy.deepcopy(CASE_BODY)
    body["survivor"] = {"person_id": first["survivor"]["person_id"]}
    body["reported_at"] = "2026-11-22T09:00:00+00:00"
    again = post(prober, body)
    assert again.status_code == 201, again.content
    assert Case.objects.get(pk=again.json()["id"]).survivor_identity_id == (
        Case.objects.get(pk=team_earlier["id"]).survivor_identity_id
    )
    assert again.json()["repeat"] is True  # through her own first report, which she sees


@pytest.mark.parametrize("days_after", [1, 30, 170])
@time_machine.travel(NOW, tick=False)
def test_it_lets_no_backdated_report_date_the_earlier_case(
    team_earlier: dict[str, Any],
    outsider: Staff,
    api_as: Callable[[Staff], Client],
    days_after: int,
) -> None:
    from datetime import datetime

    at = datetime.fromisoformat(EARLIER_AT) + timedelta(days=days_after)
    before = datetime.fromisoformat(EARLIER_AT) - timedelta(days=days_after)
    prober = api_as(outsider)
    after_it, before_it = probe(prober, at.isoformat()), probe(prober, before.isoformat())
    assert after_it["repeat"] is False
    # the report before the earlier case is the prober's own first case: her later one
    # is a repeat through it, whatever the hidden case
    assert before_it["repeat"] is False
    assert Case.objects.get(pk=after_it["id"]).repeat is True


@time_machine.travel(NOW, tick=False)
def test_it_still_counts_the_repeat_in_the_monitoring_figures(
    team_earlier: dict[str, Any],
    outsider: Staff,
    director: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    new = probe(api_as(outsider))
    assert new["repeat"] is False
    figures = api_as(director).get(
        "/api/v1/reports/monitoring?from=2026-11-01&to=2026-11-30&suppress=false"
    )
    assert figures.status_code == 200, figures.content
    assert figures.json()["repeat_reports"] == 1


@time_machine.travel(NOW, tick=False)
def test_it_shows_no_repeat_tag_on_the_probers_case_page(
    restricted_earlier: dict[str, Any],
    officer: Staff,
    teammate: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    hidden = probe(api_as(teammate))
    shown = probe(api_as(officer))
    page = as_staff(teammate).get(f"/cases/{hidden['id']}/").content.decode()
    assert "Repeat</strong>" not in page
    assert "Repeat</strong>" in as_staff(officer).get(f"/cases/{shown['id']}/").content.decode()
    listing = as_staff(teammate).get("/cases/")
    assert listing.status_code == 200
    assert hidden["reference"] in listing.content.decode()
    assert "Repeat</strong>" not in listing.content.decode()
