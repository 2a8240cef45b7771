"""An interrupted risk assessment can always be resumed (issue 18): the case page's task
carries on at the first section with a question not answered, every section has a back
link, the finish page lists what is unanswered with a link to each question, and errors
name questions by their printed number and text, each once."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from safehold.risk import tools
from safehold.risk.models import RiskAssessment
from tests.risk.test_pages import answer_section, complete, start

pytestmark = pytest.mark.django_db

DASH = "dash-ric"


def dash() -> tools.RiskTool:
    return tools.tool_by_id(DASH)


def section_url(case: Case, assessment: RiskAssessment, section_id: str) -> str:
    return f"/cases/{case.pk}/risk/{assessment.pk}/{section_id}"


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def error_summary(page: str) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.DOTALL)
    assert found, "no error summary"
    return found.group(0)


def back_link(page: str) -> str:
    found = re.search(r'<a href="([^"]+)" class="govuk-back-link">', page)
    assert found, "no back link"
    return found.group(1)


def started_with_first_section_answered(client: Client, case: Case) -> RiskAssessment:
    first = start(client, case)
    assert answer_section(client, first, "no").status_code == 302
    return RiskAssessment.objects.get(case=case)


def test_it_resumes_at_the_first_section_with_a_question_not_answered(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assessment = started_with_first_section_answered(client, case)
    resume = f"/cases/{case.pk}/risk/{assessment.pk}/resume"

    case_page = text_of(client.get(f"/cases/{case.pk}/"))
    assert f'href="{resume}">Continue the risk assessment</a>' in case_page
    assert f"/risk/{assessment.pk}/finish" not in case_page

    second = tools.section_ids(dash())[1]
    response = client.get(resume)
    assert response.status_code == 302
    assert response["Location"] == section_url(case, assessment, second)


def test_it_resumes_a_section_left_half_done_before_later_ones(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    first = start(client, case)
    assessment = RiskAssessment.objects.get(case=case)

    response = client.get(f"/cases/{case.pk}/risk/{assessment.pk}/resume")

    assert response["Location"] == first


def test_it_resumes_at_the_finish_page_once_every_question_has_an_answer(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    url = start(client, case)
    while "/finish" not in url:
        url = str(answer_section(client, url, "unknown")["Location"])
    assessment = RiskAssessment.objects.get(case=case)

    response = client.get(f"/cases/{case.pk}/risk/{assessment.pk}/resume")

    assert response["Location"] == url
    page = text_of(client.get(url))
    assert "not answered yet" not in page
    assert "Every question has an answer" in page


def test_a_completed_assessment_resumes_at_its_result(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    result = complete(client, case, "no")
    assessment = RiskAssessment.objects.get(case=case)

    response = client.get(f"/cases/{case.pk}/risk/{assessment.pk}/resume")

    assert response["Location"] == result


def test_the_finish_page_lists_each_unanswered_question_with_a_link_to_it(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assessment = started_with_first_section_answered(client, case)
    tool = dash()
    answered, *rest = tool.sections

    page = text_of(client.get(f"/cases/{case.pk}/risk/{assessment.pk}/finish"))

    unanswered = [(s, q) for s in rest for q in s.questions]
    assert f"{len(unanswered)} questions not answered yet" in page
    numbers = tools.question_numbers(tool)
    for section, question in unanswered:
        link = f"{section_url(case, assessment, section.id)}#{question.id}"
        words = f"Question {numbers[question.id]}: {question.text}"
        assert f'<a class="govuk-link" href="{link}">{words}</a>' in page
    for question in answered.questions:
        assert question.text not in page
    assert "missing:" not in page


def test_each_link_leads_to_its_question_on_the_section_page(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assessment = started_with_first_section_answered(client, case)
    finish = text_of(client.get(f"/cases/{case.pk}/risk/{assessment.pk}/finish"))
    link = re.search(r'href="([^"]+)#(q\d+)">Question (\d+): ', finish)
    assert link is not None
    url, anchor, number = link.groups()

    section = text_of(client.get(url))

    assert f'id="{anchor}"' in section
    question = next(q for s in dash().sections for q in s.questions if q.id == anchor)
    assert f"{number}. {question.text}</legend>" in section


def test_finishing_too_early_names_each_unanswered_question_once(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assessment = started_with_first_section_answered(client, case)
    finish = f"/cases/{case.pk}/risk/{assessment.pk}/finish"

    response = client.post(finish, {"professional_judgement": "no", "police_callouts": "0"})

    assert response.status_code == 400
    page = text_of(response)
    summary = error_summary(page)
    numbers = tools.question_numbers(dash())
    for section in dash().sections[1:]:
        for question in section.questions:
            words = f"Question {numbers[question.id]}: {question.text}"
            assert page.count(words) == 1, words
            assert f'{section_url(case, assessment, section.id)}#{question.id}">{words}' in summary
    assert "missing:" not in page
    assert not re.search(r"\bq\d+\b(?!\")", re.sub(r'(href|id)="[^"]*"', "", summary))
    assessment.refresh_from_db()
    assert assessment.status == "in_progress"


def test_finishing_too_early_with_the_form_unfilled_names_both(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assessment = started_with_first_section_answered(client, case)

    response = client.post(f"/cases/{case.pk}/risk/{assessment.pk}/finish", {})

    assert response.status_code == 400
    summary = error_summary(text_of(response))
    assert "Say whether your professional judgement is high risk" in summary
    assert "Question 9: " in summary


def test_a_section_error_names_each_question_by_its_printed_number_and_text_once(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assessment = started_with_first_section_answered(client, case)
    tool = dash()
    second = tool.sections[1]
    numbers = tools.question_numbers(tool)
    skipped = second.questions[1]  # q10 in DASH RIC
    answers = {q.id: "no" for q in second.questions if q is not skipped}

    response = client.post(section_url(case, assessment, second.id), answers)

    assert response.status_code == 400
    page = text_of(response)
    summary = error_summary(page)
    words = f"Question {numbers[skipped.id]}: {skipped.text}"
    assert words == "Question 10: Has the abuse been happening more often lately?"
    assert summary.count(words) == 1
    assert summary.count("<li>") == 1
    assert f'href="#id_{skipped.id}">{words} Choose an answer, or Don\'t know</a>' in summary


def test_section_pages_number_questions_as_the_checklist_does(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assessment = started_with_first_section_answered(client, case)
    second = dash().sections[1]

    page = text_of(client.get(section_url(case, assessment, second.id)))

    assert f"9. {second.questions[0].text}</legend>" in page
    assert f"1. {second.questions[0].text}</legend>" not in page


def test_every_page_of_the_assessment_has_a_back_link(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    start(client, case)
    assessment = RiskAssessment.objects.get(case=case)
    ids = tools.section_ids(dash())

    first = text_of(client.get(section_url(case, assessment, ids[0])))
    assert back_link(first) == f"/cases/{case.pk}/"
    for before, section_id in itertools.pairwise(ids):
        page = text_of(client.get(section_url(case, assessment, section_id)))
        assert back_link(page) == section_url(case, assessment, before)
    finish = text_of(client.get(f"/cases/{case.pk}/risk/{assessment.pk}/finish"))
    assert back_link(finish) == section_url(case, assessment, ids[-1])


def test_resuming_and_the_finish_page_are_audited_as_reads(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assessment = started_with_first_section_answered(client, case)
    reads = AuditEntry.objects.filter(
        action="case.viewed", target_id=case.pk, actor=officer.username
    )

    client.get(f"/cases/{case.pk}/risk/{assessment.pk}/resume", follow=True)
    client.get(f"/cases/{case.pk}/risk/{assessment.pk}/finish")

    vias = [e.detail["via"] for e in reads.order_by("seq")][-3:]
    assert vias == ["risk_resume", "risk_section", "risk_finish"]


def test_an_outsider_finds_no_assessment_to_resume(
    case: Case,
    officer: Staff,
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    assessment = started_with_first_section_answered(as_staff(officer), case)
    client = as_staff(outsider)
    reads = AuditEntry.objects.filter(action="case.viewed", actor=outsider.username)

    for url in (
        f"/cases/{case.pk}/risk/{assessment.pk}/resume",
        f"/cases/{case.pk}/risk/{assessment.pk}/finish",
        section_url(case, assessment, tools.section_ids(dash())[1]),
        f"/cases/{case.pk}/risk/risk_missing/resume",
    ):
        assert client.get(url).status_code == 404, url
    assert not reads.exists()


def test_a_tool_may_not_name_a_section_as_a_page_of_the_assessment() -> None:
    text = (tools.BUNDLED_DIR / "dash-ric.toml").read_text(encoding="utf-8")
    renamed = text.replace('id = "the_abuser"', 'id = "resume"')

    with pytest.raises(tools.RiskToolFileError) as error:
        tools.parse_tool(renamed)

    assert any("'resume' is kept for the assessment's pages" in p for p in error.value.problems)
