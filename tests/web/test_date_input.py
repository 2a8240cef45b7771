"""The GOV.UK date input renders a day, a month and a year box named as the form reads
them. (It once rendered one box named after the whole field, which the form read as no
date at all: a date of birth typed on the web intake was silently dropped.)"""

from __future__ import annotations

import re

import pytest

from safehold.accounts.models import Staff
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def date_inputs(html: str) -> list[str]:
    return re.findall(
        r'class="govuk-input govuk-date-input__input[^"]*" id="[^"]+" name="([^"]+)"', html
    )


def test_each_date_has_day_month_and_year_boxes(policy: str, officer: Staff) -> None:
    html = signed_in(officer).get("/cases/new").content.decode()

    assert date_inputs(html) == [
        "reported_date_0", "reported_date_1", "reported_date_2",
        "date_of_birth_0", "date_of_birth_1", "date_of_birth_2",
    ]  # fmt: skip
    assert html.count(">Day</label>") == 2


def test_a_date_typed_in_the_boxes_is_shown_again_after_an_error(
    policy: str, officer: Staff
) -> None:
    page = signed_in(officer).post(
        "/cases/new",
        {"date_of_birth_0": "3", "date_of_birth_1": "7", "date_of_birth_2": "1990"},
    )

    html = page.content.decode()
    assert 'name="date_of_birth_0" type="text" inputmode="numeric" value="3"' in html
    assert 'name="date_of_birth_2" type="text" inputmode="numeric" value="1990"' in html


def test_no_form_asks_for_a_date_in_one_box() -> None:
    """Every date on every form is the GOV.UK date input (issue 18): a field that reads a
    date from one box (Django's DateField and its kin) is found by its class."""
    import importlib
    import inspect
    import pkgutil

    from django import forms

    import safehold
    from safehold.cases.forms import DateParts

    one_box = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)
    found, dates = [], []
    for module_info in pkgutil.walk_packages(safehold.__path__, "safehold."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for name, field in form.base_fields.items():
                if isinstance(field, one_box):
                    found.append(f"{form.__module__}.{form.__name__}.{name}")
                if isinstance(field, DateParts):
                    dates.append(f"{form.__name__}.{name}")
    assert found == []
    assert "ActionForm.due_date" in dates
    assert "ContactForm.at_date" in dates


@pytest.mark.parametrize(
    "path",
    ["/cases/{case}/actions/new", "/cases/{case}/contacts/new", "/cases/new"],
)
def test_a_date_error_links_to_its_day_box(
    path: str, policy: str, officer: Staff, case: object
) -> None:
    """The error summary's link for a date leads into its first box, where typing starts
    (govuk-frontend moves focus to the element the link names)."""
    client = signed_in(officer)
    url = path.format(case=getattr(case, "pk", ""))
    html = client.get(url).content.decode()
    names = re.findall(r'name="([a-z_]+)_0" type="text" inputmode="numeric"', html)
    assert names
    wrong = {f"{name}_{n}": part for name in names for n, part in enumerate(("31", "2", "2026"))}
    page = client.post(url, {**wrong, "step": "check"}).content.decode()
    for name in names:
        assert f'<a href="#id_{name}_0">Enter a real date' in page
        assert f'<a href="#id_{name}">' not in page
