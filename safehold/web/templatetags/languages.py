"""`{% load languages %}`: a stored language code shown by name.

{{ case.interpreter_language|language }}   Polish
{{ staff.languages|languages }}            Punjabi, Urdu
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from safehold.web.languages import language_name, language_names

register = template.Library()


@register.filter
def language(code: str) -> str:
    return language_name(code) if code else ""


@register.filter
def languages(codes: Iterable[str]) -> str:
    return language_names(codes or ())
