from __future__ import annotations

from django import template

from safehold.cases import diversity, selectors
from safehold.cases.models import Case

register = template.Library()


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
