"""The rows of the queues of decisions (desk/queue.html, closure/queue_rows.html),
written in Python (issue 19): a row written by a `{% for %}` loop that includes a
template for its case cost a hundred or so template nodes, most of a 50-row closure
queue's time. `decision_case` writes who the case is about and the case (what
desk/queue_pages.py `named_where_seen` read: a reader who only decides on a restricted
case sees no name); `closure_rows` writes a whole row of the closure queues. Every value
goes through web/rows.py `shown`, escaped as `{{ }}` did."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.context import Context
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from safehold.cases.models import Case
from safehold.closure.templatetags.closure_labels import closure_reason
from safehold.web import words
from safehold.web.rows import written

register = template.Library()

# Who the case is about, then the case: the two cells every decision queue's row begins
# with. The case's link goes to the decision's own page (`href`).
DECISION_CASE = (
    '\n<td class="govuk-table__cell" data-label="Survivor">{}</td>'
    '\n<td class="govuk-table__cell" data-label="Case"><a class="govuk-link" href="{}">{}{}</a>'
    "{}</td>\n"
)
NOT_SHOWN = (
    '<span class="govuk-body-s">Not shown: you decide on this case without working on it</span>'
)
ERASED = "Details erased at the end of the retention period"
SURVIVOR = (
    '<span class="govuk-!-font-weight-bold">{}</span><br>\n  <span class="govuk-body-s">{}</span>'
)
WHAT = '<span class="govuk-visually-hidden">: {}</span>'
STATUS = '<br>\n  <span class="govuk-body-s">{}, {}</span>'
# A row of the closure queues (to approve, to evaluate, feedback to ask for): the case's
# cells, its team, officer and the date the queue is about.
CLOSURE_ROW = (
    '<tr class="govuk-table__row">\n    {}'
    '\n    <td class="govuk-table__cell" data-label="Team">{}</td>'
    '\n    <td class="govuk-table__cell" data-label="Officer">{}</td>'
    '\n    <td class="govuk-table__cell" data-label="{}">{}</td></tr>\n  '
)
# Each closure queue's decision page, and the date its rows are about.
CLOSURE_PAGES = {
    "closures-to-approve": "case-closure-decision",
    "closures-to-evaluate": "case-closure-evaluation",
    "feedback-to-ask": "case-feedback-request",
}


@register.simple_tag(takes_context=True)
def decision_case(context: Context, case: Case, href: str, what: str = "") -> SafeString:
    """The survivor's and the case's cells of a decision queue's row."""
    return written(DECISION_CASE, [decision_case_row(case, href, what)], context, between="")


def decision_case_row(case: Case, href: str, what: str) -> tuple[Any, ...]:
    seen = getattr(case, "survivor_shown", False)
    status = ""
    if seen:
        risk = (
            f"{case.get_risk_level_display().lower()} risk"
            if case.risk_level
            else "risk not assessed"
        )
        status = format_html(STATUS, case.get_status_display(), risk)
    return (
        survivor_cell(case) if seen else SafeString(NOT_SHOWN),
        href,
        case.reference,
        format_html(WHAT, what) if what else "",
        status,
    )


def survivor_cell(case: Case) -> str:
    if getattr(case, "survivor_erased", False):
        return ERASED
    born = getattr(case, "survivor_born", None)
    return format_html(
        SURVIVOR,
        getattr(case, "survivor_name", "") or "Name not given",
        f"Born {words.day(born)}" if born else "Date of birth not given",
    )


@register.simple_tag(takes_context=True)
def closure_rows(context: Context, cases: Iterable[Case], slug: str) -> SafeString:
    """The rows of the closure queue `slug` (one of CLOSURE_PAGES)."""
    page = CLOSURE_PAGES[slug]
    approving = slug == "closures-to-approve"
    rows = (
        (
            decision_case(context, case, reverse(page, args=[case.pk])),
            getattr(case.team, "name", ""),
            getattr(case.assigned_officer, "full_name", "") or "Not assigned",
            "Reported" if approving else "Closed",
            words.day(case.reported_at, short=True)
            if approving
            else f"{words.day(case.closed_at, short=True)}: {closure_reason(case.closure_reason)}",
        )
        for case in cases
    )
    return written(CLOSURE_ROW, rows, context, between="")
