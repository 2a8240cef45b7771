"""Completing an assessment on the web: one section per page, saved as the officer goes,
then the score, level and MARAC reasons; the case page, risk views and MARAC view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import services as case_services
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from safehold.risk import tools
from safehold.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db


def start(client: Client, case: Case) -> str:
    response = client.post(f"/cases/{case.pk}/risk/new", {"tool": "dash-ric"})
    assert response.status_code == 302
    return str(response["Location"])


def answer_section(client: Client, url: str, answer: str, **extra: str):
    section_id = url.rstrip("/").rsplit("/", 1)[1]
    tool = tools.tool_by_id("dash-ric")
    section = tools.section_by_id(tool, section_id)
    form = {q.id: answer for q in section.questions}
    return client.post(url, {**form, **extra})


def complete(
    client: Client, case: Case, answer: str, *, judgement: str = "no", callouts: str = "0"
) -> str:
    url = start(client, case)
    while "/finish" not in url:
        response = answer_section(client, url, answer)
        assert response.status_code == 302, response.content.decode()[:2000]
        url = str(response["Location"])
    done = client.post(url, {"professional_judgement": judgement, "police_callouts": callouts})
    assert done.status_code == 302
    return str(done["Location"])


def test_an_officer_completes_the_checklist_section_by_section(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    result = complete(client, case, "yes")
    page = client.get(result).content.decode()
    assert "High" in page
    assert "Refer this case to MARAC" in page
    assert "The checklist score is at the tool" in page
    case.refresh_from_db()
    assert case.risk_level == "high"
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Refer to MARAC" in case_page
    assert 'data-testid="marac-status"' in case_page


def test_answers_are_saved_as_the_officer_goes(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    first = start(client, case)
    section_id = first.rstrip("/").rsplit("/", 1)[1]
    question = tools.section_by_id(tools.tool_by_id("dash-ric"), section_id).questions[0]
    answer_section(
        client,
        first,
        "unknown",
        **{f"note_{question.id}": "She was not sure", f"source_{question.id}": "Police log"},
    )
    again = client.get(first).content.decode()
    assert "She was not sure" in again
    assert "Police log" in again
    assessment = RiskAssessment.objects.get()
    assert assessment.status == "in_progress"
    assert b"She was not sure" not in bytes(assessment.sealed)


def test_every_question_needs_an_answer_and_dont_know_is_offered(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    first = start(client, case)
    page = client.get(first).content.decode()
    assert "Don" in page  # "Don't know", escaped
    response = client.post(first, {})
    assert response.status_code == 400
    assert "Question 1: Were you hurt in what happened this time? Choose an answer, or Don" in (
        response.content.decode().replace("&#x27;", "'")
    )


def test_the_result_cannot_be_reached_before_completion(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    start(client, case)
    assessment = RiskAssessment.objects.get()
    response = client.get(f"/cases/{case.pk}/risk/{assessment.pk}/")
    assert response["Location"].endswith("/resume")  # then to the questions not answered
    refused = client.post(
        f"/cases/{case.pk}/risk/{assessment.pk}/finish",
        {"professional_judgement": "no", "police_callouts": "0"},
    )
    assert refused.status_code == 400
    assert "Answer these questions before you finish" in refused.content.decode()


def test_an_outsider_cannot_start_an_assessment(
    case: Case, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    assert (
        as_staff(outsider).post(f"/cases/{case.pk}/risk/new", {"tool": "dash-ric"}).status_code
        == 404
    )
    assert not RiskAssessment.objects.exists()


def test_a_further_report_prompts_a_reassessment(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    complete(client, case, "no")
    assert "reassess-prompt" not in client.get(f"/cases/{case.pk}/").content.decode()
    case_services.incident_add(
        case=case, by=officer, source="police", abuse_types=(), summary="another call"
    )
    assert "reassess-prompt" in client.get(f"/cases/{case.pk}/").content.decode()
    assert case.reference in client.get("/risk").content.decode()


def test_the_risk_views_sort_open_cases(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    import time_machine

    client = as_staff(officer)
    never = open_case()
    high = open_case()
    complete(client, high, "yes")
    views_now = client.get("/risk").content.decode()
    assert never.reference in views_now
    assert "High risk, due for reassessment" in views_now
    from safehold.policy.loader import active_policy

    later = timezone.now() + timedelta(days=active_policy().marac.reassess_high_risk_days + 1)
    with time_machine.travel(later):  # a new session: the old one has long expired
        due = as_staff(officer).get("/risk").content.decode()
    section = due.split("High risk, due for reassessment")[1].split("</table>")[0]
    assert high.reference in section
    assert never.reference not in section


def test_each_risk_list_is_read_whole_a_page_at_a_time(
    open_case: Callable[..., Case],
    officer: Staff,
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from safehold.risk import selectors

    monkeypatch.setattr(selectors, "RISK_LIST_PAGE", 2)
    monkeypatch.setattr(selectors, "SHOWN_ON_RISK_PAGE", 2)
    never = [open_case() for _ in range(3)]  # oldest first
    client = as_staff(officer)
    overview = client.get("/risk").content.decode()
    section = overview.split('data-testid="never-assessed"')[1].split("</table>")[0]
    assert [c.reference in section for c in never] == [True, True, False]
    assert 'href="/risk/never-assessed"' in overview
    first = client.get("/risk/never-assessed").content.decode()
    second = client.get("/risk/never-assessed?page=2").content.decode()
    assert [c.reference in first for c in never] == [True, True, False]
    assert [c.reference in second for c in never] == [False, False, True]
    assert 'href="?page=2"' in first
    assert 'href="?page=1"' in second
    assert 'href="?page=3"' not in second
    # An outsider's list holds none of them; a list or page that does not exist is 404.
    theirs = as_staff(outsider).get("/risk/never-assessed").content.decode()
    assert not any(c.reference in theirs for c in never)
    for path in ("/risk/nothing", "/risk/high?page=0", "/risk/high?page=two"):
        assert client.get(path).status_code == 404, path


def test_the_risk_page_shows_each_lists_own_first_rows(
    open_case: Callable[..., Case],
    officer: Staff,
    manager: Staff,
    outsider: Staff,  # makes the Riverside team
    as_staff: Callable[[Staff], Client],
) -> None:
    """The risk page builds what the person may see once and each of its six lists from
    it (issue 19): the same rows, in the same order, as each list read on its own."""
    from safehold.risk import selectors

    never, high, standard = open_case(), open_case(), open_case()
    open_case(team="Riverside")  # no list of theirs holds it
    complete(as_staff(officer), high, "yes")
    complete(as_staff(officer), standard, "no")
    now = timezone.now()
    for person in (officer, manager, outsider):
        shown = [list(rows.cases) for rows in selectors.risk_views(person, now=now)]
        each = [
            list(selectors.risk_list_cases(person, risk_list.name, now=now))[
                : selectors.SHOWN_ON_RISK_PAGE
            ]
            for risk_list in selectors.RISK_LISTS
        ]
        assert shown == each, person.username
    by_name = {rows.list.name: rows.cases for rows in selectors.risk_views(officer, now=now)}
    assert (by_name["high"], by_name["standard"]) == ([high], [standard])
    assert never in by_name["never-assessed"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("da_lead", 200), ("director", 200), ("manager", 403), ("officer", 403), ("auditor", 403)],
)
def test_the_marac_view_is_for_da_leads_and_directors(
    request: pytest.FixtureRequest,
    case: Case,
    officer: Staff,
    as_staff: Callable[[Staff], Client],
    persona: str,
    status: int,
) -> None:
    complete(as_staff(officer), case, "yes")
    response = as_staff(request.getfixturevalue(persona)).get("/marac")
    assert response.status_code == status
    if status == 200:
        waiting = response.content.decode().split("not yet referred")[1].split("</table>")[0]
        assert case.reference in waiting


def test_the_case_keeps_the_history_of_its_assessments(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    complete(client, case, "yes")
    complete(client, case, "no")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    history = page.split('data-testid="risk-history"')[1].split("</table>")[0]
    assert history.count(tools.tool_by_id("dash-ric").name) == 2  # the tool in words
    assert "High" in history and "Standard" in history  # noqa: PT018
    case.refresh_from_db()
    assert case.risk_level == "standard"


def test_reading_a_section_or_the_result_is_recorded_as_a_read_of_the_case(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """Issue 17 §9: a section page shows the answers and notes given, the result the
    score: each is a read of the case."""
    client = as_staff(officer)
    reads = AuditEntry.objects.filter(action="case.viewed", target_id=case.pk)
    first = start(client, case)

    assert client.get(first).status_code == 200
    assert [e.detail["via"] for e in reads.order_by("seq")][-1:] == ["risk_section"]

    result = complete(client, case, "no")
    assert client.get(result).status_code == 200
    assert [e.detail["via"] for e in reads.order_by("seq")][-1:] == ["risk_result"]


def test_a_further_report_since_the_last_assessment_lists_the_case_until_reassessed(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """The list reads the case's own dates (issue 19): risk.services keeps when it was
    last assessed, cases.services when it last had a further report."""
    client = as_staff(officer)

    def listed() -> bool:
        page = client.get("/risk/new-incident").content.decode()
        return case.reference in page.split('data-testid="new-incident"')[1]

    complete(client, case, "no")
    assert not listed()
    case_services.incident_add(
        case=case, by=officer, source="police", abuse_types=(), summary="another call"
    )
    case.refresh_from_db()
    assert case.last_incident_at is not None
    assert case.last_assessed_at is not None
    assert case.last_incident_at > case.last_assessed_at
    assert listed()
    complete(client, case, "no")
    assert not listed()


def test_older_cases_get_their_last_assessment_and_further_report_dates(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """Migration cases 0017 fills both dates from the assessments and further reports
    of cases from before them, so the lists hold what they held before."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("safehold.cases.migrations.0017_risk_dates")
    complete(as_staff(officer), case, "no")
    case_services.incident_add(
        case=case, by=officer, source="police", abuse_types=(), summary="another call"
    )
    assessed = RiskAssessment.objects.get(case=case, status="complete").completed_at
    incident = case.incidents.get().created_at
    Case.objects.filter(pk=case.pk).update(last_assessed_at=None, last_incident_at=None)
    migration.dates_filled(apps, None)
    case.refresh_from_db()
    assert (case.last_assessed_at, case.last_incident_at) == (assessed, incident)


def test_the_marac_page_reads_each_cases_latest_assessment_only(
    case: Case, officer: Staff, da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """A case whose earlier assessment recommended MARAC and whose latest does not is
    not waiting for a referral; assessed again as high risk, it is (issue 19: the page
    reads the assessment its case was last assessed by, `Case.last_assessed_at`)."""
    from safehold.risk import selectors

    client = as_staff(officer)

    def waiting() -> list[str]:
        view = selectors.marac_view(da_lead)
        return [a.case_id for a in view.recommended_not_referred]

    complete(client, case, "yes")
    assert waiting() == [case.pk]
    complete(client, case, "no")
    assert waiting() == []
    complete(client, case, "yes")
    assert waiting() == [case.pk]
