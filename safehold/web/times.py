"""Times of day as people write them (GOV.UK: let people enter a time the way they
would write it).

`time_of_day` reads "14:30", "14.30", "1430", "2:30pm", "2.30pm", "2pm", "2 p.m.",
"midday", "noon", "12 noon" and "midnight" (upper or lower case, spaces anywhere),
and nothing else: a bare "2" could be either end of the day, so it is refused rather
than guessed, as are "25:99" and "13pm". `TimeOfDayField` is the form field every page
that asks for a time uses, so every time box accepts the same things and answers a
time it cannot read with the same message.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms

TIME_HINT = "For example, 2:30pm or 14:30"
TIME_ERROR = "Enter a time like 2:30pm or 14:30"
MAX_WRITTEN = 20  # "12:30 p.m." with room to spare; longer is not a time

WORDS = {"midday": time(12, 0), "noon": time(12, 0), "12noon": time(12, 0)}
WORDS |= {"midnight": time(0, 0), "12midnight": time(0, 0)}

# 2pm, 2:30pm, 2.30 p.m.: an hour of the 12-hour clock and am or pm
TWELVE_HOUR = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?P<half>am|pm)")
# 14:30, 14.30, 9:05, 1430: an hour of the 24-hour clock and its minutes
TWENTY_FOUR_HOUR = re.compile(r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})|(?P<hh>\d{2})(?P<mm>\d{2})")


def time_of_day(text: str) -> time:
    """The time `text` names; ValueError when it names none, or not clearly one."""
    written = re.sub(r"\s+", "", text).lower().replace("a.m.", "am").replace("p.m.", "pm")
    written = written.removesuffix(".")  # "2pm." at the end of a sentence
    if written in WORDS:
        return WORDS[written]
    if match := TWELVE_HOUR.fullmatch(written):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise ValueError(text)
        return time(hour % 12 + (12 if match["half"] == "pm" else 0), minute)
    if match := TWENTY_FOUR_HOUR.fullmatch(written):
        hour = int(match["hour"] or match["hh"])
        minute = int(match["minute"] or match["mm"])
        if hour > 23 or minute > 59:
            raise ValueError(text)
        return time(hour, minute)
    raise ValueError(text)


class TimeOfDayField(forms.CharField):
    """A time box: cleans to a `datetime.time` (None when left empty and not required)."""

    default_error_messages = {"invalid": TIME_ERROR, "required": "Enter a time"}

    def to_python(self, value: Any) -> time | None:  # type: ignore[override]
        if isinstance(value, time):
            return value
        text = super().to_python(value)
        if not text:
            return None
        try:
            if len(text) > MAX_WRITTEN:
                raise ValueError(text)
            return time_of_day(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, time):
            return f"{value:%H:%M}"
        return value
