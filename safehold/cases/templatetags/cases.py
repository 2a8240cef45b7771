from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.context import Context
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from safehold.cases import diversity, selectors
from safehold.cases.models import Case
from safehold.web import words
from safehold.web.rows import written

register = template.Library()

# A row of cases/includes/found_table.html, as its {% for %} loop wrote it (issue 19:
# fifty rows of about twenty template nodes each were half of a list page's time). The
# survivor's cell, then the case, status and risk, officer and what is next due.
FOUND_ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <td class="govuk-table__cell" data-label="Survivor">\n        {}\n      </td>'
    '\n      <td class="govuk-table__cell" data-label="Case"><a class="govuk-link" href="{}">{}</a>'
    '{}<br>\n        <span class="govuk-body-s">{}, reported {}</span></td>'
    '\n      <td class="govuk-table__cell" data-label="Status and risk">{}<br>'
    '\n        <span class="govuk-body-s">{}</span></td>'
    '\n      <td class="govuk-table__cell" data-label="Officer">{}</td>'
    '\n      <td class="govuk-table__cell" data-label="Next due">{}</td>'
    "\n    </tr>\n  "
)
SURVIVOR = (
    '<span class="govuk-!-font-weight-bold">{}</span><br>'
    '\n        <span class="govuk-body-s">{}</span>'
)
REPEAT = ' <strong class="govuk-tag govuk-tag--purple">Repeat</strong>'
OVERDUE = ' <strong class="govuk-tag govuk-tag--red">{}</strong>'
DUE_IN_WORDS = '<br><span class="govuk-body-s">{}</span>'


@register.filter
def response_status(case: Case) -> str:
    return selectors.response_status(case)


@register.filter
def band(value: str, name: str) -> str:
    return diversity.label(name, value) if value else "Not asked"


@register.filter
def yes_no_unknown(value: bool | None) -> str:
    if value is None:
        return "Not asked"
    return "Yes" if value else "No"


@register.simple_tag(takes_context=True)
def found_rows(context: Context, cases: Iterable[Case]) -> SafeString:
    """The rows of the found-cases table (cases/includes/found_table.html) for cases
    read by `selectors.with_survivors` (and, on the queues, with `next_due` a
    `desk.queues.Dated`); what a case lacks is written as the template wrote it."""
    return written(FOUND_ROW, (found_row(case) for case in cases), context, between="")


def found_row(case: Case) -> tuple[Any, ...]:
    return (
        survivor_cell(case),
        reverse("case", args=[case.pk]),
        case.reference,
        SafeString(REPEAT) if getattr(case, "repeat", False) else "",
        getattr(case.team, "name", ""),
        words.day(case.reported_at),
        case.get_status_display(),
        f"{case.get_risk_level_display()} risk" if case.risk_level else "Risk not assessed",
        getattr(case.assigned_officer, "full_name", "") or "Not assigned",
        next_due_cell(getattr(case, "next_due", None)),
    )


def survivor_cell(case: Case) -> str:
    if getattr(case, "survivor_erased", False):
        return "Details erased at the end of the retention period"
    born = getattr(case, "survivor_born", None)
    return format_html(
        SURVIVOR,
        getattr(case, "survivor_name", "") or "Name not given",
        f"Born {words.day(born)}" if born else "Date of birth not given",
    )


def next_due_cell(due: Any) -> str:
    if not due:
        return "Nothing due"
    when = getattr(due, "when", "") or words.day(due.at)
    late = getattr(due, "words", "")
    after: str = ""
    if getattr(due, "overdue", False):
        after = format_html(OVERDUE, late or "Overdue")
    elif late:
        after = format_html(DUE_IN_WORDS, late)
    return format_html("{} by {}{}", due.what, when, after)
