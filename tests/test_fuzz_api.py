"""Fuzzing the JSON API against its own OpenAPI document (issue 10).

schemathesis reads `/api/v1/openapi.json` from the app, in-process through WSGI, and
sends every operation generated requests: its coverage phase (each field at and past
its limits, each required field missing, wrong types) and its fuzzing phase (valid and
invalid requests: odd unicode, huge numbers, wrong shapes). The requests carry the
token of a DA lead, a director, a manager or the officer on the case, against real
cases made through the services; path parameters are real ids, and bodies are a valid
body with some fields fuzzed, often enough that requests reach the services rather than
stopping at 400 or 404. Every answer must:

- never be a server error (5xx);
- have a status code the document declares for the operation;
- have the content type the document declares for it (problem+json for every error);
- have a body matching the declared schema, and the declared headers.

In CI each operation gets `EXAMPLES` fuzzed requests on top of the coverage phase, about
half a minute on SQLite and on PostgreSQL alike. A longer run on demand:

    SAFEHOLD_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/test_fuzz_api.py -p no:cacheprovider

A failure is a bug in the app or in the document, not in this test (docs/security.md,
"Fuzzing"): fix the handler, or the `response=` declaration the document is built from
(safehold/api/openapi.py), and keep a regression test in tests/api/test_bad_input.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safehold.accounts import services as accounts
from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import letters, plan
from safehold.casework import services as casework
from safehold.closure import appeals
from safehold.closure import services as closure
from safehold.records import services as records
from safehold.risk.tools import question_ids, tool_by_id
from tests.casedata import CASE_BODY

EXAMPLES = int(os.environ.get("SAFEHOLD_FUZZ_EXAMPLES", "8"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def real_ids(
    open_case: Callable[..., Case], officer: Staff, manager: Staff, da_lead: Staff
) -> dict[str, list[str]]:
    """Objects of every kind a path names, made through the services, by the name of the
    path parameter that names them: an open case with its casework, and a closed one."""
    case = open_case()
    closed = open_case()
    referral = casework.referral_make(
        case=case,
        by=officer,
        agency="police",
        reason="Threats to kill",
        ground="risk_of_serious_harm",
        explanation="He has a knife, and asking her would put her at risk.",
    )
    action = plan.action_add(case=case, by=officer, kind="support", detail="Weekly calls")
    done = plan.action_add(case=case, by=officer, kind="support", detail="Benefits advice")
    plan.action_complete(action=done, by=officer, outcome="Her claim is in")
    letter = letters.letter_create(
        case=case, by=officer, kind="acknowledgement", recipient="survivor", channel="by_hand"
    )
    request = records.subject_access_log(
        case=case, by=da_lead, person_role="survivor", received_at=timezone.now()
    )
    closure.closure_request(
        case=closed,
        by=officer,
        reason="resolved",
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(hours=1),
    )
    closure.closure_approve(case=closed, by=manager)
    appeal = appeals.appeal_make(
        case=closed, by=officer, party="survivor", grounds="The case closed too soon."
    )
    return {
        "case_id": [case.pk, closed.pk],
        "referral_id": [referral.pk],
        "action_id": [action.pk, done.pk],
        "document_id": [letter.pk],
        "request_id": [request.pk],
        "appeal_id": [appeal.pk],
        "person_id": list(case.people.exclude(role="child").values_list("pk", flat=True)),
    }


def good_bodies() -> dict[str, dict[str, Any]]:
    """A body each operation accepts in the right state, by the operation's path (all
    are POSTs): fuzzing a field or two of it reaches the services' own rules."""
    now = timezone.now()
    dash = tool_by_id("dash-ric")
    return {
        "/api/v1/cases": CASE_BODY,
        "/api/v1/cases/search": {"q": CASE_BODY["survivor"]["name"]},
        "/api/v1/cases/{case_id}/incidents": {"source": "police", "summary": "He came back"},
        "/api/v1/cases/{case_id}/people/{person_id}": {"address": "9 Marrowdale Court"},
        "/api/v1/cases/{case_id}/contacts": {
            "at": now.isoformat(),  # after the cases were reported, before the request
            "channel": "phone",
            "direction": "outbound",
            "with": "survivor",
            "notes": "Safe to talk; agreed a visit",
        },
        "/api/v1/cases/{case_id}/assignment": {"officer": "alice.officer"},
        "/api/v1/cases/{case_id}/break-glass": {"reason": "Covering for a colleague on leave"},
        "/api/v1/cases/{case_id}/risk-assessments": {
            "tool": dash.id,
            "answers": dict.fromkeys(question_ids(dash), "yes"),
            "professional_judgement": True,
            "police_callouts_last_12_months": 3,
        },
        "/api/v1/cases/{case_id}/consents": {
            "agency": "idva",
            "purpose": "referral",
            "given": True,
        },
        "/api/v1/cases/{case_id}/referrals": {
            "agency": "idva",
            "reason": "Support through court",
            "without_consent": {
                "ground": "risk_of_serious_harm",
                "explanation": "He has threatened to kill her",
            },
        },
        "/api/v1/cases/{case_id}/actions": {
            "kind": "emergency_repair",
            "detail": "Replace the broken back door",
            "agreed_with_survivor": True,
        },
        "/api/v1/actions/{action_id}/cancel": {"reason": "The survivor moved away"},
        "/api/v1/actions/{action_id}/complete": {"outcome": "The alarm is fitted"},
        "/api/v1/actions/{action_id}/reopen": {"reason": "The alarm stopped working"},
        "/api/v1/cases/{case_id}/reviews": {
            "notes": "Plan on track",
            "survivor_views": "She feels safer",
            "risk_change": "decreased",
        },
        "/api/v1/cases/{case_id}/letters": {
            "kind": "acknowledgement",
            "recipient": "survivor",
            "channel": "by_hand",
        },
        "/api/v1/cases/{case_id}/perpetrator-interviews": {
            "manager": "mona.manager",
            "survivor_agrees": True,
            "safety_assessment": "He has moved out of the area",
        },
        "/api/v1/cases/{case_id}/closure": {
            "reason": "resolved",
            "survivor_agrees": True,
            "review_meeting_at": (now - timedelta(hours=2)).isoformat(),
            "explanation": "The injunction holds and she feels safe",
        },
        "/api/v1/cases/{case_id}/closure/approve": {"note": "Agreed"},
        "/api/v1/cases/{case_id}/closure/decline": {"note": "The MARAC meets next week"},
        "/api/v1/cases/{case_id}/closure/evaluation": {"notes": "Target hardening worked"},
        "/api/v1/cases/{case_id}/reopen": {"reason": "A further incident was reported"},
        "/api/v1/cases/{case_id}/feedback": {"satisfaction": 4, "comments": "Listened to me"},
        "/api/v1/cases/{case_id}/feedback-requests": {"channel": "in_person"},
        "/api/v1/cases/{case_id}/appeals": {
            "by": "survivor",
            "grounds": "My case was closed without my agreement",
        },
        "/api/v1/appeals/{appeal_id}/decision": {
            "outcome": "partly_upheld",
            "reasons": "The closure letter came late",
        },
        "/api/v1/appeals/{appeal_id}/escalate": {"grounds": "The answer missed my point"},
        "/api/v1/referrals/{referral_id}/approve": {"note": "Risk to life"},
        "/api/v1/referrals/{referral_id}/reject": {"note": "Consent can still be sought"},
        "/api/v1/cases/{case_id}/subject-access-requests": {
            "subject": "survivor",
            "received_at": now.isoformat(),
            "notes": "Identity checked at the office",
        },
        "/api/v1/subject-access-requests/{request_id}/verification": {
            "method": "photo_id_in_person",
            "notes": "Passport seen at the office",
        },
        "/api/v1/subject-access-requests/{request_id}/cases": {"cases": []},
        "/api/v1/subject-access-requests/{request_id}/release": {"channel": "email"},
        "/api/v1/subject-access-requests/{request_id}/close": {"reason": "Withdrawn by phone"},
        "/api/v1/cases/{case_id}/legal-hold": {"reason": "Court proceedings are pending"},
        "/api/v1/cases/{case_id}/legal-hold/lift": {"reason": "The proceedings have ended"},
    }


def good_queries() -> dict[str, dict[str, str]]:
    today = timezone.localdate()
    return {
        "/api/v1/reports/monitoring": {
            "from": (today - timedelta(days=365)).isoformat(),
            "to": today.isoformat(),
        },
        "/api/v1/subject-access-requests/{request_id}/export": {"format": "json"},
    }


def partly_fuzzed(good: dict[str, Any], generated: Any) -> st.SearchStrategy[Any]:
    """The generated value, the good one, or the good one with a few fields generated."""
    if not isinstance(generated, dict) or not generated:
        return st.sampled_from([generated, good])
    return st.sets(st.sampled_from(sorted(generated)), max_size=2).map(
        lambda fuzzed: {**good, **{key: generated[key] for key in fuzzed}}
    ) | st.just(generated)


@pytest.fixture
def tokens(officer: Staff, manager: Staff, director: Staff, da_lead: Staff) -> list[str]:
    """Bearer tokens of people who see the cases: the DA lead's first."""
    people = (da_lead, director, manager, officer)
    return [f"Bearer {accounts.token_create(staff=person)}" for person in people]


@pytest.fixture
def api_schema(
    real_ids: dict[str, list[str]], tokens: list[str], settings: Settings
) -> Iterator[Any]:
    # The fuzzer sends thousands of requests a minute from one address; the rate limits
    # are tested on their own (tests/api/test_rate_limits.py).
    settings.SAFEHOLD_API_RATE_PER_TOKEN = None
    settings.SAFEHOLD_API_RATE_PER_ADDRESS = None
    # Django closes the connection after each request, which inside the test's
    # transaction would end it; its test client keeps it open the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    bodies, queries = good_bodies(), good_queries()

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        names = [name for name in path_parameters or {} if name in real_ids]
        if not names:
            return st.just(path_parameters)
        real = st.fixed_dictionaries({name: st.sampled_from(real_ids[name]) for name in names})
        return real.map(lambda ids: {**path_parameters, **ids}) | st.just(path_parameters)

    @schema.hook
    def flatmap_body(context: Any, body: Any) -> Any:
        good = bodies.get(context.operation.path)
        return st.just(body) if good is None else partly_fuzzed(good, body)

    @schema.hook
    def flatmap_query(context: Any, query: Any) -> Any:
        good = queries.get(context.operation.path)
        return st.just(query) if good is None else partly_fuzzed(good, query)

    @schema.hook
    def flatmap_case(context: Any, case: Any) -> Any:
        def signed(token: str) -> Any:
            case.headers = {**(case.headers or {}), "Authorization": token}
            return case

        return st.sampled_from(tokens).map(signed)

    yield schema
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_answer_keeps_the_openapi_document(api_schema: Any, tokens: list[str]) -> None:
    # The health checks judge schemathesis' own strategies (large bodies, heavy filtering),
    # not the API.
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def exchange(case: Any) -> None:
        # The coverage phase's requests are not drawn through `flatmap_case`: they go as
        # the DA lead. One whose token was removed on purpose goes without (and is a 401).
        sent = (case.headers or {}).get("Authorization")
        headers = None if sent in tokens else {"Authorization": tokens[0]}
        case.call_and_validate(headers=headers, checks=CHECKS)

    # `schemathesis.pytest.from_fixture`, the documented way to fuzz from a fixture, sets
    # pytest's `Node._nodeid`, which pytest 9.2 no longer has; this is the function it
    # calls to build each operation's test (every phase: coverage and fuzzing).
    tests = get_all_tests(schema=api_schema, test_func=exchange, settings=None, given_kwargs=None)
    failures = []
    for built in tests:
        operation, fuzz = built.ok()
        try:
            fuzz()
        except (Exception, FailureGroup) as failure:  # noqa: BLE001 - report every operation
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
