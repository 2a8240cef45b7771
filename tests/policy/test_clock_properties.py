"""Invariants of the clock, for any report time, nation, target and close of business."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from safehold.policy.clock import LONDON, is_working_day, london_date, response_due_at
from safehold.policy.schema import Policy, ResponseTarget, WorkingHours
from safehold.policy.vocabulary import NATIONS, RESPONSE_TARGET_KINDS, ResponseTargetKind
from tests.policy.policies import policy_with

# No example database, so the suite leaves nothing behind in the checkout; no deadline,
# because the first call for a year builds that year's bank holidays.
clock_settings = settings(database=None, deadline=None, max_examples=300)

report_times = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2060, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, LONDON]),
    allow_imaginary=False,
)


@st.composite
def policies(draw: st.DrawFn, kind: ResponseTargetKind | None = None) -> Policy:
    target = ResponseTarget(
        kind=draw(st.sampled_from(RESPONSE_TARGET_KINDS)) if kind is None else kind,
        amount=draw(st.integers(min_value=1, max_value=72)),
    )
    close = draw(st.sampled_from([time(17), time(16, 30), time(18), time(12, 15)]))
    return policy_with(
        nation=draw(st.sampled_from(NATIONS)),
        response_target=target,
        working_hours=WorkingHours(end=close),
    )


@clock_settings
@given(policy=policies(), reported_at=report_times)
def test_it_is_never_before_the_report(policy: Policy, reported_at: datetime) -> None:
    assert response_due_at(policy, reported_at) > reported_at


@clock_settings
@given(policy=policies(), first=report_times, second=report_times)
def test_it_is_never_earlier_for_a_later_report(
    policy: Policy, first: datetime, second: datetime
) -> None:
    earlier, later = sorted([first, second])

    assert response_due_at(policy, earlier) <= response_due_at(policy, later)


@clock_settings
@given(policy=policies(kind="working_days"), reported_at=report_times)
def test_working_days_end_at_close_of_business_on_a_working_day(
    policy: Policy, reported_at: datetime
) -> None:
    due = response_due_at(policy, reported_at)
    due_in_london = due.astimezone(LONDON)

    assert due.tzinfo is UTC
    assert due_in_london.weekday() < 5
    assert is_working_day(policy, due_in_london.date())
    assert due_in_london.time() == policy.working_hours.end


@clock_settings
@given(policy=policies(kind="working_days"), reported_at=report_times)
def test_working_days_count_exactly_n_working_days_after_the_day_of_receipt(
    policy: Policy, reported_at: datetime
) -> None:
    received = london_date(reported_at)
    due = london_date(response_due_at(policy, reported_at))
    days_between = [received + timedelta(days=n) for n in range(1, (due - received).days + 1)]

    assert sum(is_working_day(policy, day) for day in days_between) == (
        policy.response_target.amount
    )


@clock_settings
@given(policy=policies(kind="clock_hours"), reported_at=report_times)
def test_clock_hours_are_exactly_that_many_elapsed_hours(
    policy: Policy, reported_at: datetime
) -> None:
    due = response_due_at(policy, reported_at)

    assert due - reported_at == timedelta(hours=policy.response_target.amount)
    assert due.tzinfo is UTC
