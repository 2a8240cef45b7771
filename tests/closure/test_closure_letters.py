"""Closure letters: written when the case closes, to the parties the policy names,
explaining the reasons, by a safe channel, and nothing of the survivor to the alleged
perpetrator, who is written to only with the survivor's permission (issue 16; the
refusals and the letter left outstanding are in tests/casework/test_perpetrator_permission.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import services as casework
from safehold.casework.models import Document
from safehold.closure import services
from tests.casedata import (
    CHILD,
    EMAIL,
    PERPETRATOR_NAME,
    SAFE_TIMES,
    SURVIVOR_ADDRESS,
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
    pdf_text,
)

pytestmark = pytest.mark.django_db
EXPLANATION = "The new locks and the alarm are fitted and the injunction is in force."


def closed(case: Case, by: Staff, approver: Staff, reason: str, **changes: Any) -> Case:
    services.closure_request(
        case=case,
        by=by,
        reason=reason,
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(hours=2),
        explanation=EXPLANATION,
        **changes,
    )
    services.closure_approve(case=case, by=approver)
    case.refresh_from_db()
    return case


def permitted(case: Case, by: Staff) -> None:
    """The survivor's permission to write to him, which every bundled policy asks for."""
    casework.consent_record(case=case, by=by, purpose="contact_alleged_perpetrator", given=True)


def letter_to(case: Case, recipient: str) -> Document:
    return Document.objects.get(case=case, kind="closure", recipient=recipient)


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_wha_writes_to_both_parties_explaining_the_reasons(
    policy: str, full_case: Case, officer: Staff, manager: Staff, api_as: Callable[..., Client]
) -> None:
    permitted(full_case, officer)
    closed(full_case, officer, manager, "perpetrator_evicted")
    client = api_as(officer)

    to_her = pdf_text(client, letter_to(full_case, "survivor").pk)
    assert SURVIVOR_NAME in to_her
    assert "because the alleged perpetrator has been evicted" in to_her
    assert EXPLANATION in to_her
    assert letter_to(full_case, "survivor").channel == "post"  # she said post is safe

    to_him = pdf_text(client, letter_to(full_case, "alleged_perpetrator").pk)
    assert PERPETRATOR_NAME in to_him
    # issue 17 §9: his letter quotes its own neutral reference, never the case's
    assert letter_to(full_case, "alleged_perpetrator").reference in to_him
    assert full_case.reference not in to_him
    assert "Your tenancy with us has ended." in to_him
    for hers in (SURVIVOR_NAME, "Zephyrine", SURVIVOR_ADDRESS, "Wistmoor", SURVIVOR_PHONE):
        assert hers not in to_him
    for hers in (EMAIL, SAFE_TIMES, CHILD, EXPLANATION, "T-55821"):
        assert hers not in to_him


@pytest.mark.parametrize("reason", ["survivor_moved_away", "survivor_withdrew"])
def test_a_letter_to_him_never_says_what_she_did(
    policy: str,
    reason: str,
    full_case: Case,
    officer: Staff,
    manager: Staff,
    api_as: Callable[..., Client],
) -> None:
    closed(full_case, officer, manager, reason)
    permitted(full_case, officer)
    client = api_as(officer)

    made = client.post(
        f"/api/v1/cases/{full_case.pk}/letters",
        {"kind": "closure", "recipient": "alleged_perpetrator"},
        content_type="application/json",
    )

    assert made.status_code == 201, made.content
    text = pdf_text(client, made.json()["id"]).lower()
    assert "there is no further action for us to take" in text
    for telling in ("moved", "withdr", "survivor", "refuge", EXPLANATION.lower()):
        assert telling not in text


def test_the_default_policy_writes_only_to_her_by_hand_when_post_is_unsafe(
    policy: str, case: Case, officer: Staff, manager: Staff, api_as: Callable[..., Client]
) -> None:
    closed(case, officer, manager, "resolved")

    letters = Document.objects.filter(case=case, kind="closure")
    assert [(d.recipient, d.channel) for d in letters] == [("survivor", "by_hand")]
    text = pdf_text(api_as(officer), letters[0].pk)
    assert "because the case has been resolved" in text


def test_no_letter_is_written_while_the_closure_awaits_approval(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    services.closure_request(
        case=case,
        by=officer,
        reason="resolved",
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(hours=2),
    )

    assert not Document.objects.filter(case=case).exists()
    early = api_as(officer).post(
        f"/api/v1/cases/{case.pk}/letters",
        {"kind": "closure", "recipient": "survivor", "channel": "by_hand"},
        content_type="application/json",
    )
    assert early.status_code == 409
