"""The home page and the work queues (issue 18, "See what is due"): "Your work" counts the
person's own cases (an officer's, a manager's team) and only cases they may see; each
queue shows the date it is about, the most overdue first; the home page leads with what
is overdue and due today; every list shows who each case is about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import contacts, plan
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from safehold.risk import services as risk
from safehold.web import words
from tests.casedata import SURVIVOR_NAME, report

pytestmark = pytest.mark.django_db

OWN_QUEUES = ("Awaiting first contact", "Actions due", "Reviews due", "Contacts due")


def queue_counts(page: str) -> dict[str, int]:
    section = page.split('data-testid="queues"')[1].split("</dl>")[0]
    counts = {}
    for row in section.split('govuk-summary-list__row">')[1:]:
        title = row.split('">', 2)[2].split("</a>")[0]
        counts[title] = int(row.split('govuk-summary-list__value">')[1].split("<")[0])
    return {title: n for title, n in counts.items() if title in OWN_QUEUES}


def section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</table>")[0]


def contacted(case: Case, by: Staff) -> Case:
    """First contact made when reported: the case next waits for its review."""
    contacts.contact_record(
        case=case,
        by=by,
        at=case.reported_at,
        channel="phone",
        direction="outbound",
        with_whom="survivor",
    )
    case.refresh_from_db()
    return case


def interval() -> timedelta:
    return timedelta(days=active_policy().review_interval_days)


def restricted() -> dict[str, object]:
    """A report about a member of staff (another survivor than the other cases', so no
    one is alerted to a possible match): restricted to those named on it."""
    survivor = replace(
        report().survivor,
        name="Marguerite Ellingham",
        date_of_birth=date(1979, 9, 3),
        tenancy_ref="T-90112",
        is_staff_member=True,
    )
    return {"survivor": survivor}


@pytest.fixture
def world(
    open_case: Callable[..., Case],
    officer: Staff,
    teammate: Staff,
    outsider: Staff,
    manager: Staff,
    director: Staff,
) -> dict[str, Case]:
    """The officer's case, a teammate's, a teammate's restricted case and another
    team's, all awaiting first contact."""
    return {
        "officer": open_case(),
        "teammate": open_case(by=teammate),
        "restricted": open_case(by=teammate, **restricted()),
        "riverside": open_case(by=outsider),
    }


def counts_for(client: Client) -> dict[str, int]:
    return queue_counts(client.get("/").content.decode())


def test_it_counts_an_officers_own_cases_only(
    world: dict[str, Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    counts = counts_for(as_staff(officer))
    assert counts["Awaiting first contact"] == 1  # hers, not her teammate's


def test_it_counts_a_managers_team_but_not_a_restricted_case_they_may_not_see(
    world: dict[str, Case],
    manager: Staff,
    teammate: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    # The officer's and the teammate's; not the restricted one nor Riverside's.
    assert counts_for(as_staff(manager))["Awaiting first contact"] == 2
    # The teammate, named on the restricted case, counts it with her own.
    assert counts_for(as_staff(teammate))["Awaiting first contact"] == 2


def test_it_counts_a_directors_team_not_every_case_they_may_see(
    world: dict[str, Case], director: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(director)
    assert counts_for(client)["Awaiting first contact"] == 2  # Northgate's, not Riverside's
    # Riverside's case is one the director may see, on the case list.
    assert world["riverside"].reference in client.get("/cases/").content.decode()


def test_the_outsider_sees_and_counts_nothing_of_the_team(
    world: dict[str, Case], outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    page = as_staff(outsider).get("/").content.decode()
    assert queue_counts(page)["Awaiting first contact"] == 1  # her own, in Riverside
    for key in ("officer", "teammate", "restricted"):
        assert world[key].reference not in page
    queue = as_staff(outsider).get("/queues/first-contact").content.decode()
    assert world["officer"].reference not in queue
    assert world["riverside"].reference in queue


def test_a_restricted_case_is_not_listed_for_those_not_named_on_it(
    world: dict[str, Case],
    officer: Staff,
    manager: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    reference = world["restricted"].reference
    for person in (officer, manager, director):
        client = as_staff(person)
        for url in ("/", "/queues/first-contact"):
            assert reference not in client.get(url).content.decode(), (person, url)


def test_a_review_queue_shows_the_review_due_date_and_how_overdue_most_overdue_first(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    now = timezone.now()
    one_day = contacted(open_case(reported_at=now - interval() - timedelta(days=1)), officer)
    three_days = contacted(open_case(reported_at=now - interval() - timedelta(days=3)), officer)
    page = section(as_staff(officer).get("/queues/reviews").content.decode(), "queue")
    for case in (three_days, one_day):
        assert f"Review by {words.day(case.reported_at + interval())}" in page
    assert "3 days overdue" in page
    assert "1 day overdue" in page
    assert page.index(three_days.reference) < page.index(one_day.reference)
    assert page.index("3 days overdue") < page.index("1 day overdue")


def test_first_contact_queue_shows_the_response_due_time(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    now = timezone.now()
    late = open_case(reported_at=now - timedelta(days=5))
    new = open_case()
    page = section(as_staff(officer).get("/queues/first-contact").content.decode(), "queue")
    assert f"First contact by {words.moment(new.response_due_at)}" in page
    assert f"First contact by {words.moment(late.response_due_at)}" in page
    assert page.index(late.reference) < page.index(new.reference)
    assert "overdue" in page.split(late.reference)[1].split(new.reference)[0]


def test_the_actions_queue_shows_each_action_due_most_overdue_first(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    now = timezone.now()
    soon, late = open_case(), open_case()
    for case, due in ((soon, now + timedelta(days=2)), (late, now - timedelta(days=2))):
        plan.action_add(
            case=case,
            by=officer,
            kind="security_measure",
            measure="panic_alarm",
            agreed_with_survivor=True,
            due_at=due,
            now=now - timedelta(days=3),  # raised earlier, when it was still to come
        )
    page = section(as_staff(officer).get("/queues/actions").content.decode(), "queue")
    assert page.index(late.reference) < page.index(soon.reference)
    assert "2 days overdue" in page
    assert "Due in 2 days" in page
    assert SURVIVOR_NAME in page
    assert "Born 12 April 1988" in page


def test_the_actions_queue_counts_and_lists_only_actions_on_ones_own_cases_one_may_see(
    world: dict[str, Case],
    officer: Staff,
    teammate: Staff,
    outsider: Staff,
    manager: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    """The queue starts from the actions due and asks of each whether its case is the
    reader's own and one they may see (issue 19): the same answers as the cases'."""
    now = timezone.now()
    recorded_by = {"officer": officer, "teammate": teammate, "restricted": teammate}
    recorded_by["riverside"] = outsider
    for key, case in world.items():
        plan.action_add(
            case=case,
            by=recorded_by[key],
            kind="security_measure",
            measure="panic_alarm",
            agreed_with_survivor=True,
            due_at=now + timedelta(days=2),
        )
    expected = {
        officer: {"officer"},
        teammate: {"teammate", "restricted"},
        manager: {"officer", "teammate"},
        director: {"officer", "teammate"},  # Northgate's, not Riverside's
        outsider: {"riverside"},
    }
    for person, own in expected.items():
        client = as_staff(person)
        assert counts_for(client)["Actions due"] == len(own), person
        page = section(client.get("/queues/actions").content.decode(), "queue")
        for key, case in world.items():
            assert (case.reference in page) == (key in own), (person, key)


def test_the_home_page_leads_with_what_is_overdue_and_due_today(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    now = timezone.now()
    later = contacted(open_case(), officer)  # next due: a review in a fortnight or so
    late = open_case(reported_at=now - timedelta(days=5))  # first contact overdue
    lateish = open_case(reported_at=now - timedelta(days=3))
    page = as_staff(officer).get("/").content.decode()
    due_now, rest = section(page, "due-now"), section(page, "later")
    assert page.index('data-testid="due-now"') < page.index('data-testid="queues"')
    assert page.index('data-testid="queues"') < page.index('data-testid="later"')
    assert late.reference in due_now
    assert lateish.reference in due_now
    assert due_now.index(late.reference) < due_now.index(lateish.reference)
    assert later.reference not in due_now
    assert later.reference in rest
    assert "overdue" in due_now


def test_the_home_page_says_when_nothing_is_due_today(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    contacted(open_case(), officer)
    page = as_staff(officer).get("/").content.decode()
    assert "Nothing of yours is overdue or due today." in page


def test_lists_show_the_survivors_name_and_date_of_birth_and_audit_it(
    open_case: Callable[..., Case], officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    now = timezone.now()
    case = contacted(open_case(reported_at=now - interval() - timedelta(days=1)), officer)
    client = as_staff(officer)
    for url in ("/", "/queues/reviews"):
        page = client.get(url).content.decode()
        assert SURVIVOR_NAME in page, url
        assert "Born 12 April 1988" in page, url
        assert "Alice Officer" in page, url
        assert "Risk not assessed" in page, url
        entry = AuditEntry.objects.filter(action="case.listed").order_by("-seq").first()
        assert entry is not None
        assert entry.actor == officer.username
        assert case.pk in entry.detail["cases"]


def test_the_risk_and_marac_pages_show_who_each_case_is_about(
    open_case: Callable[..., Case],
    officer: Staff,
    da_lead: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    case = open_case()
    risk.assessment_create(
        case=case,
        by=officer,
        tool_id="dash-ric",
        answers=dict.fromkeys((f"q{n}" for n in range(1, 25)), "no"),
        professional_judgement=True,  # MARAC recommended
    )
    for client, url in ((as_staff(officer), "/risk"), (as_staff(da_lead), "/marac")):
        page = client.get(url).content.decode()
        assert case.reference in page, url
        assert SURVIVOR_NAME in page, url
        assert "Born 12 April 1988" in page, url
        assert "Not assigned" in page, url  # recorded, not yet given an officer
        # Score 0: standard risk, though judgement recommends MARAC.
        assert "standard risk" in page.lower(), url


def test_the_risk_and_marac_pages_show_no_restricted_case_to_others(
    open_case: Callable[..., Case],
    teammate: Staff,
    officer: Staff,
    manager: Staff,
    da_lead: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    hidden = open_case(by=teammate, **restricted())
    risk.assessment_create(
        case=hidden,
        by=teammate,
        tool_id="dash-ric",
        answers=dict.fromkeys((f"q{n}" for n in range(1, 25)), "no"),
        professional_judgement=True,
    )
    for person, url in ((officer, "/risk"), (manager, "/risk"), (da_lead, "/marac")):
        page = as_staff(person).get(url).content.decode()
        assert hidden.reference not in page, (person, url)
        assert "Marguerite Ellingham" not in page, (person, url)


def test_a_new_case_carries_its_first_review_date(open_case: Callable[..., Case]) -> None:
    """Intake stamps the first review (the policy's interval after the report), so the
    review queue reads one indexed column (issue 19); a review sets the next."""
    case = open_case()
    assert case.next_review_at == case.reported_at + interval()
    case.refresh_from_db()
    assert case.next_review_at == case.reported_at + interval()


def test_the_first_review_dates_of_older_cases_are_those_already_due(
    open_case: Callable[..., Case],
) -> None:
    """Migration cases 0015 gives a case without a review date the one it was already
    due by (the last review, or the report, plus the interval): no queue changes."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("safehold.cases.migrations.0015_first_review_date")
    now = timezone.now()
    never_reviewed, reviewed, dated = open_case(), open_case(), open_case()
    Case.objects.filter(pk=never_reviewed.pk).update(next_review_at=None)
    Case.objects.filter(pk=reviewed.pk).update(
        next_review_at=None, last_review_at=now - timedelta(days=2)
    )
    set_date = now + timedelta(days=3)
    Case.objects.filter(pk=dated.pk).update(next_review_at=set_date)
    migration.first_review_dates(apps, None)
    for case in (never_reviewed, reviewed, dated):
        case.refresh_from_db()
    assert never_reviewed.next_review_at == never_reviewed.reported_at + interval()
    assert reviewed.next_review_at == now - timedelta(days=2) + interval()
    assert dated.next_review_at == set_date


def test_next_due_at_is_what_the_case_page_reads_as_next_due(
    open_case: Callable[..., Case],
) -> None:
    """`Case.next_due_at`, kept by the database (the home page's order), is the date
    `selectors.next_due` reads for every shape of open case, and follows each change."""
    from safehold.cases import selectors

    now = timezone.now()
    shapes = [
        {},  # awaiting first contact
        {"first_contact_at": now - timedelta(days=1)},  # contacted, nothing agreed
        {"first_contact_at": now, "next_contact_due_at": now + timedelta(days=2)},
        {"first_contact_at": now, "next_contact_due_at": now + timedelta(days=40)},
        {"next_review_at": now - timedelta(days=3)},  # review before first contact's target
    ]
    for shape in shapes:
        case = open_case()
        Case.objects.filter(pk=case.pk).update(**shape)
        case.refresh_from_db()
        due = selectors.next_due(case, now)
        assert due is not None, shape
        assert case.next_due_at == due.at, shape


def test_a_queue_is_shown_a_page_at_a_time_most_overdue_first(
    open_case: Callable[..., Case],
    officer: Staff,
    as_staff: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A queue page reads, decrypts and shows one page of its rows (issue 19), with links
    to the pages either side; the order runs on from one page to the next."""
    from safehold.desk import queue_pages

    monkeypatch.setattr(queue_pages, "QUEUE_PAGE", 2)
    made = [open_case() for _ in range(3)]
    order = [c.reference for c in sorted(made, key=lambda c: (c.response_due_at, c.pk))]
    client = as_staff(officer)
    first = section(client.get("/queues/first-contact").content.decode(), "queue")
    second_page = client.get("/queues/first-contact?page=2").content.decode()
    second = section(second_page, "queue")
    assert [ref in first for ref in order] == [True, True, False]
    assert [ref in second for ref in order] == [False, False, True]
    assert 'href="?page=2" rel="next"' in client.get("/queues/first-contact").content.decode()
    assert 'href="?page=1" rel="prev"' in second_page
    assert 'rel="next"' not in second_page
    assert order[2] not in client.get("/queues/first-contact?page=3").content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "٣", "99999999999999999999"])
def test_a_page_that_is_no_page_of_a_queue_is_not_found(
    page: str, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """Nothing but a page number from 1 reads a queue; the risk lists, a case's trail and
    a partner's shared cases take the same (web/paging.py)."""
    client = as_staff(officer)
    assert client.get(f"/queues/reviews?page={page}").status_code == 404
    assert client.get(f"/risk/high?page={page}").status_code == 404
