"""Every page a person uses, rendered over a few thousand invented cases (issue 19,
Deliverables: "a browser-free smoke in the suite"): as the director, who sees every case,
and as a synth team's manager, each page answers with real rows and the same number of
queries as tests/test_query_counts.py pins with a few rows. A page that starts reading
every case a person may see (a count or a queue computed in Python, an N+1 over the
rows) changes its count here, or takes long enough to notice.

The cases come from `safehold synth` (docs/synth.md), loaded in the test's own database;
what synth does not make (a MARAC recommendation, a referral to approve, a subject
access request, a request to interview an alleged perpetrator, an action and a contact
due, a review, a case awaiting first contact) is added through the services on a few of
the manager's team's cases.
Counts are SQLite's; on PostgreSQL an audit entry is one statement where SQLite's is
five (privacy/audit.py APPEND_IN_ONE), so a page that appends one makes 4 fewer.
docs/performance.md "Fixed query counts"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from safehold.accounts import sessions
from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing, selectors
from safehold.cases import services as cases_services
from safehold.cases.models import Case, Person, PersonRole
from safehold.casework import interviews, plan
from safehold.casework import services as casework
from safehold.casework.models import Referral
from safehold.desk import queues
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from safehold.records import services as records
from safehold.risk import services as risk
from safehold.synth import synth_load
from safehold.synth.trail import trail_load
from tests.casedata import report
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

CASES = 2000
EXTRAS = 3  # cases given what synth does not make
REFERENCE = re.compile(r"DA-\d{4}-\d{5}")
# On PostgreSQL an audit entry takes this many fewer queries than on SQLite.
AUDIT_ENTRY_SAVING = 0 if connection.vendor == "sqlite" else 4


@dataclass(frozen=True)
class Loaded:
    manager: Staff
    director: Staff
    admin: Staff


@pytest.fixture
def loaded(policy: str, admin: Staff, fresh_minute: None) -> Loaded:
    synth_load(cases=CASES, seed=19, years=3, teams=2)
    trail_load(entries=CASES, seed=19)
    manager = Staff.objects.filter(role=Role.MANAGER, username__startswith="synth.").order_by(
        "username"
    )[0]
    director = Staff.objects.get(username="synth.director")
    for person in (manager, director):
        DeviceFactory(user=person)
    extras_add(manager)
    return Loaded(manager, director, admin)


def extras_add(manager: Staff) -> None:
    policy = active_policy()
    cases = Case.objects.filter(
        team=manager.team, status="open", first_contact_at__isnull=False,
        assigned_officer__isnull=False, repeat=False,
    ).select_related("assigned_officer").order_by("-reported_at", "-id")[:EXTRAS]  # fmt: skip
    for case in cases:
        officer = case.assigned_officer
        assert officer is not None
        if case == cases[0]:
            cases_services.case_open(report=report(), by=officer)  # awaiting first contact
        risk.assessment_create(
            case=case,
            by=officer,
            tool_id="dash-ric",
            answers={f"q{n}": "no" for n in range(1, 25)},
            professional_judgement=True,  # high risk, MARAC recommended
        )
        casework.referral_make(
            case=case,
            by=officer,
            agency=next(iter(policy.agencies)),
            reason="She is not safe at home",
            ground=policy.disclosure.grounds[0],
            explanation="She cannot be asked safely today",
        )
        records.subject_access_log(
            case=case,
            by=manager,
            person_role="survivor",
            received_at=timezone.now() - timedelta(days=1),
        )
        casework.consent_record(
            case=case, by=officer, purpose="contact_alleged_perpetrator", given=True
        )
        interviews.interview_request(
            case=case, by=officer, survivor_agrees=True, safety_assessment="He is away"
        )
        plan.action_add(
            case=case,
            by=officer,
            kind="security_measure",
            measure="panic_alarm",
            agreed_with_survivor=True,
            due_at=timezone.now() + timedelta(days=1),
        )
        cases_services.contact_interval_agree(case=case, by=officer, days=1)
        plan.review_record(
            case=case,
            by=officer,
            notes="Reviewed with her",
            survivor_views="She wants the alarm fitted",
            risk_change="same",
            action_progress={},
        )


def case_with_extras(user: Staff) -> Case:
    case = (
        access.cases_visible_to(user)
        .filter(pk__in=Referral.objects.values("case_id"))
        .order_by("-reported_at", "-id")
        .first()
    )
    assert case is not None
    return case


def busiest_case(user: Staff) -> str:
    visible = access.cases_visible_to(user).values("pk")
    busiest = (
        AuditEntry.objects.filter(target_type="case", target_id__in=visible)
        .values("target_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]
    )
    return str(busiest["target_id"])


def survivor_name(case: Case) -> str:
    survivor = Person.objects.select_related("case__data_key").get(
        case=case, role=PersonRole.SURVIVOR
    )
    return str(sealing.unseal(survivor.case.data_key, survivor)["name"])


def signed_in(staff: Staff) -> Client:
    from tests.conftest import signed_in as sign_in

    return sign_in(staff)


def from_a_fresh_minute() -> Any:
    """The clock moved on to a second into the next minute, ticking (as conftest.py's
    `fresh_minute`, for one page)."""
    now = timezone.now()
    return time_machine.travel(
        now.replace(second=1, microsecond=0) + timedelta(minutes=1), tick=True
    )


# What a page must show: at least `references` distinct case references, or `text`.
@dataclass(frozen=True)
class Page:
    path: str
    queries: int  # on SQLite
    entries: int = 1  # audit entries the page appends (case.viewed, case.listed, ...)
    references: int = 0
    rows: int = 0  # table rows (<tr>) at least
    text: str = ""
    form: dict[str, str] | None = None
    # For a short list: its rows, which cost 1 query fewer when none is a repeat (the
    # query for which repeats the reader may be told, cases/selectors.py
    # repeats_seen_by, is made only for a repeat). Long lists always hold one.
    rows_of: Callable[[], list[Case]] | None = None


def pages_for(who: str, user: Staff, case: Case, busiest: str) -> dict[str, Page]:
    """The pages of issue 19 this persona opens, with tests/test_query_counts.py's
    counts (docs/performance.md "Fixed query counts")."""
    on_case = "She is not safe at home"  # the referral's reason (extras_add)
    common = {
        # The three queues of cases counted in one query, and 2 for how many cases the
        # person is named on (feedback to ask: closure/selectors.py named_on_closed).
        "home": Page("/", 26 if who == "manager" else 27, references=10),
        "case list": Page("/cases/", 16, references=50),
        # Not a repeat (extras_add): a repeat's page makes 1 query more, for whether the
        # reader may be told (cases/selectors.py repeats_seen_by). +1 its MARAC flag, +1 its
        # MARAC hearings (issue 21).
        "case page": Page(f"/cases/{case.pk}/", 35, text=on_case),
        # Its MARAC hearings: 1 query, 1 more for their actions once it has any (issue 21).
        "chronology": Page(f"/cases/{case.pk}/chronology", 32, text=on_case),
        "search": Page(
            "/cases/search",
            17,
            references=1,
            form={"q": survivor_name(case)},
            rows_of=lambda: selectors.case_search(user, q=survivor_name(case)),
        ),
        "risk": Page("/risk", 21, references=20),
        "subject access": Page("/subject-access", 9, entries=0, references=EXTRAS),
        # The MARAC hearings and actions by agency, this period and the previous (issue 21).
        # Kept figures (reports/kept.py): the warm-up counted and kept them; shown, they
        # are two queries (the reader's standing, the kept row; + the teams to choose
        # from, for a director), whatever the size.
        "monitoring report": Page("/reports/", 15 if who == "manager" else 16, rows=50),
        # Counted again: test_query_counts.py test_the_reports_page.
        "monitoring report, counted again": Page(
            "/reports/?recount=1", 56 if who == "manager" else 57, rows=50
        ),
        "audit trail of a long case": Page(f"/cases/{busiest}/audit", 18, rows=10),
        "queue: reviews": Page("/queues/reviews", 16, references=20),
    }
    if who == "manager":
        return common | {
            # Synth's newest cases may all have had their first contact: extras_add
            # opens one that has not.
            "queue: first contact": Page(
                "/queues/first-contact",
                16,
                references=1,
                rows_of=lambda: list(queues.first_contact(user, timezone.now())[:200]),
            ),
            "queue: actions": Page("/queues/actions", 15, references=EXTRAS),
            "queue: contacts": Page(
                "/queues/contacts",
                16,
                references=EXTRAS,
                rows_of=lambda: list(queues.contacts(user, timezone.now())[:200]),
            ),
            "queue: feedback to ask": Page("/queues/feedback-to-ask", 18, references=20),
            "queue: interviews to agree": Page(
                "/queues/interviews-to-agree", 16, references=EXTRAS
            ),
        }
    return common | {
        # test_query_counts.py's 18 holds a repeat MARAC referral (1 query for its
        # reason, 1 for the case repeats); these cases are no repeats.
        "MARAC": Page("/marac", 16, references=EXTRAS),
        "approvals": Page("/approvals", 9, entries=0, references=EXTRAS),
        "queue: closures to evaluate": Page("/queues/closures-to-evaluate", 16, references=20),
    }


@pytest.mark.parametrize("who", ["director", "manager"])
def test_every_page_shows_real_rows_with_its_fixed_queries(
    loaded: Loaded,
    who: str,
    django_assert_num_queries: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two writes fall on whichever request first crosses a minute: a session's last-seen
    # time (accounts/sessions.py, at most once a minute) and the sweep of spent rate-limit
    # counters (conftest.py `fresh_minute`). The loop of pages takes more than a minute
    # on a busy machine, so each page starts a fresh minute and the first is never due.
    monkeypatch.setattr(sessions, "SEEN_EVERY", timedelta(days=1))
    user: Staff = getattr(loaded, who)
    client = signed_in(user)
    case = case_with_extras(loaded.manager)
    for name, page in pages_for(who, user, case, busiest_case(user)).items():
        send = (
            (lambda p=page: client.post(p.path, p.form))
            if page.form
            else (lambda p=page: client.get(p.path))
        )
        expected = page.queries - AUDIT_ENTRY_SAVING * page.entries
        if page.rows_of and not any(row.repeat for row in page.rows_of()):
            expected -= 1
        with from_a_fresh_minute():
            assert send().status_code == 200, name  # warm: a session's first use may write
            with django_assert_num_queries(expected, info=f"{who}: {name}"):
                response = send()
        assert response.status_code == 200, name
        body = response.content.decode()
        assert len(set(REFERENCE.findall(body))) >= page.references, name
        assert body.count("<tr") >= page.rows, name
        assert page.text in body, name


def test_the_staff_list_for_an_administrator(
    loaded: Loaded, django_assert_num_queries: Callable[..., Any]
) -> None:
    client = signed_in(loaded.admin)
    assert client.get("/staff/").status_code == 200
    with django_assert_num_queries(10):
        body = client.get("/staff/").content.decode()
    assert body.count("synth.") >= 10
