"""The calendar arithmetic and the redactor, on their own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from safehold.records.dates import calendar_years_before, one_calendar_month_after
from safehold.records.redaction import REDACTED, WITHHELD, redactor_for, reviewer_for


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


ACCENTED = {"name": "Zoë Ångström-Núñez", "phone": "+44 7911 123456"}
ELSEWHERE = {"address": "9 Hidden Lane, Eastby EB1 2CD", "phone": "07123 456789"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zoe Angstrom-Nunez came", f"{REDACTED} came"),  # no accents
        ("ZOË came; zoe left", f"{REDACTED} came; {REDACTED} left"),
        ("Zo\u200be came", f"{REDACTED} came"),  # a zero-width space inside
        ("Nunez came", f"{REDACTED} came"),
        ("Zoey came", "Zoey came"),  # a whole word only
        ("ring 07911123456 or 0044 7911 123 456", f"ring {REDACTED} or {REDACTED}"),
        ("ring 7911 123456", f"ring {REDACTED}"),  # no prefix at all
        ("now on 07900 111222, (020) 7946 0018", f"now on {REDACTED}, {REDACTED}"),  # no one's
        ("mail who@example.com", f"mail {REDACTED}"),
        ("near NW1 6XE", f"near {REDACTED}"),
        ("ring 07700 900417 at 17 Wistmoor Crescent", "ring 07700 900417 at 17 Wistmoor Crescent"),
        ("moved to 9 Hidden Lane, EB1 2CD", f"moved to {WITHHELD}, {WITHHELD}"),
        ("ring 07123456789", f"ring {WITHHELD}"),
        ("on 2026-11-20, case DA-2026-00042", "on 2026-11-20, case DA-2026-00042"),
    ],
)
def test_the_redactor_compares_text_as_people_write_it(text: str, expected: str) -> None:
    redact = redactor_for(others=[OTHER, ACCENTED], own=[OWN], withheld=[ELSEWHERE])
    assert redact(text) == expected


def test_the_reviewer_lists_capitalised_words_and_short_name_parts() -> None:
    reviewer = reviewer_for(others=[{"name": "Li Wu"}], own=[OWN], staff=["Alice Officer"])
    text = "Then Baz came with Li. Alice Officer rang Zephyrine on Tuesday; IDVA called."
    assert reviewer.words(text) == ["Baz", "Li"]
