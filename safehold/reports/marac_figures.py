"""The MARAC figures (issue 21, docs/marac.md "Figures"): the cases heard at a MARAC in
the period, how many of them were repeats, and the actions the MARACs agreed on them,
by the agency that owns each, with how many were completed on time.

Like the compliance figures (reports/compliance.py), these count what happened in the
period (a hearing whose decisions were recorded in it), on cases in the scope that the
reader may see, whatever the case's report date. Two queries over plain columns (dates,
agency ids, statuses), whatever the number of hearings; a third, over the survivors
concerned, only when a reader who may not see every case has repeats in the period
(`repeats_not_told`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q

from safehold.cases.models import Case
from safehold.casework.models import Referral, ReferralStatus
from safehold.casework.selectors import MARAC
from safehold.marac.models import Hearing, MaracAction
from safehold.policy.clock import months_before
from safehold.policy.loader import active_policy
from safehold.reports.compliance import between, in_scope
from safehold.reports.monitoring import Window

# The key the provider's own actions are counted under, whichever agency field they carry.
PROVIDER = "provider"
ACTION_COUNTS = ("agreed", "on_time", "late", "open", "cancelled")


def marac_figures(window: Window) -> dict[str, Any]:
    """`heard` (cases heard in the period, each once), `repeats` (of them, heard as a
    repeat) and `actions`: for each agency, the actions agreed at those hearings,
    completed on time (on or before the due date), completed late, still open and
    cancelled."""
    hearings = in_scope(window.rows(Hearing).filter(between("heard_at", window)), window)
    rows = list(
        hearings.values_list(
            "pk",
            "case_id",
            "repeat",
            "referral_id",
            "referral__sent_at",
            "referral__created_at",
            "case__survivor_identity_id",
        )
    )
    not_told = repeats_not_told(window, [row for row in rows if row[2]])
    return {
        "heard": len({row[1] for row in rows}),
        "repeats": len({row[1] for row in rows if row[2] and row[0] not in not_told}),
        "actions": actions_by_agency(window),
    }


def repeats_not_told(window: Window, repeats: list[tuple[Any, ...]]) -> set[str]:
    """The repeat hearings that are repeats only through an earlier MARAC referral on a
    case the reader may not see (a restricted case they are not named on): left out of
    `repeats`, as the monitoring report's `repeat_reports` leaves them out
    (reports/unseen.py) and the meeting page tells them as new (docs/security.md
    "Oracles"). No query where every case is counted or no hearing is a repeat; one
    otherwise, over the survivors concerned."""
    if window.seen is None or not repeats:
        return set()
    months = active_policy().marac.repeat_months
    spans = {
        pk: (months_before(sent or created, months), sent or created)
        for pk, _, _, _, sent, created, _ in repeats
    }
    seen = window.rows(Case).filter(window.seen, pk=OuterRef("case_id"))
    earlier = list(
        window.rows(Referral)
        .filter(
            agency=MARAC,
            status=ReferralStatus.SENT,
            case__survivor_identity_id__in={row[6] for row in repeats},
            sent_at__gte=min(since for since, _ in spans.values()),
        )
        .annotate(told=Q(case__restricted=False) | Q(Exists(seen)))
        .values_list("pk", "case__survivor_identity_id", "sent_at", "told")
    )
    not_told = set()
    for pk, _, _, referral_id, _, _, identity in repeats:
        since, sent = spans[pk]
        before = [
            told
            for other, who, at, told in earlier
            if other != referral_id and who == identity and at and since <= at < sent
        ]
        if before and not any(before):
            not_told.add(pk)
    return not_told


def actions_by_agency(window: Window) -> dict[str, dict[str, int]]:
    rows = in_scope(
        window.rows(MaracAction).filter(
            between("hearing__heard_at", window), hearing__heard_at__isnull=False
        ),
        window,
    )
    done = Q(status="done")
    grouped = (
        rows.values("agency", "provider_own")
        .annotate(
            agreed=Count("pk"),
            on_time=Count("pk", filter=done & Q(completed_on__lte=F("due_on"))),
            late=Count("pk", filter=done & Q(completed_on__gt=F("due_on"))),
            open=Count("pk", filter=Q(status="open")),
            cancelled=Count("pk", filter=Q(status="cancelled")),
        )
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for group in grouped:
        key = PROVIDER if group["provider_own"] else group["agency"]
        into = counts.setdefault(key, dict.fromkeys(ACTION_COUNTS, 0))
        for name in ACTION_COUNTS:
            into[name] += group[name]
    return dict(sorted(counts.items(), key=lambda item: (item[0] != PROVIDER, item[0])))
