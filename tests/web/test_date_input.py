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
