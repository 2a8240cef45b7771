"""Changing a person's details after the report (docs/cases.md, "Changing a person's
details"): the survivor's or an alleged perpetrator's, with the intake's questions and
words, turned into the changes `services.person_update` takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from safehold.cases.forms import (
    RELATIONSHIP_CHOICES,
    RELATIONSHIP_WORDS,
    SEX_CHOICES,
    YES_NO_UNKNOWN,
    DateParts,
    as_bool,
    relationship_of,
)
from safehold.cases.models import Person, PersonRole
from safehold.cases.services import EDITABLE
from safehold.web import words

NOT_KNOWN = "not_known"  # the relationship's "Not known" answer (cases/forms.py)
LABELS = {
    "name": "Full name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "address": "Address",
    "tenancy_ref": "Tenancy or property reference",
    "phone": "Safe phone number",
    "email": "Safe email address",
    "safe_times": "Safe times to contact",
    "voicemail_ok": "Can we leave a voicemail?",
    "post_ok": "Can we send letters by post?",
    "relationship": "Relationship to the survivor",
    "is_resident": "Do they live at the survivor's address?",
    "is_tenant": "Are they one of our tenants?",
}
PERPETRATOR_LABELS = {
    "tenancy_ref": "Their tenancy reference, if our tenant",
    "address": "Their postal address",
}
# The question's words on "check your changes", where the label is a question.
ANSWER_LABELS = {
    "voicemail_ok": "Voicemail",
    "post_ok": "Letters by post",
    "is_resident": "Lives at the survivor's address",
    "is_tenant": "One of our tenants",
    "relationship": "Relationship",
    "phone": "Safe phone",
    "email": "Safe email",
    "safe_times": "Safe times",
}
TEXT_FIELDS = {"name": 200, "tenancy_ref": 60, "phone": 40, "safe_times": 500}


def as_answer(value: bool | None) -> str:
    if value is None:
        return ""
    return "yes" if value else "no"


@dataclass(frozen=True)
class Change:
    """One row of "check your changes": the question, the new answer in words, and the
    box its "Change" returns to."""

    name: str
    label: str
    value: str
    box: str


class PersonForm(forms.Form):
    """The details of one person that may be changed, filled with what is kept."""

    def __init__(self, *args: Any, person: Person, details: dict[str, Any], **kwargs: Any) -> None:
        self.person = person
        self.role = person.role
        kwargs["initial"] = self.kept(person, details)
        super().__init__(*args, **kwargs)
        labels = LABELS | (PERPETRATOR_LABELS if self.is_perpetrator else {})
        for name in EDITABLE[self.role]:
            self.fields[name] = self.field_for(name, labels[name], person)

    @property
    def is_perpetrator(self) -> bool:
        return self.role == PersonRole.ALLEGED_PERPETRATOR

    @staticmethod
    def kept(person: Person, details: dict[str, Any]) -> dict[str, Any]:
        """What the form shows before anything is typed: the person's details now."""
        initial: dict[str, Any] = {}
        for name, where in EDITABLE[person.role].items():
            value = details.get(name) if where == "sealed" else getattr(person, name)
            if name == "date_of_birth":
                value = date.fromisoformat(value) if value else None
            elif name in ("voicemail_ok", "post_ok", "is_resident", "is_tenant"):
                value = as_answer(value)
            elif name == "relationship":
                value = value or NOT_KNOWN
            initial[name] = value if value is not None else ""
        return initial

    @staticmethod
    def field_for(name: str, label: str, person: Person) -> forms.Field:
        if name == "date_of_birth":
            return DateParts(required=False, label=label)
        if name == "address":
            return forms.CharField(
                required=False, max_length=500, widget=forms.Textarea, label=label
            )
        if name == "email":
            return forms.EmailField(
                required=False,
                max_length=254,
                label=label,
                error_messages={"invalid": "Enter an email like name@example.com"},
            )
        if name == "sex":
            choices = list(SEX_CHOICES)
            if person.sex and person.sex not in dict(choices):
                choices.append((person.sex, words.sex(person.sex)))  # as recorded by the API
            return forms.ChoiceField(
                required=False, choices=choices, widget=forms.RadioSelect, label=label
            )
        if name == "relationship":
            return forms.ChoiceField(
                required=False, choices=RELATIONSHIP_CHOICES, widget=forms.RadioSelect, label=label
            )
        if name in ("voicemail_ok", "post_ok", "is_resident", "is_tenant"):
            return forms.ChoiceField(
                required=False, choices=YES_NO_UNKNOWN, widget=forms.RadioSelect, label=label
            )
        return forms.CharField(required=False, max_length=TEXT_FIELDS[name], label=label)

    def clean_date_of_birth(self) -> date | None:
        born: date | None = self.cleaned_data.get("date_of_birth")
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError("The date of birth must be today or in the past")
        return born

    def changes(self) -> dict[str, Any]:
        """Every detail as the service keeps it (a valid form only); the service keeps
        those that differ from what is kept."""
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        for name in EDITABLE[self.role]:
            value = data.get(name)
            if name in ("voicemail_ok", "post_ok", "is_resident", "is_tenant"):
                value = as_bool(value or "")
            elif name == "relationship":
                value = relationship_of(value or "")
            elif name != "date_of_birth":
                value = value or ""
            changes[name] = value
        return changes

    def rows(self, changed: list[str]) -> list[Change]:
        """The changed details, in words, for "check your changes"."""
        data = self.cleaned_data
        rows = []
        for name in changed:
            field = self.fields[name]
            value = data.get(name) or ""
            if name == "date_of_birth":
                shown = words.day(value) if value else "Not given"
            elif name == "relationship":
                shown = (
                    "Not known"
                    if value in ("", NOT_KNOWN)
                    else RELATIONSHIP_WORDS.get(value, words.from_code(value))
                )
            elif isinstance(field, forms.ChoiceField):
                shown = str(dict(field.choices).get(value, "")) or "Not given"  # type: ignore[arg-type]
            else:
                shown = str(value or "") or "Not given"
            box = f"id_{name}_0" if name == "date_of_birth" else f"id_{name}"
            label = ANSWER_LABELS.get(name) or str(field.label or name)
            rows.append(Change(name, label, shown, box))
        return rows
