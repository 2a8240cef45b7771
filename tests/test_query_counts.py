"""Every page and API endpoint that lists things makes a fixed number of queries
(STYLE.md habit 7, issue 9 "Performance and scale").

Each test builds rows through the real services, asks for the page with a few of them
and again with many more, and pins the number of queries both times: an N+1 (a row that
reaches for its team, officer or author one query at a time) changes the count with the
rows and fails the test, and so does any other change to the count, which then has to be
looked at and the number here changed on purpose. Each test also checks that the rows it
made are on the page, so that a page listing nothing cannot pass.

The numbers are those of the default policy (safehold/policy/bundled/default.toml), which
decides who approves, evaluates and hears appeals, on SQLite. They include the session,
sign-in and two-factor queries every page makes (and the check of the session's row that
its owner can end, accounts/sessions.py), and the savepoints of the test's
transaction. On PostgreSQL an audit entry is one statement (privacy/audit.py
APPEND_IN_ONE) where SQLite's is five (a savepoint, the head, the entry, the head moved,
the savepoint released), so there the number is 4 fewer for each entry the request
appends; everything else is the same on both. docs/performance.md lists them."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehold.accounts import services as accounts
from safehold.accounts.models import Staff
from safehold.cases import services as cases
from safehold.cases.models import Case, PersonRole
from safehold.casework import contacts, interviews, letters, plan
from safehold.casework import services as casework
from safehold.closure import appeals, feedback
from safehold.closure import services as closure
from safehold.evidence import services as evidence
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy.models import AuditEntry
from safehold.records import services as records
from safehold.risk import services as risk
from tests.casedata import SURVIVOR_NAME
from tests.evidence import files
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 12
QUESTIONS = [f"q{n}" for n in range(1, 25)]  # the DASH RIC's questions

Fetch = Callable[[], HttpResponse]
# Adds `n` rows of what a page lists; answers with what those rows show on the page.
AddRows = Callable[[int], list[str]]
Check = Callable[..., str]

serial = itertools.count(1)


def unique(word: str) -> str:
    return f"{word} {next(serial):04d}"


# On PostgreSQL an audit entry takes this many fewer queries than on SQLite (see above).
AUDIT_ENTRY_SAVING = 0 if connection.vendor == "sqlite" else 4


@pytest.fixture
def fixed_queries(fresh_minute: None) -> Check:
    """Asks for the page once to warm up (a token's first use, the audit chain's head and
    the like are written once), then with FEW rows and with MANY: the same pinned number
    of queries both times, and every row on the page. `queries` is SQLite's number. It
    runs from the start of a fresh minute (conftest.py `fresh_minute`)."""

    def check(fetch: Fetch, add: AddRows, *, queries: int) -> str:
        assert fetch().status_code == 200
        shown: Counter[str] = Counter()
        body = ""
        for rows in (FEW, MANY - FEW):
            shown.update(add(rows))
            entries = AuditEntry.objects.count()
            with CaptureQueriesContext(connection) as made:
                response = fetch()
            appended = AuditEntry.objects.count() - entries
            expected = queries - AUDIT_ENTRY_SAVING * appended
            made_sql = "\n".join(query["sql"] for query in made.captured_queries)
            assert len(made) == expected, f"{len(made)} queries, not {expected}:\n{made_sql}"
            assert response.status_code == 200
            body = response.content.decode()
            assert [text for text, times in shown.items() if body.count(text) < times] == []
        return body

    return check


def answers(yes: bool) -> dict[str, str]:
    return dict.fromkeys(QUESTIONS, "yes" if yes else "no")


def a_week_ago() -> datetime:
    return timezone.now() - timedelta(days=7)


@dataclass
class Work:
    """The people of conftest.py doing casework through the services."""

    request: pytest.FixtureRequest
    open_case: Callable[..., Case]
    officer: Staff

    @property
    def policy(self) -> Policy:
        return active_policy()

    def staff(self, role: str) -> Staff:
        """The persona fixture for a role (conftest.py has one for each role)."""
        staff: Staff = self.request.getfixturevalue(role)
        return staff

    def closing(self, case: Case | None = None) -> Case:
        case = case or self.open_case()
        closure.closure_request(
            case=case,
            by=self.officer,
            reason=self.policy.closure.reasons[0],
            survivor_agrees=True,
            review_meeting_at=timezone.now() - timedelta(days=1),
            explanation="Everything agreed at the review has been done.",
        )
        return case

    def closed(self, case: Case | None = None) -> Case:
        case = self.closing(case)
        closure.closure_approve(case=case, by=self.staff(self.policy.closure.approver_roles[0]))
        case.refresh_from_db()
        return case

    def assessed(self, case: Case, *, high: bool) -> Any:
        return risk.assessment_create(
            case=case,
            by=self.officer,
            tool_id="dash-ric",
            answers=answers(False),
            professional_judgement=high,  # high risk, and MARAC recommended, whatever the score
        )

    def subject_access(self, case: Case, notes: str = "") -> Any:
        return records.subject_access_log(
            case=case,
            by=self.staff("da_lead"),
            person_role="survivor",
            received_at=timezone.now() - timedelta(days=1),
            notes=notes,
        )

    def subject_access_ready(self, request: Any, cases: list[Case]) -> None:
        """The requester's identity checked (by the director: the DA lead logged it) and
        `cases` confirmed, so that the request may be exported."""
        if request.verified_at is None:
            records.subject_access_verify(
                request=request, by=self.staff("director"), method="photo_id_in_person"
            )
            request.refresh_from_db()
        records.subject_access_cases_confirm(
            request=request, by=self.staff("da_lead"), case_ids=[c.pk for c in cases]
        )

    def contacts_added(self, case: Case) -> AddRows:
        """Adds contacts to `case`; each shows as a `contact.recorded` audit entry."""

        def add(n: int) -> list[str]:
            for _ in range(n):
                self.contact(case)
            return ["contact.recorded"] * n

        return add

    def contact(self, case: Case, *, with_whom: str = "survivor", notes: str = "") -> None:
        contacts.contact_record(
            case=case,
            by=self.officer,
            at=timezone.now(),
            channel="phone",
            direction="outbound",
            with_whom=with_whom,
            notes=notes,
        )

    def people(self, case: Case) -> list[str]:
        """An alleged perpetrator and a child added to the case, as the intake adds them."""
        name, child = unique("Perp"), unique("Kid")
        cases.person_create(
            case=case,
            role=PersonRole.ALLEGED_PERPETRATOR,
            relationship="ex_partner",
            details={"name": name, "tenancy_ref": ""},
        )
        cases.person_create(case=case, role=PersonRole.CHILD, age=4, details={"name": child})
        return [name, child]

    def letter(self, case: Case) -> Any:
        return letters.letter_create(
            case=case,
            by=self.officer,
            kind="acknowledgement",
            recipient="survivor",
            channel="by_hand",
        )

    def appeal(self, case: Case) -> Any:
        return appeals.appeal_make(
            case=case, by=self.officer, party="survivor", grounds="The case closed too early."
        )


@pytest.fixture
def work(
    request: pytest.FixtureRequest, policy: str, open_case: Callable[..., Case], officer: Staff
) -> Work:
    return Work(request, open_case, officer)


def rows_of(make: Callable[[], str]) -> AddRows:
    return lambda n: [make() for _ in range(n)]


# The home page, the case list and search ----------------------------------------------


@pytest.mark.parametrize(
    ("role", "times_shown", "queries"),
    [
        # Each case once, in "Overdue and due today" or "Your other open cases" (issue 18:
        # the person's own cases, the most urgent first, in one query; 6 more for the
        # survivors shown, one query, and the `case.listed` entry of that read, 5).
        # A manager's and a DA lead's 1 more (issue 20): the count of the public reports
        # waiting for their triage, one query however many. Issue 19: the three queues of
        # cases (first contact, reviews, contacts) are counted in one query, not three
        # (2 fewer); feedback to ask counts how many cases the person is named on, up to
        # a bound, to choose how to read their closed cases (closure/selectors.py
        # named_on_closed: 2 more).
        ("officer", 1, 22),
        ("manager", 1, 26),
        ("director", 1, 27),
        ("da_lead", 2, 27),  # and in the alert that someone broke the glass
    ],
    ids=["officer", "manager", "director", "da_lead"],
)
def test_the_home_page(
    work: Work,
    role: str,
    times_shown: int,
    queries: int,
    manager: Staff,
    da_lead: Staff,
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
    fixed_queries: Check,
) -> None:
    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            case = work.open_case()
            cases.officer_assign(case=case, officer_username=work.officer.username, by=manager)
            cases.break_glass(case=case, by=outsider, reason="Covering the out-of-hours line")
            work.subject_access(case)
            shown += [case.reference] * times_shown
        return shown

    client = as_staff(work.staff(role))
    fixed_queries(lambda: client.get("/"), add, queries=queries)


def test_the_case_list(
    work: Work, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    client = as_staff(work.officer)
    add = rows_of(lambda: work.open_case().reference)
    # 6 of them (issue 18): the survivors of the page, decrypted to show who each case is
    # about, in one query, and the one audit entry (`case.listed`) of that read.
    fixed_queries(lambda: client.get("/cases/"), add, queries=16)


def test_search_results(
    work: Work, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    client = as_staff(work.officer)
    add = rows_of(lambda: work.open_case().reference)  # every case here is hers
    search = {"q": SURVIVOR_NAME}
    # As the case list: 1 for the survivors shown and 5 for the audit entry (issue 18).
    fixed_queries(lambda: client.post("/cases/search", search), add, queries=17)


INTAKE = {
    "step": "check",
    "source": "self",
    "abuse_types": ["physical"],
    "summary": "He came back last night",
    "name": SURVIVOR_NAME,  # the survivor of tests/casedata.py, with her date of birth
    "date_of_birth_0": "12",
    "date_of_birth_1": "4",
    "date_of_birth_2": "1988",
    "sex": "female",
    "address": "17 Wistmoor Crescent",
    "post_ok": "no",
    "perpetrators": "0",
    "children": "0",
}


def test_a_new_reports_check_page_lists_the_survivors_open_cases(
    work: Work, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    client = as_staff(work.officer)
    add = rows_of(lambda: work.open_case().reference)
    fixed_queries(lambda: client.post("/cases/new", INTAKE), add, queries=10)


# Work queues ------------------------------------------------------------------------


def first_contact(work: Work) -> str:
    return work.open_case().reference


def action_due(work: Work) -> str:
    case = work.open_case()
    plan.action_add(
        case=case,
        by=work.officer,
        kind="security_measure",
        measure="panic_alarm",
        agreed_with_survivor=True,
        due_at=timezone.now() + timedelta(days=1),
    )
    return case.reference


def review_due(work: Work) -> str:
    interval = timedelta(days=work.policy.review_interval_days)
    return work.open_case(reported_at=timezone.now() - interval).reference


def contact_due(work: Work) -> str:
    case = work.open_case()
    cases.contact_interval_agree(case=case, by=work.officer, days=1)
    return case.reference


def closing(work: Work) -> str:
    return work.closing().reference


def closed(work: Work) -> str:
    return work.closed().reference


def appealed(work: Work) -> str:
    case = work.closed()
    work.appeal(case)
    return case.reference


def interview_asked(work: Work) -> str:
    """An officer asks to interview the alleged perpetrator: it waits for the team's
    managers (issue 16)."""
    case = work.open_case()
    casework.consent_record(
        case=case, by=work.officer, purpose="contact_alleged_perpetrator", given=True
    )
    interviews.interview_request(
        case=case, by=work.officer, survivor_agrees=True, safety_assessment="He is away"
    )
    return case.reference


def sharing_to_approve(work: Work) -> str:
    case = work.open_case()
    casework.referral_make(
        case=case,
        by=work.officer,
        agency=next(iter(work.policy.agencies)),
        reason="She is not safe at home",
        ground=work.policy.disclosure.grounds[0],
        explanation="She cannot be asked safely today",
    )
    return case.reference


def subject_access_open(work: Work) -> str:
    case = work.open_case()
    work.subject_access(case)
    return case.reference


def officers(policy: Policy) -> str:
    return "officer"


# The page; whose queue it is (a role, as the policy names it); what adds a row to it.
# The queues of one's own cases show who each case is about (issue 18): 1 query for the
# survivors and 5 for the `case.listed` entry; and the three of cases, 1 for whether the
# reader is told a case is a repeat (`cases_seen_by`, every case here is the same
# survivor's). The queues of decisions show it too (issue 18), on the cases the reader
# may see: 1 query for which those are (`named_where_seen`), 1 for their survivors and 5
# for the `case.listed` entry.
QUEUES = [
    ("/queues/first-contact", officers, first_contact, 16),
    ("/queues/actions", officers, action_due, 15),
    ("/queues/reviews", officers, review_due, 16),
    ("/queues/contacts", officers, contact_due, 16),
    ("/queues/closures-to-approve", lambda p: p.closure.approver_roles[0], closing, 16),
    ("/queues/closures-to-evaluate", lambda p: p.closure.evaluation_role, closed, 16),
    # 2 for how many cases the officer is named on (closure/selectors.py named_on_closed).
    ("/queues/feedback-to-ask", officers, closed, 18),
    ("/queues/appeals-to-answer", lambda p: p.appeals.reviewer_role, appealed, 16),
    ("/approvals", lambda p: p.disclosure.approver_roles[0], sharing_to_approve, 9),
    ("/queues/interviews-to-agree", lambda p: "manager", interview_asked, 16),
    ("/subject-access", lambda p: "da_lead", subject_access_open, 9),
]


@pytest.mark.parametrize(
    ("url", "worker", "add_one", "queries"), QUEUES, ids=[url for url, *_ in QUEUES]
)
def test_a_work_queue(
    work: Work,
    url: str,
    worker: Callable[[Policy], str],
    add_one: Callable[[Work], str],
    queries: int,
    as_staff: Callable[[Staff], Client],
    fixed_queries: Check,
) -> None:
    client = as_staff(work.staff(worker(work.policy)))
    add = rows_of(lambda: add_one(work))
    fixed_queries(lambda: client.get(url), add, queries=queries)


# Risk and MARAC -----------------------------------------------------------------------


def test_the_risk_views(
    work: Work, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    """Each list of the risk page, whole (`/risk/<list>`, a page of 50 at a time): the
    same queries however many rows, and every row shown."""
    never: list[str] = []

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            judged, standard, unassessed = work.open_case(), work.open_case(), work.open_case()
            work.assessed(judged, high=True)  # judged high: MARAC, at the score's level
            work.assessed(standard, high=False)
            never.append(unassessed.reference)
            shown += [judged.reference, standard.reference]
        return shown

    client = as_staff(work.officer)
    # 1 for the list's rows, 1 for the survivors of them (issue 18) and 5 for the one
    # `case.listed` entry, 1 for which repeat flags the reader may be told.
    fixed_queries(lambda: client.get("/risk/standard"), add, queries=16)
    body = client.get("/risk/never-assessed").content.decode()
    assert [reference for reference in never if reference not in body] == []


def test_the_risk_page_shows_the_first_rows_of_each_list(
    work: Work, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    """The risk page itself reads a fixed number of rows of each of its six lists
    (issue 19), and links to each whole list that goes on past them."""

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            high, standard, never = work.open_case(), work.open_case(), work.open_case()
            work.assessed(high, high=True)
            work.assessed(standard, high=False)
            shown += [high.reference, standard.reference, never.reference]
        return shown[: 3 * FEW]  # the first of each list are on the page either way

    client = as_staff(work.officer)
    # 7 of them (issue 18): each list shows who its cases are about, 1 for the survivors
    # of them all and 5 for the one `case.listed` entry, and 1 for which repeat flags the
    # reader may be told (`cases_seen_by`).
    body = fixed_queries(lambda: client.get("/risk"), add, queries=21)
    assert body.count("See the whole list") == 2  # standard (24) and never assessed (12)
    for name in ("standard", "never-assessed"):
        section = body.split(f'data-testid="{name}"')[1].split("</table>")[0]
        assert section.count("govuk-table__row") == 1 + 10  # the head, and 10 rows


def test_the_marac_view(
    work: Work, da_lead: Staff, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    earlier = work.open_case()
    casework.consent_record(
        case=earlier, by=work.officer, agency="marac", purpose="referral", given=True
    )
    casework.referral_make(case=earlier, by=work.officer, agency="marac", reason="High risk")

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            case = work.open_case()
            work.assessed(case, high=True)
            # Recommended and not yet referred; and a repeat, after the referral above.
            shown += [case.reference] * 2
        return shown

    client = as_staff(da_lead)
    # As /risk (issue 18): 1 for the survivors, 5 for `case.listed`, 1 for case repeats.
    fixed_queries(lambda: client.get("/marac"), add, queries=18)


# One case's pages -------------------------------------------------------------------


def test_the_case_page_of_an_open_case(
    work: Work, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    """Contacts, further reports, alleged perpetrators, children, the action plan,
    reviews, consent, referrals, interview requests, risk assessments and letters."""
    case, officer = work.open_case(), work.officer

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            contact, incident, action, reason = (
                unique(w) for w in ("contact", "incident", "action", "referral")
            )
            work.contact(case, notes=contact)
            cases.incident_add(
                case=case, by=officer, source="self", abuse_types=(), summary=incident
            )
            shown += work.people(case)
            added = plan.action_add(case=case, by=officer, kind="support", detail=action)
            views, progress = unique("views"), unique("progress")
            plan.review_record(
                case=case,
                by=officer,
                notes="Reviewed with her",
                survivor_views=views,
                risk_change="same",
                action_progress={added.pk: progress},
            )
            agency = next(iter(work.policy.agencies))
            casework.consent_record(
                case=case, by=officer, agency=agency, purpose="referral", given=True
            )
            casework.referral_make(case=case, by=officer, agency=agency, reason=reason)
            casework.consent_record(
                case=case, by=officer, purpose="contact_alleged_perpetrator", given=True
            )
            asked = interviews.interview_request(
                case=case, by=officer, survivor_agrees=True, safety_assessment="He is away"
            )
            answer = unique("interview answer")
            interviews.interview_decide(
                interview=asked, by=work.staff("manager"), agree=True, note=answer
            )
            assessment = work.assessed(case, high=False)
            document = work.letter(case)
            shown += [contact, incident, action, reason, answer, views, progress]
            shown += [f"/risk/{assessment.pk}/", f"/documents/{document.pk}"]
        return shown

    client = as_staff(officer)
    # 31: the reviews with their structure (issue 18), paired with the plan's actions.
    # 1 for the public report that opened it, if one did (issue 20).
    # 1 for its MARAC flag, if it was heard in the flag's months (issue 21, marac/flags.py).
    # 1 for its MARAC hearings (and 1 more for their actions where it has any; issue 21).
    fixed_queries(lambda: client.get(f"/cases/{case.pk}/"), add, queries=35)


def test_the_case_page_of_a_closed_case(
    work: Work,
    manager: Staff,
    as_staff: Callable[[Staff], Client],
    fixed_queries: Check,
) -> None:
    """Closures, feedback, requests for feedback and appeals."""
    case = work.closed()

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            reopened, comments = unique("reopened"), unique("comments")
            closure.case_reopen(case=case, by=manager, reason=reopened)
            work.closed(case)
            feedback.feedback_record(case=case, by=work.officer, satisfaction=4, comments=comments)
            feedback.feedback_request(case=case, by=work.officer, channel="phone")
            appeal = work.appeal(case)
            shown += [reopened, comments, f"/appeals/{appeal.pk}/", "Asked for feedback"]
        return shown

    client = as_staff(work.officer)
    # +1: the reviews (issue 18), shown on a closed case too. +1: the MARAC flag, +1: the
    # MARAC hearings (issue 21).
    fixed_queries(lambda: client.get(f"/cases/{case.pk}/"), add, queries=34)


def test_a_cases_chronology(
    work: Work, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    """Every event of an open case, oldest first (issue 18): one query for each kind of
    event, however many there are."""
    case, officer = work.open_case(), work.officer

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            contact, incident, action, reason, review = (
                unique(w) for w in ("contact", "incident", "action", "referral", "review")
            )
            work.contact(case, notes=contact)
            cases.incident_add(
                case=case, by=officer, source="self", abuse_types=(), summary=incident
            )
            plan.action_add(case=case, by=officer, kind="support", detail=action)
            plan.review_record(case=case, by=officer, notes=review)
            agency = next(iter(work.policy.agencies))
            casework.consent_record(
                case=case, by=officer, agency=agency, purpose="referral", given=True
            )
            casework.referral_make(case=case, by=officer, agency=agency, reason=reason)
            casework.consent_record(
                case=case, by=officer, purpose="contact_alleged_perpetrator", given=True
            )
            asked = interviews.interview_request(
                case=case, by=officer, survivor_agrees=True, safety_assessment="He is away"
            )
            answer = unique("interview answer")
            interviews.interview_decide(
                interview=asked, by=work.staff("manager"), agree=True, note=answer
            )
            assessment = work.assessed(case, high=False)
            document = work.letter(case)
            survivor = case.people.get(role=PersonRole.SURVIVOR)
            cases.person_update(
                case=case, person_id=survivor.pk, by=officer, changes={"safe_times": contact}
            )
            shown += [contact, incident, action, reason, review, answer]
            shown += [f"/risk/{assessment.pk}/", f"/documents/{document.pk}"]
        return shown

    client = as_staff(officer)
    # 29: one more for changes to people's details (read from the audit log, with their
    # writers' names in the same query). 31: the updates and the documents from partner
    # agencies (issue 21). 32: its MARAC hearings (one more for their actions once it
    # has any).
    fixed_queries(lambda: client.get(f"/cases/{case.pk}/chronology"), add, queries=32)


def test_a_closed_cases_chronology(
    work: Work, manager: Staff, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    """Closures, reopenings, feedback, requests for feedback and appeals (issue 18)."""
    case = work.closed()

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            reopened, comments = unique("reopened"), unique("comments")
            closure.case_reopen(case=case, by=manager, reason=reopened)
            work.closed(case)
            feedback.feedback_record(case=case, by=work.officer, satisfaction=4, comments=comments)
            feedback.feedback_request(case=case, by=work.officer, channel="phone")
            appeal = work.appeal(case)
            shown += [reopened, comments, f"/appeals/{appeal.pk}/"]
        return shown

    client = as_staff(work.officer)
    # 31: the updates and the documents from partner agencies (issue 21). 32: its MARAC
    # hearings (one more for their actions once it has any).
    fixed_queries(lambda: client.get(f"/cases/{case.pk}/chronology"), add, queries=32)


def test_who_has_seen_a_case(
    work: Work,
    manager: Staff,
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
    fixed_queries: Check,
) -> None:
    """A page of the trail, newest first: its entries, the people who wrote them and
    the break-glass reasons among them, one query each (issue 18)."""
    case = work.open_case()
    cases.break_glass(case=case, by=outsider, reason="Covering the out-of-hours line")
    contacts_added = work.contacts_added(case)

    def add(n: int) -> list[str]:
        contacts_added(n)
        return ["Recorded a contact"] * n

    client = as_staff(manager)
    body = fixed_queries(lambda: client.get(f"/cases/{case.pk}/audit"), add, queries=19)
    assert "Covering the out-of-hours line" in body


def test_a_cases_evidence(
    work: Work, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    case = work.open_case()

    def add_one() -> str:
        description = unique("The broken door")
        evidence.evidence_add(
            case=case,
            by=work.officer,
            upload=files.upload(files.png(), "door.png"),
            description=description,
        )
        return description

    client = as_staff(work.officer)
    url = f"/cases/{case.pk}/evidence"
    fixed_queries(lambda: client.get(url), rows_of(add_one), queries=18)


def test_a_cases_records(
    work: Work, da_lead: Staff, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    """Subject access requests and the legal hold's history."""
    case = work.open_case()

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            notes, reason = unique("Identity checked"), unique("A claim is pending")
            work.subject_access(case, notes)
            case.refresh_from_db()
            change = records.legal_hold_lift if case.legal_hold else records.legal_hold_place
            change(case=case, by=da_lead, reason=reason)
            shown += [notes, reason]
        return shown

    client = as_staff(da_lead)
    url = f"/cases/{case.pk}/records"
    fixed_queries(lambda: client.get(url), add, queries=18)


def test_the_officers_to_assign(
    work: Work,
    manager: Staff,
    make_staff: Callable[..., Staff],
    as_staff: Callable[[Staff], Client],
    fixed_queries: Check,
) -> None:
    case = work.open_case()

    def add_one() -> str:
        name = unique("Officer")
        make_staff(name.replace(" ", ".").lower(), full_name=name, team=unique("Team"))
        return name

    client = as_staff(manager)
    url = f"/cases/{case.pk}/assign"
    fixed_queries(lambda: client.get(url), rows_of(add_one), queries=10)


# Reports ----------------------------------------------------------------------------


def test_the_reports_page(
    work: Work, director: Staff, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    """The figures, and the teams to choose from."""

    def add(n: int) -> list[str]:
        teams = [TeamFactory(name=unique("Team")).name for _ in range(n)]
        for _ in range(n):
            case = work.open_case(reported_at=a_week_ago())
            work.assessed(case, high=True)
            work.contact(case)
        return teams

    client = as_staff(director)
    # This period's and the previous one's "action taken": one grouped query each; and,
    # for each, the cases the reader may not see and the repeats only they make (issue 17).
    # For each, the MARAC hearings and the MARAC actions by agency (issue 21): 2 each.
    # Counted again each time (`recount`): kept figures (reports/kept.py) would not grow.
    # Then the reader's standing (kept.beyond_role: the cases they see beyond their role,
    # one query), their own figures older than a day removed (one DELETE), and the count
    # kept (one UPDATE of the row the first request kept).
    body = fixed_queries(lambda: client.get("/reports/?recount=1"), add, queries=57)
    assert f"Reports {MANY} " in " ".join(re.sub(r"<[^>]+>", " ", body).split())


# Staff accounts ---------------------------------------------------------------------


def test_the_staff_accounts(
    admin: Staff,
    make_staff: Callable[..., Staff],
    as_staff: Callable[[Staff], Client],
    fixed_queries: Check,
) -> None:
    def add_one() -> str:
        username = unique("staff").replace(" ", ".")
        make_staff(username, team=unique("Team"))
        return f"/staff/{username}/"

    client = as_staff(admin)
    fixed_queries(lambda: client.get("/staff/"), rows_of(add_one), queries=10)


def test_a_members_api_tokens(
    admin: Staff, officer: Staff, as_staff: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    def add(n: int) -> list[str]:
        for _ in range(n):
            accounts.token_create(staff=officer, by=officer)
        return ["/revoke"] * n

    client = as_staff(admin)
    url = f"/staff/{officer.username}/"
    # 13: the teams to choose from for the change of team (issue 18), one query.
    fixed_queries(lambda: client.get(url), add, queries=13)


# The JSON API -----------------------------------------------------------------------
# Each API request counts itself against its token's rate limit first: 1 query
# (safehold/limits/counters.py: add one to the window's counter, or start it at one).


def test_api_case_list(work: Work, api_as: Callable[[Staff], Client], fixed_queries: Check) -> None:
    api = api_as(work.officer)
    add = rows_of(lambda: work.open_case().pk)
    fixed_queries(lambda: api.get("/api/v1/cases"), add, queries=4)


def test_api_case_search(
    work: Work, api_as: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    api = api_as(work.officer)
    add = rows_of(lambda: work.open_case().pk)

    def fetch() -> HttpResponse:
        return api.post(
            "/api/v1/cases/search", {"q": SURVIVOR_NAME}, content_type="application/json"
        )

    fixed_queries(fetch, add, queries=5)


def test_api_one_case(work: Work, api_as: Callable[[Staff], Client], fixed_queries: Check) -> None:
    """Its further reports, alleged perpetrators and children."""
    case = work.open_case()

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            incident = cases.incident_add(
                case=case, by=work.officer, source="self", abuse_types=(), summary="Again"
            )
            shown += [incident.pk, *work.people(case)]
        return shown

    api = api_as(work.officer)
    fixed_queries(lambda: api.get(f"/api/v1/cases/{case.pk}"), add, queries=11)


def test_api_audit_trail(
    work: Work, manager: Staff, api_as: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    case = work.open_case()
    add = work.contacts_added(case)

    api = api_as(manager)
    url = f"/api/v1/cases/{case.pk}/audit"
    fixed_queries(lambda: api.get(url), add, queries=11)


def test_api_documents(work: Work, api_as: Callable[[Staff], Client], fixed_queries: Check) -> None:
    case = work.open_case()
    api = api_as(work.officer)
    url = f"/api/v1/cases/{case.pk}/documents"
    add = rows_of(lambda: work.letter(case).pk)
    fixed_queries(lambda: api.get(url), add, queries=4)


def test_api_appeals(work: Work, api_as: Callable[[Staff], Client], fixed_queries: Check) -> None:
    case = work.closed()
    api = api_as(work.officer)
    url = f"/api/v1/cases/{case.pk}/appeals"
    add = rows_of(lambda: work.appeal(case).pk)
    # 4, and 5 for its case.viewed entry: reading a case's appeals is a read of the case.
    fixed_queries(lambda: api.get(url), add, queries=9)


def test_api_subject_access_requests(
    work: Work, da_lead: Staff, api_as: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    case = work.open_case()
    api = api_as(da_lead)
    url = f"/api/v1/cases/{case.pk}/subject-access-requests"
    add = rows_of(lambda: work.subject_access(case).pk)
    fixed_queries(lambda: api.get(url), add, queries=5)  # the cases confirmed, for all at once


def test_api_monitoring_report(
    work: Work, director: Staff, api_as: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    def add(n: int) -> list[str]:
        for _ in range(n):
            case = work.open_case(reported_at=a_week_ago())
            work.assessed(case, high=True)
        return []

    api = api_as(director)
    today = timezone.localdate()
    url = f"/api/v1/reports/monitoring?from={today - timedelta(days=30)}&to={today}"
    # With action_taken; the cases the reader may not see, and the repeats only they make.
    # The MARAC hearings and actions (issue 21): 2.
    body = fixed_queries(lambda: api.get(url), add, queries=27)
    assert json.loads(body)["reports"] == MANY


@pytest.mark.parametrize(
    ("export", "queries"),
    [
        # With the cases confirmed, whether any are, and staff names for the review (issue 17);
        # other agencies' updates and files, MARAC hearings and their actions (issue 21): 4.
        ("/api/v1/subject-access-requests/{}/export?format=json", 36),
        ("/subject-access/{}/export.json", 41),  # the page's download, a POST
    ],
    ids=["api", "page"],
)
def test_a_survivors_subject_access_export(
    work: Work,
    export: str,
    queries: int,
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
    fixed_queries: Check,
) -> None:
    """Everything held about the survivor who asked, across all her cases."""
    asked = work.subject_access(work.open_case())
    work.subject_access_ready(asked, [])
    included: list[Case] = []

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            case = work.open_case()
            work.contact(case)
            plan.action_add(case=case, by=work.officer, kind="support")
            plan.review_record(case=case, by=work.officer, notes="Reviewed with her")
            work.assessed(case, high=False)
            work.letter(case)
            shown.append(case.reference)
            included.append(case)
        work.subject_access_ready(asked, included)  # each confirmed by the handler
        return shown

    url = export.format(asked.pk)
    if url.startswith("/api/"):
        api = api_as(da_lead)
        fixed_queries(lambda: api.get(url), add, queries=queries)
    else:
        client = as_staff(da_lead)
        fixed_queries(lambda: client.post(url), add, queries=queries)


def test_an_alleged_perpetrators_subject_access_export(
    work: Work, da_lead: Staff, api_as: Callable[[Staff], Client], fixed_queries: Check
) -> None:
    """The letters, contacts and appeals that are his, on the one case."""
    case = work.open_case()
    perpetrator = case.people.get(role=PersonRole.ALLEGED_PERPETRATOR)
    asked = records.subject_access_log(
        case=case,
        by=da_lead,
        person_role="alleged_perpetrator",
        person_id=perpetrator.pk,
        received_at=timezone.now() - timedelta(days=1),
    )
    # We call him only with the survivor's permission (issue 16).
    casework.consent_record(
        case=case, by=work.officer, purpose="contact_alleged_perpetrator", given=True
    )
    work.closed(case)
    work.subject_access_ready(asked, [])

    def add(n: int) -> list[str]:
        for _ in range(n):
            work.contact(case, with_whom="alleged_perpetrator")
            appeals.appeal_make(
                case=case, by=work.officer, party="alleged_perpetrator", grounds="Not fair on him"
            )
        return ["Notes withheld for manual review"] * 2 * n

    api = api_as(da_lead)
    url = f"/api/v1/subject-access-requests/{asked.pk}/export?format=json"
    fixed_queries(lambda: api.get(url), add, queries=18)  # 17, and are cases confirmed
