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
