"""Cases the reader may not see, in the figures (issue 17 §2: counts that tell).

A restricted case (the survivor is a member of staff) is seen only by the people named
on it. A report must never let anyone else single it out: not by a one-day period, not
by one team, not by differencing two periods that differ by a day. So, for each reader:

- the cases of the scope they may see (`safehold/cases/access.py`, `need_to_know`) are
  reported in full, in every figure, for any period;
- the others (unseen) are left out of every breakdown, of `appeals`, of the compliance
  figures and of every team's report; they are counted only in the whole provider's
  totals `reports`, `individuals` and `repeat_reports`, and only for a period made of
  whole calendar quarters that has ended. So a reader learns at most, per quarter, how
  many cases they may not see were reported, how many different survivors those were,
  and how many of those cases were repeats; never a day, a team, or anything of a case.
- a repeat counts in `repeat_reports` as a repeat only when the reader may see the
  earlier case that makes it one (as the case itself says, API.md), so the figure never
  tells them that a survivor whose case they see had a case they may not see.

An auditor, who may open no case, has the figures of every ordinary case: for an
auditor the unseen cases are the restricted ones.

Whoever may see every case of the scope gets the same figures as before, exactly.
The unseen cases are found in one query bounded by the period (ids and statistical
columns only), and left out of the other queries by id: no case is judged one by one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases.access import need_to_know
from safehold.cases.models import Case
from safehold.policy import clock
from safehold.policy.clock import LONDON
from safehold.policy.schema import Policy
from safehold.reports.period import Period
from safehold.reports.scope import Scope

IN_TOTALS = "in_totals"  # the answer's `unseen_cases`: counted in the totals only
LEFT_OUT = "left_out"  # left out of every figure


def sees(reader: Staff, now: datetime) -> Q:
    """The condition on a case under which it is reported in full to `reader`: the cases
    they may see; for an auditor, who opens none, every case that is not restricted."""
    if reader.is_active and reader.role == Role.AUDITOR:
        return Q(restricted=False)
    return need_to_know(reader, now)


def counted_in_totals(period: Period, scope: Scope, now: datetime) -> bool:
    """Whether unseen cases count in this report's totals: the whole provider, over whole
    calendar quarters that are over (a quarter still running could be read each day and
    differenced). Decided by the question alone, never by the data."""
    today = now.astimezone(LONDON).date()
    return scope.team is None and period.whole_quarters and period.end < today


@dataclass(frozen=True)
class Unseen:
    """The period's unseen cases in the scope: their ids, to leave them out of every
    query, and what the totals may count of them."""

    ids: tuple[str, ...] = ()
    survivors: int = 0
    repeats: int = 0

    @property
    def reports(self) -> int:
        return len(self.ids)


def unseen_in(period: Period, scope: Scope, seen: Q, *, using: str) -> Unseen:
    """One query over the period's cases in the scope: those not reported in full."""
    cases = Case.objects.using(using).filter(
        reported_at__gte=period.starts_at, reported_at__lt=period.ends_before
    )
    if scope.team:
        cases = cases.filter(team=scope.team)
    rows = list(cases.exclude(seen).values_list("pk", "survivor_identity_id", "repeat"))
    return Unseen(
        ids=tuple(pk for pk, _, _ in rows),
        survivors=len({identity for _, identity, _ in rows}),
        repeats=sum(1 for *_, repeat in rows if repeat),
    )


def repeats_through_unseen(visible: QuerySet[Case], period: Period, seen: Q, policy: Policy) -> int:
    """How many of the visible cases flagged `repeat` are repeats only through an earlier
    case the reader may not see (none seen in the policy's repeat window before each):
    the figure leaves those out, as the case itself does (API.md `repeat`). One query,
    and a second only when there is such a survivor, over the survivors concerned."""
    since = clock.months_before(period.starts_at, policy.definitions.repeat_months)
    earlier = Case.objects.using(visible.db).filter(
        reported_at__gte=since, reported_at__lt=period.ends_before
    )
    candidates = list(
        visible.filter(
            repeat=True, survivor_identity__in=earlier.exclude(seen).values("survivor_identity")
        ).values_list("survivor_identity_id", "reported_at")
    )
    if not candidates:
        return 0
    seen_at: dict[str, list[datetime]] = defaultdict(list)
    people = {identity for identity, _ in candidates}
    for identity, at in earlier.filter(seen, survivor_identity__in=people).values_list(
        "survivor_identity_id", "reported_at"
    ):
        seen_at[identity].append(at)
    return sum(
        1
        for identity, at in candidates
        if not any(
            clock.repeat_window_start(policy, at) <= other < at for other in seen_at[identity]
        )
    )
