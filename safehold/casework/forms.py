from __future__ import annotations

from typing import Any

from django import forms

from safehold.policy.schema import Policy

GROUNDS = [
    ("child_at_risk", "A child is at risk"),
    ("adult_at_risk", "An adult is at risk"),
    ("risk_of_serious_harm", "A high risk of serious harm"),
    ("legal_obligation", "The law requires it"),
]


def agency_choices(policy: Policy) -> list[tuple[str, str]]:
    return [(agency_id, agency.name) for agency_id, agency in policy.agencies.items()]


class ConsentForm(forms.Form):
    agency = forms.ChoiceField(error_messages={"required": "Choose an agency"})
    purpose = forms.ChoiceField(
        choices=[("referral", "A referral"), ("information_sharing", "Sharing information")],
        widget=forms.RadioSelect,
        label="Consent to",
        error_messages={"required": "Choose what the consent is for"},
    )
    given = forms.ChoiceField(
        choices=[("yes", "Consent given"), ("no", "Consent refused or withdrawn")],
        widget=forms.RadioSelect,
        label="Decision",
        error_messages={"required": "Say whether consent was given"},
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Choose an agency"), *agency_choices(policy)]  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    agency = forms.ChoiceField(error_messages={"required": "Choose an agency"})
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea,
        label="What will be shared, and why",
        error_messages={"required": "Say what will be shared and why"},
    )
    ground = forms.ChoiceField(
        required=False,
        choices=GROUNDS,
        widget=forms.RadioSelect,
        label="If there is no consent: the ground for sharing without it",
    )
    explanation = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="Why consent cannot be sought or was refused",
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Choose an agency"), *agency_choices(policy)]  # type: ignore[attr-defined]
        allowed = set(policy.disclosure.grounds)
        self.fields["ground"].choices = [(g, label) for g, label in GROUNDS if g in allowed]  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    note = forms.CharField(required=False, max_length=5000, label="Note")
