"""The closure, feedback and appeal pages: people closing, approving, reopening and
evaluating a case, asking for and recording feedback, and recording and answering an
appeal, through the web pages as they use them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import escape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import plan
from safehold.closure import appeals, feedback, services
from safehold.closure.models import Appeal, Closure, Feedback, FeedbackRequest
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from tests.casedata import SURVIVOR_NAME

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def yesterday() -> dict[str, str]:
    day = timezone.localdate() - timedelta(days=1)
    return {"review_meeting_0": str(day.day), "review_meeting_1": str(day.month)} | {
        "review_meeting_2": str(day.year)
    }


def closing(**changes: Any) -> dict[str, Any]:
    """What an officer types into the close form, with the survivor's agreement."""
    return {
        "reason": active_policy().closure.reasons[0],
        "survivor_agrees": "yes",
        **yesterday(),
        "explanation": "Everything agreed at the review has been done.",
        **changes,
    }


def policy_quote(page: str) -> str:
    """The refusal's inset: the rule and the policy's own words, apart from the rules
    listed above the form (which quote the policy too)."""
    start = page.index('data-testid="policy-quote"')
    return page[start : page.index("</div>", start)]


def status_of(case: Case) -> str:
    case.refresh_from_db()
    return case.status


def close_now(case: Case, officer: Staff, manager: Staff) -> Case:
    services.closure_request(
        case=case,
        by=officer,
        reason=active_policy().closure.reasons[0],
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(days=1),
        explanation="Everything agreed at the review has been done.",
    )
    services.closure_approve(case=case, by=manager)
    case.refresh_from_db()
    return case


@pytest.fixture
def closed_case(case: Case, officer: Staff, manager: Staff) -> Case:
    return close_now(case, officer, manager)


def test_an_officer_asks_to_close_and_a_manager_approves(
    policy: str,
    case: Case,
    officer: Staff,
    manager: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    client = as_staff(officer)
    form = client.get(f"/cases/{case.pk}/close")
    assert form.status_code == 200
    page = form.content.decode()
    assert "What the policy says about closing a case" in page
    assert "We close a case only if the survivor agrees." in page  # default.toml
    assert "The case has been resolved" in page
    assert 'name="override_reason"' not in page  # default.toml: agreement is required

    sent = client.post(f"/cases/{case.pk}/close", closing(), follow=True)

    assert sent.redirect_chain == [(f"/cases/{case.pk}/", 302)]
    assert "Closure sent for approval" in sent.content.decode()
    assert "Awaiting approval" in sent.content.decode()
    assert status_of(case) == "closing"

    decision = as_staff(manager).get(f"/cases/{case.pk}/closure/decision")
    assert decision.status_code == 200
    assert "Everything agreed at the review has been done." in decision.content.decode()
    approved = as_staff(manager).post(
        f"/cases/{case.pk}/closure/decision", {"decision": "approve"}, follow=True
    )

    assert "Case closed" in approved.content.decode()
    assert status_of(case) == "closed"
    assert 'data-testid="closure-reason">The case has been resolved' in approved.content.decode()


def test_a_manager_declines_with_a_note_and_the_case_stays_open(
    policy: str, case: Case, officer: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    as_staff(officer).post(f"/cases/{case.pk}/close", closing())
    client = as_staff(manager)

    without_note = client.post(f"/cases/{case.pk}/closure/decision", {"decision": "decline"})
    assert without_note.status_code == 422
    assert "Say why the case should stay open" in without_note.content.decode()
    assert status_of(case) == "closing"

    declined = client.post(
        f"/cases/{case.pk}/closure/decision",
        {"decision": "decline", "note": "She still fears him returning at night."},
        follow=True,
    )
    assert "Closure declined: the case stays open" in declined.content.decode()
    assert "She still fears him returning at night." in declined.content.decode()
    assert status_of(case) == "open"


@pytest.mark.parametrize("policy", ["viridian"], indirect=True)
def test_without_her_agreement_the_page_quotes_the_policy(
    policy: str, case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    refused = as_staff(officer).post(
        f"/cases/{case.pk}/close", closing(survivor_agrees="no", explanation="x" * 40)
    )

    assert refused.status_code == 422
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "The policy closes a case only with the survivor&#x27;s agreement" in page
    assert escape(active_policy().quotes["closure.survivor_agreement"]) in policy_quote(page)
    assert status_of(case) == "open"
    assert not Closure.objects.exists()


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_a_reason_the_policy_does_not_give_is_refused_in_its_words(
    policy: str, case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assert (
        "The action plan is complete" not in client.get(f"/cases/{case.pk}/close").content.decode()
    )

    refused = client.post(f"/cases/{case.pk}/close", closing(reason="action_plan_complete"))

    assert refused.status_code == 422
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "The policy does not close a case for" in page
    assert escape(active_policy().quotes["closure.reasons"]) in policy_quote(page)
    assert status_of(case) == "open"


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_without_her_agreement_the_officer_asks_and_the_override_role_decides(
    policy: str,
    case: Case,
    officer: Staff,
    manager: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    """[000 Closure of cases] "some cases will have to be closed even though the victim is
    not satisfied": under wha.toml the director decides, never the person who asked."""
    by_officer = as_staff(officer)
    form = by_officer.get(f"/cases/{case.pk}/close").content.decode()
    assert 'name="override_reason"' in form
    asked = by_officer.post(
        f"/cases/{case.pk}/close",
        closing(survivor_agrees="no", explanation="", override_reason="She moved away."),
    )
    assert asked.status_code == 302
    assert status_of(case) == "closing"

    assert (
        as_staff(manager)
        .post(f"/cases/{case.pk}/closure/decision", {"decision": "approve", "note": "Fine"})
        .status_code
        == 403
    )  # only the override role decides this one
    page = as_staff(director).get(f"/cases/{case.pk}/closure/decision").content.decode()
    assert 'data-testid="without-agreement"' in page
    assert "She moved away." in page
    blank = as_staff(director).post(
        f"/cases/{case.pk}/closure/decision", {"decision": "approve", "note": ""}
    )
    assert blank.status_code == 422
    assert "Say why the case closes without the survivor" in blank.content.decode()
    approved = as_staff(director).post(
        f"/cases/{case.pk}/closure/decision",
        {"decision": "approve", "note": "No contact is possible."},
    )
    assert approved.status_code == 302
    assert status_of(case) == "closed"


def test_the_review_meeting_date_is_needed_and_open_actions_stop_a_closure(
    policy: str, case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    no_date = client.post(
        f"/cases/{case.pk}/close",
        closing(review_meeting_0="", review_meeting_1="", review_meeting_2=""),
    )
    assert no_date.status_code == 422
    assert "give the meeting&#x27;s date" in no_date.content.decode()
    # The error links into the date's day box, so the cursor lands where the date starts
    # (issue 18, Forms as GOV.UK patterns; web/includes/error_summary.html).
    assert 'href="#id_review_meeting_0"' in no_date.content.decode()

    plan.action_add(case=case, by=officer, kind="emergency_repair", detail="Board the window")
    open_action = client.post(f"/cases/{case.pk}/close", closing())
    assert open_action.status_code == 422
    assert "1 action on the plan is still open" in open_action.content.decode()
    assert status_of(case) == "open"


def test_text_typed_into_the_pages_is_escaped(
    policy: str,
    case: Case,
    officer: Staff,
    manager: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    as_staff(officer).post(f"/cases/{case.pk}/close", closing(explanation=SCRIPT))

    for page in (
        as_staff(manager).get(f"/cases/{case.pk}/closure/decision").content.decode(),
        as_staff(officer).get(f"/cases/{case.pk}/").content.decode(),
    ):
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    as_staff(manager).post(f"/cases/{case.pk}/closure/decision", {"decision": "approve"})
    as_staff(officer).post(
        f"/cases/{case.pk}/feedback/new", {"kind": "complaint", "comments": SCRIPT}
    )
    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()
    assert SCRIPT not in page
    assert Feedback.objects.get().kind == "complaint"


def test_an_outsider_finds_none_of_the_pages(
    policy: str, closed_case: Case, officer: Staff, outsider: Staff, as_staff
) -> None:
    appeal = appeals.appeal_make(
        case=closed_case, by=officer, party="survivor", grounds="The case closed too early."
    )
    client = as_staff(outsider)
    for path in (
        "close",
        "closure/decision",
        "closure/evaluation",
        "reopen",
        "feedback/new",
        "feedback/request",
        "appeals/new",
    ):
        assert client.get(f"/cases/{closed_case.pk}/{path}").status_code == 404, path
        assert client.post(f"/cases/{closed_case.pk}/{path}", {}).status_code == 404, path
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 404
    assert client.post(f"/appeals/{appeal.pk}/", {"step": "acknowledge"}).status_code == 404
    assert not FeedbackRequest.objects.exists()
    assert Appeal.objects.get().status == "received"


def test_an_officer_may_not_approve_reopen_or_evaluate(
    policy: str, case: Case, officer: Staff, manager: Staff, as_staff
) -> None:
    client = as_staff(officer)
    client.post(f"/cases/{case.pk}/close", closing())

    assert client.get(f"/cases/{case.pk}/closure/decision").status_code == 403
    approve = client.post(f"/cases/{case.pk}/closure/decision", {"decision": "approve"})
    assert approve.status_code == 403
    assert status_of(case) == "closing"
    assert "Decide on the closure" not in client.get(f"/cases/{case.pk}/").content.decode()

    services.closure_approve(case=case, by=manager)
    assert client.get(f"/cases/{case.pk}/reopen").status_code == 403
    assert client.get(f"/cases/{case.pk}/closure/evaluation").status_code == 403
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Reopen the case" not in page
    assert f'href="/cases/{case.pk}/closure/evaluation"' not in page


def test_the_director_evaluates_and_a_manager_reopens(
    policy: str, closed_case: Case, director: Staff, manager: Staff, as_staff
) -> None:
    page = as_staff(director).get(f"/cases/{closed_case.pk}/").content.decode()
    assert f'href="/cases/{closed_case.pk}/closure/evaluation"' in page  # default.toml

    evaluated = as_staff(director).post(
        f"/cases/{closed_case.pk}/closure/evaluation",
        {"notes": "The lock change came late."},
        follow=True,
    )
    assert "Evaluation recorded" in evaluated.content.decode()
    assert Closure.objects.get().evaluated_by == director

    reopen = as_staff(manager)
    blank = reopen.post(f"/cases/{closed_case.pk}/reopen", {"reason": " "})
    assert blank.status_code in (400, 422)
    assert "Say why the case is reopened" in blank.content.decode()
    # Any words will do: no seed sets a minimum length for a reason (issue 16).
    reopened = reopen.post(f"/cases/{closed_case.pk}/reopen", {"reason": "Released."}, follow=True)
    assert "Case reopened" in reopened.content.decode()
    assert status_of(closed_case) == "open"


def test_feedback_is_asked_only_by_a_safe_channel_and_recorded(
    policy: str, closed_case: Case, officer: Staff, as_staff
) -> None:
    client = as_staff(officer)
    form = client.get(f"/cases/{closed_case.pk}/feedback/request").content.decode()
    assert feedback.safe_channels(closed_case) == ["phone", "in_person"]  # casedata: no post
    assert 'value="phone"' in form
    assert 'value="post"' not in form
    assert 'value="email"' not in form

    unsafe = client.post(f"/cases/{closed_case.pk}/feedback/request", {"channel": "post"})
    assert unsafe.status_code == 422
    assert "The survivor has not given that channel as safe" in unsafe.content.decode()
    assert not FeedbackRequest.objects.exists()

    asked = client.post(
        f"/cases/{closed_case.pk}/feedback/request", {"channel": "phone"}, follow=True
    )
    assert "ask the survivor by phone" in asked.content.decode()

    new = client.get(f"/cases/{closed_case.pk}/feedback/new").content.decode()
    assert "1 \N{EN DASH} very dissatisfied" in new
    assert "5 \N{EN DASH} very satisfied" in new
    empty = client.post(f"/cases/{closed_case.pk}/feedback/new", {"kind": "feedback"})
    assert empty.status_code == 422
    assert "Give a satisfaction score or comments" in empty.content.decode()
    recorded = client.post(
        f"/cases/{closed_case.pk}/feedback/new",
        {"kind": "feedback", "satisfaction": "4", "comments": "Alice listened."},
        follow=True,
    )
    page = recorded.content.decode()
    assert "Feedback recorded" in page
    assert "4 out of 5" in page
    assert "Alice listened." in page
    assert Feedback.objects.get().satisfaction == 4


@pytest.fixture
def two_stages(own_policy: Callable[[str], str]) -> None:
    """A policy of the test's own with a second stage of appeal, reviewed by the DA lead
    (no bundled policy has one: no seed describes it)."""
    own_policy(
        "[appeals]\nstage_2 = { acknowledge_working_days = 5, respond_working_days = 20, "
        'reviewer_role = "da_lead" }\n'
    )


def test_an_appeal_is_recorded_acknowledged_decided_and_escalated(
    two_stages: None,
    closed_case: Case,
    officer: Staff,
    director: Staff,
    da_lead: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    client = as_staff(officer)
    form = client.get(f"/cases/{closed_case.pk}/appeals/new").content.decode()
    today = timezone.localdate()
    assert f'name="received_0" type="text" inputmode="numeric" value="{today.day}"' in form
    assert "The survivor" in form
    assert "The alleged perpetrator" in form

    made = client.post(
        f"/cases/{closed_case.pk}/appeals/new",
        {
            "by": "survivor",
            "received_0": str(today.day),
            "received_1": str(today.month),
            "received_2": str(today.year),
            "grounds": SCRIPT + " The case was closed before the locks were changed.",
        },
        follow=True,
    )
    appeal = Appeal.objects.get()
    assert made.redirect_chain == [(f"/appeals/{appeal.pk}/", 302)]
    page = made.content.decode()
    assert "Appeal recorded" in page
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page
    acknowledge_by = timezone.localtime(appeal.acknowledge_due_at)
    assert f"{acknowledge_by:%A} {acknowledge_by.day} {acknowledge_by:%B %Y}" in page
    assert "Decide the appeal" not in page  # the director reviews (the schema's default)

    client.post(f"/appeals/{appeal.pk}/", {"step": "acknowledge"})
    appeal.refresh_from_db()
    assert appeal.status == "acknowledged"

    assert (
        client.post(
            f"/appeals/{appeal.pk}/",
            {"step": "decide", "outcome": "upheld", "reasons": "Reasons given here."},
        ).status_code
        == 403
    )
    reviewer = as_staff(director)
    assert "Decide the appeal" in reviewer.get(f"/appeals/{appeal.pk}/").content.decode()
    decided = reviewer.post(
        f"/appeals/{appeal.pk}/",
        {"step": "decide", "outcome": "not_upheld", "reasons": "The locks were changed first."},
        follow=True,
    )
    assert "Appeal decided" in decided.content.decode()
    assert "Not upheld" in decided.content.decode()
    assert "Escalate to stage 2" in decided.content.decode()

    escalated = client.post(
        f"/appeals/{appeal.pk}/",
        {"step": "escalate", "grounds": "She says the locks were changed a week later."},
        follow=True,
    )
    stage_2 = Appeal.objects.get(stage=2)
    assert escalated.redirect_chain == [(f"/appeals/{stage_2.pk}/", 302)]
    assert "Appeal escalated to stage 2" in escalated.content.decode()
    # Stage 2 is for another reviewer than the director who answered stage 1: its own role.
    assert "Decide the appeal" not in reviewer.get(f"/appeals/{stage_2.pk}/").content.decode()
    assert "Decide the appeal" in as_staff(da_lead).get(f"/appeals/{stage_2.pk}/").content.decode()
    case_page = client.get(f"/cases/{closed_case.pk}/").content.decode()
    assert f'href="/appeals/{appeal.pk}/"' in case_page
    assert f'href="/appeals/{stage_2.pk}/"' in case_page


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_an_appellant_the_policy_does_not_name_is_refused(
    policy: str, closed_case: Case, officer: Staff, as_staff
) -> None:
    refused = as_staff(officer).post(
        f"/cases/{closed_case.pk}/appeals/new",
        {
            "by": "nobody",
            "received_0": "1",
            "received_1": "1",
            "received_2": "2020",
            "grounds": "x" * 20,
        },
    )
    assert refused.status_code == 422
    assert "Under the policy an appeal is made by" in refused.content.decode()
    assert escape(active_policy().quotes["appeals.who"]) in policy_quote(refused.content.decode())
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("persona", "queue", "link"),
    [
        ("manager", "closures-to-approve", "closure/decision"),
        ("director", "closures-to-evaluate", "closure/evaluation"),
        ("officer", "feedback-to-ask", "feedback/request"),
    ],
)
def test_the_closure_queues_show_who_each_case_is_about(
    policy: str,
    request: pytest.FixtureRequest,
    open_case: Callable[..., Case],
    officer: Staff,
    manager: Staff,
    persona: str,
    queue: str,
    link: str,
    as_staff,
) -> None:
    case = open_case()
    if queue == "closures-to-approve":
        as_staff(officer).post(f"/cases/{case.pk}/close", closing())
    else:
        close_now(case, officer, manager)
    reader = request.getfixturevalue(persona)
    client = as_staff(reader)

    home = client.get("/").content.decode()
    assert f'href="/queues/{queue}"' in home
    listed = client.get(f"/queues/{queue}")

    assert listed.status_code == 200
    page = listed.content.decode()
    assert case.reference in page
    assert f'href="/cases/{case.pk}/{link}"' in page
    # Issue 18: what confirms the right person, to someone who may see the case.
    assert SURVIVOR_NAME in page
    assert "Born 12 April 1988" in page
    listed = AuditEntry.objects.filter(action="case.listed", actor=reader.username).last()
    assert listed is not None
    assert (listed.detail["via"], listed.detail["cases"]) == ("queue", [case.pk])


def test_the_appeals_queue_lists_the_reviewers_appeals(
    policy: str, closed_case: Case, officer: Staff, director: Staff, as_staff
) -> None:
    appeal = appeals.appeal_make(
        case=closed_case, by=officer, party="survivor", grounds="The case closed too early."
    )
    client = as_staff(director)
    assert 'href="/queues/appeals-to-answer"' in client.get("/").content.decode()
    page = client.get("/queues/appeals-to-answer").content.decode()
    assert closed_case.reference in page
    assert f'href="/appeals/{appeal.pk}/"' in page
    assert SURVIVOR_NAME in page  # issue 18: who the case is about
    assert "appeals-to-answer" not in as_staff(officer).get("/").content.decode()


def test_the_case_page_makes_a_fixed_number_of_queries(
    policy: str, closed_case: Case, officer: Staff, director: Staff, as_staff
) -> None:
    client = as_staff(director)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/cases/{closed_case.pk}/").status_code == 200
        return len(queries)

    client.get(f"/cases/{closed_case.pk}/")
    few = count()
    for n in range(3):
        feedback.feedback_record(case=closed_case, by=officer, satisfaction=n + 1)
        feedback.feedback_request(case=closed_case, by=officer, channel="phone")
        appeals.appeal_make(
            case=closed_case, by=officer, party="survivor", grounds="The case closed too early."
        )
    assert count() == few


def test_reading_an_appeal_page_is_recorded_as_a_read_of_the_case(
    closed_case: Case, officer: Staff, director: Staff, as_staff
) -> None:
    """Issue 17 §9: the appeal page shows the grounds, so reading it is a read of the case."""
    appeal = appeals.appeal_make(
        case=closed_case, by=officer, party="survivor", grounds="The case closed too early."
    )
    reads = AuditEntry.objects.filter(action="case.viewed", target_id=closed_case.pk)
    before = reads.count()

    page = as_staff(director).get(f"/appeals/{appeal.pk}/")

    assert page.status_code == 200
    assert "The case closed too early." in page.content.decode()
    latest = reads.order_by("-seq").first()
    assert reads.count() == before + 1
    assert latest is not None
    assert (latest.actor, latest.detail["via"]) == (director.username, "appeal")


@pytest.mark.parametrize(
    ("who", "path", "via"),
    [
        ("director", "/cases/{id}/closure/evaluation", "closure_evaluation"),
        ("director", "/cases/{id}/reopen", "case_reopen"),
    ],
)
def test_reading_a_closed_cases_closure_pages_is_recorded_as_a_read_of_the_case(
    closed_case: Case, director: Staff, as_staff, who: str, path: str, via: str
) -> None:
    """The evaluation and reopening pages show why the case was closed: a read of the
    case, in the trail (every read of a case, docs/security.md)."""
    reads = AuditEntry.objects.filter(action="case.viewed", target_id=closed_case.pk)
    before = reads.count()

    page = as_staff(director).get(path.format(id=closed_case.pk))

    assert page.status_code == 200
    latest = reads.order_by("-seq").first()
    assert reads.count() == before + 1
    assert latest is not None
    assert (latest.actor, latest.detail["via"]) == (director.username, via)
