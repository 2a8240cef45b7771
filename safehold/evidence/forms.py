"""The upload form: a file and what it shows. The file is judged by the service, by its
content; the form only says whether one was chosen."""

from __future__ import annotations

from django import forms

from safehold.evidence.services import MAX_DESCRIPTION


class EvidenceForm(forms.Form):
    upload = forms.FileField(
        label="Upload a file",
        allow_empty_file=True,  # the service refuses it, with the same words as the API
        error_messages={"required": "Select a file"},
    )
    description = forms.CharField(
        label="What does it show? (optional)",
        required=False,
        strip=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea,
        error_messages={
            "max_length": f"The description must be {MAX_DESCRIPTION} characters or fewer"
        },
    )
