from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from safehold.accounts.models import Team
from safehold.cases.forms import DateParts


class ReportForm(forms.Form):
    """The period and scope of the monitoring report, sent by GET so a report has an
    address that can be bookmarked (it holds no personal data)."""

    start = DateParts(label="From", error_messages={"required": "Enter the first day"})
    end = DateParts(label="To", error_messages={"required": "Enter the last day"})
    team = forms.ChoiceField(required=False, label="Team")
    suppress = forms.BooleanField(required=False, label="Show counts from 1 to 4 as <5")

    def __init__(self, *args: Any, teams: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not teams:
            del self.fields["team"]
            return
        names = Team.objects.order_by("name").values_list("name", flat=True)
        choices = [("", "Whole provider"), *((name, name) for name in names)]
        self.fields["team"].choices = choices  # type: ignore[attr-defined]


def last_twelve_months(today: date) -> tuple[date, date]:
    """The default period: the twelve months to today."""
    start = (
        today.replace(year=today.year - 1) + timedelta(days=1)
        if not (today.month == 2 and today.day == 29)
        else date(today.year - 1, 3, 1)
    )
    return start, today
