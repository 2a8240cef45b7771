"""Triage of reports from the public page (issue 20), through the pages and the API:
who triages, assigning, merging into an open case of the same survivor, no action, and
the counter-allegation told only to those who may see the other case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case, Incident
from safehold.privacy.models import AuditEntry
from safehold.public.models import PublicReport, Triage
from tests.casedata import PERPETRATOR_NAME, SURVIVOR_NAME

pytestmark = pytest.mark.django_db

ZEPHYRINE = {
    "relation": "witness",
    "how": "contact",
    "phone": "07700 900456",
    "summary": "I hear him shouting at her every night.",
    "survivor_name": SURVIVOR_NAME,
    "survivor_date_of_birth_0": "12",
    "survivor_date_of_birth_1": "4",
    "survivor_date_of_birth_2": "1988",
}


@pytest.fixture
def waiting(send: Callable[..., Any], da_lead: Staff) -> Callable[..., PublicReport]:
    def make(**answers: Any) -> PublicReport:
        assert send(**{**ZEPHYRINE, **answers}).status_code == 302
        return PublicReport.objects.order_by("-sent_at").first()  # type: ignore[return-value]

    return make


def test_it_lists_waiting_reports_for_the_da_leads_only_when_unrouted(
    waiting: Callable[..., PublicReport],
    da_lead: Staff,
    manager: Staff,
    officer: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    report = waiting()

    page = as_staff(da_lead).get("/triage").content.decode()
    assert report.case.reference in page
    assert SURVIVOR_NAME in page
    assert report.case.reference not in as_staff(manager).get("/triage").content.decode()
    items = api_as(da_lead).get("/api/v1/public-reports").json()["items"]
    assert [item["reference"] for item in items] == [report.case.reference]
    assert api_as(officer).get("/api/v1/public-reports").json()["items"] == []
    assert as_staff(officer).get(f"/triage/{report.pk}").status_code == 404


def test_the_home_page_counts_the_triage_queue(
    waiting: Callable[..., PublicReport], da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    waiting()

    home = as_staff(da_lead).get("/").content.decode()
    assert "Public reports to triage" in home
    assert as_staff(da_lead).get("/queues/triage")["Location"] == "/triage"


def test_the_triage_page_says_it_is_unverified_and_audits_the_read(
    waiting: Callable[..., PublicReport], da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    report = waiting()

    page = as_staff(da_lead).get(f"/triage/{report.pk}").content.decode()

    assert "Received through the public page, unverified" in page
    assert "I hear him shouting at her every night." in page
    assert "07700 900456" in page
    assert AuditEntry.objects.filter(
        action="case.viewed", target_id=report.case_id, actor=da_lead.username
    ).exists()


def test_triage_assigns_an_officer(
    waiting: Callable[..., PublicReport],
    da_lead: Staff,
    officer: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    report = waiting()

    response = as_staff(da_lead).post(f"/triage/{report.pk}/assign", {"officer": officer.username})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.triage == Triage.ASSIGNED
    assert report.case.assigned_officer == officer
    assert AuditEntry.objects.filter(action="case.triaged", target_id=report.case_id).exists()
    assert as_staff(da_lead).get(f"/triage/{report.pk}").status_code == 404


def test_triage_merges_into_an_open_case_of_the_same_survivor(
    waiting: Callable[..., PublicReport],
    open_case: Callable[..., Case],
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    earlier = open_case()  # Zephyrine Quattlebaum, born 12 April 1988
    report = waiting()
    assert report.case.survivor_identity_id == earlier.survivor_identity_id

    answer = api_as(da_lead).post(
        f"/api/v1/public-reports/{report.pk}/merge",
        {"case": earlier.pk},
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert answer.json()["triage"] == "merged"
    assert Incident.objects.filter(case=earlier).count() == 1
    report.case.refresh_from_db()
    assert report.case.status == "closed"


def test_triage_refuses_to_merge_into_another_survivors_case(
    waiting: Callable[..., PublicReport],
    open_case: Callable[..., Case],
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    other = open_case()
    report = waiting(survivor_name="Someone Else")

    answer = api_as(da_lead).post(
        f"/api/v1/public-reports/{report.pk}/merge",
        {"case": other.pk},
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "not_same_survivor"
    assert not Incident.objects.exists()
    report.refresh_from_db()
    assert report.triage == Triage.WAITING


def test_triage_records_why_no_action_follows(
    waiting: Callable[..., PublicReport], da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    report = waiting()
    client = as_staff(da_lead)

    refused = client.post(f"/triage/{report.pk}/no-action", {"reason": " "})
    assert refused.status_code == 422
    assert "Say why no action follows" in refused.content.decode()

    assert client.post(f"/triage/{report.pk}/no-action", {"reason": "A test."}).status_code == 302
    report.refresh_from_db()
    assert report.triage == Triage.NO_ACTION
    assert report.case.status == "closed"


def test_a_manager_triages_reports_routed_to_their_team(
    send: Callable[..., Any],
    use_policy: Any,
    make_staff: Callable[..., Staff],
    tmp_path: Any,
    api_as: Callable[[Staff], Client],
) -> None:
    from safehold.policy.loader import load_policy

    text = load_policy("default").source.read_text()  # type: ignore[union-attr]
    path = tmp_path / "routed.toml"
    path.write_text(text.replace("routing = {}", 'routing = { "TF" = "Telford" }'))
    use_policy(str(path))
    telford = make_staff("tess.manager", role="manager", team="Telford")
    elsewhere = make_staff("eli.manager", role="manager", team="Riverside")
    make_staff("lena.dalead", role="da_lead", team="Leads")
    send(**{**ZEPHYRINE, "postcode": "TF3 4AW"})

    assert len(api_as(telford).get("/api/v1/public-reports").json()["items"]) == 1
    assert api_as(elsewhere).get("/api/v1/public-reports").json()["items"] == []
    report = PublicReport.objects.get()
    missing = api_as(elsewhere).post(
        f"/api/v1/public-reports/{report.pk}/no-action",
        {"reason": "x"},
        content_type="application/json",
    )
    assert missing.status_code == 404


def test_a_counter_allegation_is_told_only_to_those_who_may_see_the_other_case(
    waiting: Callable[..., PublicReport],
    open_case: Callable[..., Case],
    officer: Staff,
    make_staff: Callable[..., Staff],
    da_lead: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    open_case()  # Zephyrine's case, her harm Barnaby
    # Barnaby reports Zephyrine as the one causing harm.
    counter = waiting(survivor_name=PERPETRATOR_NAME, harm_name=SURVIVOR_NAME)

    assert (
        'data-testid="counter-allegation"'
        in as_staff(da_lead).get(f"/triage/{counter.pk}").content.decode()
    )
    stranger = waiting(survivor_name="Someone Else", harm_name="Nobody Known")
    assert (
        'data-testid="counter-allegation"'
        not in as_staff(da_lead).get(f"/triage/{stranger.pk}").content.decode()
    )


def test_the_public_never_hears_of_a_counter_allegation(
    send: Callable[..., Any], open_case: Callable[..., Case], da_lead: Staff
) -> None:
    open_case()
    answer = send(**{**ZEPHYRINE, "survivor_name": PERPETRATOR_NAME, "harm_name": SURVIVOR_NAME})
    page = Client().get(answer["Location"]).content.decode()

    assert "counter" not in page.lower()
    assert SURVIVOR_NAME not in page


def test_a_manager_who_may_not_see_the_other_case_is_not_told(
    send: Callable[..., Any],
    use_policy: Any,
    open_case: Callable[..., Case],
    make_staff: Callable[..., Staff],
    tmp_path: Any,
    as_staff: Callable[[Staff], Client],
) -> None:
    from safehold.policy.loader import load_policy

    text = load_policy("default").source.read_text()  # type: ignore[union-attr]
    path = tmp_path / "routed.toml"
    path.write_text(text.replace("routing = {}", 'routing = { "TF" = "Telford" }'))
    use_policy(str(path))
    telford = make_staff("tess.manager", role="manager", team="Telford")
    open_case()  # Zephyrine's case, on the Northgate team: not Telford's manager's to see
    counter = {**ZEPHYRINE, "survivor_name": PERPETRATOR_NAME, "harm_name": SURVIVOR_NAME}
    send(**{**counter, "postcode": "TF1 1AA"})
    report = PublicReport.objects.get()

    page = as_staff(telford).get(f"/triage/{report.pk}").content.decode()

    assert "Received through the public page" in page
    assert 'data-testid="counter-allegation"' not in page


def test_the_triage_queue_makes_as_many_queries_for_one_report_as_for_three(
    waiting: Callable[..., PublicReport], da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_staff(da_lead)
    counts = []
    for n in (1, 2):
        for _ in range(n):
            waiting()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/triage").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_case_page_says_it_came_through_the_public_page_unverified(
    waiting: Callable[..., PublicReport],
    da_lead: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    report = waiting()

    lead_page = as_staff(da_lead).get(f"/cases/{report.case_id}/").content.decode()
    director_page = as_staff(director).get(f"/cases/{report.case_id}/").content.decode()

    assert "Received through the public page, unverified" in lead_page
    assert f"/triage/{report.pk}" in lead_page
    assert "Received through the public page, unverified" in director_page
    assert f"/triage/{report.pk}" not in director_page  # she sees the case, triage is not hers
