"""safehold/prepared.py: queries compiled once per thread from stand-in values, then run
with each caller's own values.

`cases.access.case_for` answers every page and API read of a case through
`access.ONE_CASE`, so a compiled query that drifted from the ORM's would show a survivor's
case to the wrong person, or hide it from the officer on the phone to her. These tests
hold the prepared queries to the ORM's own answers: every role, active or not, with a
team or without, against every way a case can be visible or hidden; the SQL text and
parameters themselves; and the few other prepared queries (API tokens, a case's own rows).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone

from safehold.accounts import selectors as account_selectors
from safehold.accounts import services as accounts
from safehold.accounts.models import ApiToken, Staff
from safehold.accounts.roles import Role
from safehold.cases import access, selectors, services
from safehold.cases.inputs import PerpetratorDetails
from safehold.cases.models import BreakGlass, Case, CaseTeamMember, Contact, Incident, new_id
from safehold.casework import contacts as contact_services
from safehold.prepared import NotPreparable, Prepared
from tests.casedata import report

pytestmark = pytest.mark.django_db

MISSING = "case_00000000000000000000"


# ------------------------------------------------------------------- helpers


def as_if(staff: Staff, **changes: Any) -> Staff:
    """The same member of staff (same id, so the same assignments, case teams and grants)
    as `case_for` would see them with `changes`: disabled, or with no team. Staff.team
    is required in the database, so a reader with no team exists only in memory."""
    fields = {
        "pk": staff.pk,
        "username": staff.username,
        "role": staff.role,
        "team_id": staff.team_id,
        "is_active": staff.is_active,
    }
    return Staff(**{**fields, **changes})


def label(user: Staff) -> str:
    team = "no team" if user.team_id is None else "team"
    return f"{user.username} ({user.role}, {'active' if user.is_active else 'inactive'}, {team})"


def snapshot(obj: Model | None) -> Any:
    """Every column of a row, and of each related row already loaded with it."""
    if obj is None:
        return None
    columns = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    loaded = obj._state.fields_cache
    return columns, {name: snapshot(related) for name, related in sorted(loaded.items())}


def found_by_case_for(user: Staff, case_id: str) -> Case | None:
    try:
        return access.case_for(user, case_id)
    except Http404:
        return None


def one_case_arguments(user: Staff, case_id: str, now: datetime) -> dict[str, Any]:
    """`access.case_for`'s arguments to ONE_CASE (and to `access.one_case`) for `user`."""
    return {
        "role": user.role,
        "is_active": user.is_active,
        "staff_id": user.pk,
        "team_id": user.team_id,
        "case_id": case_id,
        "now": now,
    }


def prepared_sql(prepared: Prepared[Any], arguments: dict[str, Any]) -> tuple[str, list[Any]]:
    """The SQL and parameters `prepared.all(**arguments)` would run, worked out as `all()`
    keys its cache and `run()` binds its slots. ("", []) when it would run nothing."""
    nones = tuple(name for name in prepared.values if arguments[name] is None)
    shape = (tuple(arguments[name] for name in prepared.shape), nones)
    compiled = prepared.compiled(shape, arguments)
    if compiled.sql is None:
        return "", []
    db = connections[compiled.compiler.using]
    params = [
        prepared.as_parameter(db, arguments[name]) if name else constant
        for name, constant in compiled.slots
    ]
    return compiled.sql, params


def orm_sql(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    """The SQL and parameters the ORM itself would run; ("", []) when it would run none."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return "", []
    return sql, list(params)


@pytest.fixture
def cold_one_case() -> None:
    """This thread's compiled forms of ONE_CASE forgotten, so that the order in which a
    test uses the shapes decides which user's call compiles each one."""
    vars(access.ONE_CASE.local).clear()


# ------------------------------------------------------------------- the world


@pytest.fixture
def other_manager(make_staff: Callable[..., Staff]) -> Staff:
    return make_staff("rita.riverside", role="manager", team="Riverside")


@pytest.fixture
def staff(
    officer: Staff,
    teammate: Staff,
    outsider: Staff,
    manager: Staff,
    other_manager: Staff,
    director: Staff,
    da_lead: Staff,
    auditor: Staff,
    admin: Staff,
    make_staff: Callable[..., Staff],
) -> list[Staff]:
    """At least one real person of every role (three officers, two managers), in an
    order where the role changes from each to the next."""
    partner = make_staff("ida.idva", role="partner", agency="idva", team="Partners")
    people = [
        *(officer, manager, director),
        *(teammate, da_lead, other_manager),
        *(auditor, outsider, admin),
        partner,
    ]
    assert {person.role for person in people} == set(Role.values)
    return people


@pytest.fixture
def readers(staff: list[Staff]) -> list[Staff]:
    """Every member of staff as they are, disabled, with no team, and both, interleaved
    so that no two readers in a row share a role: each call finds the per-thread cache
    warm with another role's SQL, and most shapes are compiled from one person's call and
    then run for another's."""
    variants: list[dict[str, Any]] = [  # no team first: `IS NULL` SQL compiled first
        {"team_id": None},
        {"is_active": False, "team_id": None},
        {},
        {"is_active": False},
    ]
    found = [as_if(person, **changes) for changes in variants for person in staff]
    assert all(a.role != b.role for a, b in itertools.pairwise(found))
    assert len({(u.role, u.is_active, u.team_id is None) for u in found}) == 4 * len(Role)
    return found


@dataclass
class World:
    north: Case  # Northgate's, open to need to know by team
    river: Case  # Riverside's
    restricted_north: Case  # Northgate's, the survivor a member of staff
    restricted_river: Case
    assigned_to: dict[int, Case]  # by staff id: restricted, the person its officer
    on_team_of: dict[int, Case]  # by staff id: restricted, the person on its case team
    granted_to: dict[int, Case]  # by staff id: restricted, a live break-glass grant
    expired: Case  # restricted; everyone's break-glass grant has run out
    erased: Case  # Northgate's; everyone named on it, with a live grant; then erased

    def case_ids(self) -> list[str]:
        ids = [self.north, self.river, self.restricted_north, self.restricted_river]
        ids += [*self.assigned_to.values(), *self.on_team_of.values()]
        ids += [*self.granted_to.values(), self.expired, self.erased]
        return [case.pk for case in ids] + [MISSING]


def grant(case: Case, to: Staff, *, expires_at: datetime) -> None:
    """A break-glass grant, made directly: `services.break_glass` lets only officers and
    managers ask, and need to know honours a grant for every role that sees cases."""
    BreakGlass.objects.create(
        id=new_id("brk"),
        case=case,
        staff=to,
        granted_at=expires_at - timedelta(hours=24),
        expires_at=expires_at,
    )


@pytest.fixture
def world(make_staff: Callable[..., Staff], staff: list[Staff]) -> World:
    """Cases opened through the real intake service by someone none of the readers is
    (so nobody is named on a case unless the test names them), then given each way in."""
    recorder = make_staff("rex.recorder", team="Elsewhere")
    survivor_on_staff = replace(report().survivor, is_staff_member=True)
    now = timezone.now()
    future, past = now + timedelta(days=1), now - timedelta(days=1)

    def opened(team: str, *, restricted: bool = False) -> Case:
        changes: dict[str, Any] = {"team": team}
        if restricted:
            changes["survivor"] = survivor_on_staff
        case = services.case_open(report=report(**changes), by=recorder)
        assert case.restricted is restricted
        return case

    assigned_to, on_team_of, granted_to = {}, {}, {}
    for person in staff:
        assigned_to[person.pk] = opened("Riverside", restricted=True)
        # Directly: officer_assign assigns officers only, and need to know names anyone.
        Case.objects.filter(pk=assigned_to[person.pk].pk).update(assigned_officer=person)
        on_team_of[person.pk] = opened("Riverside", restricted=True)
        CaseTeamMember.objects.create(case=on_team_of[person.pk], staff=person)
        granted_to[person.pk] = opened("Riverside", restricted=True)
        grant(granted_to[person.pk], person, expires_at=future)
    expired = opened("Riverside", restricted=True)
    erased = opened("Northgate")
    for person in staff:
        grant(expired, person, expires_at=past)
        CaseTeamMember.objects.create(case=erased, staff=person)
        grant(erased, person, expires_at=future)
    Case.objects.filter(pk=erased.pk).update(assigned_officer=staff[0], erased_at=now)
    return World(
        north=opened("Northgate"),
        river=opened("Riverside"),
        restricted_north=opened("Northgate", restricted=True),
        restricted_river=opened("Riverside", restricted=True),
        assigned_to=assigned_to,
        on_team_of=on_team_of,
        granted_to=granted_to,
        expired=expired,
        erased=erased,
    )


# ------------------------------------------------------------------- 1. need to know


def test_every_shape_agrees_with_the_orm(
    cold_one_case: None, world: World, readers: list[Staff]
) -> None:
    """Protects need to know itself: for every role, active or disabled, with a team or
    none, and every way a case is visible or hidden (team, restriction, assignment, case
    team, live or expired break glass, erasure, no such case), `case_for` finds exactly
    the cases `cases_visible_to` has, and finds the very row (with its related rows) the
    ORM's own query returns. Readers alternate roles call by call, so a cache keyed on
    too little would run one role's SQL for another and be caught."""
    disagreements = []
    seen = 0
    for case_id in world.case_ids():
        for user in readers:
            found = found_by_case_for(user, case_id)
            visible = access.cases_visible_to(user).filter(pk=case_id).exists()
            orm = next(
                iter(access.one_case(**one_case_arguments(user, case_id, timezone.now()))), None
            )
            if (found is not None) != visible or snapshot(found) != snapshot(orm):
                disagreements.append((label(user), case_id, visible, found))
            if found is not None:
                assert found.pk == case_id
                seen += 1
    assert disagreements == []
    # The matrix must show cases as well as hide them, or agreement would prove little.
    assert seen > len(readers)


def test_the_matrix_shows_each_way_in(world: World, officer: Staff, director: Staff) -> None:
    """Protects the matrix above from proving nothing: each way a case can be visible is
    really visible through `case_for`, and each way it is hidden really is hidden."""
    assert found_by_case_for(officer, world.assigned_to[officer.pk].pk) is not None
    assert found_by_case_for(officer, world.on_team_of[officer.pk].pk) is not None
    assert found_by_case_for(officer, world.granted_to[officer.pk].pk) is not None
    assert found_by_case_for(officer, world.granted_to[director.pk].pk) is None
    assert found_by_case_for(officer, world.expired.pk) is None
    assert found_by_case_for(officer, world.erased.pk) is None
    assert found_by_case_for(director, world.river.pk) is not None
    assert found_by_case_for(director, world.restricted_north.pk) is None
    assert found_by_case_for(as_if(director, is_active=False), world.river.pk) is None


# ------------------------------------------------------------------- 2. the ORM's SQL


def test_the_sql_is_the_orms_own(cold_one_case: None, readers: list[Staff]) -> None:
    """Protects the claim that prepared SQL is the ORM's: for every role, active or not,
    with a team or none, the SQL text and bound parameters ONE_CASE would run for the
    real reader are exactly those of `one_case(...)` built with the reader's real values
    (and nothing at all where the ORM knows the query matches nothing)."""
    now = timezone.now()
    for n, user in enumerate(readers):
        case_id = f"case_{n:020d}"
        arguments = one_case_arguments(user, case_id, now)
        prepared = prepared_sql(access.ONE_CASE, arguments)
        assert prepared == orm_sql(access.one_case(**arguments)), label(user)
        if user.is_active and user.role not in access.ROLES_WHO_SEE_NO_CASE:
            # The reader's own values are bound, not the stand-ins or another reader's.
            assert prepared[0]
            assert {user.pk, case_id} <= set(prepared[1])


# ------------------------------------------------------------------- 3. leaks refused

LEAKS: dict[str, tuple[Callable[..., QuerySet[Any]], dict[str, type], dict[str, Any]]] = {
    "a string in the SQL": (
        lambda case_id: Case.objects.extra(where=[f"id = '{case_id}'"]),  # noqa: S610 - the leak under test
        {"case_id": str},
        {"case_id": MISSING},
    ),
    "a number in the SQL": (
        lambda staff_id: Case.objects.extra(where=[f"assigned_officer_id = {staff_id}"]),  # noqa: S610 - the leak under test
        {"staff_id": int},
        {"staff_id": 1},
    ),
    "a moment in the SQL": (
        lambda now: Case.objects.extra(where=[f"reported_at > '{now.isoformat()}'"]),  # noqa: S610 - the leak under test
        {"now": datetime},
        {"now": datetime(2030, 1, 1, tzinfo=UTC)},
    ),
}


@pytest.mark.parametrize("leak", LEAKS)
def test_a_stand_in_written_into_the_sql_is_refused(leak: str) -> None:
    """Protects against SQL that carries a stand-in in its text: it would be run again
    for every caller with the stand-in still in it, whatever their own value, so it
    must be refused when first used (and every time after), never run."""
    build, values, arguments = LEAKS[leak]
    prepared = Prepared(build, values=values)
    for _ in range(2):
        with pytest.raises(NotPreparable):
            prepared.all(**arguments)


WORKED_ON: dict[str, tuple[Callable[..., QuerySet[Any]], dict[str, type], dict[str, Any]]] = {
    "a moment moved back": (
        lambda now: BreakGlass.objects.filter(expires_at__gt=now - timedelta(hours=1)),
        {"now": datetime},
        {"now": datetime(2030, 1, 1, tzinfo=UTC)},
    ),
    "a string changed": (
        lambda case_id: Case.objects.filter(reference=case_id.upper()),
        {"case_id": str},
        {"case_id": "da-2030-00001"},
    ),
}


@pytest.mark.parametrize("worked_on", WORKED_ON)
def test_a_stand_in_worked_on_before_it_is_bound_is_refused(worked_on: str) -> None:
    """Protects against a parameter computed from a stand-in (a break-glass window an
    hour wide, say): prepared.py binds only parameters equal to a stand-in, so this one
    would be kept as a constant from the stand-in year 1111 and every grant ever made
    would look unexpired. The module promises to refuse "a queryset this cannot run as
    the ORM would"; this is one."""
    build, values, arguments = WORKED_ON[worked_on]
    prepared = Prepared(build, values=values)
    with pytest.raises(NotPreparable):
        prepared.all(**arguments)


# ------------------------------------------------------------------- 4. no query


@pytest.mark.parametrize("who", ["auditor", "admin", "disabled officer"])
def test_a_query_that_can_match_nothing_runs_no_query(
    request: pytest.FixtureRequest,
    case: Case,
    officer: Staff,
    django_assert_num_queries: Any,
    who: str,
) -> None:
    """Protects the "nothing to see" shapes: auditors, admins and disabled accounts get
    "not found" for a real case (even one the disabled officer recorded), as the ORM
    says, and once compiled the answer costs no database query at all."""
    if who == "disabled officer":
        user = accounts.staff_disable(staff=officer)
    else:
        user = request.getfixturevalue(who)
    assert not access.cases_visible_to(user).filter(pk=case.pk).exists()
    with pytest.raises(Http404):
        access.case_for(user, case.pk)  # compiles, if this thread has not yet
    with django_assert_num_queries(0), pytest.raises(Http404):
        access.case_for(user, case.pk)


# ------------------------------------------------------------------- 5. None


def test_a_value_of_none_is_a_shape_of_its_own(
    cold_one_case: None, case: Case, manager: Staff
) -> None:
    """Protects against `team_id = NULL` (or `IS NULL`) SQL being reused for a value that
    is not None: a manager with no team and a manager of the case's team, one after the
    other in the same thread, each get the ORM's answer (none, then the case)."""
    no_team = as_if(manager, team_id=None)
    for user, sees in [(no_team, False), (manager, True), (no_team, False), (manager, True)]:
        found = found_by_case_for(user, case.pk)
        assert access.cases_visible_to(user).filter(pk=case.pk).exists() is sees
        assert (found is not None) is sees, label(user)
    assert len(access.ONE_CASE.local.cache) == 2


# ------------------------------------------------------------------- 6. threads


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_its_own(case: Case, officer: Staff, outsider: Staff) -> None:
    """Protects the per-thread cache: a compiled query holds its thread's connection, so
    a second thread must compile its own, answer need to know correctly with it, and
    leave the main thread's compiled form as it was."""
    assert access.case_for(officer, case.pk).pk == case.pk
    main_cache = access.ONE_CASE.local.cache
    main_entries = dict(main_cache)
    seen: dict[str, Any] = {}

    def read() -> None:
        try:
            seen["cache before"] = getattr(access.ONE_CASE.local, "cache", None)
            seen["officer"] = found_by_case_for(officer, case.pk)
            seen["outsider"] = found_by_case_for(outsider, case.pk)
            seen["cache"] = access.ONE_CASE.local.cache
        except BaseException as error:  # noqa: BLE001 - reported below
            seen["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert "error" not in seen, seen.get("error")
    assert seen["cache before"] is None
    assert seen["officer"] is not None
    assert seen["officer"].pk == case.pk
    assert seen["outsider"] is None
    assert seen["cache"] is not main_cache
    for shape, compiled in seen["cache"].items():
        assert compiled is not main_entries.get(shape)
    assert access.ONE_CASE.local.cache is main_cache
    assert all(main_cache[shape] is compiled for shape, compiled in main_entries.items())


# ------------------------------------------------------------------- 7. tokens


def test_token_for_answers_only_for_live_tokens(
    officer: Staff, teammate: Staff, django_assert_num_queries: Any
) -> None:
    """Protects API sign-in: a live token gives its own staff (with their team loaded),
    a second token gives its own staff from the same compiled query, and an unknown,
    a revoked, or a disabled account's token gives None, as the ORM's query does."""

    def both(token: str) -> ApiToken | None:
        found = account_selectors.token_for(token)
        digest = accounts.token_digest(token)
        orm = next(iter(account_selectors.live_token(digest=digest)), None)
        assert snapshot(found) == snapshot(orm)
        return found

    officers = accounts.token_create(staff=officer)
    teammates = accounts.token_create(staff=teammate)

    found = both(officers)
    assert found is not None
    team_name = officer.team.name
    with django_assert_num_queries(0):
        assert (found.staff.pk, found.staff.team.name) == (officer.pk, team_name)
    found = both(teammates)
    assert found is not None
    assert found.staff.pk == teammate.pk

    assert both("shk_" + "x" * 43) is None
    revoked = ApiToken.objects.get(digest=accounts.token_digest(teammates))
    accounts.token_revoke(token=revoked)
    assert both(teammates) is None
    assert both(officers) is not None
    accounts.staff_disable(staff=officer)
    assert both(officers) is None


# ------------------------------------------------------------------- 8. a case's rows


def test_a_cases_own_rows_come_back_as_the_orm_has_them(
    open_case: Callable[..., Case],
    officer: Staff,
    manager: Staff,
    django_assert_num_queries: Any,
) -> None:
    """Protects what a case's page shows: its people, incidents and contacts are the
    ORM's rows in the ORM's order, each row's `.case` is the case already in hand, and
    each contact's recorder is loaded with it, not fetched one query per row."""
    now = timezone.now()
    second = PerpetratorDetails(name="Second Perpetrator", relationship="ex_partner")
    opened = open_case(
        reported_at=now - timedelta(days=3),
        alleged_perpetrators=(*report().alleged_perpetrators, second),
    )
    # Each added out of order, so insertion order cannot pass for the right one.
    for days, summary in [(1, "later"), (2, "earlier")]:
        services.incident_add(
            case=opened,
            by=officer,
            source="police",
            abuse_types=(),
            summary=summary,
            reported_at=now - timedelta(days=days),
        )
    for days, by in [(2, officer), (1, manager)]:
        contact_services.contact_record(
            case=opened,
            by=by,
            at=now - timedelta(days=days),
            channel="phone",
            direction="outbound",
            with_whom="survivor",
            notes=f"{days} days ago",
        )
    case = access.case_for(officer, opened.pk)
    view = selectors.case_view(case)

    orm = Case.objects.get(pk=case.pk)
    people = list(orm.people.order_by("role", "id"))
    incidents = list(orm.incidents.order_by("reported_at"))
    contacts = list(orm.contacts.select_related("recorded_by").order_by("-at"))
    assert (len(people), len(incidents), len(contacts)) == (4, 2, 2)

    shown_people = [p.person for p in (*view.alleged_perpetrators, *view.children, view.survivor)]
    shown_incidents: list[Incident] = [row for row, _ in view.incidents]
    shown_contacts: list[Contact] = [row for row, _ in view.contacts]
    assert [p.pk for p in shown_people] == [p.pk for p in people]
    assert [i.pk for i in shown_incidents] == [i.pk for i in incidents]
    assert [c.pk for c in shown_contacts] == [c.pk for c in contacts]
    assert [d["summary"] for _, d in view.incidents] == ["earlier", "later"]
    assert [d["notes"] for _, d in view.contacts] == ["1 days ago", "2 days ago"]

    def columns(rows: list[Any]) -> list[Any]:
        return [snapshot(row)[0] for row in rows]

    assert columns(shown_people) == columns(people)
    assert columns(shown_incidents) == columns(incidents)
    assert columns(shown_contacts) == columns(contacts)
    with django_assert_num_queries(0):
        assert all(person.case is case for person in shown_people)
        assert all(incident.case is case for incident in shown_incidents)
        assert all(contact.case is case for contact in shown_contacts)
        recorders = [snapshot(c.recorded_by) for c in shown_contacts]
    assert recorders == [snapshot(c.recorded_by) for c in contacts]
    assert [c.recorded_by_id for c in shown_contacts] == [manager.pk, officer.pk]
