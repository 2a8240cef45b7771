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

An erased case (its data key destroyed at the end of the retention period) is seen by
nobody: only its statistical columns and its audit trail remain.

A restricted case (the survivor is a member of staff) is seen only by the people named
on it: its assigned officer and its case team. Anyone but an auditor or admin may also
see a case during an unexpired break-glass grant of their own.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases.models import BreakGlass, Case, CaseTeamMember
from safehold.errors import Refusal
from safehold.prepared import Prepared

ROLES_WHO_SEE_NO_CASE = (Role.AUDITOR, Role.ADMIN)


def named_on_case(user: Staff) -> Q:
    on_team = CaseTeamMember.objects.filter(case=OuterRef("pk"), staff=user)
    return Q(assigned_officer=user) | Q(Exists(on_team))


def broke_glass(user: Staff, now: datetime) -> Q:
    grants = BreakGlass.objects.filter(case=OuterRef("pk"), staff=user, expires_at__gt=now)
    return Q(Exists(grants))


def need_to_know(user: Staff, now: datetime | None = None) -> Q:
    """The condition, in one place, under which `user` may see a case's content (at
    `now`, when break-glass grants are judged; by default the present moment)."""
    if not user.is_active or user.role in ROLES_WHO_SEE_NO_CASE:
        return Q(pk__in=[])
    named = named_on_case(user)
    if user.role == Role.OFFICER:
        by_role = named
    elif user.role == Role.MANAGER:
        by_role = named | (Q(team_id=user.team_id) & Q(restricted=False))
    elif user.role in (Role.DIRECTOR, Role.DA_LEAD):
        by_role = named | Q(restricted=False)
    else:  # a role this rule does not know sees nothing, rather than everything
        return Q(pk__in=[])
    return by_role | broke_glass(user, now or timezone.now())


def cases_visible_to(user: Staff, now: datetime | None = None) -> QuerySet[Case]:
    return Case.objects.filter(need_to_know(user, now), erased_at__isnull=True)


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


def may_break_glass(user: Staff) -> bool:
    return user.is_active and user.role in (Role.OFFICER, Role.MANAGER)


def case_to_break_glass(
    user: Staff, *, case_id: str | None = None, reference: str | None = None
) -> Case | None:
    """For break glass only: the case the user asks to open (by id or reference), when
    it exists and they may break the glass. Nothing of it is shown before they do."""
    if not may_break_glass(user) or not (case_id or reference):
        return None
    lookup = {"pk": case_id} if case_id else {"reference": (reference or "").strip().upper()}
    return Case.objects.filter(**lookup).first()


def may_record_report(user: Staff) -> bool:
    """Auditors and admins never see case content, so they record no reports either."""
    return user.is_active and user.role not in ROLES_WHO_SEE_NO_CASE
