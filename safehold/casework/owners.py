"""Who may own an action (issue 17 §9): only someone who may see its case
(cases/access.py), since an action's owner is told of it, finds it in their queue and
opens the case to do it.

`may_own` asks the door itself (`access.cases_visible_to`). `possible_owners` lists the
same people in four queries, for the form's choices; it mirrors `access.need_to_know`
role by role, and tests/casework/test_action_owner.py checks that the two agree for
every role."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access
from safehold.cases.models import BreakGlass, Case, CaseTeamMember
from safehold.errors import Refusal

ROLES_WHO_SEE_CASES = (Role.OFFICER, Role.MANAGER, Role.DIRECTOR, Role.DA_LEAD)


def may_own(staff: Staff, case: Case) -> bool:
    return access.cases_visible_to(staff).filter(pk=case.pk).exists()


def possible_owners(case: Case, now: datetime | None = None) -> QuerySet[Staff]:
    """Everyone who may see the case, as `access.need_to_know` decides it: the people
    named on it; on a case that is not restricted, the managers of its team and every
    director and DA lead; and anyone with an unexpired break-glass grant on it."""
    if case.erased_at is not None:
        return Staff.objects.none()
    team = CaseTeamMember.objects.filter(case=case).values("staff_id")
    seen = Q(pk=case.assigned_officer_id) | Q(pk__in=team)
    if not case.restricted:
        seen |= Q(role=Role.MANAGER, team_id=case.team_id)
        seen |= Q(role__in=(Role.DIRECTOR, Role.DA_LEAD))
    grants = BreakGlass.objects.filter(case=case, expires_at__gt=now or timezone.now())
    seen |= Q(pk__in=grants.values("staff_id"))
    return (
        Staff.objects.filter(seen, is_active=True, role__in=ROLES_WHO_SEE_CASES)
        .select_related("team")
        .order_by("full_name", "username")
    )


def owner_choices(case: Case) -> list[tuple[str, str]]:
    return [
        (s.username, f"{s.full_name} ({s.get_role_display()}, {s.team.name})")
        for s in possible_owners(case)
    ]


def check_owner(owner: Staff, case: Case) -> None:
    """Refuses an owner who may not see the case, saying nothing about the case."""
    if not may_own(owner, case):
        raise Refusal(
            "owner_may_not_see_case",
            f"{owner.full_name} cannot be given this action. Choose someone who works on this case",
            field="owner",
        )
