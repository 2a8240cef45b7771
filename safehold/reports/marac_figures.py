"""The MARAC figures (issue 21, docs/marac.md "Figures"): the cases heard at a MARAC in
the period, how many of them were repeats, and the actions the MARACs agreed on them,
by the agency that owns each, with how many were completed on time.

Like the compliance figures (reports/compliance.py), these count what happened in the
period (a hearing whose decisions were recorded in it), on cases in the scope that the
reader may see, whatever the case's report date. Two aggregate queries over plain
columns (dates, agency ids, statuses), whatever the number of hearings."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q

from safehold.marac.models import Hearing, MaracAction
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
    heard = hearings.aggregate(
        heard=Count("case", distinct=True),
        repeats=Count("case", distinct=True, filter=Q(repeat=True)),
    )
    return {**heard, "actions": actions_by_agency(window)}


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
