"""The MARAC pages' forms (docs/marac.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from safehold.cases.forms import DateParts
from safehold.marac.models import MaracActionStatus
from safehold.marac.services import MAX_TEXT, PROVIDER, AgreedAction
from safehold.policy.schema import Policy

# How many actions the decisions page offers at once; more are added by recording the
# decisions through the API, or as a further hearing.
ACTION_ROWS = 6


class MeetingForm(forms.Form):
    conference = forms.ChoiceField(
        label="Which MARAC?", error_messages={"required": "Choose the MARAC"}
    )
    held_on = DateParts(
        label="When is the meeting?",
        error_messages={"required": "Enter the date of the meeting"},
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conference"].choices = [  # type: ignore[attr-defined]
            (slug, f"{conference.name} ({conference.area}): {conference.meets}")
            for slug, conference in policy.marac.conferences.items()
        ]


def agency_choices(policy: Policy) -> list[tuple[str, str]]:
    return [
        ("", "Choose the agency"),
        (PROVIDER, f"{policy.provider.name} (our own action)"),
        *((slug, agency.name) for slug, agency in policy.agencies.items()),
    ]


class DecisionsForm(forms.Form):
    notes = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea,
        label="What did the MARAC decide?",
        error_messages={"required": "Enter what the MARAC decided"},
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, ACTION_ROWS + 1):
            self.fields[f"agency_{row}"] = forms.ChoiceField(
                required=False, choices=agency_choices(policy), label=f"Action {row}: agency"
            )
            self.fields[f"what_{row}"] = forms.CharField(
                required=False, max_length=MAX_TEXT, label=f"Action {row}: what is it?"
            )
            self.fields[f"due_{row}"] = DateParts(required=False, label=f"Action {row}: due by")

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"agency_{row}"], self[f"what_{row}"], self[f"due_{row}"])
            for row in range(1, ACTION_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        actions: list[AgreedAction] = []
        for row in range(1, ACTION_ROWS + 1):
            agency = data.get(f"agency_{row}") or ""
            what = (data.get(f"what_{row}") or "").strip()
            due: date | None = data.get(f"due_{row}")
            if f"due_{row}" in self.errors or not (agency or what or due):
                continue
            if not agency:
                self.add_error(f"agency_{row}", f"Action {row}: choose the agency")
            if not what:
                self.add_error(f"what_{row}", f"Action {row}: enter what the action is")
            if due is None:
                self.add_error(f"due_{row}", f"Action {row}: enter the date it is due by")
            if agency and what and due is not None:
                actions.append(AgreedAction(agency=agency, what=what, due_on=due))
        data["actions"] = actions
        return data


class DiscussionForm(forms.Form):
    note = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea,
        label="What was discussed with the survivor?",
        error_messages={"required": "Enter what was discussed with the survivor"},
    )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=MaracActionStatus.choices,
        label="Status",
        error_messages={"required": "Choose the status"},
    )
    note = forms.CharField(
        required=False, max_length=MAX_TEXT, widget=forms.Textarea, label="Note (optional)"
    )
