"""Filters for the subject access PDF, whose values are the export's JSON strings."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template

from safehold.web import words as plain_words

register = template.Library()
LONDON = ZoneInfo("Europe/London")


@register.filter
def when(value: str | None) -> str:
    """An export time ("2026-01-31T10:15:00Z") or date as people read it, in London."""
    if not value:
        return ""
    try:
        if "T" not in value:
            return date.fromisoformat(value).strftime("%-d %B %Y")
        moment = datetime.fromisoformat(value).astimezone(LONDON)
    except ValueError:
        return value
    return plain_words.moment(moment)  # 31 January 2026, 10:15am (GOV.UK, issue 18)


@register.filter
def words(value: object) -> str:
    """An id from the vocabularies as words: "controlling_or_coercive" to "controlling
    or coercive"; a list joined with commas; yes and no for flags."""
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(item).replace("_", " ") for item in value) or "None"
    return str(value).replace("_", " ")
