"""The intake form: what an officer types while on the phone, turned into a Report.

Only the essentials are required (who reported it, and the survivor's name or a note of
why there is none); everything else may be filled in later. Values are kept as typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.forms.utils import pretty_name

from safehold.cases import diversity, inputs
from safehold.cases.models import Source
from safehold.policy.clock import FIRST_YEAR, LAST_YEAR
from safehold.policy.schema import Policy
from safehold.policy.vocabulary import (
    CONTACT_CHANNELS,
    CONTACT_DIRECTIONS,
    CONTACT_WITH,
    RELATIONSHIPS,
)
from safehold.web import words
from safehold.web.languages import language_choices
from safehold.web.times import TimeOfDayField

LONDON = ZoneInfo("Europe/London")
YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("", "Not asked")]
SEX_CHOICES = [("female", "Female"), ("male", "Male"), ("prefer_not_to_say", "Prefer not to say")]
MAX_PEOPLE = 10
# Asked as a question, so that "declined" is told apart from "never asked".
SAME_SEX_OFFICER_CHOICES = [
    ("yes", "Yes, they would like one"),
    ("no", "No, they declined"),
    ("", "Not asked"),
]
# Chosen, never preselected (issue 18): "Not known" is an answer, recorded as blank.
RELATIONSHIP_WORDS = {
    "partner": "Partner",
    "ex_partner": "Ex-partner",
    "spouse": "Husband, wife or civil partner",
    "ex_spouse": "Ex-husband, ex-wife or former civil partner",
    "parent": "Parent",
    "child": "Son or daughter",
    "sibling": "Brother or sister",
    "other_family": "Other family member",
    "household_member": "Someone else in the household",
    "other": "Other",
}
NOT_KNOWN = "not_known"
RELATIONSHIP_CHOICES = [
    *((r, RELATIONSHIP_WORDS.get(r, r.replace("_", " ").capitalize())) for r in RELATIONSHIPS),
    (NOT_KNOWN, "Not known"),
]
SEVERITY_CHOICES = [
    ("standard", "Standard"),
    ("medium", "Medium"),
    ("high", "High"),
    ("", "Not judged yet"),
]


def as_bool(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def relationship_of(answer: str) -> str:
    """The relationship as stored: blank when not known or not chosen, never a guess."""
    return "" if answer == NOT_KNOWN else answer


def has_targets_by_severity(policy: Policy) -> bool:
    """Whether the policy sets response targets by severity: only then does the intake
    ask how severe the report is (it sets the response deadline)."""
    targets = policy.response_target_by_risk_level
    return any(getattr(targets, level) is not None for level in ("standard", "medium", "high"))


def check_working_year(day: date) -> None:
    """A date typed on a page must fall in the years Safehold works in: year 1 passes
    `date()`, then breaks the services' look-back and London time (clock.FIRST_YEAR)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise forms.ValidationError(f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}")


class DatePartsWidget(forms.MultiWidget):
    def __init__(self) -> None:
        super().__init__(widgets=[forms.TextInput(), forms.TextInput(), forms.TextInput()])

    def decompress(self, value: date | None) -> list[int | None]:
        return [value.day, value.month, value.year] if value else [None, None, None]


class DateParts(forms.MultiValueField):
    """GOV.UK's date input: day, month and year in three boxes."""

    widget = DatePartsWidget
    # A box left empty while the others are filled (Django's own words are "Enter a
    # complete value").
    default_error_messages = {"incomplete": "Enter the day, month and year"}

    def __init__(self, **kwargs: Any) -> None:
        parts = (
            forms.CharField(max_length=2),
            forms.CharField(max_length=2),
            forms.CharField(max_length=4),
        )
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> date | None:
        if not data_list or not any(data_list):
            return None
        try:
            day, month, year = (int(part) for part in data_list)
            typed = date(year, month, day)
        except (TypeError, ValueError):
            raise forms.ValidationError("Enter a real date, for example 27 3 1990") from None
        check_working_year(typed)
        return typed


@dataclass(frozen=True)
class Answer:
    """One row of "Check your answers": the question, the answer in words, and the id
    of the box its "Change" returns to."""

    name: str
    label: str
    value: str
    box: str


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Answer]


# The sections of "Check your answers" before and after the people (IntakeForm.answers).
ANSWER_SECTIONS = [
    (
        "The report",
        ("source", "reported_date", "reported_time", "abuse_types", "severity", "summary"),
    ),
    ("The survivor", ("name", "date_of_birth", "sex", "address", "tenancy_ref", "is_staff_member")),
    ("How to contact them safely", ("phone", "email", "safe_times", "voicemail_ok", "post_ok")),
    (
        "What they asked for",
        ("same_sex_officer", "childcare", "interpreter_language", "interview_venue"),
    ),
    ("Who will work with the survivor", ("take_case",)),
]
# A question's words on the check page where its label alone would not say (a label
# shown under its own legend on the form). Keyed by name, or by the part after pN_/cN_.
ANSWER_LABELS = {
    "source": "Reported by",
    "reported_date": "Date reported",
    "reported_time": "Time reported",
    "severity": "Severity as judged now",
    "summary": "What was reported",
    "name": "Full name",
    "sex": "Sex",
    "is_staff_member": "Works for us",
    "voicemail_ok": "Voicemail",
    "post_ok": "Letters by post",
    "same_sex_officer": "An officer of their own sex",
    "childcare": "Childcare during interviews",
    "take_case": "Take this case as mine",
}


class IntakeForm(forms.Form):
    source = forms.ChoiceField(
        choices=Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who reported it"},
    )
    reported_date = DateParts(required=False, label="Date")
    reported_time = TimeOfDayField(required=False, label="Time")
    abuse_types = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Kinds of abuse described"
    )
    summary = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea, label="What was reported"
    )

    name = forms.CharField(required=False, max_length=200, label="Full name")
    date_of_birth = DateParts(required=False, label="Date of birth")
    sex = forms.ChoiceField(required=False, choices=SEX_CHOICES, widget=forms.RadioSelect)
    address = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea, label="Address"
    )
    tenancy_ref = forms.CharField(
        required=False, max_length=60, label="Tenancy or property reference"
    )
    is_staff_member = forms.BooleanField(required=False, label="The survivor works for us")

    phone = forms.CharField(required=False, max_length=40, label="Safe phone number")
    email = forms.EmailField(
        required=False,
        max_length=254,
        label="Safe email address",
        error_messages={"invalid": "Enter an email like name@example.com"},
    )
    safe_times = forms.CharField(required=False, max_length=500, label="Safe times to contact")
    voicemail_ok = forms.ChoiceField(
        required=False,
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        label="Can we leave a voicemail?",
    )
    post_ok = forms.ChoiceField(
        required=False,
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        label="Can we send letters by post?",
    )

    same_sex_officer = forms.ChoiceField(
        required=False,
        choices=SAME_SEX_OFFICER_CHOICES,
        widget=forms.RadioSelect,
        label="Would they like an officer of their own sex?",
    )
    interpreter_language = forms.ChoiceField(
        required=False,
        choices=[("", "No interpreter"), *language_choices()],
        label="Interpreter language",
    )
    childcare = forms.BooleanField(required=False, label="Childcare during interviews")
    interview_venue = forms.CharField(
        required=False, max_length=500, label="Where they would like to meet"
    )

    take_case = forms.BooleanField(required=False, label="Take this case as mine")

    perpetrators = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_PEOPLE, widget=forms.HiddenInput
    )
    children = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_PEOPLE, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, policy: Policy, may_take: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_take:
            # Offered only to whom a case may be assigned (access.offered_to_take).
            del self.fields["take_case"]
        # Every kind of abuse is offered: the policy's own first, in its words.
        self.fields["abuse_types"].choices = policy.abuse_type_choices()  # type: ignore[attr-defined]
        if has_targets_by_severity(policy):
            self.fields["severity"] = forms.ChoiceField(
                required=False,
                choices=SEVERITY_CHOICES,
                widget=forms.RadioSelect,
                label="How severe is the report, as judged now?",
            )
        for name, values in diversity.BANDS.items():
            self.fields[name] = forms.ChoiceField(
                required=False, choices=[("", "Not asked"), *values], label=diversity.LABELS[name]
            )
        self.perpetrator_count = self.count("perpetrators", default=1)
        self.child_count = self.count("children", default=0)
        for n in range(self.perpetrator_count):
            self.add_perpetrator_fields(n)
        for n in range(self.child_count):
            self.add_child_fields(n)

    def count(self, name: str, *, default: int) -> int:
        raw = str(self.data.get(name) or "") if self.is_bound else ""
        try:
            wanted = int(raw) if raw else default
        except (TypeError, ValueError):
            wanted = default
        return max(0, min(wanted, MAX_PEOPLE))

    def add_perpetrator_fields(self, n: int) -> None:
        self.fields[f"p{n}_name"] = forms.CharField(
            required=False, max_length=200, label="Full name"
        )
        self.fields[f"p{n}_sex"] = forms.ChoiceField(
            required=False, choices=SEX_CHOICES, widget=forms.RadioSelect, label="Sex"
        )
        self.fields[f"p{n}_relationship"] = forms.ChoiceField(
            required=False,
            widget=forms.RadioSelect,
            label="Relationship to the survivor",
            choices=RELATIONSHIP_CHOICES,
        )
        self.fields[f"p{n}_is_resident"] = forms.ChoiceField(
            required=False,
            choices=YES_NO_UNKNOWN,
            widget=forms.RadioSelect,
            label="Do they live at the survivor's address?",
        )
        self.fields[f"p{n}_tenancy_ref"] = forms.CharField(
            required=False, max_length=60, label="Their tenancy reference, if our tenant"
        )
        self.fields[f"p{n}_is_tenant"] = forms.ChoiceField(
            required=False,
            choices=YES_NO_UNKNOWN,
            widget=forms.RadioSelect,
            label="Are they one of our tenants?",
        )
        self.fields[f"p{n}_address"] = forms.CharField(
            required=False, max_length=500, widget=forms.Textarea, label="Their postal address"
        )

    def add_child_fields(self, n: int) -> None:
        self.fields[f"c{n}_name"] = forms.CharField(required=False, max_length=200, label="Name")
        self.fields[f"c{n}_age"] = forms.IntegerField(
            required=False,
            min_value=0,
            max_value=17,
            label="Age",
            error_messages={"invalid": "Enter the child's age in years, from 0 to 17"},
        )

    def perpetrator_field_groups(self) -> list[list[forms.BoundField]]:
        names = (
            "name",
            "sex",
            "relationship",
            "is_resident",
            "tenancy_ref",
            "is_tenant",
            "address",
        )
        return [[self[f"p{n}_{name}"] for name in names] for n in range(self.perpetrator_count)]

    def child_field_groups(self) -> list[list[forms.BoundField]]:
        return [[self[f"c{n}_name"], self[f"c{n}_age"]] for n in range(self.child_count)]

    def answers(self) -> list[Section]:
        """Every answer given, in the form's order and in words, for "Check your
        answers" (a valid form only). Each row names the box its "Change" returns to.
        A field the sections below do not place is still shown, under "Other answers",
        so that a question added to the form is never left off the check."""
        perpetrators = [
            (f"Alleged perpetrator {n + 1}", self.fields_starting(f"p{n}_"))
            for n in range(self.perpetrator_count)
        ]
        children = [
            (f"Child {n + 1}", self.fields_starting(f"c{n}_")) for n in range(self.child_count)
        ]
        layout = [
            *[(title, list(names)) for title, names in ANSWER_SECTIONS[:3]],
            *perpetrators,
            *children,
            *[(title, list(names)) for title, names in ANSWER_SECTIONS[3:]],
            ("Equality monitoring", list(diversity.BANDS)),
        ]
        placed = {name for _, names in layout for name in names} | {"perpetrators", "children"}
        layout.append(("Other answers", [name for name in self.fields if name not in placed]))
        sections = []
        for title, names in layout:
            rows = [row for name in names if name in self.fields if (row := self.answer(name))]
            if rows:
                sections.append(Section(title, rows))
        return sections

    def fields_starting(self, prefix: str) -> list[str]:
        return [name for name in self.fields if name.startswith(prefix)]

    def answer(self, name: str) -> Answer | None:
        """The answer to one question in words, or None when none was given."""
        field = self.fields[name]
        value: Any = self.cleaned_data.get(name)
        if name == "reported_date" and value is None:
            return Answer(name, ANSWER_LABELS[name], "Today, as it is recorded", f"id_{name}_0")
        if value in (None, "", [], (), False):
            return None
        words_of = dict(getattr(field, "choices", ()))
        if isinstance(field, forms.MultipleChoiceField):
            shown = ", ".join(str(words_of.get(v, v)) for v in value)
        elif isinstance(field, forms.ChoiceField):
            shown = str(words_of.get(value, value))
        elif isinstance(field, forms.BooleanField):
            shown = "Yes"
        elif isinstance(value, date):
            shown = words.day(value)
        elif isinstance(value, time):
            shown = words.clock(value)
        else:
            shown = str(value)
        label = ANSWER_LABELS.get(
            name.split("_", 1)[1] if name[:1] in "pc" and name[1:2].isdigit() else name
        )
        bound = self[name]
        box = f"{bound.auto_id}_0" if isinstance(field, DateParts) else bound.auto_id
        return Answer(name, label or str(field.label or pretty_name(name)), shown, box)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name") and data.get("source") != "anonymous":
            self.add_error("name", "Enter the survivor's name, or choose 'Anonymous' as the source")
        if data.get("reported_time") and not data.get("reported_date"):
            self.add_error("reported_date", "Enter the date the report was made")
        return data

    def reported_at(self) -> datetime | None:
        day: date | None = self.cleaned_data.get("reported_date")
        if day is None:
            return None
        moment: time = self.cleaned_data.get("reported_time") or time(0, 0)
        return datetime.combine(day, moment, tzinfo=LONDON)

    def report(self, *, separate_case_reason: str = "") -> inputs.Report:
        data = self.cleaned_data
        bands = inputs.Diversity(**{name: data.get(name) or "" for name in diversity.BANDS})
        return inputs.Report(
            source=data["source"],
            reported_at=self.reported_at(),
            survivor=inputs.SurvivorDetails(
                name=data["name"],
                date_of_birth=data.get("date_of_birth"),
                sex=data["sex"],
                address=data["address"],
                tenancy_ref=data["tenancy_ref"],
                is_staff_member=data["is_staff_member"],
                safe_contact=inputs.SafeContact(
                    phone=data["phone"],
                    email=data["email"],
                    safe_times=data["safe_times"],
                    voicemail_ok=as_bool(data["voicemail_ok"]),
                    post_ok=as_bool(data["post_ok"]),
                ),
                diversity=bands,
            ),
            alleged_perpetrators=tuple(
                inputs.PerpetratorDetails(
                    name=data[f"p{n}_name"],
                    sex=data[f"p{n}_sex"],
                    relationship=relationship_of(data[f"p{n}_relationship"]),
                    is_resident=as_bool(data[f"p{n}_is_resident"]),
                    tenancy_ref=data[f"p{n}_tenancy_ref"],
                    is_tenant=as_bool(data[f"p{n}_is_tenant"]),
                    address=data[f"p{n}_address"],
                )
                for n in range(self.perpetrator_count)
                if data[f"p{n}_name"] or data[f"p{n}_tenancy_ref"]
            ),
            children=tuple(
                inputs.ChildDetails(name=data[f"c{n}_name"], age=data[f"c{n}_age"])
                for n in range(self.child_count)
                if data[f"c{n}_name"] or data[f"c{n}_age"] is not None
            ),
            abuse_types=tuple(data["abuse_types"]),
            summary=data["summary"],
            requests=inputs.Requests(
                same_sex_officer=as_bool(data["same_sex_officer"]),
                interpreter_language=data["interpreter_language"],
                childcare=data["childcare"],
                interview_venue=data["interview_venue"],
            ),
            separate_case_reason=separate_case_reason,
            severity=data.get("severity") or None,
        )


class ContactForm(forms.Form):
    at_date = DateParts(label="Date", required=False)
    at_time = TimeOfDayField(required=False, label="Time")
    channel = forms.ChoiceField(
        choices=[(c, c.capitalize()) for c in CONTACT_CHANNELS],
        widget=forms.RadioSelect,
        label="How",
        error_messages={"required": "Select how the contact was made"},
    )
    direction = forms.ChoiceField(
        choices=[
            (d, {"inbound": "They contacted us", "outbound": "We contacted them"}[d])
            for d in CONTACT_DIRECTIONS
        ],
        widget=forms.RadioSelect,
        label="Who made it",
        error_messages={"required": "Select who made the contact"},
    )
    with_whom = forms.ChoiceField(
        choices=[(w, w.replace("_", " ").capitalize()) for w in CONTACT_WITH],
        widget=forms.RadioSelect,
        label="With",
        error_messages={"required": "Select who the contact was with"},
    )
    notes = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)

    def at(self, now: datetime) -> datetime:
        day: date | None = self.cleaned_data.get("at_date")
        moment: time | None = self.cleaned_data.get("at_time")
        if day is None:
            return now
        return datetime.combine(day, moment or time(0, 0), tzinfo=LONDON)


class AssignForm(forms.Form):
    officer = forms.ChoiceField(error_messages={"required": "Choose an officer"})


class BreakGlassForm(forms.Form):
    reference = forms.CharField(
        max_length=20,
        label="Case reference",
        error_messages={"required": "Enter the case reference"},
    )
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea,
        label="Why do you need to see this case?",
        error_messages={"required": "Say why you need to see this case"},
    )


class BreakGlassDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")],
        error_messages={"required": "Choose whether to approve or decline"},
    )
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea,
        label="Why do you approve or decline this request?",
        error_messages={
            "required": "Say why you approve or decline this request to break the glass"
        },
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        max_length=200,
        label="Survivor's name, date of birth, phone number, postcode or a reference",
        error_messages={
            "required": "Enter a name, date of birth, phone number, postcode or reference"
        },
    )


class AuditLookupForm(forms.Form):
    reference = forms.CharField(
        max_length=20,
        label="Case reference",
        error_messages={"required": "Enter the case reference"},
    )
