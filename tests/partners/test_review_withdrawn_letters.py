"""Review of issue 21: withdrawn consent ends the sharing of what it covered, letters too.

A case was referred to the IDVA service with her consent (the referral and its letter),
and later disclosed to it without consent on an approved ground, after she withdrew her
consent. The partner door then shows only the approved disclosure: the consent referral's
words are gone from the shared view, and so must the letter written under that consent
be (it carries those words and her name), on the page, in the API and by its download
address; the letter written under the approved disclosure stays."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import letters, services
from safehold.casework.models import Document
from tests.partners.conftest import REASON, share

pytestmark = pytest.mark.django_db


def test_a_letter_sent_under_withdrawn_consent_is_no_longer_shared(
    full_case: Case,
    officer: Staff,
    da_lead: Staff,
    partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    _, consent_letter = share(full_case, officer)
    services.consent_record(
        case=full_case, by=officer, agency="idva", purpose="referral", given=False
    )
    referral = services.referral_make(
        case=full_case,
        by=officer,
        agency="idva",
        reason="Risk of serious harm to her.",
        ground="risk_of_serious_harm",
        explanation="Threats to kill on 2 December.",
    )
    services.referral_decide(referral=referral, by=da_lead, approve=True, note="Serious harm")
    approved_letter = letters.letter_create(
        case=full_case, by=officer, kind="referral", recipient="agency", agency="idva"
    )
    assert Document.objects.filter(case=full_case, agency="idva").count() == 2

    api = api_as(partner)
    body = api.get(f"/api/v1/partner/cases/{full_case.pk}").json()
    assert [r["basis"] for r in body["referrals"]] == ["without consent: risk_of_serious_harm"]
    assert REASON not in str(body)
    assert [d["id"] for d in body["documents"]] == [approved_letter.pk]

    client = as_staff(partner)
    page = client.get(f"/partner/cases/{full_case.pk}/").content.decode()
    assert approved_letter.pk in page
    assert consent_letter.pk not in page
    base = f"/partner/cases/{full_case.pk}/documents"
    assert client.get(f"{base}/{consent_letter.pk}").status_code == 404
    assert client.get(f"{base}/{approved_letter.pk}").status_code == 200
