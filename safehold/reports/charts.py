"""Accessible bar charts drawn on the server as SVG: no script, nothing for the CSP to
allow. Each chart has a text summary (the SVG's description and a sentence on the page)
and is always shown with the table of its data, which is what a screen reader reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.text import Truncator

BAR_HEIGHT = 14
GAP = 10
LABEL_WIDTH = 230
BAR_SPACE = 300
VALUE_WIDTH = 60
LABEL_CHARS = 32  # a longer label is cut with an ellipsis; the table gives it whole


@dataclass(frozen=True)
class Bar:
    label: str
    value: Any  # an int, or "<5" when suppressed
    previous: Any
    y: int
    width: int
    previous_width: int

    # Worked out here, not in the template: a chart's page renders dozens of bars, and
    # each filter in a template costs more than the sum (docs/performance.md).
    @property
    def short_label(self) -> str:
        return Truncator(self.label).chars(LABEL_CHARS)

    @property
    def value_x(self) -> int:
        """Where the value is written: just right of this period's bar."""
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    summary: str
    bars: list[Bar]
    height: int
    width: int = LABEL_WIDTH + BAR_SPACE + VALUE_WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    label_x: int = LABEL_WIDTH - 8
    previous_y: int = BAR_HEIGHT + 3
    previous_height: int = BAR_HEIGHT - 4


def numeric(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def summary_of(title: str, items: list[tuple[str, Any, Any]]) -> str:
    counted = [(label, value) for label, value, _ in items if numeric(value)]
    if not counted:
        return f"{title}: nothing to show for this period."
    label, value = max(counted, key=lambda pair: numeric(pair[1]))
    return f"{title}: the largest is {label.lower()} ({value}) of {len(items)} shown."


def bar_chart(key: str, title: str, items: list[tuple[str, Any, Any]]) -> Chart:
    """`items` are (label, this period's value, the previous period's value)."""
    largest = max([numeric(v) for _, v, _ in items] + [numeric(p) for *_, p in items] + [1])
    bars = []
    for n, (label, value, previous) in enumerate(items):
        bars.append(
            Bar(
                label=label,
                value=value,
                previous=previous,
                y=n * (2 * BAR_HEIGHT + GAP),
                width=round(BAR_SPACE * numeric(value) / largest),
                previous_width=round(BAR_SPACE * numeric(previous) / largest),
            )
        )
    return Chart(
        key=key,
        title=title,
        summary=summary_of(title, items),
        bars=bars,
        height=max(1, len(items)) * (2 * BAR_HEIGHT + GAP),
    )
