"""A select's options (web/includes/select.html), written by the `options` tag since
issue 19 instead of a {% for %} loop over the field: the same HTML, byte for byte, as the
loop wrote for every kind of field the pages use, and every value and label escaped.

`LOOP` is the loop as the template held it before the tag: the oracle the tag is held
to, not a second copy of the page."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string

from safehold.accounts.models import Team

LOOP = (
    "{% for choice in field %}"
    '<option value="{{ choice.data.value }}"{% if choice.data.selected %} selected{% endif %}>'
    "{{ choice.choice_label }}</option>"
    "{% endfor %}"
)
SCRIPT = "<script>alert('x')</script>"
CHOICES = [
    ("", "All teams"),
    ("1", "Eastfield"),
    ("15", "Westfield"),  # "1" is in "15": only the exact value is selected
    ("<b>", SCRIPT),
    (7, "A whole number"),
]
GROUPED = [
    ("", "Not given"),
    ("White", [("white_british", "British"), ("white_irish", "Irish")]),
    ("Mixed", [("mixed_other", "Any other mixed background")]),
]


class Chooser(forms.Form):
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    several = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)


def loop(field: forms.BoundField) -> str:
    return Template(LOOP).render(Context({"field": field}))


def tag(field: forms.BoundField) -> str:
    return Template("{% load choices %}{% options field %}").render(Context({"field": field}))


@pytest.mark.parametrize(
    "form",
    [
        Chooser(),
        Chooser(initial={"choice": "15", "grouped": "white_irish", "several": ["1", "15"]}),
        Chooser(initial={"choice": 7}),
        Chooser({"choice": "15", "grouped": "mixed_other", "several": ["15", "<b>"]}),
        Chooser({"choice": "<b>"}),
        Chooser({"choice": "not a choice", "grouped": "nor this"}),
        Chooser({"choice": "7"}),
    ],
    ids=["unbound", "initial", "initial-int", "bound", "bound-script", "invalid", "bound-int"],
)
@pytest.mark.parametrize("name", ["choice", "grouped", "several"])
def test_options_are_what_the_loop_wrote(form: Chooser, name: str) -> None:
    form.is_bound and form.is_valid()
    assert tag(form[name]) == loop(form[name])


def test_the_chosen_option_alone_is_selected_and_everything_typed_is_escaped() -> None:
    written = tag(Chooser({"choice": "15"})["choice"])
    assert '<option value="15" selected>Westfield</option>' in written
    assert written.count(" selected") == 1
    assert SCRIPT not in written
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert f'<option value="&lt;b&gt;">{escaped}</option>' in written


@pytest.mark.django_db
def test_a_model_choice_writes_its_rows_as_the_loop_did() -> None:
    Team.objects.create(name=SCRIPT)
    Team.objects.create(name="Eastfield & Co")

    class TeamChooser(forms.Form):
        team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False)

    chosen = Team.objects.get(name=SCRIPT)
    for form in (TeamChooser(), TeamChooser({"team": chosen.pk})):
        form.is_bound and form.is_valid()
        assert tag(form["team"]) == loop(form["team"])
        assert SCRIPT not in tag(form["team"])


def test_the_include_writes_the_options_inside_its_select() -> None:
    field = Chooser({"choice": "1"})["choice"]
    page = render_to_string("web/includes/select.html", {"field": field})
    assert '<select class="govuk-select" id="id_choice" name="choice">' in page
    assert '<option value="1" selected>Eastfield</option>' in page
    assert page.index("<select") < page.index("<option") < page.index("</select>")
