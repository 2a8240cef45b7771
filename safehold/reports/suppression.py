"""Small-number suppression: in a breakdown, a count from 1 to 4 becomes "<5", so no
survivor can be picked out from a small cell (a figure of 2 in one ethnic group of one
team could name her). Totals stay exact; a rate or mean built from a suppressed count is
withheld too, since it would give the count back."""

from __future__ import annotations

from typing import Any

SMALL = "<5"
# The top-level figures that are totals, not breakdowns (API.md).
TOTALS = ("reports", "individuals", "repeat_reports", "appeals")


def small(n: Any) -> Any:
    return SMALL if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 4 else n


def counts(breakdown: Any) -> Any:
    """Every count in a breakdown, at any depth."""
    if isinstance(breakdown, dict):
        return {key: counts(value) for key, value in breakdown.items()}
    if isinstance(breakdown, list):
        return [counts(value) for value in breakdown]
    return small(breakdown)


def suppressed(figures: dict[str, Any]) -> dict[str, Any]:
    out = {
        key: value if key in TOTALS else counts(value)
        for key, value in figures.items()
        if key not in ("response", "satisfaction")
    }
    response = figures["response"]
    out["response"] = {key: small(response[key]) for key in ("met", "missed", "pending")}
    out["response"]["rate"] = (
        None if SMALL in (out["response"]["met"], out["response"]["missed"]) else response["rate"]
    )
    given = figures["satisfaction"]
    out["satisfaction"] = {key: small(given[key]) for key in ("responses", "complaints", "praise")}
    out["satisfaction"]["mean"] = (
        None if out["satisfaction"]["responses"] == SMALL else given["mean"]
    )
    return out
