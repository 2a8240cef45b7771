"""The period a report covers: whole London days, `start` to `end` inclusive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from safehold.errors import Refusal
from safehold.policy.clock import LONDON

MAX_YEARS = 10
QUARTER_STARTS = (1, 4, 7, 10)


def months_earlier(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


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

    @property
    def whole_quarters(self) -> bool:
        """Whether the period is made of whole calendar quarters (January to March, April
        to June...), a financial year from April among them."""
        after = self.end + timedelta(days=1)
        return (
            self.start.day == 1
            and self.start.month in QUARTER_STARTS
            and after.day == 1
            and after.month in QUARTER_STARTS
        )

    def previous(self) -> Period:
        """The period of the same length just before, for comparison: as many whole
        quarters before, for a period of whole quarters; else as many days."""
        if self.whole_quarters:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            return Period(months_earlier(self.start, months), self.start - timedelta(days=1))
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
