"""The report's bar charts, drawn on the server: where each bar, label and value goes,
worked out in Python (`reports/charts.py`) and written into the SVG by
`reports/chart.html`, for the page and the board report alike."""

from __future__ import annotations

from django.template.loader import render_to_string

from safehold.reports.charts import BAR_HEIGHT, GAP, LABEL_WIDTH, bar_chart

LONG = "Referred by a housing association other than this one, in writing"


def test_a_chart_places_each_bar_from_the_largest_value() -> None:
    chart = bar_chart("by_source", "Source", [("Police", 6, 3), ("Self", 1, "<5"), (LONG, 0, 0)])
    police, self_, long = chart.bars
    assert [bar.y for bar in chart.bars] == [0, 2 * BAR_HEIGHT + GAP, 4 * BAR_HEIGHT + 2 * GAP]
    assert (police.width, police.previous_width) == (300, 150)
    assert (self_.width, self_.previous_width) == (50, 0)  # "<5" draws no bar
    assert police.value_x == LABEL_WIDTH + 300 + 6
    assert long.value_x == LABEL_WIDTH + 6
    assert long.short_label == LONG[:31] + "…"  # as Django's truncatechars:32 cuts it
    assert police.short_label == "Police"
    assert chart.height == 3 * (2 * BAR_HEIGHT + GAP)


def test_the_svg_says_where_each_bar_goes() -> None:
    chart = bar_chart("by_source", "Source", [("Police", 6, 3), (LONG, 1, 0)])
    svg = render_to_string("reports/chart.html", {"chart": chart})
    assert '<text x="222" y="14" text-anchor="end"' in svg
    assert f">{LONG[:31]}…</text>" in svg
    assert LONG not in svg.split("<desc")[0]  # the whole label is in the table, not here
    assert '<rect x="230" y="2" width="300" height="14" fill="#1d70b8">' in svg
    assert '<text x="536" y="14"' in svg  # the value beside its bar
    assert '<text x="286" y="14"' in svg
    assert '<rect x="230" y="17" width="150" height="10" fill="#b1b4b6">' in svg
