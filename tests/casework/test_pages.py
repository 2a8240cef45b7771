"""Consent, referral and approval pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Consent, Referral

pytestmark = pytest.mark.django_db


def test_an_officer_records_consent_and_refers(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    form = client.get(f"/cases/{case.pk}/consents/new").content.decode()
    assert "The agencies in our policy, with their numbers" in form
    saved = client.post(
        f"/cases/{case.pk}/consents/new", {"agency": "idva", "purpose": "referral", "given": "yes"}
    )
    assert saved.status_code == 302
    sent = client.post(
        f"/cases/{case.pk}/referrals/new", {"agency": "idva", "reason": "Safety planning"}
    )
    assert sent.status_code == 302
    assert Referral.objects.get().status == "sent"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Referral sent" in page
    assert "Safety planning" in page
    assert 'data-testid="consents"' in page


def test_without_consent_the_page_asks_for_a_ground(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    refused = client.post(
        f"/cases/{case.pk}/referrals/new", {"agency": "idva", "reason": "Safety planning"}
    )
    assert refused.status_code == 400
    assert "There is no consent on record" in refused.content.decode()
    assert not Referral.objects.exists()
    held = client.post(
        f"/cases/{case.pk}/referrals/new",
        {
            "agency": "childrens_services",
            "reason": "Children at home",
            "ground": "child_at_risk",
            "explanation": "The survivor fears telling anyone",
        },
    )
    assert held.status_code == 302
    assert Referral.objects.get().status == "awaiting_approval"


def test_the_approver_decides_in_the_approvals_queue(
    case: Case,
    officer: Staff,
    director: Staff,
    manager: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    as_staff(officer).post(
        f"/cases/{case.pk}/referrals/new",
        {
            "agency": "police",
            "reason": "Threats",
            "ground": "risk_of_serious_harm",
            "explanation": "Threats to kill",
        },
    )
    referral = Referral.objects.get()
    assert as_staff(manager).get("/approvals").status_code == 403  # default.toml: director, da_lead
    assert as_staff(officer).post(f"/referrals/{referral.pk}/approve").status_code == 403
    client = as_staff(director)
    queue = client.get("/approvals").content.decode()
    assert case.reference in queue
    client.post(f"/referrals/{referral.pk}/approve", {"note": "Agreed"})
    referral.refresh_from_db()
    assert referral.status == "sent"
    assert referral.decided_by == director
    again = client.post(f"/referrals/{referral.pk}/reject", {"note": ""}, follow=True)
    assert "already sent" in again.content.decode()


def test_an_outsider_gets_404_on_every_casework_page(
    case: Case, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(outsider)
    assert client.get(f"/cases/{case.pk}/consents/new").status_code == 404
    assert client.post(f"/cases/{case.pk}/referrals/new", {"agency": "idva"}).status_code == 404
    assert not Consent.objects.exists()


def test_an_officer_agrees_an_action_and_marks_it_done(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    from safehold.casework.models import Action

    client = as_staff(officer)
    refused = client.post(
        f"/cases/{case.pk}/actions/new",
        {
            "kind": "security_measure",
            "measure": "lock_change",
            "recharge": "survivor",
        },
    )
    assert refused.status_code == 400
    assert "never recharges the survivor" in refused.content.decode()
    client.post(
        f"/cases/{case.pk}/actions/new",
        {
            "kind": "emergency_repair",
            "detail": "Board the broken window",
            "recharge": "perpetrator",
            "agreed_with_survivor": "on",
        },
    )
    action = Action.objects.get()
    assert action.due_at is not None
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Board the broken window" in page
    client.post(f"/actions/{action.pk}/done")
    action.refresh_from_db()
    assert action.status == "done"


def test_an_officer_records_a_review(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assert client.post(f"/cases/{case.pk}/reviews/new", {}).status_code == 400
    client.post(f"/cases/{case.pk}/reviews/new", {"notes": "Locks fitted; feels safer"})
    case.refresh_from_db()
    assert case.last_review_at is not None


def test_the_letter_page_refuses_an_unsafe_channel(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    refused = client.post(
        f"/cases/{case.pk}/letters/new",
        {"kind_and_recipient": "acknowledgement:survivor", "channel": "post"},
    )
    assert refused.status_code == 400
    assert "has not said post is safe" in refused.content.decode()
    client.post(
        f"/cases/{case.pk}/letters/new",
        {"kind_and_recipient": "acknowledgement:survivor", "channel": "by_hand"},
    )
    from safehold.casework.models import Document

    document = Document.objects.get()
    download = client.get(f"/documents/{document.pk}")
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")


def test_the_interview_page_explains_what_is_missing(
    case: Case, officer: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    permission = {"purpose": "contact_alleged_perpetrator", "given": "yes"}  # issue 16
    assert client.post(f"/cases/{case.pk}/consents/new", permission).status_code == 302
    page = client.get(f"/cases/{case.pk}/perpetrator-interview/new").content.decode()
    assert "the survivor agrees" in page
    refused = client.post(
        f"/cases/{case.pk}/perpetrator-interview/new",
        {"manager": manager.username, "safety_assessment": "Safe"},
    )
    assert refused.status_code == 400
    assert "The survivor must agree" in refused.content.decode()
    done = client.post(
        f"/cases/{case.pk}/perpetrator-interview/new",
        {"manager": manager.username, "survivor_agrees": "on", "safety_assessment": "Safe"},
    )
    assert done.status_code == 302


def test_a_marac_recommendation_is_recorded_with_its_source(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    from safehold.casework.models import Action

    client = as_staff(officer)
    client.post(
        f"/cases/{case.pk}/actions/new",
        {
            "kind": "support",
            "detail": "IDVA to meet her weekly",
            "recharge": "none",
            "source": "marac",
            "agreed_with_survivor": "on",
        },
    )
    assert Action.objects.get().source == "marac"
    assert 'govuk-tag--purple">MARAC' in client.get(f"/cases/{case.pk}/").content.decode()
