"""Roles and what each may do outside case content (API.md §4).

Who may read a case is decided in one place, `cases/access.py`; this module only names
the roles and the capabilities that do not depend on a case.
"""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Housing officer"
    MANAGER = "manager", "Manager"
    DIRECTOR = "director", "Director"
    DA_LEAD = "da_lead", "Domestic abuse lead"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"
    PARTNER = "partner", "Partner at another agency"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"


def manages_staff(role: str) -> bool:
    """Only administrators manage accounts; they never see case content."""
    return role == Role.ADMIN


# Directors and DA leads see every case but restricted ones (API.md §4): a change to
# their accounts needs a second administrator's approval (services.approval_reason).
PRIVILEGED_ROLES = frozenset({Role.DIRECTOR, Role.DA_LEAD})


def is_privileged(role: str) -> bool:
    return role in PRIVILEGED_ROLES


def grant_needs_second_admin(role: str) -> bool:
    """Making someone a director or DA lead, or another administrator (who could then
    approve the first one's changes), needs a second administrator."""
    return is_privileged(role) or manages_staff(role)


def is_partner(role: str) -> bool:
    """A named person at one of the policy's agencies (API.md §4): they see only what was
    shared with their agency, through the partner pages and `/api/v1/partner/...`
    (safehold/partners/selectors.py), and nothing through the staff door."""
    return role == Role.PARTNER
