"""A closure evaluation has structure (issue 18): how effective the work was (a fixed
choice, stored as a code and shown in words), what worked, what did not and what to do
differently, sealed under the case's key like every note. Only the judgement or some
words are needed; the API's one `notes` box still works."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.closure import services
from safehold.closure.models import Closure
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

WORKED = "The sanctuary scheme fitted the locks within two days."
DID_NOT = "The housing transfer waited five weeks for a panel."
LESSONS = "Ask the panel for an emergency slot when the risk is high."
NOTES = "She thanked the officer on the last call."


def close_now(case: Case, officer: Staff, manager: Staff) -> Case:
    services.closure_request(
        case=case,
        by=officer,
        reason=active_policy().closure.reasons[0],
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(days=1),
        explanation="Everything agreed at the review has been done.",
    )
    services.closure_approve(case=case, by=manager)
    case.refresh_from_db()
    return case


@pytest.fixture
def closed_case(
    policy: str, open_case: Callable[..., Case], officer: Staff, manager: Staff
) -> Case:
    return close_now(open_case(), officer, manager)


def evaluate(client: Client, case: Case, body: dict[str, Any]):
    return client.post(
        f"/api/v1/cases/{case.pk}/closure/evaluation", body, content_type="application/json"
    )


def test_it_records_a_structured_evaluation_on_the_page_sealed_and_shown_in_words(
    closed_case: Case, director: Staff, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(director)
    form = client.get(f"/cases/{closed_case.pk}/closure/evaluation").content.decode()
    for label in ("Partly effective", "Too early to tell", "What worked", "What did not work"):
        assert label in form

    saved = client.post(
        f"/cases/{closed_case.pk}/closure/evaluation",
        {
            "effectiveness": "partly_effective",
            "worked": WORKED,
            "did_not_work": DID_NOT,
            "lessons": LESSONS,
            "notes": NOTES,
        },
        follow=True,
    )

    assert "Evaluation recorded" in saved.content.decode()
    closure = Closure.objects.get(case=closed_case)
    assert closure.effectiveness == "partly_effective"
    assert closure.evaluated_by == director
    for text in (WORKED, DID_NOT, LESSONS, NOTES):
        assert text.encode() not in bytes(closure.sealed)  # sealed, never plaintext
    assert AuditEntry.objects.filter(action="closure.evaluated", target_id=closed_case.pk).exists()

    for reader in (director, officer):
        page = as_staff(reader).get(f"/cases/{closed_case.pk}/").content.decode()
        shown = page[page.index('data-testid="closure-evaluation"') :]
        shown = shown[: shown.index("</td>")]
        assert "partly effective" in shown
        for text in (WORKED, DID_NOT, LESSONS, NOTES):
            assert text in shown
        assert "What to do differently:" in shown
        assert "partly_effective" not in page  # the code never reaches the page

    chronology = as_staff(officer).get(f"/cases/{closed_case.pk}/chronology").content.decode()
    assert "Closure evaluated: partly effective" in chronology
    assert f"What worked: {WORKED}" in chronology
    assert f"What to do differently: {LESSONS}" in chronology
    assert "partly_effective" not in chronology


def test_a_judgement_alone_is_an_evaluation(
    closed_case: Case, director: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    saved = as_staff(director).post(
        f"/cases/{closed_case.pk}/closure/evaluation", {"effectiveness": "effective"}
    )

    assert saved.status_code == 302
    closure = Closure.objects.get(case=closed_case)
    assert (closure.effectiveness, closure.evaluated_by) == ("effective", director)


def test_an_empty_evaluation_is_refused_in_words_and_nothing_is_written(
    closed_case: Case, director: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    refused = as_staff(director).post(
        f"/cases/{closed_case.pk}/closure/evaluation",
        {"effectiveness": "", "worked": "  ", "did_not_work": "", "lessons": "", "notes": ""},
    )

    assert refused.status_code == 422
    page = refused.content.decode()
    assert "There is a problem" in page
    assert "Choose how effective the work was, or write what worked" in page
    assert 'href="#id_effectiveness"' in page
    assert Closure.objects.get(case=closed_case).evaluated_at is None
    assert not AuditEntry.objects.filter(action="closure.evaluated").exists()


def test_the_api_takes_the_structure_and_answers_with_it(
    closed_case: Case, director: Staff, api_as: Callable[[Staff], Client]
) -> None:
    done = evaluate(
        api_as(director),
        closed_case,
        {"effectiveness": "not_effective", "did_not_work": DID_NOT, "lessons": LESSONS},
    )

    assert done.status_code == 200, done.content
    evaluation = done.json()["evaluation"]
    assert evaluation["effectiveness"] == "not_effective"
    assert (evaluation["did_not_work"], evaluation["lessons"]) == (DID_NOT, LESSONS)
    assert (evaluation["worked"], evaluation["notes"]) == ("", "")
    assert evaluation["evaluated_by"] == director.username
    assert evaluation["evaluated_at"]
    again = evaluate(api_as(director), closed_case, {"effectiveness": "effective"})
    assert again.status_code in (404, 409)  # evaluated once; no longer waiting


def test_the_api_still_takes_the_one_notes_box(
    closed_case: Case, director: Staff, api_as: Callable[[Staff], Client]
) -> None:
    done = evaluate(api_as(director), closed_case, {"notes": "The plan worked; letters clear."})

    assert done.status_code == 200, done.content
    evaluation = done.json()["evaluation"]
    assert evaluation["notes"] == "The plan worked; letters clear."
    assert evaluation["effectiveness"] == ""


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "evaluation_empty"),
        ({"notes": "   "}, 422, "evaluation_empty"),
        ({"effectiveness": "brilliant", "worked": WORKED}, 422, "unknown_effectiveness"),
        ({"effectiveness": "x" * 21}, 400, None),
        ({"effectiveness": 3}, 400, None),
        ({"judgement": "effective"}, 400, None),
    ],
    ids=["nothing", "blank", "unknown-judgement", "too-long", "not-text", "unknown-field"],
)
def test_a_bad_evaluation_is_refused_and_writes_nothing(
    closed_case: Case,
    director: Staff,
    api_as: Callable[[Staff], Client],
    body: dict[str, Any],
    status: int,
    code: str | None,
) -> None:
    refused = evaluate(api_as(director), closed_case, body)

    assert refused.status_code == status, refused.content
    if code:
        assert refused.json()["code"] == code
    closure = Closure.objects.get(case=closed_case)
    assert (closure.evaluated_at, closure.effectiveness) == (None, "")
    assert not AuditEntry.objects.filter(action="closure.evaluated").exists()


def test_other_roles_still_may_not_evaluate(
    closed_case: Case, manager: Staff, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    for person in (manager, officer):
        refused = evaluate(api_as(person), closed_case, {"effectiveness": "effective"})
        assert refused.status_code == 403
        assert refused.json()["policy_rule"] == "closure.evaluation_role"
    assert Closure.objects.get(case=closed_case).evaluated_at is None


def test_the_openapi_document_describes_the_evaluation(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"effectiveness", "worked", "did_not_work", "lessons", "notes"} <= set(
        schemas["EvaluationIn"]["properties"]
    )
    assert "evaluation" in schemas["ClosureOut"]["properties"]
    assert {"effectiveness", "evaluated_by", "evaluated_at"} <= set(
        schemas["EvaluationOut"]["properties"]
    )
