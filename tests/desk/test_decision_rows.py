"""The rows of the queues of decisions (desk/templatetags/decisions.py), written by
`decision_case` and `closure_rows` since issue 19 instead of a {% for %} loop that
included desk/includes/decision_case.html for each row: the same HTML, byte for byte,
as the loop wrote for every kind of row, and everything typed escaped.

`CASE_CELLS` and `CLOSURE_LOOP` are the include and the closure queues' loop as the
templates held them before the tags (commit 61a2400), the include written inline (a
`{% with %}` renders it in the same context as `{% include ... with %}` did): the
oracle the tags are held to, not a second copy of the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from safehold.accounts.models import Staff, Team
from safehold.cases.models import Case
from tests.casedata import LATE_EVENING_UTC, listed_case

CASE_CELLS = """
<td class="govuk-table__cell" data-label="Survivor">{% if not c.survivor_shown %}<span class="govuk-body-s">Not shown: you decide on this case without working on it</span>{% elif c.survivor_erased %}Details erased at the end of the retention period{% else %}<span class="govuk-!-font-weight-bold">{{ c.survivor_name|default:"Name not given" }}</span><br>
  <span class="govuk-body-s">{% if c.survivor_born %}Born {{ c.survivor_born|day }}{% else %}Date of birth not given{% endif %}</span>{% endif %}</td>
<td class="govuk-table__cell" data-label="Case"><a class="govuk-link" href="{{ href }}">{{ c.reference }}{% if what %}<span class="govuk-visually-hidden">: {{ what }}</span>{% endif %}</a>{% if c.survivor_shown %}<br>
  <span class="govuk-body-s">{{ c.get_status_display }}, {% if c.risk_level %}{{ c.get_risk_level_display|lower }} risk{% else %}risk not assessed{% endif %}</span>{% endif %}</td>
"""  # noqa: E501 - the template's own lines
CLOSURE_LOOP = (
    """{% load closure_labels %}{% for case in rows %}<tr class="govuk-table__row">
    {% if queue.slug == 'closures-to-approve' %}{% url 'case-closure-decision' case.pk as href %}{% elif queue.slug == 'closures-to-evaluate' %}{% url 'case-closure-evaluation' case.pk as href %}{% else %}{% url 'case-feedback-request' case.pk as href %}{% endif %}{% with c=case what="" %}"""  # noqa: E501
    + CASE_CELLS
    + """{% endwith %}
    <td class="govuk-table__cell" data-label="Team">{{ case.team.name }}</td>
    <td class="govuk-table__cell" data-label="Officer">{{ case.assigned_officer.full_name|default:"Not assigned" }}</td>
    <td class="govuk-table__cell" data-label="{% if queue.slug == "closures-to-approve" %}Reported{% else %}Closed{% endif %}">{% if queue.slug == "closures-to-approve" %}{{ case.reported_at|date:"j M Y" }}{% else %}{{ case.closed_at|date:"j M Y" }}: {{ case.closure_reason|closure_reason }}{% endif %}</td></tr>
  {% empty %}<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="5">None.</td></tr>{% endfor %}"""  # noqa: E501
)
CLOSURE_TAG = (
    "{% load decisions %}{% if rows %}{% closure_rows rows queue.slug %}{% else %}"
    '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="5">None.</td></tr>'
    "{% endif %}"
)
SCRIPT = "<script>alert('x')</script>"
SLUGS = ("closures-to-approve", "closures-to-evaluate", "feedback-to-ask")
CLOSED = {
    "status": "closed",
    "closed_at": datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
    "closure_reason": "resolved",
    "survivor_shown": True,  # named_where_seen: the reader may see the case
}


def a_case(n: int, **shown: object) -> Case:
    """A closed case as a closure queue's row sees it."""
    return listed_case(n, **{**CLOSED, **shown})


CASES = [
    a_case(1),
    a_case(2, survivor_shown=False),  # a restricted case its reader only decides on
    a_case(3, survivor_erased=True, risk_level=None, assigned_officer=None),
    a_case(4, survivor_name="", survivor_born=None, status="closing"),
    a_case(5, survivor_name=SCRIPT, reference=SCRIPT, team=Team(name=SCRIPT)),
    a_case(6, assigned_officer=Staff(full_name=SCRIPT), closure_reason="not_a_reason"),
    a_case(7, reported_at=LATE_EVENING_UTC, closed_at=LATE_EVENING_UTC, risk_level="standard"),
    a_case(8, closed_at=None),
]


def loop(rows: list[Case], slug: str) -> str:
    return Template(CLOSURE_LOOP).render(Context({"rows": rows, "queue": {"slug": slug}}))


def tag(rows: list[Case], slug: str) -> str:
    return Template(CLOSURE_TAG).render(Context({"rows": rows, "queue": {"slug": slug}}))


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.pk[-2:])
def test_each_closure_row_is_what_the_loop_wrote(case: Case, slug: str) -> None:
    assert tag([case], slug) == loop([case], slug)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_page_of_closure_rows_and_an_empty_queue_are_what_the_loop_wrote(slug: str) -> None:
    assert tag(CASES, slug) == loop(CASES, slug)
    assert tag([], slug) == loop([], slug)


def test_closure_rows_escape_what_was_typed_and_show_londons_day() -> None:
    written = tag(CASES, "closures-to-evaluate")
    assert "<script>" not in written
    assert written.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 4
    assert "Born 12 April 1988" in written
    assert "1 Apr 2026: " in written  # London's day, not UTC's
    assert 'href="/cases/case_00000000000000000001/closure/evaluation">DA-2026-00001</a>' in written
    assert written.count("Not shown: you decide on this case without working on it") == 1


@pytest.mark.parametrize("what", ["", "the appeal", SCRIPT])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.pk[-2:])
def test_a_decision_case_is_what_the_include_wrote(case: Case, what: str) -> None:
    context = {"c": case, "href": "/appeals/apl_1", "what": what}
    before = Template("{% load words %}" + CASE_CELLS).render(Context(context))
    after = Template("{% load decisions %}{% decision_case c href what %}").render(Context(context))
    assert after == before
