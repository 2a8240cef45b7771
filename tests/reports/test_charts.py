"""The report's bar charts and tables, drawn on the server: where each bar, label and
value goes, worked out in Python (`reports/charts.py`) and written by
`reports/templatetags/figures.py` into `reports/chart.html` and `reports/table.html`,
for the page and the board report alike, escaped as the template would escape them."""

from __future__ import annotations

from django.template import Context, Template
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


def rendered(source: str, **context: object) -> str:
    return Template("{% load figures %}" + source).render(Context(context))


def test_a_tables_rows_are_written_as_the_template_wrote_them_and_escaped() -> None:
    lines = [
        ("<script>alert(1)</script> team", 3, "<5"),
        ("Agreed", True, False),
        ("Due", "2027-11-01", None),
        ("Share", 12.5, 0),
    ]
    html = rendered("{% figure_rows lines %}", lines=lines)
    assert "<script>" not in html
    assert (
        '<tr class="govuk-table__row">'
        '<th scope="row" class="govuk-table__header">'
        "&lt;script&gt;alert(1)&lt;/script&gt; team</th>"
        '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">&lt;5</td></tr>'
    ) in html
    assert ">Yes</td>" in html  # a flag in words
    assert ">No</td>" in html
    assert ">1 November 2027</td>" in html  # an ISO date as its day
    assert ">None</td>" in html  # as {{ value }} wrote them
    assert ">12.5</td>" in html
    assert html.count("<tr ") == 4


def test_a_charts_labels_and_values_are_escaped() -> None:
    chart = bar_chart("by_team", "Team", [("<b>Riverside</b>", 4, "<5")])
    html = rendered("{% chart_bars chart %}", chart=chart)
    assert "<b>" not in html
    assert ">&lt;b&gt;Riverside&lt;/b&gt;</text>" in html
    assert '<g transform="translate(0,0)">' in html
