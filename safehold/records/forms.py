"""The forms of the case records page (log a subject access request, place or lift a
legal hold) and of a request's page (record the identity check, confirm the cases,
release the export). They only parse; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms

from safehold.cases.forms import DateParts
from safehold.records.models import ReleaseChannel, VerificationMethod


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


class VerificationForm(forms.Form):
    method = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=VerificationMethod.choices,
        label="How did you check who they are?",
        error_messages={"required": "Choose how you checked who they are"},
    )
    notes = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="What you saw or did",
    )


class CasesForm(forms.Form):
    cases = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Other cases to include",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = choices  # type: ignore[attr-defined]


class ReleaseForm(forms.Form):
    channel = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=ReleaseChannel.choices,
        label="How will it be sent?",
        error_messages={"required": "Choose how it will be sent"},
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea,
        label="Why it is closed without releasing anything",
        error_messages={"required": "Give the reason"},
    )
