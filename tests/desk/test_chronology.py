"""A case's chronology (issue 18, "See what is due"): every event of the case in time
order, filtered by kind, audited as a read of the case, hidden exactly as the case is,
and the `repeat` oracles kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import services as cases
from safehold.cases.models import Case
from safehold.casework import contacts, plan
from safehold.casework import services as casework
from safehold.privacy.models import AuditEntry
from safehold.risk import services as risk
from tests.casedata import SURVIVOR_NAME

pytestmark = pytest.mark.django_db
QUESTIONS = [f"q{n}" for n in range(1, 25)]


def same_page(content: bytes) -> str:
    """A page without what differs on every answer (the nonces and the CSRF token)."""
    return re.sub(r'(nonce|value)="[^"]*"', "", content.decode())


def titles(page: str) -> list[str]:
    return re.findall(r'data-testid="event-title">([^<]*)<', page)


@pytest.fixture
def worked(open_case: Callable[..., Case], officer: Staff) -> Case:
    """A case reported ten days ago, with a contact, a further report, a consent, an
    action and a risk assessment recorded at days between, out of their order."""
    now = timezone.now()
    case = open_case(reported_at=now - timedelta(days=10))
    cases.incident_add(
        case=case,
        by=officer,
        source="police",
        abuse_types=(),
        summary="He came back to the flat",
        reported_at=now - timedelta(days=4),
    )
    contacts.contact_record(
        case=case,
        by=officer,
        at=now - timedelta(days=8),
        channel="phone",
        direction="outbound",
        with_whom="survivor",
        notes="Called her on the safe number",
    )
    casework.consent_record(
        case=case,
        by=officer,
        purpose="referral",
        agency="police",
        given=True,
        now=now - timedelta(days=6),
    )
    plan.action_add(case=case, by=officer, kind="support", detail="Weekly call")
    risk.assessment_create(
        case=case,
        by=officer,
        tool_id="dash-ric",
        answers=dict.fromkeys(QUESTIONS, "no"),
        professional_judgement=True,
    )
    return case


def test_it_lists_every_event_oldest_first(
    worked: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    response = as_staff(officer).get(f"/cases/{worked.pk}/chronology")
    assert response.status_code == 200
    page = response.content.decode()
    shown = titles(page)
    assert shown[0] == "Reported by the survivor"
    assert shown.index("Phone call, to them: the survivor") < shown.index(
        "Consent given: referral (Police)"
    )
    assert shown.index("Consent given: referral (Police)") < shown.index("Further report by police")
    assert shown.index("Further report by police") < shown.index("Action added: Support")
    assert any(title.startswith("Risk assessed: ") for title in shown), shown
    assert "Called her on the safe number" in page
    assert "He came back to the flat" in page
    assert SURVIVOR_NAME in page
    assert "Print this page" in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.split('id="main-content"')[1])


def test_it_is_linked_from_the_case_page(
    worked: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    page = as_staff(officer).get(f"/cases/{worked.pk}/").content.decode()
    assert f'href="/cases/{worked.pk}/chronology"' in page


def test_it_filters_by_kind(
    worked: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    page = as_staff(officer).get(f"/cases/{worked.pk}/chronology?kind=contacts").content
    shown = titles(page.decode())
    assert shown == ["Phone call, to them: the survivor"]
    reports = titles(
        as_staff(officer).get(f"/cases/{worked.pk}/chronology?kind=reports").content.decode()
    )
    assert reports == ["Reported by the survivor", "Further report by police"]


def test_an_unknown_kind_shows_every_event_and_says_so(
    worked: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    response = as_staff(officer).get(f"/cases/{worked.pk}/chronology?kind=nonsense")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a kind of event from the list" in page
    assert len(titles(page)) >= 6
    assert "nonsense" not in page


def test_reading_it_is_audited_as_reading_the_case(
    worked: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    as_staff(officer).get(f"/cases/{worked.pk}/chronology")
    reads = AuditEntry.objects.filter(action="case.viewed", target_id=worked.pk)
    assert [(e.actor, e.detail["via"]) for e in reads] == [(officer.username, "chronology")]


def test_an_outsider_gets_the_same_404_as_for_a_missing_case(
    worked: Case, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(outsider)
    hidden = client.get(f"/cases/{worked.pk}/chronology")
    missing = client.get("/cases/cas_00000000000000000000/chronology")
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden.content) == same_page(missing.content)
    assert not AuditEntry.objects.filter(action="case.viewed", actor=outsider.username).exists()


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_those_who_see_no_case_cannot_read_it(
    role: str,
    worked: Case,
    request: pytest.FixtureRequest,
    as_staff: Callable[[Staff], Client],
) -> None:
    staff: Staff = request.getfixturevalue(role)
    client = as_staff(staff)
    assert client.get(f"/cases/{worked.pk}/").status_code == 404
    assert client.get(f"/cases/{worked.pk}/chronology").status_code == 404


def test_the_audit_trail_says_it_was_read_through_the_chronology(
    worked: Case, officer: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    as_staff(officer).get(f"/cases/{worked.pk}/chronology")
    trail = as_staff(manager).get(f"/cases/{worked.pk}/audit").content.decode()
    assert "the case&#x27;s chronology" in trail or "the case's chronology" in trail


def test_it_tells_a_prober_neither_the_repeat_flag_nor_the_marac_repeat_reason(
    officer: Staff,
    teammate: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    """The survivor's earlier case is restricted and was referred to MARAC: the teammate
    who records a probe report and assesses it learns of neither in its chronology
    (docs/security.md "Oracles"); the stored truth stays."""
    from safehold.risk.models import RiskAssessment
    from tests.risk.test_assessments import assess
    from tests.risk.test_marac_repeat_oracle import earlier_referred, probe

    earlier_referred(api_as(officer), officer, restricted=True)
    prober = api_as(teammate)
    new = probe(prober)
    assess(prober, new)
    assert Case.objects.get(pk=new.pk).repeat is True
    assert RiskAssessment.objects.get(case=new).marac_reasons == ["repeat"]

    page = as_staff(teammate).get(f"/cases/{new.pk}/chronology").content.decode()
    assert any(title.startswith("Risk assessed") for title in titles(page))
    assert "Repeat" not in page
    assert "repeat referral" not in page.lower()
    assert "MARAC not indicated" in page


def test_it_shows_the_repeat_to_whoever_may_see_the_earlier_case(
    officer: Staff, api_as: Callable[[Staff], Client], as_staff: Callable[[Staff], Client]
) -> None:
    from tests.risk.test_assessments import assess
    from tests.risk.test_marac_repeat_oracle import earlier_referred, probe

    earlier_referred(api_as(officer), officer, restricted=False)
    own = probe(api_as(officer))
    assess(api_as(officer), own)

    page = as_staff(officer).get(f"/cases/{own.pk}/chronology").content.decode()
    assert '<strong class="govuk-tag govuk-tag--purple">Repeat</strong>' in page
    assert "MARAC referral recommended: Repeat referral" in page
