"""Interviewing the alleged perpetrator is a request the officer makes and a manager
answers (issue 16 §2), and a visit or office meeting with him is an interview (§4).

The seed: [000 Action against perpetrators] "Such interviews will only be undertaken
if:- It is considered appropriate by the investigating officer and their manager. the
victim is in agreement with such a proposal. it is considered safe to do so." Every
bundled policy keeps the three conditions (the others are silent and take the baseline,
which follows WHA)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import PerpetratorInterview
from safehold.policy.loader import active_policy, clear_active_policy
from safehold.privacy.models import AuditEntry
from tests.casedata import SEEDS
from tests.policy.policies import MINIMAL_POLICY

pytestmark = pytest.mark.django_db

SAFE = "He is in custody until Friday; we meet him at the police station"
AGREED = "Appropriate: he has asked to give his side, and she agrees"


def post(client: Client, path: str, body: dict[str, Any]):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def permission(client: Client, case: Case) -> None:
    """The survivor's permission to contact him, which every bundled policy asks for first
    (confidentiality.permission_before_contacting_perpetrator)."""
    body = {"purpose": "contact_alleged_perpetrator", "given": True}
    assert post(client, f"/cases/{case.pk}/consents", body).status_code == 201


def ask(client: Client, case: Case, **changes: Any):
    body = {"survivor_agrees": True, "safety_assessment": SAFE, **changes}
    return post(client, f"/cases/{case.pk}/perpetrator-interviews", body)


def answer(client: Client, interview_id: str, verb: str, note: str = AGREED):
    return post(client, f"/perpetrator-interviews/{interview_id}/{verb}", {"note": note})


def contact(client: Client, case: Case, channel: str, direction: str = "outbound"):
    body = {
        "at": timezone.now().isoformat(),
        "channel": channel,
        "direction": direction,
        "with": "alleged_perpetrator",
        "notes": "Met him about the damage to the door",
    }
    return post(client, f"/cases/{case.pk}/contacts", body)


@pytest.fixture
def case_in_policy(policy: str, open_case: Callable[..., Case], officer: Staff, api_as) -> Case:
    case = open_case()
    permission(api_as(officer), case)
    return case


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_waits_for_a_manager_of_the_team_who_agrees_with_a_note(
    policy: str,
    case_in_policy: Case,
    officer: Staff,
    manager: Staff,
    outsider: Staff,
    make_staff: Callable[..., Staff],
    api_as,
    as_staff,
) -> None:
    """[000] "considered appropriate by the investigating officer and their manager"."""
    assert active_policy().perpetrator_interview.needs_officer_and_manager_agreement
    asked = ask(api_as(officer), case_in_policy)
    assert asked.status_code == 201, asked.content
    interview = asked.json()
    assert interview["status"] == "awaiting_agreement"
    assert interview["requested_by"] == officer.username
    assert interview["manager_agreed"] is None

    queue = as_staff(manager).get("/queues/interviews-to-agree").content.decode()
    assert case_in_policy.reference in queue
    elsewhere = make_staff("rita.riverside", role="manager", team="Riverside")
    assert (
        case_in_policy.reference
        not in as_staff(elsewhere).get("/queues/interviews-to-agree").content.decode()
    )

    assert answer(api_as(officer), interview["id"], "agree").status_code == 403
    assert answer(api_as(outsider), interview["id"], "agree").status_code == 403
    assert answer(api_as(elsewhere), interview["id"], "agree").status_code == 404
    no_note = answer(api_as(manager), interview["id"], "agree", note="  ")
    assert no_note.status_code == 422
    assert no_note.json()["code"] == "note_required"

    agreed = answer(api_as(manager), interview["id"], "agree")

    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["status"] == "agreed"
    assert agreed.json()["decided_by"] == manager.username
    assert agreed.json()["manager_agreed"] == manager.username
    assert agreed.json()["decided_at"] is not None
    entry = AuditEntry.objects.get(action="perpetrator_interview.agreed")
    assert (entry.actor, entry.target_id) == (manager.username, case_in_policy.pk)
    again = answer(api_as(manager), interview["id"], "decline")
    assert again.status_code == 409
    page = as_staff(officer).get(f"/cases/{case_in_policy.pk}/").content.decode()
    assert f"by {escape(manager.full_name)}" in page
    assert AGREED in page


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_nobody_agrees_to_their_own_request(
    policy: str,
    case_in_policy: Case,
    manager: Staff,
    make_staff: Callable[..., Staff],
    api_as,
) -> None:
    """Issue 16 §2: the person who asked for an interview is never the one who agrees."""
    asked = ask(api_as(manager), case_in_policy).json()

    own = answer(api_as(manager), asked["id"], "agree")
    assert own.status_code == 403
    assert own.json()["code"] == "own_request"
    assert answer(api_as(manager), asked["id"], "decline").json()["code"] == "own_request"

    colleague = make_staff("max.manager", role="manager")
    declined = answer(api_as(colleague), asked["id"], "decline", note="Not safe yet")
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert PerpetratorInterview.objects.get().decided_by == colleague


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_the_officer_records_the_survivors_agreement_and_why_it_is_safe(
    policy: str, case_in_policy: Case, officer: Staff, api_as
) -> None:
    """[000] "the victim is in agreement with such a proposal" and "it is considered safe
    to do so"; and no manager is picked from a list any more."""
    client = api_as(officer)
    for change, code in (
        ({"survivor_agrees": False}, "survivor_agreement_required"),
        ({"safety_assessment": " "}, "safety_check_required"),
    ):
        refused = ask(client, case_in_policy, **change)
        assert refused.status_code == 422
        assert refused.json()["code"] == code
        assert refused.json()["policy_rule"].startswith("perpetrator_interview.")
    picked = ask(client, case_in_policy, manager="mona.manager")
    assert picked.status_code == 400
    assert not PerpetratorInterview.objects.exists()
    assert ask(client, case_in_policy).status_code == 201
    waiting_twice = ask(client, case_in_policy)
    assert waiting_twice.status_code == 409
    assert waiting_twice.json()["code"] == "interview_already_requested"


def test_it_still_needs_the_survivors_permission_to_contact_him(
    policy: str, case: Case, officer: Staff, api_as
) -> None:
    """The survivor's permission before contacting him (H1's check) stays on the request."""
    refused = ask(api_as(officer), case)
    assert refused.status_code == 422
    assert refused.json()["code"] == "survivor_permission_required"


@pytest.fixture
def no_manager_needed(settings: Any, tmp_path: Path) -> None:
    """A provider's policy whose interviews need the survivor's agreement and a safety
    check, but no manager's agreement."""
    path = tmp_path / "policy.toml"
    path.write_text(
        MINIMAL_POLICY + "\n[perpetrator_interview]\nneeds_officer_and_manager_agreement = false\n"
    )
    settings.SAFEHOLD_POLICY = str(path)
    clear_active_policy()
    yield
    clear_active_policy()


def test_where_the_policy_needs_no_manager_it_is_agreed_at_once(
    no_manager_needed: None, open_case: Callable[..., Case], officer: Staff, api_as
) -> None:
    case = open_case()
    permission(api_as(officer), case)
    assert ask(api_as(officer), case, survivor_agrees=False).status_code == 422

    asked = ask(api_as(officer), case)

    assert asked.status_code == 201
    assert asked.json()["status"] == "agreed"
    assert asked.json()["decided_by"] is None
    assert contact(api_as(officer), case, "visit").status_code == 201


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_a_visit_or_office_meeting_with_him_is_an_interview(
    policy: str, case_in_policy: Case, officer: Staff, manager: Staff, api_as
) -> None:
    """Issue 16 §4: a contact with the alleged perpetrator by visit or at the office goes
    through the interview rules ([000] three conditions, the baseline for the others)."""
    client = api_as(officer)
    for channel in ("visit", "office"):
        refused = contact(client, case_in_policy, channel, "outbound")
        assert refused.status_code == 422, channel
        assert refused.json()["code"] == "interview_not_agreed"
        assert refused.json()["policy_rule"] == "perpetrator_interview"
    assert contact(client, case_in_policy, "phone").status_code == 201  # not a meeting
    # He turned up at the office unannounced: no interview was held, and what he said
    # and did must be on the record.
    assert contact(client, case_in_policy, "office", "inbound").status_code == 201

    waiting = ask(client, case_in_policy).json()
    assert contact(client, case_in_policy, "visit").status_code == 422  # not yet agreed
    answer(api_as(manager), waiting["id"], "agree")

    assert contact(client, case_in_policy, "visit").status_code == 201
    assert contact(client, case_in_policy, "office", "inbound").status_code == 201


@pytest.fixture
def no_interview_rules(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        MINIMAL_POLICY
        + "\n[perpetrator_interview]\nneeds_officer_and_manager_agreement = false\n"
        + "needs_survivor_agreement = false\nneeds_safety_check = false\n"
    )
    settings.SAFEHOLD_POLICY = str(path)
    clear_active_policy()
    yield
    clear_active_policy()


def test_where_the_policy_has_no_interview_rules_a_visit_is_recorded(
    no_interview_rules: None, open_case: Callable[..., Case], officer: Staff, api_as
) -> None:
    case = open_case()
    permission(api_as(officer), case)
    assert contact(api_as(officer), case, "visit").status_code == 201


def test_the_pages_ask_and_answer(
    case: Case,
    officer: Staff,
    manager: Staff,
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    client = as_staff(officer)
    permission_form = {"agency": "", "purpose": "contact_alleged_perpetrator", "given": "yes"}
    assert client.post(f"/cases/{case.pk}/consents/new", permission_form).status_code == 302
    form = client.get(f"/cases/{case.pk}/perpetrator-interview/new").content.decode()
    assert "goes to the managers of the case" in form
    assert 'name="manager"' not in form
    sent = client.post(
        f"/cases/{case.pk}/perpetrator-interview/new",
        {"survivor_agrees": "on", "safety_assessment": SAFE},
        follow=True,
    )
    assert "Interview request sent to the case team" in sent.content.decode()
    assert "Awaiting a manager" in sent.content.decode()
    interview = PerpetratorInterview.objects.get()

    home = as_staff(manager).get("/").content.decode()
    assert "Interviews to agree" in home
    path = f"/perpetrator-interviews/{interview.pk}/"
    assert as_staff(outsider).get(path).status_code == 403
    assert as_staff(officer).get(path).status_code == 403
    page = as_staff(manager).get(path)
    assert page.status_code == 200
    assert SAFE in page.content.decode()
    blank = as_staff(manager).post(path, {"decision": "agree", "note": ""})
    assert blank.status_code == 422
    assert "govuk-error-summary" in blank.content.decode()
    done = as_staff(manager).post(path, {"decision": "decline", "note": "Not safe"}, follow=True)
    assert "Interview declined" in done.content.decode()
    assert "Declined</strong> by" in done.content.decode()
