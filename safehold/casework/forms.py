from __future__ import annotations

from typing import Any

from django import forms

from safehold.cases.forms import DateParts
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
    """An action of the plan. The page asks only what the chosen kind needs (GOV.UK
    conditional reveal): a security measure its measure; rehousing and legal action
    their route and how they affect the risk. Each kind's questions have their own
    names, and those of a kind not chosen are dropped (a revealed box keeps what was
    typed in it when another kind is chosen). `option` and `risk_assessment` are still
    read when posted directly. A choice the policy always refuses is never offered
    (a recharge to the survivor under `recharge.survivor_forbidden`, to the alleged
    perpetrator unless `recharge.perpetrator_may_be_charged`); posted anyway, the plan
    refuses it in the policy's words (plan.check_action)."""

    kind = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="What kind of action",
        error_messages={"required": "Choose what kind of action"},
    )
    measure = forms.ChoiceField(required=False, label="Which security measure")
    rehousing_option = forms.ChoiceField(required=False, label="Which rehousing route")
    legal_option = forms.ChoiceField(required=False, label="Which legal route")
    option = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    detail = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea, label="What will be done"
    )
    due_date = DateParts(required=False, label="Due by")
    agreed_with_survivor = forms.BooleanField(required=False, label="Agreed with the survivor")
    recharge = forms.ChoiceField(widget=forms.RadioSelect, label="Who pays", initial="none")
    rehousing_risk_assessment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="How the move reduces the risk to the survivor",
    )
    legal_risk_assessment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="How this legal action affects the risk to the survivor",
    )
    risk_assessment = forms.CharField(required=False, max_length=5000, widget=forms.HiddenInput)
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

    # The questions each kind reveals, by the name the plan knows them by.
    PREFIX = {"rehousing": "rehousing", "legal_action": "legal"}

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        from safehold.casework.models import (
            OPTIONS_BY_KIND,
            ActionKind,
            ActionOption,
            Recharge,
            SecurityMeasure,
        )

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ActionKind.choices  # type: ignore[attr-defined]
        self.fields["measure"].choices = [("", "Not chosen yet"), *SecurityMeasure.choices]  # type: ignore[attr-defined]
        labels = dict(ActionOption.choices)
        for kind, prefix in self.PREFIX.items():
            routes = [(o, labels[o]) for o in OPTIONS_BY_KIND[kind]]
            self.fields[f"{prefix}_option"].choices = [("", "Not chosen yet"), *routes]  # type: ignore[attr-defined]
        self.fields["option"].choices = [("", ""), *ActionOption.choices]  # type: ignore[attr-defined]
        # Every recharge is accepted, so that one posted anyway is refused by the plan
        # in the policy's words; only those the policy may allow are offered.
        self.fields["recharge"].choices = Recharge.choices  # type: ignore[attr-defined]
        refused: dict[str, bool] = {
            Recharge.SURVIVOR.value: policy.recharge.survivor_forbidden,
            Recharge.PERPETRATOR.value: not policy.recharge.perpetrator_may_be_charged,
        }
        offered = [(v, label) for v, label in Recharge.choices if not refused.get(v, False)]
        self.fields["recharge"].widget.choices = offered
        self.legal_risk_question = policy.action_plan.no_legal_action_that_increases_risk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind", "")
        prefix = self.PREFIX.get(kind)
        if kind != "security_measure":
            data["measure"] = ""
        if prefix is None:
            data["option"] = ""
            data["risk_assessment"] = ""
        else:
            data["option"] = data.get(f"{prefix}_option") or data.get("option") or ""
            data["risk_assessment"] = (
                data.get(f"{prefix}_risk_assessment") or data.get("risk_assessment") or ""
            )
        if kind != "legal_action":
            data["likely_to_increase_risk"] = ""
        return data

    def shown_field(self, name: str | None) -> str | None:
        """The field on the page that a refusal about `name` belongs to."""
        prefix = self.PREFIX.get(self.cleaned_data.get("kind", ""))
        if name in ("option", "risk_assessment"):
            return f"{prefix}_{name}" if prefix else None
        return name


class ActionCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea,
        label="Why is this action cancelled?",
        error_messages={"required": "Say why the action is cancelled"},
    )


class ActionDoneForm(forms.Form):
    outcome = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        label="What was the outcome?",
    )


class ActionReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea,
        label="Why is this action reopened?",
        error_messages={"required": "Say why the action is reopened"},
    )


class ReviewForm(forms.Form):
    """A review's structure: the survivor's views, how the risk changed, the progress of
    each open action (a box per action, `progress_<action id>`), the next review date
    and any other notes. Only something written is needed: a review that records
    nothing at all is refused."""

    survivor_views = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea,
        label="The survivor's views",
    )
    risk_change = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        label="Since the last review, has the risk to the survivor changed?",
    )
    next_review_on = DateParts(required=False, label="Next review date")
    notes = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea,
        label="Review notes",
    )

    def __init__(
        self, *args: Any, actions: list[tuple[Any, dict[str, Any]]], **kwargs: Any
    ) -> None:
        from safehold.casework.models import RiskChange

        super().__init__(*args, **kwargs)
        self.fields["risk_change"].choices = RiskChange.choices  # type: ignore[attr-defined]
        self.actions = actions
        for action, _sealed in actions:
            self.fields[f"progress_{action.pk}"] = forms.CharField(
                required=False,
                max_length=5000,
                widget=forms.Textarea,
                label="Progress: "
                + ": ".join(
                    str(part)
                    for part in (
                        action.get_kind_display(),
                        action.get_measure_display() if action.measure else "",
                        action.get_option_display() if action.option else "",
                    )
                    if part
                ),
            )

    def progress_fields(self) -> list[tuple[Any, dict[str, Any], forms.BoundField]]:
        return [(a, sealed, self[f"progress_{a.pk}"]) for a, sealed in self.actions]

    def action_progress(self) -> dict[str, str]:
        return {
            a.pk: self.cleaned_data.get(f"progress_{a.pk}", "")
            for a, _sealed in self.actions
            if self.cleaned_data.get(f"progress_{a.pk}", "").strip()
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        written = [data.get("notes", ""), data.get("survivor_views", "")]
        written += [data.get(f"progress_{a.pk}", "") for a, _sealed in self.actions]
        if not any(str(text).strip() for text in written) and not data.get("risk_change"):
            self.add_error("notes", "Write what the review found")
        return data


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
