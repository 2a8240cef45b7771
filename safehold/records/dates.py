"""Calendar arithmetic for subject access deadlines and the retention period.

Both count in calendar months and years, not in fixed numbers of days, and both land
on the last day of the month when the same date does not exist (31 January plus a
month is 28 or 29 February; 29 February minus a year is 28 February)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def one_calendar_month_after(day: date) -> date:
    """The ICO's rule for a subject access request: the same date next month, or the
    last day of next month when it has no such date."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def calendar_years_before(moment: datetime, years: int) -> datetime:
    """The same date and London time `years` years earlier; 29 February becomes the
    28th in a year that has none."""
    local = moment.astimezone(LONDON)
    try:
        return local.replace(year=local.year - years)
    except ValueError:  # 29 February, and the earlier year is not a leap year
        return local.replace(year=local.year - years, day=28)


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
