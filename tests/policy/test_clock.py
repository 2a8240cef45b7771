"""The clock over the awkward days: Christmas and New Year with their substitute days,
Easter, both clock changes, reports at night, at weekends and on bank holidays.

Expected deadlines are worked out by hand from the published bank holidays, and
written as London wall-clock times, which is how a person would check them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from safehold.policy.clock import (
    LONDON,
    NaiveDatetimeError,
    appeal_acknowledgement_due_at,
    appeal_answer_due_at,
    bank_holidays,
    emergency_repair_due_at,
    is_working_day,
    marac_repeat_window_start,
    months_before,
    next_review_due_at,
    repeat_window_start,
    response_due_at,
    working_days_after,
)
from safehold.policy.loader import load_policy
from safehold.policy.schema import ResponseTarget, SecondAppealStage, WorkingHours
from tests.policy.policies import policy_with


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


ONE_WORKING_DAY = ResponseTarget(kind="working_days", amount=1)
TWENTY_FOUR_HOURS = ResponseTarget(kind="clock_hours", amount=24)

# (why, nation, reported at, due at close of business London time)
ONE_WORKING_DAY_CASES = [
    ("an ordinary Monday morning", "england", london(2026, 3, 9, 10), london(2026, 3, 10, 17)),
    ("before opening: the day of receipt never counts", "england",
     london(2026, 3, 9, 8), london(2026, 3, 10, 17)),
    ("late at night", "england", london(2026, 3, 9, 23, 30), london(2026, 3, 10, 17)),
    ("after midnight in London, still the day before in UTC", "england",
     utc(2026, 6, 9, 23, 30), london(2026, 6, 11, 17)),
    ("Friday evening", "england", london(2026, 3, 13, 18), london(2026, 3, 16, 17)),
    ("exactly at close of business on Friday", "england",
     london(2026, 3, 13, 17), london(2026, 3, 16, 17)),
    ("Saturday", "england", london(2026, 3, 14, 11), london(2026, 3, 16, 17)),
    ("Sunday night", "england", london(2026, 3, 15, 23, 59), london(2026, 3, 16, 17)),
    # Christmas Day Thursday, Boxing Day Friday.
    ("Christmas Eve 2025", "england", london(2025, 12, 24, 10), london(2025, 12, 29, 17)),
    ("Christmas Day 2025", "england", london(2025, 12, 25, 3), london(2025, 12, 29, 17)),
    # Boxing Day 2026 is a Saturday: the substitute day is Monday 28 December.
    ("Christmas Eve 2026, Boxing Day substitute", "england",
     london(2026, 12, 24, 15), london(2026, 12, 29, 17)),
    # Christmas 2021 fell at the weekend: substitute days Monday 27 and Tuesday 28.
    ("Christmas Eve 2021, both substitute days", "england",
     london(2021, 12, 24, 9), london(2021, 12, 29, 17)),
    # Christmas Day 2022 a Sunday: Boxing Day Monday 26, substitute Tuesday 27.
    ("the Friday before Christmas 2022", "england",
     london(2022, 12, 23, 16), london(2022, 12, 28, 17)),
    # New Year's Day 2022 a Saturday: substitute Monday 3 January.
    ("New Year's Eve 2021", "england", london(2021, 12, 31, 12), london(2022, 1, 4, 17)),
    # Scotland also keeps 2 January: substitutes Monday 3 and Tuesday 4 January.
    ("New Year's Eve 2021 in Scotland", "scotland",
     london(2021, 12, 31, 12), london(2022, 1, 5, 17)),
    ("New Year's Eve 2026", "england", london(2026, 12, 31, 12), london(2027, 1, 4, 17)),
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April (not a holiday in Scotland).
    ("Maundy Thursday 2026", "england", london(2026, 4, 2, 10), london(2026, 4, 7, 17)),
    ("Maundy Thursday 2026 in Wales", "wales", london(2026, 4, 2, 10), london(2026, 4, 7, 17)),
    ("Maundy Thursday 2026 in Scotland", "scotland",
     london(2026, 4, 2, 10), london(2026, 4, 6, 17)),
    ("Good Friday 2026", "england", london(2026, 4, 3, 10), london(2026, 4, 7, 17)),
    ("Easter Monday 2026", "northern_ireland", london(2026, 4, 6, 10), london(2026, 4, 7, 17)),
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026.
    ("the Friday before the spring clock change", "england",
     london(2026, 3, 27, 12), london(2026, 3, 30, 17)),
    ("during the spring clock change", "england",
     utc(2026, 3, 29, 1, 30), london(2026, 3, 30, 17)),
    # Clocks go back at 01:00 UTC on Sunday 25 October 2026; 01:30 happens twice.
    ("the Friday before the autumn clock change", "england",
     london(2026, 10, 23, 12), london(2026, 10, 26, 17)),
    ("the first 01:30 on the autumn change", "england",
     utc(2026, 10, 25, 0, 30), london(2026, 10, 26, 17)),
    ("the second 01:30 on the autumn change", "england",
     utc(2026, 10, 25, 1, 30), london(2026, 10, 26, 17)),
    # Summer bank holiday: last Monday of August in England, first Monday in Scotland.
    ("on the English summer bank holiday", "england",
     london(2025, 8, 25, 11), london(2025, 8, 26, 17)),
    ("the Friday before the English summer bank holiday", "england",
     london(2025, 8, 22, 11), london(2025, 8, 26, 17)),
    ("the Friday before the Scottish summer bank holiday", "scotland",
     london(2025, 8, 1, 11), london(2025, 8, 5, 17)),
    ("the same Friday in England", "england", london(2025, 8, 1, 11), london(2025, 8, 4, 17)),
    # St Patrick's Day, Tuesday 17 March 2026, only in Northern Ireland.
    ("the day before St Patrick's Day, Northern Ireland", "northern_ireland",
     london(2026, 3, 16, 11), london(2026, 3, 18, 17)),
    ("the day before St Patrick's Day, England", "england",
     london(2026, 3, 16, 11), london(2026, 3, 17, 17)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "nation", "reported_at", "expected"),
    ONE_WORKING_DAY_CASES,
    ids=[case[0] for case in ONE_WORKING_DAY_CASES],
)
def test_it_gives_one_working_day_until_close_of_business(
    why: str, nation: str, reported_at: datetime, expected: datetime
) -> None:
    policy = policy_with(nation=nation, response_target=ONE_WORKING_DAY)

    due = response_due_at(policy, reported_at)

    assert due == expected
    assert due.tzinfo is UTC


def test_it_counts_several_working_days_over_christmas() -> None:
    policy = policy_with(response_target=ResponseTarget(kind="working_days", amount=3))

    # Tuesday 29, Wednesday 30, Thursday 31 December 2026.
    assert response_due_at(policy, london(2026, 12, 24, 10)) == london(2026, 12, 31, 17)


def test_it_ends_the_working_day_when_the_policy_says() -> None:
    policy = policy_with(
        response_target=ONE_WORKING_DAY, working_hours=WorkingHours(end=time(16, 30))
    )

    assert response_due_at(policy, london(2026, 7, 6, 9)) == london(2026, 7, 7, 16, 30)


def test_it_gives_close_of_business_in_summer_time_as_utc() -> None:
    wrekin = load_policy("wrekin")

    due = response_due_at(wrekin, london(2026, 7, 6, 9))

    assert due == utc(2026, 7, 7, 16)


# (why, reported at, due at): 24 elapsed hours, whatever the wall clock says.
CLOCK_HOURS_CASES = [
    ("across the spring clock change", utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)),
    ("across the spring change, given in London time",
     london(2026, 3, 28, 12), london(2026, 3, 29, 13)),
    ("across the autumn clock change", utc(2026, 10, 24, 11), utc(2026, 10, 25, 11)),
    ("across the autumn change, given in London time",
     london(2026, 10, 24, 12), london(2026, 10, 25, 11)),
    ("on Christmas Eve, through Christmas Day", london(2026, 12, 24, 10), london(2026, 12, 25, 10)),
    ("at night at a weekend", london(2026, 3, 14, 23, 45), london(2026, 3, 15, 23, 45)),
    ("on a bank holiday", london(2026, 4, 6, 8), london(2026, 4, 7, 8)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "reported_at", "expected"), CLOCK_HOURS_CASES, ids=[c[0] for c in CLOCK_HOURS_CASES]
)
def test_it_counts_clock_hours_as_elapsed_time(
    why: str, reported_at: datetime, expected: datetime
) -> None:
    viridian = load_policy("viridian")

    due = response_due_at(viridian, reported_at)

    assert due == expected
    assert due - reported_at == timedelta(hours=24)
    assert due.tzinfo is UTC


def test_it_uses_the_target_for_the_risk_level() -> None:
    association = load_policy("association")
    reported_at = london(2026, 3, 13, 18)  # a Friday evening

    assert response_due_at(association, reported_at) == london(2026, 3, 14, 18)
    assert response_due_at(association, reported_at, "high") == london(2026, 3, 14, 18)
    assert response_due_at(association, reported_at, "medium") == london(2026, 3, 16, 17)
    assert response_due_at(association, reported_at, "standard") == london(2026, 3, 17, 17)


def test_it_falls_back_to_the_response_target_for_a_level_without_its_own() -> None:
    wrekin = load_policy("wrekin")

    assert response_due_at(wrekin, london(2026, 3, 9, 10), "high") == london(2026, 3, 10, 17)


def test_it_gives_emergency_repairs_the_policys_clock_hours() -> None:
    wha = load_policy("wha")  # 000: "generally within 24 hours"

    assert emergency_repair_due_at(wha, utc(2026, 3, 28, 20)) == utc(2026, 3, 29, 20)


def test_it_gives_the_next_review_the_policys_interval() -> None:
    viridian = load_policy("viridian")  # 003: "every 2 weeks"

    assert next_review_due_at(viridian, utc(2026, 3, 20, 10)) == utc(2026, 4, 3, 10)


def test_it_gives_appeal_deadlines_in_working_days() -> None:
    wha = load_policy("wha")  # Housing Ombudsman Code: acknowledge in 5, answer in 10.
    received = london(2026, 3, 30, 11)  # Monday before Easter

    acknowledge_by = appeal_acknowledgement_due_at(wha, received)
    answer_by = appeal_answer_due_at(wha, acknowledge_by)

    # Tue 31, Wed 1, Thu 2, (Good Friday), (Easter Monday), Tue 7, Wed 8 April.
    assert acknowledge_by == london(2026, 4, 8, 17)
    assert answer_by == london(2026, 4, 22, 17)
    assert wha.appeals.stage_2 is None  # [000 Appeals]: one review (issue 16)
    second = SecondAppealStage(
        acknowledge_working_days=5, respond_working_days=20, reviewer_role="da_lead"
    )
    two_stages = policy_with(wha, appeals=wha.appeals.model_copy(update={"stage_2": second}))
    assert appeal_answer_due_at(two_stages, acknowledge_by, stage=2) == london(2026, 5, 7, 17)


def test_it_reuses_working_days_after_for_any_count() -> None:
    policy = load_policy("default")

    assert working_days_after(policy, london(2026, 12, 23, 12), 1) == london(2026, 12, 24, 17)
    assert working_days_after(policy, london(2026, 12, 23, 12), 2) == london(2026, 12, 29, 17)
    with pytest.raises(ValueError, match="at least 1"):
        working_days_after(policy, london(2026, 12, 23, 12), 0)


@pytest.mark.parametrize(
    ("day", "nation", "working"),
    [
        (date(2026, 12, 28), "england", False),  # Boxing Day substitute
        (date(2026, 1, 2), "england", True),
        (date(2026, 1, 2), "scotland", False),
        (date(2026, 4, 6), "scotland", True),  # Easter Monday
        (date(2026, 7, 13), "northern_ireland", False),  # Battle of the Boyne substitute
        (date(2026, 3, 14), "england", False),  # Saturday
        (date(2026, 3, 16), "wales", True),
    ],
)
def test_it_knows_each_nations_working_days(day: date, nation: str, working: bool) -> None:
    assert is_working_day(policy_with(nation=nation), day) is working


def test_it_caches_each_nations_holidays_by_year() -> None:
    bank_holidays.cache_clear()

    bank_holidays("england", 2031)
    bank_holidays("england", 2031)

    assert bank_holidays.cache_info().hits == 1
    assert date(2031, 12, 25) in bank_holidays("england", 2031)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (utc(2026, 3, 15, 10), 12, utc(2025, 3, 15, 10)),
        (utc(2024, 2, 29, 10), 12, utc(2023, 2, 28, 10)),
        (utc(2026, 3, 31, 10), 1, utc(2026, 2, 28, 10)),
        (utc(2026, 1, 10), 13, utc(2024, 12, 10)),
    ],
)
def test_it_counts_calendar_months_back(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


def test_it_gives_the_repeat_windows_from_the_policy() -> None:
    policy = load_policy("default")
    at = utc(2026, 6, 1, 9)

    assert repeat_window_start(policy, at) == utc(2025, 6, 1, 9)
    assert marac_repeat_window_start(policy, at) == utc(2025, 6, 1, 9)


NAIVE = datetime(2026, 3, 9, 10)  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(
    "call",
    [
        lambda p: response_due_at(p, NAIVE),
        lambda p: working_days_after(p, NAIVE, 1),
        lambda p: emergency_repair_due_at(p, NAIVE),
        lambda p: next_review_due_at(p, NAIVE),
        lambda p: appeal_acknowledgement_due_at(p, NAIVE),
        lambda p: repeat_window_start(p, NAIVE),
    ],
)
def test_it_refuses_naive_datetimes(call: object) -> None:
    policy = load_policy("wrekin")

    with pytest.raises(NaiveDatetimeError, match="timezone-aware"):
        call(policy)  # type: ignore[operator]
