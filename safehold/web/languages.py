"""Languages by name (issue 18): an interpreter's language and the languages a member of
staff speaks are stored as codes (`pl`, `ur`) and chosen and shown by name (Polish,
Urdu). The names are Django's (django.conf.locale.LANG_INFO), with a few languages
often interpreted for in the UK that Django has no translation for, and so no name."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.conf.locale import LANG_INFO

# Spoken (and signed) languages an interpreter is often booked for that Django lacks.
MORE_LANGUAGES = {
    "am": "Amharic",
    "bfi": "British Sign Language",
    "gu": "Gujarati",
    "ku": "Kurdish",
    "ps": "Pashto",
    "prs": "Dari",
    "rom": "Romani",
    "so": "Somali",
    "ti": "Tigrinya",
    "yue": "Cantonese",
    "cmn": "Mandarin",
}


@cache
def names() -> dict[str, str]:
    """Each language code Safehold offers, with its English name; a country's variant
    (en-gb, es-ar) is left out, as an interpreter is booked for the language."""
    found = {
        code: info["name"] for code, info in LANG_INFO.items() if "name" in info and "-" not in code
    }
    return {**found, **MORE_LANGUAGES}


def language_choices() -> list[tuple[str, str]]:
    """(code, name) for a select or checkboxes, by name."""
    return sorted(names().items(), key=lambda item: item[1])


def language_name(code: str) -> str:
    """The language's name; a code stored before names were offered, and not known,
    is shown as stored."""
    return names().get((code or "").strip().lower(), code)


def language_names(codes: Iterable[str]) -> str:
    return ", ".join(language_name(code) for code in codes or ())
