"""The period a report covers: whole London days, `start` to `end` inclusive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from safehold.errors import Refusal
from safehold.policy.clock import LONDON

MAX_YEARS = 10


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def starts_at(self) -> datetime:
        """Midnight in London at the start of the first day, in UTC."""
        return datetime.combine(self.start, time(), tzinfo=LONDON).astimezone(UTC)

    @property
    def ends_before(self) -> datetime:
        """Midnight in London after the last day, in UTC: the period is [starts_at, ends_before)."""
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=LONDON).astimezone(UTC)

    def previous(self) -> Period:
        """The period of the same length just before, for comparison."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise Refusal(
            "invalid_date", f"{field} must be a date like 2026-04-01", field=field, status=400
        ) from None


def period_of(start: date, end: date, *, today: date) -> Period:
    """A period to report on, or a refusal saying what is wrong with it."""
    if end < start:
        raise Refusal("period_ends_before_start", "The period ends before it starts", field="to")
    if start > today:
        raise Refusal("period_in_future", "The period starts in the future", field="from")
    if end >= years_after(start, MAX_YEARS):
        raise Refusal("period_too_long", f"A report covers at most {MAX_YEARS} years", field="to")
    return Period(start, end)


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_parse(start: str, end: str, *, today: date) -> Period:
    return period_of(parse_date(start, "from"), parse_date(end, "to"), today=today)
