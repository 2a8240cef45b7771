"""Reading a person's cases from their reach first (`access.within_reach`, and
`desk.queues.own_ids` for their own work): a way of telling PostgreSQL where a person's
cases are (issue 19), which must never change which cases anyone sees or owns. Each is
checked here on both databases against the plain rule, for every role, with and without
a team, active or not, over every way into a case (tests/test_prepared.py's world)."""

from __future__ import annotations

import pytest

from safehold.accounts.models import Staff
from safehold.cases import access
from safehold.cases.models import Case
from safehold.desk import queues
from tests.test_prepared import World, label, other_manager, readers, staff, world

pytestmark = pytest.mark.django_db
__all__ = ["other_manager", "readers", "staff", "world"]  # fixtures used by name


def ids(cases: object) -> set[str]:
    return set(cases.values_list("pk", flat=True))  # type: ignore[attr-defined]


def test_reading_from_the_reach_lists_exactly_the_open_cases_need_to_know_allows(
    world: World, readers: list[Staff]
) -> None:
    reached = 0
    for user in readers:
        visible = ids(access.cases_visible_to(user).filter(status="open"))
        reach = access.within_reach(user)
        if reach is not None:
            assert ids(access.cases_visible_to(user).filter(reach, status="open")) == visible, (
                label(user)
            )
            reached += bool(visible)
        assert ids(access.open_cases_listed_for(user)) == visible, label(user)
    assert reached >= 4  # officers and managers with cases, the rule was put to work


def test_own_open_work_is_the_same_cases_as_an_id_list_or_as_its_parts(
    world: World, readers: list[Staff]
) -> None:
    owning = 0
    for user in readers:
        either = ids(Case.objects.filter(queues.own(user), status="open"))
        assert ids(Case.objects.filter(queues.own_open_ids(user), status="open")) == either, label(
            user
        )
        assert ids(queues.own_open(user)) == ids(
            access.cases_visible_to(user).filter(queues.own(user), status="open")
        ), label(user)
        owning += bool(either)
    assert owning >= 4
