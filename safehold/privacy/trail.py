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

from django.db.models import Q, QuerySet

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access
from safehold.cases.models import Case
from safehold.privacy.kinds import AUDIT_KINDS, audit_kind_query
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


# A page of the trail as the case's "Who has seen this case" page shows it (issue 18,
# "Plain words"): newest first, filtered by a kind of action, a fixed number of entries
# a page, each with who (name and role), what (in words) and, to whoever may see the
# case, why someone broke the glass.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Who:
    name: str
    role: str


@dataclass(frozen=True)
class TrailPage:
    entries: list[TrailEntry]
    people: dict[str, Who]
    reasons: dict[int, str]
    number: int
    more: bool

    @property
    def rows(self) -> list[tuple[TrailEntry, Who | None, str]]:
        """Each entry with who wrote it (None for Safehold itself or a name no account
        has) and the break-glass reason it carries ("" when none or not shown)."""
        return [
            (entry, self.people.get(entry.actor), self.reasons.get(entry.seq, ""))
            for entry in self.entries
        ]


def kind_filter(kind: str) -> Q:
    """The entries of a kind of action (privacy/kinds.py AUDIT_KINDS); every entry for ""."""
    return audit_kind_query(kind) if kind in AUDIT_KINDS else Q()


def trail_page(
    found: QuerySet[AuditEntry], case: Case, *, sees_case: bool, kind: str, number: int
) -> TrailPage:
    """One page of `found`, newest first: PAGE_SIZE entries (one query, one more row to
    tell whether there is a next page), the people who wrote them (one query), and to a
    reader who may see the case, the break-glass reasons of its entries (one query)."""
    start = (number - 1) * PAGE_SIZE
    rows = list(found.filter(kind_filter(kind)).order_by("-seq")[start : start + PAGE_SIZE + 1])
    entries = shown(rows[:PAGE_SIZE], sees_case=sees_case)
    actors = {entry.actor for entry in entries if entry.actor}
    people = {
        staff.username: Who(staff.full_name or staff.username, Role(staff.role).label)
        for staff in Staff.objects.filter(username__in=actors).only("username", "full_name", "role")
    }
    reasons = break_glass_reasons(entries, case) if sees_case else {}
    return TrailPage(entries, people, reasons, number, more=len(rows) > PAGE_SIZE)


GLASS_ACTIONS = {
    "case.break_glass": ("grant", "reason"),
    "case.break_glass_requested": ("request", "reason"),
    "case.break_glass_approved": ("request", "decision_reason"),
    "case.break_glass_declined": ("request", "decision_reason"),
}


def break_glass_reasons(entries: list[TrailEntry], case: Case) -> dict[int, str]:
    """Why each break-glass entry's person broke the glass, asked to, or decided: by the
    entry's seq. The reasons are sealed under the case's key (cases/glass.py); only a
    reader who may see the case is given them."""
    from safehold.cases import sealing
    from safehold.cases.models import BreakGlass

    wanted = {
        entry.seq: (str(entry.detail.get(GLASS_ACTIONS[entry.action][0], "")), entry.action)
        for entry in entries
        if entry.action in GLASS_ACTIONS
    }
    if not wanted:
        return {}
    grants = BreakGlass.objects.filter(case=case, pk__in={grant for grant, _ in wanted.values()})
    details = {grant.pk: sealing.unseal(case.data_key, grant) for grant in grants}
    return {
        seq: str(details[grant].get(GLASS_ACTIONS[action][1], ""))
        for seq, (grant, action) in wanted.items()
        if grant in details
    }
