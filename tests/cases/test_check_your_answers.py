"""The intake as GOV.UK patterns (issue 18): "Check your answers" shows every answer
given in words, each with a "Change" that takes the answers back to the form at that
question (a submit: names never go in a URL); the relationship has no silent default;
the interpreter language is chosen and shown by name."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case, PersonRole

pytestmark = pytest.mark.django_db

FULL: dict[str, Any] = {
    "source": "self",
    "reported_date_0": "2",
    "reported_date_1": "3",
    "reported_date_2": "2026",
    "reported_time": "14:30",
    "abuse_types": ["physical", "economic"],
    "summary": "He took her bank card",
    "name": "Marigold Pennywhistle",
    "date_of_birth_0": "3",
    "date_of_birth_1": "7",
    "date_of_birth_2": "1991",
    "sex": "female",
    "address": "2 Fennel Row",
    "tenancy_ref": "T-10442",
    "is_staff_member": "on",
    "phone": "07700 900555",
    "email": "marigold@example.com",
    "safe_times": "Weekday mornings",
    "voicemail_ok": "no",
    "post_ok": "yes",
    "same_sex_officer": "no",
    "childcare": "on",
    "interpreter_language": "pl",
    "interview_venue": "The library",
    "ethnicity": "black",
    "perpetrators": "1",
    "children": "1",
    "p0_name": "Rex Pennywhistle",
    "p0_sex": "male",
    "p0_relationship": "ex_partner",
    "p0_is_resident": "no",
    "p0_tenancy_ref": "T-20017",
    "c0_name": "Poppy Pennywhistle",
    "c0_age": "6",
}
# What each answer reads as on the check page.
SHOWN = {
    "source": "The survivor",
    "reported_date": "2 March 2026",
    "reported_time": "2:30pm",
    "abuse_types": "Physical",
    "summary": "He took her bank card",
    "name": "Marigold Pennywhistle",
    "date_of_birth": "3 July 1991",
    "sex": "Female",
    "address": "2 Fennel Row",
    "tenancy_ref": "T-10442",
    "is_staff_member": "Yes",
    "phone": "07700 900555",
    "email": "marigold@example.com",
    "safe_times": "Weekday mornings",
    "voicemail_ok": "No",
    "post_ok": "Yes",
    "same_sex_officer": "No, they declined",
    "childcare": "Yes",
    "interpreter_language": "Polish",
    "interview_venue": "The library",
    "ethnicity": "Black, Black British, Caribbean or African",
    "p0_name": "Rex Pennywhistle",
    "p0_sex": "Male",
    "p0_relationship": "Ex-partner",
    "p0_is_resident": "No",
    "p0_tenancy_ref": "T-20017",
    "c0_name": "Poppy Pennywhistle",
    "c0_age": "6",
}


def check_page(client: Client, form: dict[str, Any]) -> str:
    page = client.post("/cases/new", {**form, "step": "check"})
    assert page.status_code == 200, page.content.decode()[:3000]
    return page.content.decode()


def shown(html: str, name: str) -> str:
    found = re.search(rf'data-testid="check-{name}">(.*?)</dd>', html, re.S)
    assert found, f"no row for {name}"
    return found.group(1)


def test_it_lists_every_answer_given_in_words_each_with_a_change(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    html = check_page(as_staff(officer), FULL)

    for name, words in SHOWN.items():
        assert words in shown(html, name), name
        assert f'data-testid="change-{name}"' in html, name
    # Every question answered is on the page, whatever it is called.
    answered = {re.sub(r"_\d$", "", key) for key in FULL} - {"perpetrators", "children"}
    assert answered <= set(re.findall(r'data-testid="check-([a-z0-9_]+)"', html))
    assert "pl<" not in html  # the language by name, not its code
    assert Case.objects.count() == 0


def test_a_change_returns_to_the_question_by_a_submit_carrying_no_answer_in_its_address(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    html = check_page(as_staff(officer), FULL)

    changes = re.findall(
        r'<button type="submit" name="step" value="edit" formaction="([^"]+)"[^>]*'
        r'data-testid="change-([a-z0-9_]+)">Change<span class="govuk-visually-hidden"> ([^<]+)<',
        html,
    )
    assert len(changes) == len(SHOWN)
    boxes = dict((name, action) for action, name, _ in changes)
    assert boxes["name"] == "/cases/new#id_name"
    assert boxes["date_of_birth"] == "/cases/new#id_date_of_birth_0"
    assert boxes["p0_relationship"] == "/cases/new#id_p0_relationship"
    assert boxes["c0_age"] == "/cases/new#id_c0_age"
    assert all(re.fullmatch(r"/cases/new#id_[a-z0-9_]+", action) for action in boxes.values())
    hidden_words = {name: words for _, name, words in changes}
    assert hidden_words["p0_name"] == "full name (alleged perpetrator 1)"
    # The answers travel in the form's hidden fields, back to the form.
    assert 'type="hidden" name="name" value="Marigold Pennywhistle"' in html


def test_change_shows_the_form_again_with_every_answer_kept(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    again = client.post("/cases/new", {**FULL, "step": "edit"})

    html = again.content.decode()
    assert again.status_code == 200
    assert "There is a problem" not in html
    assert re.search(r'id="id_name" name="name" type="text"\s+value="Marigold Pennywhistle"', html)
    assert 'name="date_of_birth_2" type="text" inputmode="numeric" value="1991"' in html
    assert re.search(r'value="ex_partner" checked', html)
    assert '<option value="pl" selected>Polish</option>' in html
    assert "Poppy Pennywhistle" in html
    assert Case.objects.count() == 0


def test_a_report_given_now_says_so(officer: Staff, as_staff: Callable[[Staff], Client]) -> None:
    html = check_page(
        as_staff(officer), {"source": "anonymous", "perpetrators": "0", "children": "0"}
    )

    assert "Today, as it is recorded" in shown(html, "reported_date")
    assert 'data-testid="check-name"' not in html  # not given, not listed


def test_the_relationship_has_no_answer_until_the_officer_gives_one(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    form = client.get("/cases/new").content.decode()

    relationship = form[form.index('name="p0_relationship"') - 300 :]
    relationship = relationship[: relationship.index("</fieldset>")]
    assert 'type="radio" value="partner"' in relationship
    assert 'type="radio" value="not_known"' in relationship
    assert ">Not known</label>" in relationship
    assert "checked" not in relationship

    unknown = {**FULL, "p0_relationship": "not_known"}
    assert "Not known" in shown(check_page(client, unknown), "p0_relationship")
    client.post("/cases/new", {**unknown, "step": "confirm"})
    person = Case.objects.get().people.get(role=PersonRole.ALLEGED_PERPETRATOR)
    assert person.relationship == ""  # not known: never guessed as "other"


def test_the_interpreter_language_is_chosen_and_shown_by_name(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    form = client.get("/cases/new").content.decode()
    assert '<option value="pl">Polish</option>' in form
    assert '<option value="gu">Gujarati</option>' in form
    assert 'name="interpreter_language" type="text"' not in form

    saved = client.post("/cases/new", {**FULL, "step": "confirm"})
    case = Case.objects.get()
    assert case.interpreter_language == "pl"
    page = client.get(saved["Location"]).content.decode()
    assert "An interpreter (Polish)" in page
    assert "(pl)" not in page
