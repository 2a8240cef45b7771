"""The found-cases table's rows (cases/includes/found_table.html), written by the
`found_rows` tag since issue 19 instead of a {% for %} loop: the same HTML, byte for
byte, as the loop wrote for every kind of row, and everything typed escaped.

`LOOP` is the loop as the template held it before the tag (commit 10f16c1): the oracle
the tag is held to, not a second copy of the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from safehold.cases.models import Case
from safehold.cases.selectors import Due
from safehold.desk.queues import Dated
from tests.casedata import LATE_EVENING_UTC, listed_case

LOOP = """{% for case in cases %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Survivor">
        {% if case.survivor_erased %}Details erased at the end of the retention period{% else %}<span class="govuk-!-font-weight-bold">{{ case.survivor_name|default:"Name not given" }}</span><br>
        <span class="govuk-body-s">{% if case.survivor_born %}Born {{ case.survivor_born|date:"j F Y" }}{% else %}Date of birth not given{% endif %}</span>{% endif %}
      </td>
      <td class="govuk-table__cell" data-label="Case"><a class="govuk-link" href="{% url 'case' case.pk %}">{{ case.reference }}</a>{% if case.repeat %} <strong class="govuk-tag govuk-tag--purple">Repeat</strong>{% endif %}<br>
        <span class="govuk-body-s">{{ case.team.name }}, reported {{ case.reported_at|date:"j F Y" }}</span></td>
      <td class="govuk-table__cell" data-label="Status and risk">{{ case.get_status_display }}<br>
        <span class="govuk-body-s">{% if case.risk_level %}{{ case.get_risk_level_display }} risk{% else %}Risk not assessed{% endif %}</span></td>
      <td class="govuk-table__cell" data-label="Officer">{{ case.assigned_officer.full_name|default:"Not assigned" }}</td>
      <td class="govuk-table__cell" data-label="Next due">{% if case.next_due %}{{ case.next_due.what }} by {% if case.next_due.when %}{{ case.next_due.when }}{% else %}{{ case.next_due.at|date:"j F Y" }}{% endif %}{% if case.next_due.overdue %} <strong class="govuk-tag govuk-tag--red">{{ case.next_due.words|default:"Overdue" }}</strong>{% elif case.next_due.words %}<br><span class="govuk-body-s">{{ case.next_due.words }}</span>{% endif %}{% else %}Nothing due{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501 - the template's own lines
SCRIPT = "<script>alert('x')</script>"
a_case = listed_case


def dated(**fields: object) -> Dated:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    defaults: dict = {"what": "Review", "at": at, "overdue": False, "when": "", "words": ""}
    return Dated(**{**defaults, **fields})  # type: ignore[arg-type]


CASES = [
    a_case(1),
    a_case(2, repeat=True, next_due=dated(overdue=True, words="3 days overdue")),
    a_case(3, next_due=dated(overdue=True)),  # overdue with no words: "Overdue"
    a_case(4, next_due=dated(words="Due in 4 days", when="4 December 2026, 2:36pm")),
    a_case(5, next_due=Due(what="First contact", at=LATE_EVENING_UTC, overdue=False)),
    a_case(6, survivor_erased=True, risk_level=None, assigned_officer=None),
    a_case(7, survivor_name="", survivor_born=None, status="closed"),
    a_case(8, survivor_name=SCRIPT, reference=SCRIPT, next_due=dated(what=SCRIPT, words=SCRIPT)),
    a_case(9, reported_at=LATE_EVENING_UTC, risk_level="standard"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.reference[-5:])
def test_each_row_is_what_the_loop_wrote(case: Case) -> None:
    context = {"cases": [case]}
    before = Template(LOOP).render(Context(context))
    after = Template("{% load cases %}{% found_rows cases %}").render(Context(context))
    assert after == before


def test_a_page_of_rows_is_what_the_loop_wrote_and_escapes_what_was_typed() -> None:
    context = {"cases": CASES}
    after = Template("{% load cases %}{% found_rows cases %}").render(Context(context))
    assert after == Template(LOOP).render(Context(context))
    assert "<script>" not in after
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in after
    assert "Born 12 April 1988" in after
    assert "reported 1 April 2026" in after  # London's day, not UTC's
    assert "First contact by 1 April 2026" in after
