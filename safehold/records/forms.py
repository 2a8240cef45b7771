"""The forms of the case records page: log a subject access request, place or lift a
legal hold. They only parse; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms

from safehold.cases.forms import DateParts


class SubjectAccessForm(forms.Form):
    requester = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Who asked",
        error_messages={"required": "Choose who asked for their records"},
    )
    received = DateParts(
        label="Date received",
        error_messages={"required": "Enter the date the request was received"},
    )
    notes = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="Notes, such as how you checked who they are",
    )

    def __init__(self, *args: Any, requesters: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requester"].choices = requesters  # type: ignore[attr-defined]


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea,
        label="Reason",
        error_messages={"required": "Give the reason"},
    )
