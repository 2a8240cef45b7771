"""Reading a person's open cases from their reach first (`access.open_reach`, and
`desk.queues.own_open_ids` for their own work): a way of telling PostgreSQL where a
person's cases are (issue 19), which must never change which cases anyone sees or owns.
Checked here against the plain rule for every role, with and without a team, active or
not, over every way into a case (tests/test_prepared.py's world, with one of its cases
closed), and with the reach read first and not (`access.reads_reach_first`) on whichever
database the suite runs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Q
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access
from safehold.cases.models import Case
from safehold.desk import queues
from tests.test_prepared import World, label, other_manager, readers, staff, world

pytestmark = pytest.mark.django_db
__all__ = ["other_manager", "readers", "staff", "world"]  # fixtures used by name


def ids(cases: object) -> set[str]:
    return set(cases.values_list("pk", flat=True))  # type: ignore[attr-defined]


@pytest.fixture
def closed_one(world: World) -> World:
    """A Northgate case a manager there sees, closed: open lists leave it out either way."""
    Case.objects.filter(pk=world.north.pk).update(status="closed")
    return world


@pytest.fixture
def either_way(monkeypatch: pytest.MonkeyPatch) -> Callable[[bool], None]:
    def reach_first(first: bool) -> None:
        monkeypatch.setattr(access, "reads_reach_first", lambda: first)

    return reach_first


def test_the_reach_lists_exactly_the_open_cases_need_to_know_allows(
    closed_one: World, readers: list[Staff], either_way: Callable[[bool], None]
) -> None:
    reached = 0
    for user in readers:
        now = timezone.now()
        visible = ids(access.cases_visible_to(user, now).filter(status="open"))
        assert closed_one.north.pk not in visible
        reach = access.open_reach(user, now)
        if reach is not None:
            assert ids(access.cases_visible_to(user, now).filter(reach)) == visible, label(user)
            reached += bool(visible)
        for first in (True, False):
            either_way(first)
            assert ids(access.open_cases_listed_for(user)) == visible, (label(user), first)
    assert reached >= 4  # officers and managers with cases: the rule was put to work


def test_own_open_work_is_the_same_cases_as_an_id_list_or_as_its_parts(
    closed_one: World, readers: list[Staff], either_way: Callable[[bool], None]
) -> None:
    owning = 0
    for user in readers:
        either = ids(Case.objects.filter(queues.own(user), status="open"))
        assert ids(Case.objects.filter(queues.own_open_ids(user), status="open")) == either, label(
            user
        )
        mine = ids(access.cases_visible_to(user).filter(queues.own(user), status="open"))
        for first in (True, False):
            either_way(first)
            assert ids(queues.own_open(user)) == mine, (label(user), first)
        owning += bool(either)
    assert owning >= 4


def test_the_pages_list_the_same_cases_either_way(
    closed_one: World,
    officer: Staff,
    manager: Staff,
    as_staff: Callable[[Staff], object],
    either_way: Callable[[bool], None],
) -> None:
    """The home page, the queues of one's own cases and the risk page, as an officer and
    a manager, with the reach read first and not."""
    import re

    shown = 0
    for user in (officer, manager):
        client = as_staff(user)
        for path in ("/", "/queues/reviews", "/queues/first-contact", "/risk", "/risk/standard"):
            pages = []
            for first in (True, False):
                either_way(first)
                answer = client.get(path)  # type: ignore[attr-defined]
                assert answer.status_code == 200, path
                pages.append(sorted(re.findall(r"/cases/(case_\w+)/", answer.content.decode())))
            assert pages[0] == pages[1], (label(user), path)
            shown += len(pages[0])
    assert shown > 0


def pages_walked(user: Staff, limit: int, status: str | None) -> list[list[str]]:
    """Every page of `user`'s case list, `limit` at a time, following each cursor; the
    page (`case_page`) and the API (`case_row_page`) listing the same cases."""
    from safehold.cases import selectors

    walked: list[list[str]] = []
    cursor = None
    while True:
        rows, row_cursor = selectors.case_row_page(user, status=status, cursor=cursor, limit=limit)
        cases, cursor = selectors.case_page(user, status=status, cursor=cursor, limit=limit)
        assert [row.pk for row in rows] == [case.pk for case in cases]
        assert row_cursor == cursor
        walked.append([case.pk for case in cases])
        if cursor is None:
            return walked
        assert len(walked) < 100


@pytest.mark.parametrize("tied", [False, True], ids=["own times", "one time"])
def test_the_case_list_pages_the_same_cases_when_read_from_the_reach(
    world: World, readers: list[Staff], either_way: Callable[[bool], None], tied: bool
) -> None:
    """`access.newest_in_reach`: every reader's case list, page by page (pages of one,
    two, three and fifty; open, closed or any status), on the page and in the API, is
    the same with each part of the reach read newest first and without: with every
    case reported at its own time, and with every case reported at one time (an import
    to the minute), when the keyset's id decides."""
    from django.db import connection

    from safehold.cases.models import CaseTeamMember

    Case.objects.filter(pk=world.north.pk).update(status="closed")
    if tied:
        moment = timezone.now().replace(second=0, microsecond=0)
        Case.objects.update(reported_at=moment)
        CaseTeamMember.objects.update(case_reported_at=moment)
    listed = 0
    for user in readers:
        for limit in (1, 2, 3, 50):
            for status in (None, "open", "closed"):
                either = []
                for first in (True, False):
                    either_way(first)
                    either.append(pages_walked(user, limit, status))
                assert either[0] == either[1], (label(user), limit, status)
                listed += sum(map(len, either[0]))
    assert listed > 0
    # On a database that reads the reach first, the list was read that way.
    either_way(True)
    manager = next(user for user in readers if user.is_active and user.role == "manager")
    read = access.newest_in_reach(manager, Q(), count=3, now=timezone.now())
    takes_part = connection.features.supports_slicing_ordering_in_compound
    assert (read is not None) is takes_part


def test_each_part_of_the_reach_holds_only_cases_need_to_know_allows_and_all_of_them(
    world: World, readers: list[Staff]
) -> None:
    """`access.reach_parts`, which a case list reads a page of each of: were a part to
    hold a case need to know refuses, that case could take the place of one it allows
    on a page; were a case need to know allows in no part, the list would leave it out.
    So each part is within `cases_visible_to`, and together they are all of it, for
    every reader, with a list's filters and a keyset, whatever the database."""
    Case.objects.filter(pk=world.north.pk).update(status="closed")
    later = Case.objects.order_by("-reported_at", "-id")[2]
    after = (later.reported_at, later.pk)
    checked = 0
    for user in readers:
        now = timezone.now()
        for chosen, keyset in ((Q(), None), (Q(status="open"), None), (Q(), after)):
            parts = access.reach_parts(user, chosen, now=now, after=keyset)
            visible = access.cases_visible_to(user, now).filter(chosen)
            if keyset is not None:
                visible = visible.filter(
                    Q(reported_at__lt=after[0]) | Q(reported_at=after[0], id__lt=after[1])
                )
            if parts is None:
                assert not (user.is_active and user.role in ("officer", "manager")), label(user)
                continue
            held: set[str] = set()
            for part in parts:
                assert ids(part) <= ids(visible), (label(user), chosen, keyset)
                held |= ids(part)
            assert held == ids(visible), (label(user), chosen, keyset)
            checked += bool(held)
    assert checked >= 4


def test_each_membership_keeps_its_cases_reported_date(world: World) -> None:
    """What `newest_in_reach` reads the cases naming a person by: every membership the
    intake and the tests' own `CaseTeamMember.objects.create` made has its case's date."""
    from django.db.models import F

    from safehold.cases.models import CaseTeamMember

    members = CaseTeamMember.objects.all()
    assert members.count() > 0
    assert members.exclude(case_reported_at=F("case__reported_at")).count() == 0


def test_the_migration_gives_each_membership_made_before_its_cases_date(world: World) -> None:
    """cases 0022 (`dates_copied`): every membership is given its case's date, whatever
    it held before (here, a date that is no case's)."""
    import importlib
    from datetime import UTC, datetime

    from django.apps import apps
    from django.db.models import F

    from safehold.cases.models import CaseTeamMember

    migration = importlib.import_module("safehold.cases.migrations.0022_membership_newest")
    members = CaseTeamMember.objects.all()
    members.update(case_reported_at=datetime(2000, 1, 1, tzinfo=UTC))
    assert members.exclude(case_reported_at=F("case__reported_at")).count() == members.count()
    migration.dates_copied(apps, None)
    assert members.count() > 0
    assert members.exclude(case_reported_at=F("case__reported_at")).count() == 0
