"""Feedback after closure, by a safe channel, and appeals to the policy's reviewer with
the Complaint Handling Code's deadlines on the policy's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.closure import selectors, services
from safehold.closure.models import Appeal, Feedback, FeedbackRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case(case: Case, officer: Staff, manager: Staff) -> Case:
    services.closure_request(
        case=case,
        by=officer,
        reason="resolved",
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(hours=1),
    )
    services.closure_approve(case=case, by=manager)
    case.refresh_from_db()
    return case


def post(client: Client, path: str, body: dict[str, Any]):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def test_it_records_feedback_after_closure(
    policy: str, closed_case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = post(
        api_as(officer),
        f"/cases/{closed_case.pk}/feedback",
        {"satisfaction": 4, "comments": "Alice listened."},
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["satisfaction"] == 4
    assert answer.json()["kind"] == "feedback"


@pytest.mark.parametrize("kind", ["complaint", "praise"])
def test_complaints_and_praise_are_recorded_as_such(
    policy: str, kind: str, closed_case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = post(
        api_as(officer),
        f"/cases/{closed_case.pk}/feedback",
        {"kind": kind, "comments": "About the repairs team."},
    )

    assert answer.status_code == 201, answer.content
    assert Feedback.objects.get().kind == kind
    assert Feedback.objects.get().satisfaction is None


@pytest.mark.parametrize("satisfaction", [0, 6, -1, 100])
def test_satisfaction_is_1_to_5(
    policy: str,
    satisfaction: int,
    closed_case: Case,
    officer: Staff,
    api_as: Callable[..., Client],
) -> None:
    answer = post(
        api_as(officer), f"/cases/{closed_case.pk}/feedback", {"satisfaction": satisfaction}
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "satisfaction_out_of_range"
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    "body", [{"satisfaction": "5"}, {"satisfaction": 4.5}, {"satisfaction": 4, "extra": 1}]
)
def test_malformed_feedback_is_400(
    policy: str, body: dict[str, Any], closed_case: Case, officer: Staff, api_as: Any
) -> None:
    assert post(api_as(officer), f"/cases/{closed_case.pk}/feedback", body).status_code == 400
    assert not Feedback.objects.exists()


def test_feedback_on_an_open_case_is_a_conflict(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = post(api_as(officer), f"/cases/{case.pk}/feedback", {"satisfaction": 5})

    assert answer.status_code == 409
    assert answer.json()["code"] == "case_not_closed"
    assert not Feedback.objects.exists()


def test_feedback_is_asked_for_only_by_a_channel_she_marked_safe(
    policy: str, closed_case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    path = f"/cases/{closed_case.pk}/feedback-requests"
    assert [c.pk for c in selectors.feedback_to_request(officer)] == [closed_case.pk]

    by_post = post(client, path, {"channel": "post"})  # the test survivor said post is unsafe
    assert by_post.status_code == 422
    assert by_post.json()["code"] == "unsafe_contact_channel"
    by_email = post(client, path, {"channel": "email"})  # and gave no email
    assert by_email.status_code == 422
    assert not FeedbackRequest.objects.exists()

    by_phone = post(client, path, {"channel": "phone"})
    assert by_phone.status_code == 201, by_phone.content
    assert list(selectors.feedback_to_request(officer)) == []


def test_outsiders_cannot_record_feedback(
    policy: str, closed_case: Case, outsider: Staff, auditor: Staff, api_as: Any
) -> None:
    for who in (outsider, auditor):
        answer = post(api_as(who), f"/cases/{closed_case.pk}/feedback", {"satisfaction": 1})
        assert answer.status_code == 404
    assert not Feedback.objects.exists()


# Appeals. Dates: England's bank holidays over Christmas 2026 are Friday 25 December,
# Monday 28 December (for Boxing Day, a Saturday) and Friday 1 January 2027.


@pytest.mark.parametrize("by", ["survivor", "alleged_perpetrator"])
def test_an_appeal_goes_to_the_policys_reviewer_with_code_deadlines_across_christmas(
    policy: str, by: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    with time_machine.travel("2026-12-23T10:00:00Z", tick=False):
        answer = post(
            api_as(officer),
            f"/cases/{case.pk}/appeals",
            {"by": by, "grounds": "Nobody called me back for two weeks."},
        )

    assert answer.status_code == 201, answer.content
    appeal = answer.json()
    assert appeal["reviewer_role"] == "director"  # default.toml appeals.reviewer_role
    assert appeal["stage"] == 1
    # 5 working days: 24, 29, 30, 31 December and 4 January.
    assert appeal["acknowledge_due_at"] == "2027-01-04T17:00:00Z"
    # 10 working days from the last day to acknowledge: 5 to 8, 11 to 15 and 18 January.
    assert appeal["due_at"] == "2027-01-18T17:00:00Z"


SECOND_STAGE = (
    "[appeals]\nstage_2 = { acknowledge_working_days = 5, respond_working_days = 20, "
    'reviewer_role = "da_lead" }\n'
)


@pytest.fixture
def two_stages(own_policy: Callable[[str], str]) -> None:
    """A policy of the test's own with a second stage, reviewed by the DA lead (no
    bundled policy has one: no seed describes it)."""
    own_policy(SECOND_STAGE)


def test_acknowledging_brings_the_answer_forward_and_stage_2_has_its_own_deadlines(
    two_stages: None,
    case: Case,
    officer: Staff,
    director: Staff,
    da_lead: Staff,
    api_as: Callable[..., Client],
) -> None:
    with time_machine.travel("2026-12-23T10:00:00Z", tick=False):
        made = post(
            api_as(officer),
            f"/cases/{case.pk}/appeals",
            {"by": "survivor", "grounds": "Nobody called me back for two weeks."},
        ).json()
    with time_machine.travel("2026-12-29T11:00:00Z", tick=False):
        acknowledged = post(api_as(officer), f"/appeals/{made['id']}/acknowledge", {})
    assert acknowledged.status_code == 200, acknowledged.content
    # 10 working days from Tuesday 29 December: 30, 31 Dec, 4 to 8 and 11 to 13 January.
    assert acknowledged.json()["due_at"] == "2027-01-13T17:00:00Z"
    assert [a.pk for a in selectors.appeals_waiting(director)] == [made["id"]]

    decision = {"outcome": "not_upheld", "reasons": "Calls were made; the log shows them."}
    by_lead = post(api_as(da_lead), f"/appeals/{made['id']}/decision", decision)
    assert by_lead.status_code == 403
    assert by_lead.json()["policy_rule"] == "appeals.reviewer_role"
    decided = post(api_as(director), f"/appeals/{made['id']}/decision", decision)
    assert decided.status_code == 200, decided.content
    assert decided.json()["outcome"] == "not_upheld"
    assert not selectors.appeals_waiting(director).exists()

    with time_machine.travel("2027-02-03T09:00:00Z", tick=False):
        stage_2 = post(
            api_as(officer),
            f"/appeals/{made['id']}/escalate",
            {"grounds": "I was never told the outcome in writing."},
        )
    assert stage_2.status_code == 201, stage_2.content
    assert stage_2.json()["stage"] == 2
    assert stage_2.json()["escalated_from"] == made["id"]
    assert stage_2.json()["acknowledge_due_at"] == "2027-02-10T17:00:00Z"
    # 20 working days from 10 February: 11 February to 10 March.
    assert stage_2.json()["due_at"] == "2027-03-10T17:00:00Z"

    assert stage_2.json()["reviewer_role"] == "da_lead"  # its own reviewer (issue 16)
    same = post(api_as(director), f"/appeals/{stage_2.json()['id']}/decision", decision)
    assert same.status_code == 403
    assert same.json()["code"] == "may_not_decide_appeal"
    assert same.json()["policy_rule"] == "appeals.stage_2.reviewer_role"
    assert [a.pk for a in selectors.appeals_waiting(da_lead)] == [stage_2.json()["id"]]
    lead_decides = post(api_as(da_lead), f"/appeals/{stage_2.json()['id']}/decision", decision)
    assert lead_decides.status_code == 200, lead_decides.content
    twice = post(api_as(officer), f"/appeals/{made['id']}/escalate", {"grounds": "x" * 20})
    assert twice.status_code == 409


@pytest.mark.parametrize("by", ["neighbour", "police", "officer", ""])
def test_only_the_survivor_or_the_alleged_perpetrator_appeals(
    policy: str, by: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = post(
        api_as(officer), f"/cases/{case.pk}/appeals", {"by": by, "grounds": "Not happy at all."}
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "appellant_not_allowed"
    assert answer.json()["policy_rule"] == "appeals.who"
    assert not Appeal.objects.exists()


def test_an_appeal_received_in_the_future_is_refused(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = post(
        api_as(officer),
        f"/cases/{case.pk}/appeals",
        {"by": "survivor", "grounds": "Not happy at all.", "received_at": "2099-01-01T00:00:00Z"},
    )

    assert answer.status_code == 422
    assert not Appeal.objects.exists()


def test_an_outsider_cannot_reach_an_appeal(
    policy: str,
    case: Case,
    officer: Staff,
    outsider: Staff,
    director: Staff,
    api_as: Callable[..., Client],
) -> None:
    made = post(
        api_as(officer), f"/cases/{case.pk}/appeals", {"by": "survivor", "grounds": "Not happy."}
    ).json()

    assert post(api_as(outsider), f"/appeals/{made['id']}/acknowledge", {}).status_code == 404
    assert api_as(outsider).get(f"/api/v1/cases/{case.pk}/appeals").status_code == 404
    assert (
        api_as(director).get(f"/api/v1/cases/{case.pk}/appeals").json()["items"][0]["id"]
        == (made["id"])
    )


@pytest.mark.parametrize("named_on_few", [2_000, 1], ids=["read from their own", "read by closing"])
def test_feedback_is_asked_for_by_those_named_on_the_case_only(
    policy: str,
    closed_case: Case,
    officer: Staff,
    teammate: Staff,
    manager: Staff,
    director: Staff,
    named_on_few: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The queue holds the closed cases a person is named on: their officer, and anyone
    on the case team; not a colleague, a manager or a director who is not; the same
    whichever way their closed cases are read (issue 19, `named_on_closed`: from the
    cases they are named on, or from every closed case in the order of closing)."""
    from safehold.cases.models import CaseTeamMember

    monkeypatch.setattr(selectors, "NAMED_ON_FEW", named_on_few)

    assert [c.pk for c in selectors.feedback_to_request(officer)] == [closed_case.pk]
    for person in (teammate, manager, director):
        assert list(selectors.feedback_to_request(person)) == [], person
    CaseTeamMember.objects.create(case=closed_case, staff=teammate, added_at=timezone.now())
    assert [c.pk for c in selectors.feedback_to_request(teammate)] == [closed_case.pk]


def test_reading_a_cases_appeals_through_the_api_is_a_read_of_the_case(
    policy: str, closed_case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    """Who appealed and how each stands is case information: `GET /cases/{id}/appeals`
    writes `case.viewed`, as the appeal page does."""
    from safehold.privacy.models import AuditEntry

    reads = AuditEntry.objects.filter(action="case.viewed", target_id=closed_case.pk)
    before = reads.count()
    answer = api_as(officer).get(f"/api/v1/cases/{closed_case.pk}/appeals")
    assert answer.status_code == 200
    assert reads.count() == before + 1
    latest = reads.order_by("-seq").first()
    assert latest is not None
    assert (latest.actor, latest.detail["via"]) == (officer.username, "api")


def test_the_home_page_says_a_decision_queue_it_read_to_its_limit_holds_that_many_or_more(
    policy: str,
    closed_case: Case,
    officer: Staff,
    as_staff: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The decision queues read at most their first rows (200): a count that reaches
    that is shown as "200 or more", never as if it were all of them."""
    from safehold.desk import home

    def feedback_count() -> str:
        page = as_staff(officer).get("/").content.decode()
        row = page.split(">Feedback to ask for</a>")[1]
        return row.split('govuk-summary-list__value">')[1].split("</dd>")[0]

    assert feedback_count() == "1"
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 1)
    monkeypatch.setattr(home, "DECISIONS_READ", 1)
    assert feedback_count() == "1 or more"


def test_appeals_are_counted_up_to_the_limit_and_their_queue_read_a_page_at_a_time(
    policy: str,
    open_case: Callable[..., Case],
    officer: Staff,
    director: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The home page counts the appeals waiting with one COUNT that stops at the limit
    (no row read), and the queue reads one page of them at a time, soonest due first,
    past the limit too (issue 19)."""
    from safehold.desk import home, queue_pages

    made = []
    for day in range(3):
        with time_machine.travel(timezone.now() + timedelta(days=day), tick=False):
            appeal = post(
                api_as(officer),
                f"/cases/{open_case().pk}/appeals",
                {"by": "survivor", "grounds": "Nobody called me back for two weeks."},
            )
        assert appeal.status_code == 201, appeal.content
        made.append(appeal.json()["id"])
    client = as_staff(director)

    def appeals_count() -> str:
        page = client.get("/").content.decode()
        row = page.split(">Appeals to answer</a>")[1]
        return row.split('govuk-summary-list__value">')[1].split("</dd>")[0]

    def on_page(number: int) -> list[bool]:
        page = client.get(f"/queues/appeals-to-answer?page={number}").content.decode()
        return [f"/appeals/{pk}" in page for pk in made]

    assert appeals_count() == "3"
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 2)
    monkeypatch.setattr(home, "DECISIONS_READ", 2)
    monkeypatch.setattr(queue_pages, "QUEUE_PAGE", 2)
    assert appeals_count() == "2 or more"
    assert on_page(1) == [True, True, False]
    assert on_page(2) == [False, False, True]
