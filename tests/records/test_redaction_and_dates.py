"""The calendar arithmetic and the redactor, on their own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from safehold.records.dates import calendar_years_before, one_calendar_month_after
from safehold.records.redaction import REDACTED, redactor_for


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2028, 1, 29), date(2028, 2, 29)),
        (date(2026, 1, 28), date(2026, 2, 28)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2026, 2, 28), date(2026, 3, 28)),
    ],
)
def test_one_calendar_month(received: date, due: date) -> None:
    assert one_calendar_month_after(received) == due


def test_calendar_years_from_a_leap_day() -> None:
    assert calendar_years_before(datetime(2032, 2, 29, 12, tzinfo=UTC), 6) == datetime(
        2026, 2, 28, 12, tzinfo=UTC
    )
    assert calendar_years_before(datetime(2032, 2, 29, 12, tzinfo=UTC), 4) == datetime(
        2028, 2, 29, 12, tzinfo=UTC
    )


OTHER = {
    "name": "Barnaby  Oddsworth-Smythe",
    "phone": "07700 900123",
    "email": "b.o@example.net",
    "address": "Flat 2, 4 Elmhurst Row, Southbay SB4 7QT",
    "tenancy_ref": "T-99001",
}
OWN = {"name": "Zephyrine Smythe", "address": "17 Wistmoor Crescent", "phone": "07700 900417"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("barnaby oddsworth-smythe came", f"{REDACTED} came"),
        ("BARNABY came", f"{REDACTED} came"),
        ("Oddsworth came", f"{REDACTED} came"),
        ("Barnabys came", "Barnabys came"),  # a whole word only
        ("Ms Smythe came", "Ms Smythe came"),  # her name too: left
        ("ring 07700900123 or +44 (0)7700 900-123", f"ring {REDACTED} or {REDACTED}"),
        ("ring 07700 900417", "ring 07700 900417"),  # her own number
        ("mail B.O@EXAMPLE.NET now", f"mail {REDACTED} now"),
        ("at 4 Elmhurst Row today", f"at {REDACTED} today"),
        ("near sb4 7qt", f"near {REDACTED}"),
        ("tenancy t-99001", f"tenancy {REDACTED}"),
        ("at 17 Wistmoor Crescent", "at 17 Wistmoor Crescent"),
        ("", ""),
    ],
)
def test_the_redactor(text: str, expected: str) -> None:
    assert redactor_for(others=[OTHER], own=[OWN])(text) == expected


def test_with_no_one_else_nothing_changes() -> None:
    redact = redactor_for(others=[{"name": ""}], own=[OWN])
    assert redact("Barnaby came") == "Barnaby came"
    assert redact(None) == ""
