from __future__ import annotations

from typing import Any

from django import forms

from safehold.cases.forms import check_working_year
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
    agency = forms.ChoiceField(required=False)  # the service says when one is needed
    purpose = forms.ChoiceField(
        choices=[
            ("referral", "A referral"),
            ("information_sharing", "Sharing information"),
            (
                "contact_alleged_perpetrator",
                "Contacting or writing to the alleged perpetrator: the survivor's permission",
            ),
        ],
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
    note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="Your reasons (needed to approve)",
    )


class ActionForm(forms.Form):
    kind = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="What kind of action",
        error_messages={"required": "Choose what kind of action"},
    )
    measure = forms.ChoiceField(required=False, label="Security measure")
    option = forms.ChoiceField(required=False, label="Rehousing or legal route")
    detail = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea, label="What will be done"
    )
    due_date = forms.DateField(
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        label="Due by",
        error_messages={"invalid": "Enter a date like 27/3/2027"},
        validators=[check_working_year],
    )
    agreed_with_survivor = forms.BooleanField(required=False, label="Agreed with the survivor")
    recharge = forms.ChoiceField(widget=forms.RadioSelect, label="Who pays", initial="none")
    risk_assessment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="How this affects the risk to the survivor (rehousing and legal action)",
    )
    likely_to_increase_risk = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        label="Legal action: is it likely to increase the risk to the survivor?",
        choices=[("yes", "Yes"), ("no", "No")],
    )
    owner = forms.ChoiceField(
        required=False,
        label="Who will do it",
        error_messages={"invalid_choice": "Choose someone who works on this case"},
    )
    source = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        initial="plan",
        label="Where the action comes from",
        choices=[
            ("plan", "Agreed in the action plan"),
            ("marac", "A MARAC recommendation, discussed with the survivor"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from safehold.casework.models import ActionKind, ActionOption, Recharge, SecurityMeasure

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ActionKind.choices  # type: ignore[attr-defined]
        self.fields["measure"].choices = [("", "Not a security measure"), *SecurityMeasure.choices]  # type: ignore[attr-defined]
        self.fields["recharge"].choices = Recharge.choices  # type: ignore[attr-defined]
        options = [("", "Not rehousing or legal action"), *ActionOption.choices]
        self.fields["option"].choices = options  # type: ignore[attr-defined]


class ActionCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea,
        label="Why is this action cancelled?",
        error_messages={"required": "Say why the action is cancelled"},
    )


class ReviewForm(forms.Form):
    notes = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea,
        label="Review notes",
        error_messages={"required": "Write what the review found"},
    )


class LetterForm(forms.Form):
    kind_and_recipient = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Which letter",
        choices=[
            ("acknowledgement:survivor", "Acknowledgement, to the survivor"),
            ("action_plan:survivor", "A copy of the action plan, to the survivor"),
            ("referral:agency", "A referral, to an agency"),
            ("warning:alleged_perpetrator", "A warning about conduct, to the alleged perpetrator"),
            ("closure:survivor", "Closure, to the survivor"),
            ("closure:alleged_perpetrator", "Closure, to the alleged perpetrator"),
        ],
        error_messages={"required": "Choose which letter"},
    )
    agency = forms.ChoiceField(required=False, label="Agency (for a referral)")
    alleged_perpetrator = forms.ChoiceField(
        required=False, label="Which alleged perpetrator (for a warning or closure letter)"
    )
    channel = forms.ChoiceField(
        widget=forms.RadioSelect,
        initial="post",
        label="How it will be delivered",
        choices=[("post", "By post"), ("by_hand", "By hand")],
    )

    def __init__(
        self,
        *args: Any,
        policy: Policy,
        perpetrators: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Not a referral"), *agency_choices(policy)]  # type: ignore[attr-defined]
        if len(perpetrators or []) > 1:  # one is written to without being chosen
            choices = [("", "Choose who the letter is to"), *(perpetrators or [])]
            self.fields["alleged_perpetrator"].choices = choices  # type: ignore[attr-defined]
        else:
            del self.fields["alleged_perpetrator"]


class InterviewForm(forms.Form):
    survivor_agrees = forms.BooleanField(
        required=False, label="The survivor agrees to the interview"
    )
    safety_assessment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="Why it is safe to interview them",
    )


class InterviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("agree", "Agree"), ("decline", "Decline")],
        error_messages={"required": "Choose whether to agree or decline"},
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="Why you agree or decline",
    )
