"""The rows of the monitoring report's tables and the bars of its charts, written in
Python: a page of the report holds a few hundred of them, and each written in the
template language cost a dozen template nodes, most of the page's time (issue 19,
docs/performance.md). The markup is what the templates wrote; every value is written as
the template would have written it (`render_value_in_context`: localised or not, as
the page says, then escaped: `shown`), so nothing a person typed reaches the page
unescaped. A whole number is written as it is, as the page writes it (no thousands
separator: settings.USE_THOUSAND_SEPARATOR is off), without the escaping machinery's
cost, which was most of what was left.

    {% load figures %}
    {% figure_rows section.lines %}     <tr> for each (label, this period, previous)
    {% chart_bars chart %}              <g> for each bar of a `charts.Chart`
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from safehold.reports.charts import Chart
from safehold.web import words

register = template.Library()

ROW = (
    '<tr class="govuk-table__row">'
    '<th scope="row" class="govuk-table__header">{}</th>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    "</tr>"
)
BAR = (
    '<g transform="translate(0,{})">'
    '<text x="{}" y="{}" text-anchor="end" font-family="Arial, sans-serif" font-size="14"'
    ' fill="#0b0c0c">{}</text>'
    '<rect x="{}" y="2" width="{}" height="{}" fill="#1d70b8"></rect>'
    '<text x="{}" y="{}" font-family="Arial, sans-serif" font-size="13" fill="#0b0c0c">{}</text>'
    '<rect x="{}" y="{}" width="{}" height="{}" fill="#b1b4b6"></rect>'
    "</g>"
)


def shown(value: Any, context: Context) -> str:
    """`value` as the template writes `{{ value }}`, escaped; a whole number as it is."""
    if type(value) is int:  # not a bool, not a subclass that might write itself
        return str(value)
    return render_value_in_context(value, context)


def written(markup: str, rows: Iterable[tuple[Any, ...]], context: Context) -> SafeString:
    """`markup` filled with each row's values, every one of them through `shown`."""
    return mark_safe(  # noqa: S308 - every value is escaped by shown()
        "\n".join(markup.format(*(shown(v, context) for v in row)) for row in rows)
    )


@register.simple_tag(takes_context=True)
def figure_rows(context: Context, lines: Iterable[tuple[Any, Any, Any]]) -> SafeString:
    """A table's rows: its label, this period's value and the previous period's, each
    as people read it (`words.plain`: a date as its day, a flag as Yes or No)."""
    return written(
        ROW,
        ((label, words.plain(value), words.plain(before)) for label, value, before in lines),
        context,
    )


@register.simple_tag(takes_context=True)
def chart_bars(context: Context, chart: Chart) -> SafeString:
    """A chart's bars, where `charts.bar_chart` placed them: this period's dark, the
    previous period's light beneath it, the label to the left, the value to the right."""
    return written(
        BAR,
        (
            (
                bar.y,
                chart.label_x,
                chart.bar_height,
                bar.short_label,
                chart.label_width,
                bar.width,
                chart.bar_height,
                bar.value_x,
                chart.bar_height,
                bar.value,
                chart.label_width,
                chart.previous_y,
                bar.previous_width,
                chart.previous_height,
            )
            for bar in chart.bars
        ),
        context,
    )
