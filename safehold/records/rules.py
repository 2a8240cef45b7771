"""Who may handle subject access requests and legal holds: the rules in one place.

Whether someone may see the case at all is decided by `cases.access` alone; these rules
only narrow what a person who sees it may do with its records.

| role              | subject access requests            | legal hold |
| ----------------- | ---------------------------------- | ---------- |
| director, da_lead | on any case they see               | yes        |
| manager           | on their own team's cases          | no         |
| officer, auditor, admin | never                        | no         |
"""

from __future__ import annotations

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases.models import Case
from safehold.errors import Refusal

PROVIDER_WIDE = (Role.DIRECTOR, Role.DA_LEAD)
SUBJECT_ACCESS_HANDLERS = (*PROVIDER_WIDE, Role.MANAGER)


def may_handle_subject_access(user: Staff) -> bool:
    """Whether the role ever handles subject access: asked before any case is looked up,
    so an officer gets 403 whether or not the case exists."""
    return user.is_active and user.role in SUBJECT_ACCESS_HANDLERS


def may_handle_subject_access_for(user: Staff, case: Case) -> bool:
    if not may_handle_subject_access(user):
        return False
    return user.role in PROVIDER_WIDE or case.team_id == user.team_id


def subject_access_refusal() -> Refusal:
    return Refusal(
        "may_not_handle_subject_access",
        "Only a DA lead or a director, or a manager for their own team's cases, may handle "
        "subject access requests",
        status=403,
    )


def check_subject_access(user: Staff, case: Case) -> None:
    if not may_handle_subject_access_for(user, case):
        raise subject_access_refusal()


def identity_not_verified() -> Refusal:
    """Nothing of a subject access request is gathered, not even the list of cases it
    might cover, until the requester's identity has been checked."""
    return Refusal(
        "identity_not_verified",
        "Check and record the requester's identity first: nothing is gathered until then",
        status=409,
    )


def may_hold(user: Staff) -> bool:
    return user.is_active and user.role in PROVIDER_WIDE


def check_may_hold(user: Staff) -> None:
    if not may_hold(user):
        raise Refusal(
            "may_not_place_legal_hold",
            "Only a DA lead or a director may place or lift a legal hold",
            status=403,
        )
