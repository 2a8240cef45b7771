"""Flag and tag (issue 21, docs/marac.md): a case heard at MARAC carries the flag for the
policy's `marac.flag_months` (12 in the default policy, safehold/policy/bundled/
default.toml); a new report about the same survivor, a further incident or a new risk
assessment while it stands alerts the case's officer and every DA lead, with no case
text, linking to the case page, which says what to do."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Alert, Case
from safehold.policy.loader import active_policy
from tests.casedata import CASE_BODY, SURVIVOR_ADDRESS, SURVIVOR_NAME
from tests.marac.hearings import listed
from tests.risk.test_assessments import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(case: Case, officer: Staff, manager: Staff, api_as: Callable[[Staff], Client]) -> Case:
    """The officer's case, assigned to her, heard at MARAC a month ago."""
    assigned = api_as(manager).post(
        f"/api/v1/cases/{case.pk}/assignment",
        {"officer": officer.username},
        content_type="application/json",
    )
    assert assigned.status_code == 200, assigned.content
    listed(case, officer, heard_at=timezone.now() - timedelta(days=30))
    return case


def marac_alerts(case: Case):  # type: ignore[no-untyped-def]
    # Not the repeat-report alert a new case also raises (cases.services.repeat_alerts_send).
    return Alert.objects.filter(case=case, message__contains="MARAC")


def alerted(case: Case) -> dict[str, str]:
    return {
        alert.recipient.username: alert.message
        for alert in marac_alerts(case).select_related("recipient")
    }


def incident_by_api(client: Client, case: Case) -> None:
    response = client.post(
        f"/api/v1/cases/{case.pk}/incidents",
        {"source": "self", "abuse_types": ["physical"], "summary": "He came to the door again."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def assert_told(case: Case, people: list[Staff], what: str) -> None:
    told = alerted(case)
    assert sorted(told) == sorted(person.username for person in people)
    for message in told.values():
        assert what in message
        assert case.reference in message
        assert "refer again to MARAC as a repeat" in message
        for secret in (SURVIVOR_NAME, SURVIVOR_ADDRESS, "door again", "Reported by phone"):
            assert secret not in message
    assert marac_alerts(case).count() == len(people)
    links = set(marac_alerts(case).values_list("link", flat=True))
    assert links == {f"/cases/{case.pk}/"}


def test_it_alerts_the_officer_and_da_leads_on_an_incident_by_api(
    flagged: Case, officer: Staff, da_lead: Staff, api_as: Callable[[Staff], Client]
) -> None:
    incident_by_api(api_as(officer), flagged)
    assert_told(flagged, [officer, da_lead], "A further incident was recorded on")


def test_it_alerts_on_an_incident_added_through_the_intake_page(
    flagged: Case,
    officer: Staff,
    da_lead: Staff,
    teammate: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    from tests.cases.test_pages import FORM

    client = as_staff(officer)
    form = {**FORM, "name": SURVIVOR_NAME, "date_of_birth_0": "12", "date_of_birth_1": "4"}
    form["date_of_birth_2"] = "1988"
    check = client.post("/cases/new", {**form, "step": "check"}).content.decode()
    assert f"Add this report to {flagged.reference}" in html.unescape(check)
    added = client.post("/cases/new", {**form, "step": "confirm", "choice": flagged.pk})
    assert added.status_code == 302
    assert_told(flagged, [officer, da_lead], "A further incident was recorded on")
    assert not Alert.objects.filter(recipient=teammate).exists()


def test_it_alerts_on_a_new_risk_assessment(
    flagged: Case, officer: Staff, da_lead: Staff, api_as: Callable[[Staff], Client]
) -> None:
    response = api_as(officer).post(
        f"/api/v1/cases/{flagged.pk}/risk-assessments",
        {"tool": "dash-ric", "answers": answers(15)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert_told(flagged, [officer, da_lead], "A new risk assessment was completed on")


def test_it_alerts_on_a_new_report_about_the_same_survivor(
    flagged: Case, officer: Staff, da_lead: Staff, api_as: Callable[[Staff], Client]
) -> None:
    body = {**CASE_BODY, "reported_at": timezone.now().isoformat()}
    response = api_as(da_lead).post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 201, response.content
    new = Case.objects.get(pk=response.json()["id"])
    assert new.survivor_identity_id == flagged.survivor_identity_id
    assert_told(flagged, [officer, da_lead], f"A new report, {new.reference}, may be about")


def test_a_report_about_someone_else_alerts_nobody(
    flagged: Case, da_lead: Staff, api_as: Callable[[Staff], Client]
) -> None:
    other = {**CASE_BODY["survivor"], "name": "Hyacinth Morrow"}
    body = {**CASE_BODY, "survivor": other, "reported_at": timezone.now().isoformat()}
    response = api_as(da_lead).post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert alerted(flagged) == {}


def test_no_alert_once_the_flag_has_lapsed(
    flagged: Case, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    months = active_policy().marac.flag_months
    assert months == 12  # the default policy (bundled/default.toml)
    with time_machine.travel(timezone.now() + timedelta(days=31 * months)):
        incident_by_api(api_as(officer), flagged)
    assert alerted(flagged) == {}


def test_no_alert_for_a_case_never_heard(
    case: Case, officer: Staff, da_lead: Staff, api_as: Callable[[Staff], Client]
) -> None:
    listed(case, officer, heard_at=None)  # on a list, decisions not yet recorded
    incident_by_api(api_as(officer), case)
    assert alerted(case) == {}


def test_a_restricted_case_alerts_only_those_who_may_see_it(
    open_case: Callable[..., Case],
    officer: Staff,
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    from dataclasses import replace

    from tests.casedata import report

    survivor = replace(report().survivor, is_staff_member=True)
    case = open_case(survivor=survivor)
    assert case.restricted
    listed(case, officer, heard_at=timezone.now() - timedelta(days=3))
    incident_by_api(api_as(officer), case)
    assert da_lead.username not in alerted(case)


def test_the_case_page_says_it_is_flagged_and_what_to_do(
    flagged: Case, officer: Staff, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    page = html.unescape(as_staff(officer).get(f"/cases/{flagged.pk}/").content.decode())
    assert 'data-testid="marac-flag-banner"' in page
    assert "this case is flagged until" in page
    assert "refer again to MARAC as a repeat" in page
    assert f"/cases/{flagged.pk}/referrals/new?agency=marac" in page
    assert as_staff(outsider).get(f"/cases/{flagged.pk}/").status_code == 404


def test_an_unheard_case_page_says_nothing_of_a_flag(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()
    assert "marac-flag-banner" not in page


def test_a_report_through_the_public_page_alerts_too(
    flagged: Case, officer: Staff, da_lead: Staff, settings: Any
) -> None:
    from tests.public.conftest import form

    settings.SAFEHOLD_PUBLIC_ANSWER_SECONDS = 0
    sent = Client().post(
        "/tell-us",
        form(
            relation="self",
            how="contact",
            sender_name=SURVIVOR_NAME,
            phone="07700 900123",
            voicemail_ok="no",
            summary="He is back and shouting at the door.",
            abuse_types=["emotional"],
            survivor_name=SURVIVOR_NAME,
            survivor_date_of_birth_0="12",
            survivor_date_of_birth_1="4",
            survivor_date_of_birth_2="1988",
        ),
    )
    assert sent.status_code == 302, sent.content
    new = Case.objects.exclude(pk=flagged.pk).get()
    assert new.survivor_identity_id == flagged.survivor_identity_id
    assert_told(flagged, [officer, da_lead], f"A new report, {new.reference}, may be about")
    assert "shouting" not in " ".join(alerted(flagged).values())
