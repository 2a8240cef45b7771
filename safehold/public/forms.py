"""The public form (`/tell-us`): the questions in the order safety needs them. Nothing is
required but a way to contact the sender or their clear choice to tell us anonymously
(and a professional's organisation). Lengths are the intake's (cases/forms.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from safehold.cases.forms import RELATIONSHIP_CHOICES, DateParts, as_bool, relationship_of
from safehold.policy.schema import Policy
from safehold.public.models import Answer, Relation
from safehold.public.services import Sent

CONTACT, ANONYMOUS = "contact", "anonymous"
YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_NOT_KNOWN = [("yes", "Yes"), ("no", "No"), ("not_known", "I do not know")]


def text(label: str, length: int = 200) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=length, strip=True)


def radios(label: str, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=choices, widget=forms.RadioSelect)


class TellUsForm(forms.Form):
    relation = radios(
        "Who are you?",
        [
            (Relation.SELF.value, "I am experiencing abuse"),
            (
                Relation.WITNESS.value,
                "I am worried about someone: a friend, family member, neighbour or witness",
            ),
            (
                Relation.PROFESSIONAL.value,
                "I am a professional, for example police, an IDVA or a support worker",
            ),
        ],
    )
    how = radios(
        "Is it safe for us to contact you?",
        [(CONTACT, "Yes, you can contact me"), (ANONYMOUS, "No, I want to tell you anonymously")],
    )
    sender_name = text("Your name (optional)")
    organisation = text("Your organisation")
    phone = text("Phone number", 40)
    voicemail_ok = radios("Can we leave a message on this phone?", YES_NO)
    safe_times = text("When is it safe to contact you? (optional)", 500)
    email = forms.EmailField(label="Email address", required=False, max_length=254)
    post_ok = radios("Is it safe to send you letters by post?", YES_NO)
    summary = forms.CharField(
        label="What is happening?", required=False, max_length=10000, widget=forms.Textarea
    )
    abuse_types = forms.MultipleChoiceField(
        label="What kind of abuse is it? (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    danger_now = radios("Is anyone in danger now?", YES_NO_NOT_KNOWN)
    children_in_home = radios("Are there children in the home?", YES_NO_NOT_KNOWN)
    survivor_name = text("Name of the person experiencing abuse, if it is not you (optional)")
    survivor_date_of_birth = DateParts(
        label="Their date of birth, or yours if it is you (optional)", required=False
    )
    address = forms.CharField(
        label="Address (optional)", required=False, max_length=500, widget=forms.Textarea
    )
    postcode = text("Postcode (optional)", 10)
    harm_name = text("Their name (optional)")
    harm_relationship = radios(
        "How are they related to the person experiencing abuse?", RELATIONSHIP_CHOICES
    )
    harm_lives_there = radios("Do they live in the home?", YES_NO_NOT_KNOWN)

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["abuse_types"].choices = policy.abuse_type_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        how = data.get("how")
        if how not in (CONTACT, ANONYMOUS):
            self.add_error("how", "Choose whether we may contact you, or tell us anonymously")
        elif how == CONTACT and not (
            data.get("phone")
            or data.get("email")
            or (data.get("post_ok") == "yes" and data.get("address"))
        ):
            self.add_error(
                "phone",
                "Give a phone number or an email address we can safely use, or choose to tell "
                "us anonymously",
            )
        if data.get("relation") == Relation.PROFESSIONAL and not data.get("organisation"):
            self.add_error("organisation", "Enter the name of your organisation")
        return data

    def sent(self) -> Sent:
        data = self.cleaned_data
        anonymous = data["how"] == ANONYMOUS
        contact = (
            {}
            if anonymous
            else {
                "sender_name": data["sender_name"],
                "phone": data["phone"],
                "voicemail_ok": as_bool(data["voicemail_ok"]),
                "safe_times": data["safe_times"],
                "email": data["email"],
                "post_ok": as_bool(data["post_ok"]),
            }
        )
        return Sent(
            anonymous=anonymous,
            relation=data["relation"],
            organisation=data["organisation"],
            survivor_name=data["survivor_name"],
            survivor_date_of_birth=data["survivor_date_of_birth"],
            summary=data["summary"],
            abuse_types=tuple(data["abuse_types"]),
            danger_now=data["danger_now"],
            children_in_home=data["children_in_home"],
            address=data["address"],
            postcode=data["postcode"],
            harm_name=data["harm_name"],
            harm_relationship=relationship_of(data["harm_relationship"]),
            harm_lives_there=as_bool(data["harm_lives_there"]),
            **contact,
        )


class NoActionForm(forms.Form):
    reason = forms.CharField(
        label="Why does no action follow?", max_length=2000, widget=forms.Textarea
    )


ANSWER_WORDS = dict(Answer.choices)
