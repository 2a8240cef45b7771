"""MARAC meetings through HTTP (issue 21, docs/marac.md): the list with new and repeat
cases, the decisions and the provider's actions on the plan, Wrekin's rule, who sees
what, and bad input."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Action
from safehold.marac import services
from safehold.marac.models import Hearing, MaracAction, Meeting
from safehold.policy.clock import LONDON, months_before
from safehold.privacy.models import AuditEntry
from tests.marac.conftest import (
    assessed,
    date_parts,
    heard_long_ago,
    meeting_made,
    new_survivor,
    referred,
    same_survivor,
    today,
)

pytestmark = pytest.mark.django_db


def row(page: str, reference: str) -> str:
    start = page.index(f'data-testid="hearing-{reference}"')
    return page[start : page.index("</tr>", start)]


def decisions_body(**extra: str) -> dict[str, str]:
    due = today() + timedelta(days=14)
    return {
        "notes": "Agreed: safety planning, target hardening.",
        "agency_1": "provider",
        "what_1": "Fit a door chain and a safe letterbox",
        **date_parts("due_1", due),
        "agency_2": "police",
        "what_2": "Flag the address for a priority response",
        **date_parts("due_2", due),
        **extra,
    }


@pytest.fixture
def listed(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> dict[str, Case]:
    """Three cases referred to MARAC now: one new, one whose survivor was referred 11
    months before (on another case: a repeat), one 13 months before (new)."""
    now = timezone.now()
    fresh = new_survivor(open_case())
    assessed(fresh, officer)
    referred(fresh, officer)

    earlier_11 = new_survivor(open_case())
    old = referred(earlier_11, officer, sent_at=months_before(now, 11))
    heard_long_ago(old, officer, today() - timedelta(days=330))
    repeat = same_survivor(open_case(), earlier_11)
    referred(repeat, officer)

    earlier_13 = new_survivor(open_case())
    older = referred(earlier_13, officer, sent_at=months_before(now, 13))
    heard_long_ago(older, officer, today() - timedelta(days=400))
    not_repeat = same_survivor(open_case(), earlier_13)
    referred(not_repeat, officer)
    return {"fresh": fresh, "repeat": repeat, "not_repeat": not_repeat}


def test_the_list_holds_the_referred_cases_new_or_repeat_with_their_risk(
    listed: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    meeting_id = meeting_made(client)

    page = html.unescape(client.get(f"/marac/meetings/{meeting_id}/").content.decode())

    fresh = row(page, listed["fresh"].reference)
    assert ">New<" in fresh
    assert "High" in fresh
    assert ">24<" in fresh
    assert ">Repeat<" in row(page, listed["repeat"].reference)
    assert ">New<" in row(page, listed["not_repeat"].reference)
    assert "Not assessed" in row(page, listed["repeat"].reference)
    # The earlier referrals were heard at earlier meetings: not on this list.
    assert Hearing.objects.filter(meeting_id=meeting_id).count() == 3
    viewed = AuditEntry.objects.get(action="case.listed", detail__via="marac_meeting")
    assert set(viewed.detail["cases"]) == {c.pk for c in listed.values()}


def test_a_referral_goes_onto_one_list_only(
    listed: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    meeting_made(client, today())
    later = meeting_made(client, today() + timedelta(days=14))

    assert Hearing.objects.filter(meeting_id=later).count() == 0
    again = client.post(
        "/marac/meetings/new", {"conference": "local", **date_parts("held_on", today())}
    )
    assert again.status_code == 400
    assert "latest meeting is on" in html.unescape(again.content.decode())


def test_decisions_put_the_providers_actions_on_the_plan_and_track_the_others(
    listed: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    meeting_id = meeting_made(client)
    case = listed["fresh"]
    hearing = Hearing.objects.get(meeting_id=meeting_id, case=case)

    response = client.post(f"/marac/hearings/{hearing.pk}/decisions", decisions_body())

    assert response.status_code == 302, response.content.decode()[:3000]
    hearing.refresh_from_db()
    assert hearing.heard_at is not None
    own, police = MaracAction.objects.filter(hearing=hearing).order_by("-provider_own")
    assert (own.agency, own.provider_own, police.agency, police.provider_own) == (
        "provider",
        True,
        "police",
        False,
    )
    assert own.plan_action is not None
    assert own.plan_action.source == "marac"
    assert police.plan_action is None
    page = html.unescape(client.get(f"/cases/{case.pk}/").content.decode())
    assert "Fit a door chain and a safe letterbox" in page
    assert "Flag the address for a priority response" in page
    again = client.post(f"/marac/hearings/{hearing.pk}/decisions", decisions_body())
    assert again.status_code == 400
    assert "already recorded" in again.content.decode()
    assert MaracAction.objects.filter(hearing=hearing).count() == 2

    status = client.post(f"/marac/actions/{police.pk}/status", {"status": "done", "note": "Done."})
    assert status.status_code == 302
    police.refresh_from_db()
    assert (police.status, police.completed_on) == ("done", today())


@pytest.mark.parametrize("policy", ["wrekin"], indirect=True)
def test_wrekin_puts_its_own_actions_on_the_plan_after_the_discussion_with_the_survivor(
    policy: str, listed: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    meeting_id = meeting_made(client)
    case = listed["fresh"]
    hearing = Hearing.objects.get(meeting_id=meeting_id, case=case)
    client.post(f"/marac/hearings/{hearing.pk}/decisions", decisions_body())
    own = MaracAction.objects.get(hearing=hearing, provider_own=True)
    assert own.plan_action is None
    assert not Action.objects.filter(case=case, source="marac").exists()
    page = html.unescape(client.get(f"/cases/{case.pk}/").content.decode())
    assert "waits for the discussion with the survivor" in page

    response = client.post(
        f"/marac/hearings/{hearing.pk}/survivor-discussion",
        {"note": "She agrees to the door chain."},
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.plan_action is not None
    assert Action.objects.filter(case=case, source="marac").count() == 1


def test_an_action_due_today_recorded_after_five_goes_on_the_plan_due_at_once(
    listed: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """The meeting's decisions recorded in the evening, an action due that day: it goes on
    the plan due now, not refused (with the rest of the record) as due in the past."""
    meeting_id = meeting_made(as_staff(officer))
    hearing = Hearing.objects.get(meeting_id=meeting_id, case=listed["fresh"])
    evening = datetime.combine(today(), time(20, 0), tzinfo=LONDON)
    morning = datetime.combine(today(), time(9, 0), tzinfo=LONDON)
    services.hearing_decisions_record(
        hearing=hearing,
        by=officer,
        notes="Agreed: a door chain today.",
        actions=[services.AgreedAction(services.PROVIDER, "Fit a door chain", today())],
        now=evening,
    )
    own = MaracAction.objects.get(hearing=hearing)
    assert own.plan_action is not None
    assert own.plan_action.due_at == evening
    later = Hearing.objects.get(meeting_id=meeting_id, case=listed["repeat"])
    services.hearing_decisions_record(
        hearing=later,
        by=officer,
        notes="Agreed: a safe letterbox today.",
        actions=[services.AgreedAction(services.PROVIDER, "Fit a safe letterbox", today())],
        now=morning,
    )
    action = MaracAction.objects.get(hearing=later).plan_action
    assert action is not None
    assert action.due_at == datetime.combine(today(), time(17, 0), tzinfo=LONDON)


@pytest.mark.parametrize("policy", ["wrekin"], indirect=True)
def test_wrekin_discussion_after_the_actions_day_puts_it_on_the_plan_due_at_once(
    policy: str, listed: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    hearing = Hearing.objects.get(meeting_id=meeting_made(as_staff(officer)), case=listed["fresh"])
    morning = datetime.combine(today(), time(9, 0), tzinfo=LONDON)
    services.hearing_decisions_record(
        hearing=hearing,
        by=officer,
        notes="Agreed: a door chain by tomorrow.",
        actions=[
            services.AgreedAction(
                services.PROVIDER, "Fit a door chain", today() + timedelta(days=1)
            )
        ],
        now=morning,
    )
    three_days_on = morning + timedelta(days=3)
    services.survivor_discussion_record(
        hearing=hearing, by=officer, note="She wants the chain.", now=three_days_on
    )
    own = MaracAction.objects.get(hearing=hearing)
    assert own.plan_action is not None
    assert own.plan_action.due_at == three_days_on


def test_an_outsider_sees_no_hearing_of_a_case_they_may_not_see(
    listed: dict[str, Case],
    officer: Staff,
    outsider: Staff,
    auditor: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    meeting_id = meeting_made(as_staff(officer))
    hearing = Hearing.objects.filter(meeting_id=meeting_id).first()
    assert hearing is not None
    client = as_staff(outsider)

    page = client.get(f"/marac/meetings/{meeting_id}/").content.decode()

    assert all(case.reference not in page for case in listed.values())
    assert "No cases you may see." in page
    assert client.get(f"/marac/hearings/{hearing.pk}/decisions").status_code == 404
    assert client.get("/marac/hearings/hrg_nosuch/decisions").status_code == 404
    assert (
        client.post(f"/marac/hearings/{hearing.pk}/decisions", decisions_body()).status_code == 404
    )
    assert not MaracAction.objects.exists()
    assert as_staff(auditor).get(f"/marac/meetings/{meeting_id}/").status_code == 404
    assert as_staff(auditor).get("/marac/meetings/").status_code == 404
    assert client.get("/marac/meetings/mtg_nosuch/").status_code == 404


def test_bad_decisions_are_refused_and_store_nothing(
    listed: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    meeting_id = meeting_made(client)
    hearing = Hearing.objects.get(meeting_id=meeting_id, case=listed["fresh"])
    url = f"/marac/hearings/{hearing.pk}/decisions"
    yesterday = today() - timedelta(days=1)

    for body, words in [
        (decisions_body(agency_2="nosuch"), "Select a valid choice"),
        (decisions_body(**date_parts("due_2", yesterday)), "cannot be due in the past"),
        (decisions_body(what_2=""), "Action 2: enter what the action is"),
        (decisions_body(notes=""), "Enter what the MARAC decided"),
        (decisions_body(due_1_0="31", due_1_1="2"), "Enter a real date"),
    ]:
        response = client.post(url, body)
        assert response.status_code == 400
        assert words in html.unescape(response.content.decode())
    hearing.refresh_from_db()
    assert hearing.heard_at is None
    assert not MaracAction.objects.exists()
    assert not Action.objects.filter(source="marac").exists()


def test_script_in_the_decisions_is_shown_as_text(
    listed: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    meeting_id = meeting_made(client)
    hearing = Hearing.objects.get(meeting_id=meeting_id, case=listed["fresh"])
    script = "<script>alert(1)</script>"
    client.post(
        f"/marac/hearings/{hearing.pk}/decisions",
        decisions_body(notes=script, what_2=script),
    )

    page = client.get(f"/marac/hearings/{hearing.pk}/decisions").content.decode()

    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_api_records_decisions_and_refuses_bad_bodies(
    listed: dict[str, Case],
    officer: Staff,
    outsider: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    api = api_as(officer)
    made = api.post(
        "/api/v1/marac/meetings",
        {"conference": "local", "held_on": today().isoformat()},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    meeting = made.json()
    by_case = {h["case_reference"]: h for h in meeting["hearings"]}
    assert by_case[listed["repeat"].reference]["repeat"] is True
    assert by_case[listed["not_repeat"].reference]["repeat"] is False
    hearing_id = by_case[listed["fresh"].reference]["id"]
    url = f"/api/v1/marac/hearings/{hearing_id}/decisions"
    due = (today() + timedelta(days=7)).isoformat()

    for body, status in [
        ("{not json", 400),
        (json.dumps({"notes": 5, "actions": []}), 400),
        (
            json.dumps(
                {"notes": "x", "actions": [{"agency": "police", "what": "x", "due_on": "soon"}]}
            ),
            400,
        ),
        (json.dumps({"notes": "x", "extra": 1}), 400),
        (
            json.dumps(
                {"notes": "x", "actions": [{"agency": "nosuch", "what": "x", "due_on": due}]}
            ),
            422,
        ),
        (json.dumps({"notes": "", "actions": []}), 422),
    ]:
        response = api.post(url, body, content_type="application/json")
        assert response.status_code == status, (body, response.content)
        assert response["Content-Type"] == "application/problem+json"
    assert not MaracAction.objects.exists()
    assert (
        api.post(
            "/api/v1/marac/hearings/hrg_nosuch/decisions",
            {"notes": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        api_as(outsider).post(url, {"notes": "x"}, content_type="application/json").status_code
        == 404
    )
    assert all(
        h["case_reference"]
        not in json.dumps(api_as(outsider).get(f"/api/v1/marac/meetings/{meeting['id']}").json())
        for h in meeting["hearings"]
    )

    body = {
        "notes": "Agreed.",
        "actions": [
            {"agency": "provider", "what": "Change the locks", "due_on": due},
            {"agency": "idva", "what": "Support at court", "due_on": due},
        ],
    }
    recorded = api.post(url, body, content_type="application/json")
    assert recorded.status_code == 201, recorded.content
    actions = recorded.json()["actions"]
    assert sorted((a["agency"], a["on_action_plan"]) for a in actions) == [
        ("idva", False),
        ("provider", True),
    ]
    twice = api.post(url, body, content_type="application/json")
    assert twice.status_code == 409
    assert Meeting.objects.count() == 3  # this one and the two earlier ones


# An audit entry is 5 statements on SQLite, 1 on PostgreSQL (tests/test_query_counts.py).
PER_ENTRY = 5 if connection.vendor == "sqlite" else 1


def test_the_meeting_page_makes_a_fixed_number_of_queries(
    open_case: Callable[..., Case],
    officer: Staff,
    as_staff: Callable[[Staff], Client],
    fresh_minute: None,
) -> None:
    client = as_staff(officer)
    meeting_id = meeting_made(client)
    url = f"/marac/meetings/{meeting_id}/"
    meeting = Meeting.objects.get(pk=meeting_id)
    client.get(url)
    counts = []
    for rows in (2, 10):
        for _ in range(rows):
            case = new_survivor(open_case())
            assessed(case, officer)
            referred(case, officer)
            earlier = same_survivor(open_case(), case)
            referred(earlier, officer, sent_at=months_before(timezone.now(), 3))
        Hearing.objects.filter(meeting=meeting).delete()
        services.meeting_list_build(meeting=meeting, by=officer)
        entries = AuditEntry.objects.count()
        with CaptureQueriesContext(connection) as made:
            response = client.get(url)
        assert response.status_code == 200
        appended = AuditEntry.objects.count() - entries
        shown = Hearing.objects.filter(meeting=meeting).count()
        assert appended == 1  # one case.listed for the page, never one a row
        assert response.content.decode().count(">Repeat<") == shown // 2
        counts.append(len(made) - PER_ENTRY * appended)

    # Session, sign-in and two-factor, the meeting, its hearings, the repeats (one query),
    # besides the one audit entry (5 statements on SQLite, 1 on PostgreSQL).
    assert counts == [11, 11]


def test_a_partner_of_the_owning_agency_may_set_an_actions_status_and_no_one_else(
    listed: dict[str, Case],
    officer: Staff,
    outsider: Staff,
    make_staff: Callable[..., Staff],
    as_staff: Callable[[Staff], Client],
) -> None:
    client = as_staff(officer)
    meeting_id = meeting_made(client)
    hearing = Hearing.objects.get(meeting_id=meeting_id, case=listed["fresh"])
    client.post(f"/marac/hearings/{hearing.pk}/decisions", decisions_body())
    police = MaracAction.objects.get(hearing=hearing, agency="police")
    police_partner = make_staff("pat.police", role="partner", agency="police")
    idva_partner = make_staff("ivy.idva", role="partner", agency="idva")

    for someone in (idva_partner, outsider):
        with pytest.raises(Http404):
            services.marac_action_status_set(action=police, by=someone, status="done")
    assert as_staff(outsider).get(f"/marac/actions/{police.pk}/status").status_code == 404
    done = services.marac_action_status_set(
        action=police, by=police_partner, status="done", note="Flag added."
    )

    assert (done.status, done.updated_by) == ("done", police_partner)
    shown = html.unescape(client.get(f"/marac/actions/{police.pk}/status").content.decode())
    assert "Done (from Police): Flag added." in shown
    page = html.unescape(client.get(f"/marac/hearings/{hearing.pk}/decisions").content.decode())
    assert "Fit a door chain" in page.split("Flag the address")[0]  # in the order agreed


def test_with_several_marac_a_case_heard_at_another_is_taken_off_the_list(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    own_policy(
        '[marac]\nconferences = { north = { name = "North MARAC", area = "North", '
        'meets = "Every other Thursday" }, south = { name = "South MARAC", area = "South", '
        'meets = "Monthly" } }\n'
    )
    case = open_case()
    referred(case, officer)
    client = as_staff(officer)
    made = client.post(
        "/marac/meetings/new", {"conference": "north", **date_parts("held_on", today())}
    )
    north = str(made["Location"]).rstrip("/").rsplit("/", 1)[1]
    hearing = Hearing.objects.get(meeting_id=north)

    assert "Heard at another MARAC" in client.get(f"/marac/meetings/{north}/").content.decode()
    assert client.post(f"/marac/hearings/{hearing.pk}/remove").status_code == 302
    made = client.post(
        "/marac/meetings/new", {"conference": "south", **date_parts("held_on", today())}
    )
    south = str(made["Location"]).rstrip("/").rsplit("/", 1)[1]

    assert not Hearing.objects.filter(meeting_id=north).exists()
    assert Hearing.objects.get(meeting_id=south).case == case
    unknown = client.post(
        "/marac/meetings/new", {"conference": "local", **date_parts("held_on", today())}
    )
    assert unknown.status_code == 400


def test_the_api_meetings_are_404_for_a_role_that_attends_none(
    auditor: Staff, api_as: Callable[[Staff], Client]
) -> None:
    api = api_as(auditor)

    listed = api.get("/api/v1/marac/meetings")
    made = api.post(
        "/api/v1/marac/meetings",
        {"conference": "local", "held_on": today().isoformat()},
        content_type="application/json",
    )

    assert (listed.status_code, made.status_code) == (404, 404)
    assert listed["Content-Type"] == "application/problem+json"
    assert not Meeting.objects.exists()


def test_the_meetings_page_says_when_the_marac_named_is_safeholds_default(
    officer: Staff, own_policy: Callable[[str], str], as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    page = html.unescape(client.get("/marac/meetings/").content.decode())
    assert "Local MARAC (The provider's area): Every month" in page
    assert 'data-testid="conferences-default"' in page

    own_policy(
        '[marac]\nconferences = { wrekin = { name = "Telford MARAC", area = "Telford", '
        'meets = "Every other Thursday" } }\n'
        '[quotes]\n"marac.conferences" = "We attend the Telford MARAC."\n'
    )
    page = html.unescape(client.get("/marac/meetings/").content.decode())
    assert "Telford MARAC (Telford): Every other Thursday" in page
    assert 'data-testid="conferences-default"' not in page
