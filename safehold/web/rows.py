"""Rows of a long table written in Python, for the template tags of the pages that list
many of them (the found-cases table, the monitoring report's tables and charts): a row
written in the template language costs a dozen or more template nodes, and at fifty
cases or a hundred figures a page that was most of the page's time (issue 19,
docs/performance.md). The markup stays in one string beside its template; every value
goes through `shown`, which writes it as `{{ value }}` would, escaped."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe


def shown(value: Any, context: Context) -> str:
    """`value` as the template writes `{{ value }}` (localised or not as the page says,
    then escaped; markup already safe stays as it is); a whole number as str() writes
    it, as the template does with the thousands separator off (settings), and plain text
    as Django's `escape` writes it (`html.escape`), without the escaping machinery's
    cost: most of a long select's rendering was that machinery."""
    kind = type(value)  # exactly these: not a bool, nor SafeString, nor a subclass
    if kind is int:
        return str(value)
    if kind is str:  # neither localised nor made local time: escaped, if the page escapes
        text: str = value
        return html.escape(text) if context.autoescape else text
    return render_value_in_context(value, context)


def written(
    markup: str, rows: Iterable[tuple[Any, ...]], context: Context, *, between: str = "\n"
) -> SafeString:
    """`markup` filled with each row's values, every one of them through `shown`."""
    return mark_safe(  # noqa: S308 - every value is escaped by shown()
        between.join(markup.format(*(shown(v, context) for v in row)) for row in rows)
    )
