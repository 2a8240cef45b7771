"""How Safehold words times, counts, roles and lists in sentences (GOV.UK style)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from safehold.policy.vocabulary import ROLE_LABELS, Role

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def clock_time(moment: time) -> str:
    """GOV.UK style: 9am, 5pm, 4:30pm, midday, midnight."""
    if moment == time(12, 0):
        return "midday"
    if moment == time(0, 0):
        return "midnight"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def ordinal(number: int) -> str:
    """first, second ... eighth, then 9th, 10th, 21st."""
    if number <= len(_ORDINALS):
        return _ORDINALS[number - 1]
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def count(number: int, unit: str) -> str:
    """1 hour, 24 hours."""
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def months(number: int) -> str:
    """12 → year, 36 → 3 years, 18 → 18 months."""
    if number % 12 == 0:
        years = number // 12
        return "year" if years == 1 else f"{years} years"
    return count(number, "month")


def roles_named(roles: Iterable[Role]) -> str:
    """a manager, a director or a domestic abuse lead."""
    named = [ROLE_LABELS[role] for role in roles]
    return or_list([f"{'an' if label[0] in 'aeiou' else 'a'} {label}" for label in named])


def and_list(items: list[str]) -> str:
    """a, b and c."""
    return _join(items, "and")


def or_list(items: list[str]) -> str:
    """a, b or c."""
    return _join(items, "or")


def _join(items: list[str], word: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
