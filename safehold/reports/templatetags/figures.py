"""The rows of the monitoring report's tables and the bars of its charts, written in
Python: a page of the report holds a few hundred of them, and each written in the
template language cost a dozen template nodes, most of the page's time (issue 19,
docs/performance.md). The markup is what the templates wrote; every value is written as
the template would have written it, escaped (safehold/web/rows.py `shown`), so
nothing a person typed reaches the page unescaped.

    {% load figures %}
    {% figure_rows section.lines %}     <tr> for each (label, this period, previous)
    {% chart_bars chart %}              <g> for each bar of a `charts.Chart`
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from safehold.reports.charts import Chart
from safehold.web import words
from safehold.web.rows import written

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
