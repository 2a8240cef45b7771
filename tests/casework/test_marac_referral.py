"""The MARAC referral is one click from where it is recommended, and the referral form
says, agency by agency, what the survivor has agreed to share (issue 18)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Referral
from safehold.privacy.models import AuditEntry
from safehold.risk.models import RiskAssessment
from tests.risk.test_pages import complete

pytestmark = pytest.mark.django_db


def referral_form(case: Case) -> str:
    return f"/cases/{case.pk}/referrals/new"


def marac_link(case: Case) -> str:
    return f"{referral_form(case)}?agency=marac"


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def consent(client: Client, case: Case, agency: str, purpose: str, given: bool) -> None:
    response = client.post(
        f"/cases/{case.pk}/consents/new",
        {"agency": agency, "purpose": purpose, "given": "yes" if given else "no"},
    )
    assert response.status_code == 302


def row_of(page: str, agency_name: str) -> str:
    table = re.search(r'data-testid="agency-consents">.*?</table>', page, re.DOTALL)
    assert table
    found = re.search(
        rf'<th scope="row" class="govuk-table__header">{re.escape(agency_name)}</th>'
        r'<td class="govuk-table__cell">(.*?)</td>',
        table.group(0),
        re.DOTALL,
    )
    assert found, agency_name
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_high_risk_result_links_to_the_referral_with_marac_chosen(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    result = text_of(client.get(complete(client, case, "yes")))

    assert f'<a href="{marac_link(case)}" role="button"' in result
    assert ">Refer to MARAC</a>" in result
    form = text_of(client.get(marac_link(case)))
    assert '<option value="marac" selected>' in form
    assert form.count(" selected>") == 1


def test_a_result_without_a_marac_recommendation_offers_no_referral(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    result = text_of(client.get(complete(client, case, "no")))

    assert marac_link(case) not in result


def test_the_case_pages_refer_to_marac_task_links_to_the_referral(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    complete(client, case, "yes")

    page = text_of(client.get(f"/cases/{case.pk}/"))

    assert f'href="{marac_link(case)}">Refer to MARAC</a>' in page


def test_the_referral_form_says_what_consent_stands_for_each_agency(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    consent(client, case, "idva", "referral", True)
    consent(client, case, "police", "information_sharing", True)
    consent(client, case, "childrens_services", "referral", True)
    consent(client, case, "childrens_services", "referral", False)  # withdrawn, stands

    page = text_of(client.get(referral_form(case)))

    idva = row_of(page, "Independent domestic violence adviser (IDVA) service")
    assert idva.startswith("Agreed to a referral on ")
    assert idva.endswith("A referral is sent at once.")
    police = row_of(page, "Police")
    assert police.startswith("Agreed to information being shared on ")
    assert "which is not consent to a referral" in police
    assert police.endswith("and an approver's agreement.")
    children = row_of(page, "Children's services")
    assert children.startswith("Refused or withdrew consent to a referral on ")
    assert "sent at once" not in children
    marac = row_of(page, "MARAC (multi-agency risk assessment conference)")
    assert marac.startswith("No consent on record.")
    table = re.search(r'data-testid="agency-consents">.*?</table>', page, re.DOTALL)
    assert table
    for code in ("information_sharing", "childrens_services", "idva<", "True", "False"):
        assert code not in table.group(0)


def test_the_chosen_agency_s_consent_is_said_above_the_form(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    chosen = re.compile(r'data-testid="chosen-consent">(.*?)</div>', re.DOTALL)

    before = chosen.search(text_of(client.get(marac_link(case))))
    assert before
    assert "MARAC (multi-agency risk assessment conference)" in before.group(1)
    assert "No consent on record" in before.group(1)

    consent(client, case, "marac", "referral", True)
    after = chosen.search(text_of(client.get(marac_link(case))))
    assert after
    assert "A referral is sent at once." in after.group(1)
    assert 'data-testid="chosen-consent"' not in text_of(client.get(referral_form(case)))


def test_an_agency_the_policy_does_not_list_is_not_chosen(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    page = text_of(as_staff(officer).get(f"{referral_form(case)}?agency=nonsense"))

    agency_select = page.split('id="id_agency"', 1)[1].split("</select>")[0]
    assert '<option value="" selected>' in agency_select
    assert agency_select.count(" selected>") == 1
    assert 'data-testid="chosen-consent"' not in page


def test_marac_chosen_keeps_the_disclosure_rules(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    complete(client, case, "yes")

    refused = client.post(marac_link(case), {"agency": "marac", "reason": "High risk"})
    assert refused.status_code == 400
    assert "There is no consent on record" in refused.content.decode()
    assert not Referral.objects.exists()

    held = client.post(
        marac_link(case),
        {
            "agency": "marac",
            "reason": "High risk",
            "ground": "risk_of_serious_harm",
            "explanation": "She cannot be reached safely",
        },
    )
    assert held.status_code == 302
    assert Referral.objects.get().status == "awaiting_approval"

    consent(client, case, "marac", "referral", True)
    sent = client.post(marac_link(case), {"agency": "marac", "reason": "High risk"})
    assert sent.status_code == 302
    assert Referral.objects.filter(status="sent", agency="marac").count() == 1


def test_reading_the_referral_form_is_audited(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    as_staff(officer).get(marac_link(case))

    entry = AuditEntry.objects.filter(action="case.viewed", target_id=case.pk).last()
    assert entry is not None
    assert entry.actor == officer.username
    assert entry.detail["via"] == "referral_new"


def test_an_outsider_finds_neither_the_referral_nor_the_result(
    case: Case,
    officer: Staff,
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    complete(as_staff(officer), case, "yes")
    assessment = RiskAssessment.objects.get(case=case)
    client = as_staff(outsider)

    for url in (
        marac_link(case),
        referral_form(case),
        f"/cases/{case.pk}/risk/{assessment.pk}/",
        f"/cases/{case.pk}/risk/{assessment.pk}/resume",
        "/cases/case_missing/referrals/new?agency=marac",
    ):
        assert client.get(url).status_code == 404, url
    refused = client.post(marac_link(case), {"agency": "marac", "reason": "High risk"})
    assert refused.status_code == 404
    assert not Referral.objects.exists()
    assert not AuditEntry.objects.filter(action="case.viewed", actor=outsider.username).exists()
