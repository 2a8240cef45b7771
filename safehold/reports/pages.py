"""The report arranged for people to read: totals, a chart and a table for each
breakdown, diversity tables and compliance, each beside the previous period. The page
and the board report PDF are both drawn from this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safehold.policy.schema import Policy
from safehold.reports.charts import Chart, bar_chart
from safehold.reports.figures import (
    ACTION_TAKEN,
    BREAKDOWNS,
    COMPLIANCE,
    DIVERSITY,
    FIELD_LABELS,
    MARAC_ACTION_LABELS,
    MARAC_ACTIONS,
    MARAC_HEARD,
    TOTALS,
    Figure,
    action_kind_label,
    agency_label,
    item_label,
    reported,
)
from safehold.reports.freshness import read_from_words

CHARTED = ("by_abuse_type", "by_source", "by_risk_level", "response", "outcomes")
NOT_CHARTED_ITEMS = ("rate",)

Line = tuple[str, Any, Any]  # label, this period, the previous period


@dataclass(frozen=True)
class ActionRow:
    """One kind of action: how many are done, open and cancelled, now and before."""

    kind: str
    done: Any
    open: Any
    cancelled: Any
    previous: tuple[Any, ...]


@dataclass(frozen=True)
class Section:
    figure: Figure
    lines: list[Line]
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    current: dict[str, Any]
    previous: dict[str, Any]
    totals: list[tuple[Figure, Any, Any]]
    breakdowns: list[Section]
    diversity: list[tuple[str, list[Section]]]
    diversity_figure: Figure
    compliance: list[Section]
    action_taken: list[ActionRow] = field(default_factory=list)
    action_taken_figure: Figure = ACTION_TAKEN
    marac: list[Section] = field(default_factory=list)
    read_from: str = ""  # how far behind the main database, when read from a replica


def lines_of(
    current: dict[str, Any], previous: dict[str, Any], policy: Policy, on: str = ""
) -> list[Line]:
    keys = list(current) + [key for key in previous if key not in current]
    return [
        (
            item_label(key, policy, on),
            shown(key, current.get(key, 0)),
            shown(key, previous.get(key, 0)),
        )
        for key in keys
    ]


def shown(key: str, value: Any) -> Any:
    """A rate as a percentage, an average to one decimal place, a missing one as "None"."""
    if value is None:
        return "None"
    if isinstance(value, float):
        return f"{value:.0%}" if key == "rate" else f"{value:.1f}"
    return value


def action_rows(current: dict[str, Any], previous: dict[str, Any]) -> list[ActionRow]:
    """The "action taken" table, where the report has the figure (the policy lists it)."""
    before = previous.get("action_taken", {})
    return [
        ActionRow(
            action_kind_label(kind),
            states["done"],
            states["open"],
            states["cancelled"],
            tuple(before.get(kind, {}).get(state, 0) for state in ("done", "open", "cancelled")),
        )
        for kind, states in current.get("action_taken", {}).items()
    ]


def marac_sections(
    current: dict[str, Any], previous: dict[str, Any], policy: Policy
) -> list[Section]:
    """The cases heard at MARAC, then one table for each agency's MARAC actions."""
    now, before = current.get("marac"), previous.get("marac", {})
    if not now:
        return []
    heard = [(item_label(k, policy), now[k], before.get(k, 0)) for k in ("heard", "repeats")]
    sections = [Section(MARAC_HEARD, heard)]
    actions, before_actions = now["actions"], before.get("actions", {})
    for n, agency in enumerate([*actions, *(a for a in before_actions if a not in actions)]):
        lines = [
            (
                label,
                actions.get(agency, {}).get(key, 0),
                before_actions.get(agency, {}).get(key, 0),
            )
            for key, label in MARAC_ACTION_LABELS.items()
        ]
        title = f"{MARAC_ACTIONS.title}: {agency_label(agency, policy)}"
        definition = MARAC_ACTIONS.definition if n == 0 else ""
        sections.append(Section(Figure(f"marac_actions-{agency}", title, definition), lines))
    return sections


def dashboard(current: dict[str, Any], previous: dict[str, Any], policy: Policy) -> Dashboard:
    """The figures the policy's `monitoring.fields` has (and compliance, always)."""
    breakdowns = []
    for figure in (f for f in BREAKDOWNS if reported(f.key, policy)):
        now, before = current[figure.key], previous[figure.key]
        lines = lines_of(now, before, policy)
        chart = None
        if figure.key in CHARTED:
            charted = [
                (item_label(key, policy), now.get(key, 0), before.get(key, 0))
                for key in now
                if key not in NOT_CHARTED_ITEMS
            ]
            chart = bar_chart(figure.key, figure.title, charted)
        breakdowns.append(Section(figure, lines, chart))
    diversity = []
    groups = (("survivors", "Survivors"), ("alleged_perpetrators", "Alleged perpetrators"))
    for group, title in groups if reported("diversity", policy) else ():
        sections = [
            Section(
                Figure(f"{group}-{name}", FIELD_LABELS.get(name, name), ""),
                lines_of(counts, previous["diversity"][group].get(name, {}), policy, name),
            )
            for name, counts in current["diversity"][group].items()
        ]
        diversity.append((title, sections))
    compliance = []
    for figure in COMPLIANCE:
        now, before = (
            dict(current["compliance"][figure.key]),
            dict(previous["compliance"][figure.key]),
        )
        approvers = now.pop("approved_by", [])
        before.pop("approved_by", None)
        notes = [f"Approved by {a['name']} ({a['role']}): {a['count']}" for a in approvers]
        compliance.append(Section(figure, lines_of(now, before, policy), notes=notes))
    return Dashboard(
        current=current,
        previous=previous,
        totals=[(f, current[f.key], previous[f.key]) for f in TOTALS if reported(f.key, policy)],
        breakdowns=breakdowns,
        diversity=diversity,
        diversity_figure=DIVERSITY,
        compliance=compliance,
        action_taken=action_rows(current, previous),
        marac=marac_sections(current, previous, policy),
        read_from=read_from_words(current.get("read_from")),
    )
