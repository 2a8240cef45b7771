"""The one door to case data (ARCHITECTURE.md "Need to know", API.md §4).

`cases_visible_to(user)` is every list, search, count and autocomplete's starting point;
`case_for(user, case_id)` is every page and API answer about one case. A case the user
may not see is "not found", exactly as a case that does not exist.

| role              | sees a case when                                                       |
| ----------------- | ---------------------------------------------------------------------- |
| officer           | assigned to it, or on its case team                                    |
| manager           | it belongs to the manager's team                                       |
| director, da_lead | always                                                                 |
| auditor, admin    | never                                                                  |
| partner           | never through this door: only what was shared with their agency,       |
|                   | through the partner door (safehold/partners/selectors.py)              |

An erased case (its data key destroyed at the end of the retention period) is seen by
nobody: only its statistical columns and its audit trail remain.

A restricted case (the survivor is a member of staff) is seen only by the people named
on it: its assigned officer and its case team. Anyone but an auditor or admin may also
see a case during an unexpired break-glass grant of their own. Break glass on a restricted
case is open only to `restricted_cases.break_glass_roles` (a case to anyone else reads as
missing, `case_to_break_glass`), and where the policy says so only after a second of them
approves (cases/glass.py).

Decisions (`Decision`) are the one other way in: the people the policy names for a
decision take it on a restricted case too, through `case_for_decision` and
`cases_for_decision`, which reach a restricted case only while that decision waits on it
and audit each read. A manager never decides on a restricted case (they may be the
survivor's own line manager): a decision the policy gives only to managers goes to
`restricted_cases.fallback_roles`. `case_for` itself is unchanged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases.models import BreakGlass, Case, CaseTeamMember
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.prepared import Prepared
from safehold.privacy import audit

# A partner (someone at another agency) sees no case through this door: what was shared
# with their agency is read only through the partner door (partners/selectors.py).
ROLES_WHO_SEE_NO_CASE = (Role.AUDITOR, Role.ADMIN, Role.PARTNER)


def named_on_case(user: Staff) -> Q:
    on_team = CaseTeamMember.objects.filter(case=OuterRef("pk"), staff=user)
    return Q(assigned_officer=user) | Q(Exists(on_team))


def named_case_ids(user: Staff) -> QuerySet[Case, Any]:
    """`named_on_case` as an id list read from its two indexes (the case's officer, the
    case team's staff): the part of a person's reach, and of their own work, that names
    them (`open_reach`, desk/queues.py `own_open_ids`)."""
    return (
        Case.objects.filter(assigned_officer=user)
        .values("pk")
        .union(CaseTeamMember.objects.filter(staff=user).values("case_id"), all=True)
    )


def broke_glass(user: Staff, now: datetime) -> Q:
    grants = BreakGlass.objects.filter(case=OuterRef("pk"), staff=user, expires_at__gt=now)
    return Q(Exists(grants))


def by_role(user: Staff) -> Q | None:
    """The cases `user` sees without break glass; None when they see no case at all."""
    if not user.is_active or user.role in ROLES_WHO_SEE_NO_CASE:
        return None
    named = named_on_case(user)
    if user.role == Role.OFFICER:
        return named
    if user.role == Role.MANAGER:
        return named | (Q(team_id=user.team_id) & Q(restricted=False))
    if user.role in (Role.DIRECTOR, Role.DA_LEAD):
        return named | Q(restricted=False)
    return None  # a role this rule does not know sees nothing, rather than everything


def need_to_know(user: Staff, now: datetime | None = None) -> Q:
    """The condition, in one place, under which `user` may see a case's content (at
    `now`, when break-glass grants are judged; by default the present moment)."""
    seen = by_role(user)
    if seen is None:
        return Q(pk__in=[])
    return seen | broke_glass(user, now or timezone.now())


def cases_visible_to(user: Staff, now: datetime | None = None) -> QuerySet[Case]:
    return Case.objects.filter(need_to_know(user, now), erased_at__isnull=True)


def reads_reach_first() -> bool:
    """Whether lists of many open cases name the person's reach for the database
    (`open_reach`): on PostgreSQL. SQLite's planner did worse with it (it read the reach
    and sorted it, where a list's own index finds a page of a quarter of the cases at
    once: 2 to 27 ms of SQL for the risk page at 10,000 cases) and cannot be told
    otherwise. One place, so tests can run either way on either database."""
    return connection.vendor == "postgresql"


def open_reach(user: Staff, now: datetime) -> Q | None:
    """The open cases `user` could see at all, for an officer or manager, as one id list
    read from indexes: the cases they are the officer of or on the case team of, under
    a break-glass grant of theirs unexpired at `now`, and a manager's team's open cases
    (index `case_open_by_team`). None for anyone else (a role that sees every case not
    restricted, or none). With need to know (`cases_visible_to` at the same `now`) it
    narrows nothing need to know allows: it tells the database where such a person's
    cases are. Without it PostgreSQL read a list in its order through every open case of
    the provider and asked need to know of each (it cannot judge how many of them a case
    team's EXISTS lets through): for a manager of one team in 400, 12,000 cases for a
    page of 39 (issue 19)."""
    if not user.is_active or user.role not in (Role.OFFICER, Role.MANAGER):
        return None
    reach = named_case_ids(user).union(
        BreakGlass.objects.filter(staff=user, expires_at__gt=now).values("case_id"), all=True
    )
    if user.role == Role.MANAGER:
        team = Case.objects.filter(team_id=user.team_id, status="open")
        reach = reach.union(team.values("pk"), all=True)
    return Q(pk__in=reach, status="open")


def newest_in_reach(
    user: Staff,
    chosen: Q,
    *,
    count: int,
    now: datetime,
    after: tuple[datetime, str] | None = None,
) -> Q | None:
    """Where to read a page of `user`'s case list, for an officer or a manager: the
    newest `count` cases of each part of their reach that meet the list's own filters
    `chosen` (and, where a page follows another, come after its keyset `after`: the
    last case's `reported_at` and id), as one id list. The parts: the cases whose team
    names them (index `membership_newest`), the cases they are the officer of
    (`case_officer_newest`), their break-glass grants unexpired at `now`, and a
    manager's team's cases not restricted (`case_team_newest`). Each part holds only
    cases need to know lets them see, and every case it lets them see is in a part, so
    the newest `count` of their list are among the parts' newest: with
    `cases_visible_to(user, now)` and the same filters it narrows nothing, and the rule
    that decides is still need to know's (tests/cases/test_reach.py holds each part to
    it). None where the database is not told where to read (`reads_reach_first`; SQLite
    cannot take a part's newest inside a UNION) or for anyone else. Without it
    PostgreSQL read every case of the provider newest first, asking need to know of
    each, until it had a page: for a manager of one team in 400, about 20,000 cases for
    51 (issue 19, docs/performance.md)."""
    if not reads_reach_first() or not connection.features.supports_slicing_ordering_in_compound:
        return None
    parts = reach_parts(user, chosen, now=now, after=after)
    if parts is None:
        return None
    newest = [part.values("pk")[:count] for part in parts]
    return Q(pk__in=newest[0].union(*newest[1:], all=True))


def reach_parts(
    user: Staff, chosen: Q, *, now: datetime, after: tuple[datetime, str] | None = None
) -> list[QuerySet[Case]] | None:
    """`newest_in_reach`'s parts, each newest first; None for a person whose list is not
    read from the parts of a reach (anyone but an active officer or manager)."""
    if not user.is_active or user.role not in (Role.OFFICER, Role.MANAGER):
        return None
    listed = Case.objects.filter(chosen, erased_at__isnull=True)
    # The cases naming them are read in the order of their memberships, so the date
    # and the person are of one membership (one filter) and the keyset is on its columns.
    named = Q(team_members__staff=user)
    later = Q()
    if after is not None:
        moment, case_id = after
        later = Q(reported_at__lt=moment) | Q(reported_at=moment, id__lt=case_id)
        named &= Q(team_members__case_reported_at__lt=moment) | Q(
            team_members__case_reported_at=moment, team_members__case_id__lt=case_id
        )
    newest = ("-reported_at", "-id")
    granted = BreakGlass.objects.filter(staff=user, expires_at__gt=now).values("case_id")
    parts = [
        listed.filter(named).order_by("-team_members__case_reported_at", "-team_members__case_id"),
        listed.filter(later, assigned_officer=user).order_by(*newest),
        listed.filter(later, pk__in=granted).order_by(*newest),
    ]
    if user.role == Role.MANAGER:
        team = listed.filter(later, team_id=user.team_id, restricted=False)
        parts.append(team.order_by(*newest))
    return parts


def open_cases_listed_for(user: Staff, now: datetime | None = None) -> QuerySet[Case]:
    """The open cases of `cases_visible_to(user)`, for a list or a count of many: the
    same cases, read from the person's reach first where that helps
    (`reads_reach_first`, `open_reach`), need to know and the reach judged at one `now`."""
    now = now or timezone.now()
    cases = cases_visible_to(user, now).filter(status="open")
    reach = open_reach(user, now) if reads_reach_first() else None
    return cases if reach is None else cases.filter(reach)


def on_one_of(cases: QuerySet[Case], field: str = "case_id") -> Exists | Q:
    """A filter for rows about a case (an action, an appeal, a referral) that keeps those
    whose case is in `cases` (`cases_visible_to`, `cases_for_decision`): asked of each
    row, so a queue reads the rows it is about and never every case the person may see,
    as `case__in=cases` had SQLite do first (issue 19). Where `cases` is none at all (a
    role that decides nothing), the rows' query is not made, as with `case__in`."""
    if cases.query.is_empty():
        return Q(pk__in=[])
    return Exists(cases.filter(pk=OuterRef(field)))


def one_case(
    *, role: str, is_active: bool, staff_id: int, team_id: int, case_id: str, now: datetime
) -> QuerySet[Case]:
    """`case_for`'s query, from the only parts of the reader that need to know reads."""
    user = Staff(pk=staff_id, team_id=team_id, role=role, is_active=is_active)
    return (
        cases_visible_to(user, now)
        .select_related("team", "assigned_officer", "data_key", "survivor_identity")
        .filter(pk=case_id)[:1]
    )


# Built and compiled once per role (safehold/prepared.py): every page and API answer
# about a case starts here, and Django took 30 times longer to build this query than
# the database took to run it.
ONE_CASE = Prepared(
    one_case,
    values={"staff_id": int, "team_id": int, "case_id": str, "now": datetime},
    shape=("role", "is_active"),
)


def case_for(user: Staff, case_id: str) -> Case:
    """The case, or Http404 when it does not exist or the user may not know it does."""
    found = ONE_CASE.first(
        role=user.role,
        is_active=user.is_active,
        staff_id=user.pk,
        team_id=user.team_id,
        case_id=str(case_id),
        now=timezone.now(),
    )
    if found is None:
        raise Http404("No such case")
    return found


def may_see(user: Staff, case_id: str) -> bool:
    """Whether `case_for` gives the user this case: where a decision page may link back
    to the case page (a decider on a restricted case reads only the decision's page)."""
    try:
        case_for(user, case_id)
    except Http404:
        return False
    return True


def may_see_audit(user: Staff) -> bool:
    """Managers, directors, DA leads and auditors may read a case's audit trail; an
    auditor may do so without seeing the case itself (API.md §5)."""
    return user.is_active and user.role in (Role.MANAGER, Role.DIRECTOR, Role.DA_LEAD, Role.AUDITOR)


def case_for_audit(user: Staff, case_id: str) -> Case:
    """The case whose audit trail `user` asks for: auditors reach any case's trail;
    managers, directors and DA leads only the trails of cases they may see."""
    if not may_see_audit(user):
        raise Refusal("may_not_see_audit", "Your role may not read audit trails", status=403)
    if user.role == Role.AUDITOR:
        found = Case.objects.filter(pk=case_id).first()
        if found is None:
            raise Http404("No such case")
        return found
    return case_for(user, case_id)


def case_id_for_audit_by_reference(user: Staff, reference: str) -> str | None:
    """The id of the case whose trail `user` asks for by reference, under the same rule
    as `case_for_audit`; None when there is none they may read."""
    if not may_see_audit(user):
        return None
    cases = Case.objects.all() if user.role == Role.AUDITOR else cases_visible_to(user)
    found = cases.filter(reference=reference.strip().upper()).values_list("pk", flat=True)
    return found.first()


def may_assign(user: Staff, case: Case) -> bool:
    """Managers assign within their team; directors and DA leads anywhere they see."""
    if user.role == Role.MANAGER:
        return case.team_id == user.team_id
    return user.role in (Role.DIRECTOR, Role.DA_LEAD)


def offered_to_take(user: Staff) -> bool:
    """Whether recording a report offers "Take this case as mine": only officers are
    assigned cases, and an untrained officer is not offered what a policy assigning
    trained officers only would always refuse (`assignment.trained_officers_only`)."""
    if not (user.is_active and user.role == Role.OFFICER):
        return False
    return user.trained or not active_policy().assignment.trained_officers_only


def may_take(user: Staff, case: Case) -> bool:
    """The officer who recorded a case may take it as theirs while no one has it: an
    assignment like any other, so the policy's rules on who may be assigned still apply."""
    return (
        user.is_active
        and user.role == Role.OFFICER
        and case.created_by_id == user.pk
        and case.assigned_officer_id is None
    )


# Break glass ------------------------------------------------------------------------

BREAK_GLASS_RULE = "restricted_cases.break_glass_roles"


def decides_break_glass(user: Staff) -> bool:
    """Whether the user's role may break the glass on a restricted case, and so decide
    on another's request to (`restricted_cases.break_glass_roles`)."""
    roles = active_policy().restricted_cases.break_glass_roles
    return user.is_active and user.role in roles


def may_break_glass(user: Staff) -> bool:
    """Officers and managers on ordinary cases; the roles the policy names on restricted
    ones. Everyone else is refused (403) before any case is looked up."""
    return user.is_active and (
        user.role in (Role.OFFICER, Role.MANAGER) or decides_break_glass(user)
    )


def is_named_on(user: Staff, case: Case) -> bool:
    return Case.objects.filter(named_on_case(user), pk=case.pk).exists()


def sees_without_glass(user: Staff, case: Case) -> bool:
    seen = by_role(user)
    return seen is not None and Case.objects.filter(seen, pk=case.pk).exists()


def glass_until(user: Staff, case: Case, now: datetime | None = None) -> datetime | None:
    """When `user`'s access to `case` ends, if break glass is how they see it (the case
    page's banner); None when they see it anyway, named on it or by their role. Who sees
    it by role is answered without a query where the case row alone tells."""
    if case.assigned_officer_id == user.pk:
        return None
    if not case.restricted and (
        user.role in (Role.DIRECTOR, Role.DA_LEAD)
        or (user.role == Role.MANAGER and case.team_id == user.team_id)
    ):
        return None
    grants = BreakGlass.objects.filter(case=case, staff=user, expires_at__gt=now or timezone.now())
    until: datetime | None = grants.aggregate(until=Max("expires_at"))["until"]
    if until is None or sees_without_glass(user, case):
        return None
    return until


def may_break_glass_on(user: Staff, case: Case) -> bool:
    """A restricted case the user is not named on is open to break glass only for the
    roles `restricted_cases.break_glass_roles` names; to anyone else it does not exist."""
    if case.erased_at is not None or not may_break_glass(user):
        return False
    return not case.restricted or decides_break_glass(user) or is_named_on(user, case)


def case_to_break_glass(
    user: Staff, *, case_id: str | None = None, reference: str | None = None
) -> Case | None:
    """For break glass only: the case the user asks to open (by id or reference), when
    it exists and they may break the glass on it; None, as for a case that does not
    exist, for a restricted case they may not (issue 17 §5). Nothing of it is shown
    before they do."""
    if not may_break_glass(user) or not (case_id or reference):
        return None
    lookup = {"pk": case_id} if case_id else {"reference": (reference or "").strip().upper()}
    # One query whatever the case is, so a restricted case takes no longer to refuse
    # than a missing one.
    open_to = Q() if decides_break_glass(user) else Q(restricted=False) | named_on_case(user)
    cases = Case.objects.filter(open_to, erased_at__isnull=True, **lookup)
    return cases.select_related("data_key").first()


def break_glass_for(user: Staff, grant_id: str) -> BreakGlass:
    """A break-glass request or grant, for its asker; on a restricted case for the roles
    that decide on it (they may not see the case: the page shows only the request); on an
    ordinary case for a DA lead who sees it. Http404 for anyone else, as for none."""
    grant = (
        BreakGlass.objects.filter(pk=grant_id, case__erased_at__isnull=True)
        .select_related("case__data_key", "staff", "decided_by")
        .first()
    )
    if grant is None or not user.is_active:
        raise Http404("No such request")
    if grant.staff_id == user.pk:
        return grant
    if grant.case.restricted and decides_break_glass(user):
        return grant
    if user.role == Role.DA_LEAD and sees_without_glass(user, grant.case):
        return grant
    raise Http404("No such request")


def may_record_report(user: Staff) -> bool:
    """Auditors and admins never see case content, so they record no reports either."""
    return user.is_active and user.role not in ROLES_WHO_SEE_NO_CASE


# Decisions ------------------------------------------------------------------------


class Decision(StrEnum):
    """The decisions someone other than the officer takes on a case, each given by the
    policy to some roles (`decision_roles`)."""

    DISCLOSURE = "disclosure"  # disclosure.approver_roles
    CLOSURE = "closure"  # closure.approver_roles
    CLOSURE_OVERRIDE = "closure_override"  # closure.override_role: closing without her agreement
    EVALUATION = "evaluation"  # closure.evaluation_role
    APPEAL = "appeal"  # appeals.reviewer_role
    INTERVIEW = "interview"  # the manager of the case's team (perpetrator_interview)


RESTRICTED_RULE = "restricted_cases.fallback_roles"


def policy_roles(policy: Policy, decision: Decision) -> tuple[str, ...]:
    """The roles the policy gives a decision on an ordinary case; none where the policy
    has no such decision (no evaluation, or agreement that cannot be overridden)."""
    closure = policy.closure
    if decision == Decision.DISCLOSURE:
        return tuple(policy.disclosure.approver_roles)
    if decision == Decision.CLOSURE:
        return tuple(closure.approver_roles)
    if decision == Decision.CLOSURE_OVERRIDE:
        overrider = closure.override_role
        overridable = closure.survivor_agreement == "overridable" and overrider is not None
        return (overrider,) if overridable and overrider is not None else ()
    if decision == Decision.EVALUATION:
        return (closure.evaluation_role,) if closure.evaluation_role else ()
    if decision == Decision.APPEAL:
        # Stage 1's reviewer, and stage 2's where the policy has a second stage: each
        # appeal names its own (`Appeal.reviewer_role`).
        second = getattr(policy.appeals.stage_2, "reviewer_role", None)
        return (policy.appeals.reviewer_role, *((str(second),) if second else ()))
    # [000 Action against perpetrators] "the investigating officer and their manager"
    return (Role.MANAGER.value,)


def decision_roles(policy: Policy, decision: Decision, *, restricted: bool) -> tuple[str, ...]:
    """Who takes `decision`. On a restricted case never a manager: a decision the policy
    gives only to managers goes to `restricted_cases.fallback_roles`."""
    roles = policy_roles(policy, decision)
    if not restricted or not roles:
        return roles
    manager = Role.MANAGER.value
    others = tuple(role for role in roles if role != manager)
    fallback = tuple(str(r) for r in policy.restricted_cases.fallback_roles if r != manager)
    return others or fallback


def decides(user: Staff, case: Case, decision: Decision) -> bool:
    """Whether the user's role takes this decision on this case. On an ordinary case the
    interview is agreed by a manager of the case's own team."""
    roles = decision_roles(active_policy(), decision, restricted=case.restricted)
    if not user.is_active or user.role not in roles:
        return False
    if decision == Decision.INTERVIEW and not case.restricted:
        return case.team_id == user.team_id
    return True


def takes_decision(user: Staff, decision: Decision) -> bool:
    """Whether the user's role takes this decision on any case, ordinary or restricted:
    whether to show them its queue, and to refuse everyone else (403) before a lookup."""
    policy = active_policy()
    return user.is_active and any(
        user.role in decision_roles(policy, decision, restricted=restricted)
        for restricted in (False, True)
    )


def cases_for_decision(
    user: Staff, decision: Decision, now: datetime | None = None
) -> QuerySet[Case]:
    """The cases on which the user takes `decision`: the ordinary cases they may see,
    where their role takes it, and every restricted case where their role takes it there.
    Callers narrow it to the cases where the decision waits, so a queue names a restricted
    case only while it has something for them to decide."""
    if not user.is_active or user.role in ROLES_WHO_SEE_NO_CASE:
        return Case.objects.none()
    policy = active_policy()
    reach = Q(pk__in=[])
    if user.role in decision_roles(policy, decision, restricted=False):
        ordinary = need_to_know(user, now) & Q(restricted=False)
        if decision == Decision.INTERVIEW:
            ordinary &= Q(team_id=user.team_id)
        reach |= ordinary
    if user.role in decision_roles(policy, decision, restricted=True):
        reach |= Q(restricted=True)
    if reach == Q(pk__in=[]):
        return Case.objects.none()  # so a queue of such decisions makes no query at all
    return Case.objects.filter(reach, erased_at__isnull=True)


def through_decision_door(user: Staff, case_id: str, decision: Decision, waiting: Q) -> Case | None:
    """A restricted case the user is not named on, when their role takes `decision` on a
    restricted case and the decision waits on it (`waiting`, a condition on the case
    written by the app that owns the decision)."""
    policy = active_policy()
    if not user.is_active or user.role not in decision_roles(policy, decision, restricted=True):
        return None
    return (
        Case.objects.filter(waiting, pk=case_id, restricted=True, erased_at__isnull=True)
        .select_related("team", "assigned_officer", "data_key", "survivor_identity")
        .first()
    )


def case_for_decision(
    user: Staff, case_id: str, *, decision: Decision, waiting: Q | None = None
) -> Case:
    """The case, for reading what a decision on it needs: any case `case_for` gives the
    user, or a restricted case they are not named on while `decision` waits on it and
    their role takes it there. That second way in is audited here (`case.viewed`, via
    `decision`), and shows the reader only the decision's page, never the case's.
    Http404 otherwise, as `case_for`."""
    try:
        return case_for(user, case_id)
    except Http404:
        found = through_decision_door(user, str(case_id), decision, waiting or Q())
        if found is None:
            raise
    audit.record(
        actor=user.username,
        action="case.viewed",
        target_type="case",
        target_id=found.pk,
        detail={"via": "decision", "decision": decision.value},
    )
    return found


def check_decision_access(user: Staff, case: Case, decision: Decision) -> None:
    """For the service that takes a decision: Http404 when the user may neither see the
    case nor take this decision on it; 403 when they see a restricted case (they are named
    on it, or broke the glass) but their role does not decide there."""
    if not case.restricted:
        case_for(user, case.pk)
        return
    if decides(user, case, decision):
        return
    case_for(user, case.pk)
    raise Refusal(
        "restricted_case_decision",
        "The survivor on this case is a member of staff: a manager never takes a decision on "
        "it, and the policy gives this one to "
        + " or ".join(decision_roles(active_policy(), decision, restricted=True) or ("nobody",)),
        policy_rule=RESTRICTED_RULE,
        status=403,
    )


def check_not_own_request(user: Staff, requested_by_id: int | None, what: str) -> None:
    """Nobody decides on their own request, whatever their role (issue 16: no decision
    made alone)."""
    if requested_by_id is not None and requested_by_id == user.pk:
        raise Refusal(
            "own_request",
            f"You asked for this {what}: someone else must decide on it",
            status=403,
        )
