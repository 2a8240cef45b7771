"""What a reader of a case's audit trail is shown of each entry (issue 17 §9, "Auditors
see the trail, not the case").

Everyone who may see the case itself (cases/access.py: a manager of its team, a director
or DA lead, and on a restricted case only the people named on it) is shown each entry
whole, as before. Anyone else who reads the trail, an auditor above all, reads it
without seeing the case, so of each entry's detail they are shown only the keys named in
`KEYS_WITHOUT_CASE_CONTENT`: ids of the records an entry is about, how a case was
reached, counts, who and when, and the address a member of staff wrote it from. Every
other key (a risk level, MARAC reasons, the grounds and basis of a disclosure, a
closure's reason, whom a contact was with, the kind of an action or letter, anything a
later change adds) is left out. It is an allow-list: a key nobody has judged is never
shown to someone who may not see the case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry

KEYS_WITHOUT_CASE_CONTENT = frozenset(
    {
        # ids of the records an entry is about, and the case's own reference
        "action",
        "appeal",
        "assessment",
        "closure",
        "consent",
        "contact",
        "document",
        "grant",
        "evidence",
        "feedback",
        "hold",
        "incident",
        "interview",
        "person",
        "reference",
        "referral",
        "request",
        "review",
        # how the case was reached: "web", "api" or "decision" (not which decision: a
        # closure without her agreement is hers to tell, not the trail's)
        "via",
        # counts
        "count",
        "cases",
        "stage",
        # who and when
        "officer",
        "requested_by",
        "expires_at",
        # where a member of staff wrote it from (privacy/audit.py, `with_request_address`)
        "address",
        "more_this_minute_not_recorded",
    }
)


@dataclass(frozen=True)
class TrailEntry:
    """One entry of a case's trail as its reader is shown it."""

    seq: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


def sees_case(user: Staff, case: Case) -> bool:
    """Whether `user`, who has reached this case's trail (access.case_for_audit), may see
    the case itself. Everyone but an auditor reached it through `access.case_for`, so
    they may; an auditor is asked the door (no extra query for anyone else)."""
    return user.role != Role.AUDITOR or access.may_see(user, case.pk)


def detail_without_case_content(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in detail.items() if key in KEYS_WITHOUT_CASE_CONTENT}


def shown(entries: Iterable[AuditEntry], *, sees_case: bool) -> list[TrailEntry]:
    """The entries as a reader is shown them: whole to someone who may see the case,
    with only the allowed detail keys to anyone else."""
    return [
        TrailEntry(
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            detail=dict(entry.detail) if sees_case else detail_without_case_content(entry.detail),
        )
        for entry in entries
    ]
