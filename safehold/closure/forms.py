"""The forms of the closure, feedback and appeal pages. They only parse: which reasons,
channels and appellants are allowed is the services' to say, so a value the page did not
offer reaches the service and is refused there, with the policy's words."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from safehold.cases.forms import DateParts
from safehold.closure.models import AppealOutcome, Effectiveness, FeedbackChannel, FeedbackKind
from safehold.policy.schema import Policy
from safehold.policy.vocabulary import CLOSURE_REASON_LABELS, PARTY_LABELS

LONDON = ZoneInfo("Europe/London")
YES_NO = [("yes", "Yes"), ("no", "No")]
SATISFACTION = [
    *(
        (str(score), f"{score} \N{EN DASH} {words}")
        for score, words in enumerate(
            (
                "very dissatisfied",
                "dissatisfied",
                "neither satisfied nor dissatisfied",
                "satisfied",
                "very satisfied",
            ),
            start=1,
        )
    ),
    ("", "No score given"),
]
FEEDBACK_KINDS = [
    (FeedbackKind.FEEDBACK.value, "Feedback on how the case was handled"),
    (FeedbackKind.COMPLAINT.value, "A complaint"),
    (FeedbackKind.PRAISE.value, "Praise"),
]


def start_of_day(day: date | None) -> datetime | None:
    """A date typed into the page as the start of that day in London."""
    return None if day is None else datetime.combine(day, time(0, 0), tzinfo=LONDON)


def offered(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    """Radios showing `choices` on a field that accepts any text, for the service to judge."""
    field.widget.choices = choices


class ClosureForm(forms.Form):
    reason = forms.CharField(
        widget=forms.RadioSelect,
        label="Why the case can close",
        error_messages={"required": "Choose why the case can close"},
    )
    survivor_agrees = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="Does the survivor agree to the case closing?",
        error_messages={"required": "Say whether the survivor agrees to the case closing"},
    )
    review_meeting = DateParts(required=False, label="Date of the review meeting")
    explanation = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="Why the case is closing, in words for the survivor",
    )
    perpetrator_explanation = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="Why the case is closing, in words for the alleged perpetrator (optional)",
    )
    override_reason = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="If the survivor does not agree: why the case closes without their agreement",
    )

    def __init__(self, *args: Any, policy: Policy, may_override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered(
            self.fields["reason"],
            [(r, CLOSURE_REASON_LABELS[r].capitalize()) for r in policy.closure.reasons],
        )
        if not may_override:
            del self.fields["override_reason"]
        if "alleged_perpetrator" not in policy.closure.letters_to:
            del self.fields["perpetrator_explanation"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")],
        error_messages={"required": "Choose whether to approve or decline the closure"},
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="Note (needed to decline: say why the case should stay open)",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea,
        label="Why the case is reopened",
        error_messages={"required": "Say why the case is reopened"},
    )


class EvaluationForm(forms.Form):
    """The closure evaluation: a judgement of how effective the work was and three boxes,
    each optional; the service asks for the judgement or some words."""

    effectiveness = forms.CharField(
        required=False,
        widget=forms.RadioSelect,
        label="How effective was the work on this case?",
    )
    worked = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea, label="What worked"
    )
    did_not_work = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea, label="What did not work"
    )
    lessons = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea,
        label="What to do differently next time",
    )
    notes = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea, label="Other notes"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered(self.fields["effectiveness"], list(Effectiveness.choices))


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        choices=FEEDBACK_KINDS,
        widget=forms.RadioSelect,
        initial=FeedbackKind.FEEDBACK.value,
        label="What the survivor gave",
        error_messages={"required": "Choose whether this is feedback, a complaint or praise"},
    )
    satisfaction = forms.TypedChoiceField(
        required=False,
        choices=SATISFACTION,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        label="How satisfied the survivor is with how the case was handled",
    )
    comments = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea, label="What the survivor said"
    )


class FeedbackRequestForm(forms.Form):
    channel = forms.CharField(
        widget=forms.RadioSelect,
        label="How to ask the survivor",
        error_messages={"required": "Choose how to ask the survivor"},
    )

    def __init__(self, *args: Any, channels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(FeedbackChannel.choices)
        offered(self.fields["channel"], [(c, str(labels[c])) for c in channels])


class AppealForm(forms.Form):
    by = forms.CharField(
        widget=forms.RadioSelect,
        label="Who is appealing",
        error_messages={"required": "Choose who is appealing"},
    )
    received = DateParts(
        label="Date received",
        error_messages={"required": "Enter the date the appeal was received"},
    )
    grounds = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea,
        label="What the appeal is about",
        error_messages={"required": "Say what the appeal is about"},
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered(
            self.fields["by"],
            [(party, PARTY_LABELS[party].capitalize()) for party in policy.appeals.who],
        )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=AppealOutcome.choices,
        widget=forms.RadioSelect,
        label="Outcome",
        error_messages={"required": "Choose the outcome"},
    )
    reasons = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea,
        label="Reasons for the outcome",
        error_messages={"required": "Give the reasons for the outcome"},
    )


class EscalationForm(forms.Form):
    grounds = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea,
        label="Why the appellant is not satisfied with the stage 1 answer",
        error_messages={"required": "Say why the appellant is not satisfied"},
    )
