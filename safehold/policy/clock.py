"""The one clock: every deadline in Safehold is computed here, from the policy.

Two kinds of time, as API.md §5 "Response and contact" defines them:

- clock hours are elapsed time, counted in UTC, so "24 hours" is 24 real hours even
  across a change of the clocks;
- working days are counted in Europe/London: a deadline of N working days falls at
  close of business (`working_hours.end`) on the Nth working day after the day the
  thing arrived, a working day being Monday to Friday and not a bank holiday of the
  policy's nation.

Every function takes and returns aware datetimes; results are in UTC. A naive datetime
is refused, because guessing its zone is how deadlines end up an hour out.
"""

from __future__ import annotations

import calendar
import functools
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import holidays

from safehold.policy.schema import AppealStage, Policy, ResponseTarget
from safehold.policy.vocabulary import Nation, RiskLevel

LONDON: Final = ZoneInfo("Europe/London")

# The years a time in Safehold may fall in. Python's dates end at years 1 and 9999, where
# a time cannot be shown in London or have a deadline or a year's look-back applied;
# nothing in casework happens outside these, so the API and the pages refuse them.
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2999

# The `holidays` package's subdivisions of the United Kingdom.
_HOLIDAY_SUBDIVISIONS: Final[dict[Nation, str]] = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given to the clock."""


def _require_aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"{name} must be timezone-aware, got {moment.isoformat()}")
    return moment


@functools.cache
def bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    """The bank holidays of `nation` in `year`, substitute days included."""
    calendar_ = holidays.country_holidays(
        "GB", subdiv=_HOLIDAY_SUBDIVISIONS[nation], years=(year - 1, year, year + 1)
    )
    return frozenset(day for day in calendar_ if day.year == year)


def is_working_day(policy: Policy, day: date) -> bool:
    """Monday to Friday, and not a bank holiday where the policy's provider works."""
    return day.weekday() < 5 and day not in bank_holidays(policy.nation, day.year)


def london_date(moment: datetime) -> date:
    """The calendar day in London at `moment`: what counts as "the day of receipt"."""
    return _require_aware(moment, "moment").astimezone(LONDON).date()


def close_of_business(policy: Policy, day: date) -> datetime:
    """`working_hours.end` on `day`, London time, as a UTC datetime."""
    return datetime.combine(day, policy.working_hours.end, tzinfo=LONDON).astimezone(UTC)


def working_days_after(policy: Policy, start: datetime, n: int) -> datetime:
    """Close of business on the `n`th working day after the London day of `start`.

    The day of `start` never counts, whatever the time and even if it is a working day:
    a report at 08:00 on a Monday with a target of 1 working day is due at close of
    business on Tuesday.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1 working day, got {n}")
    day = london_date(_require_aware(start, "start"))
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(policy, day):
            counted += 1
    return close_of_business(policy, day)


def clock_hours_after(start: datetime, hours: int) -> datetime:
    """`hours` elapsed hours after `start`, in UTC (so a clock change cannot shift it)."""
    return _require_aware(start, "start").astimezone(UTC) + timedelta(hours=hours)


def deadline_after(policy: Policy, start: datetime, target: ResponseTarget) -> datetime:
    """When a target of clock hours or working days, counted from `start`, runs out."""
    if target.kind == "clock_hours":
        return clock_hours_after(start, target.amount)
    return working_days_after(policy, start, target.amount)


def response_due_at(
    policy: Policy, reported_at: datetime, risk_level: RiskLevel | None = None
) -> datetime:
    """When the survivor must have been contacted (API.md §5 `response_due_at`).

    `risk_level` is the severity judged when the report was received, or None when it
    was not; a policy may set a different target per level. A later risk assessment
    moves the deadline only through `response_due_after_assessment`.
    """
    _require_aware(reported_at, "reported_at")
    return deadline_after(policy, reported_at, policy.response_target_for(risk_level))


def response_due_after_assessment(
    policy: Policy,
    *,
    due_at: datetime,
    reported_at: datetime,
    risk_level: RiskLevel,
    assessed_at: datetime,
) -> datetime:
    """The response deadline once a risk assessment finds `risk_level`: it may come
    forward to that level's target, never go later, and never move once it has passed
    (a report that missed its target stays missed).

    The level's target counts from the report; when that time has already gone by the
    assessment, it counts from the assessment instead, so staff are not held to a time
    before they knew.
    """
    _require_aware(assessed_at, "assessed_at")
    if assessed_at > due_at:
        return due_at
    target = policy.response_target_for(risk_level)
    candidate = deadline_after(policy, reported_at, target)
    if candidate < assessed_at:
        candidate = deadline_after(policy, assessed_at, target)
    return min(due_at, candidate)


def emergency_repair_due_at(policy: Policy, raised_at: datetime) -> datetime:
    """When an emergency repair raised at `raised_at` must be done."""
    return clock_hours_after(raised_at, policy.emergency_repair_hours)


def next_review_due_at(policy: Policy, last: datetime) -> datetime:
    """When an open case is next due for review: the last review (or, with none, the
    report) plus `review_interval_days` elapsed days."""
    return _require_aware(last, "last").astimezone(UTC) + timedelta(
        days=policy.review_interval_days
    )


def review_due_on(policy: Policy, last: datetime, on: date | None) -> datetime:
    """When the review after one at `last` is due, where that review set the date `on`:
    that day at the time of day of `last` (Europe/London), never later than the policy's
    interval allows. With no date set (a review from before dates were), the interval."""
    latest = next_review_due_at(policy, last)
    if on is None:
        return latest
    at = _require_aware(last, "last").astimezone(LONDON).time()
    return min(datetime.combine(on, at, tzinfo=LONDON).astimezone(UTC), latest)


def appeal_stage(policy: Policy, stage: Literal[1, 2]) -> AppealStage:
    """The deadlines of one stage; stage 2 only where the policy has one."""
    if stage == 1:
        return policy.appeals.stage_1
    if policy.appeals.stage_2 is None:
        raise ValueError("the policy has no second stage of appeal")
    return policy.appeals.stage_2


def appeal_acknowledgement_due_at(
    policy: Policy, received_at: datetime, stage: Literal[1, 2] = 1
) -> datetime:
    """When an appeal received at `received_at` must be acknowledged."""
    deadlines = appeal_stage(policy, stage)
    return working_days_after(policy, received_at, deadlines.acknowledge_working_days)


def appeal_answer_due_at(
    policy: Policy, acknowledged_at: datetime, stage: Literal[1, 2] = 1
) -> datetime:
    """When an appeal must be answered, counted from its acknowledgement (as the Housing
    Ombudsman's Complaint Handling Code counts it)."""
    deadlines = appeal_stage(policy, stage)
    return working_days_after(policy, acknowledged_at, deadlines.respond_working_days)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier, in UTC; a day that the
    earlier month lacks (31 April) becomes its last day."""
    moment = _require_aware(moment, "moment").astimezone(UTC)
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def repeat_window_start(policy: Policy, reported_at: datetime) -> datetime:
    """A report is a repeat when the same survivor had a case reported at or after this."""
    return months_before(reported_at, policy.definitions.repeat_months)


def marac_repeat_window_start(policy: Policy, referred_at: datetime) -> datetime:
    """A MARAC referral is a repeat when there was another at or after this."""
    return months_before(referred_at, policy.marac.repeat_months)
