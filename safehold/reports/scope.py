"""Who sees which figures (issue 8): managers their own team, directors, DA leads and
auditors the whole provider or any team; officers and administrators no reporting.

Figures hold no case content, which is why auditors, who may never open a case, see
them; the small-number suppression (suppression.py) keeps a breakdown from pointing at
one person."""

from __future__ import annotations

from dataclasses import dataclass

from safehold.accounts.models import Staff, Team
from safehold.accounts.roles import Role
from safehold.errors import Refusal

PROVIDER_ROLES = (Role.DIRECTOR, Role.DA_LEAD, Role.AUDITOR)


@dataclass(frozen=True)
class Scope:
    team: Team | None  # None: the whole provider

    def __str__(self) -> str:
        return self.team.name if self.team else "Whole provider"


def may_see_reports(user: Staff) -> bool:
    return user.is_active and (user.role in PROVIDER_ROLES or user.role == Role.MANAGER)


def scope_for(user: Staff, team_name: str = "") -> Scope:
    """The scope asked for, when this user may see it. A manager who names no team gets
    their own; naming another is refused."""
    if not may_see_reports(user):
        raise Refusal("may_not_see_reports", "Your role has no access to reporting", status=403)
    team_name = team_name.strip()
    if not team_name:
        return Scope(user.team if user.role == Role.MANAGER else None)
    team = Team.objects.filter(name__iexact=team_name).first()
    if team is None:
        raise Refusal("unknown_team", f"There is no team called {team_name!r}", field="team")
    if user.role == Role.MANAGER and team.pk != user.team_id:
        raise Refusal(
            "may_not_see_team", "A manager sees the figures of their own team", status=403
        )
    return Scope(team)
