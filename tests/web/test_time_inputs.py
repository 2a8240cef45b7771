"""Time boxes take a time as people write it (issue 18, GOV.UK: "let people enter
times in the way they would write them"): 14:30, 2:30pm, 2.30pm, 2pm, 14.30, midday,
noon and midnight. Anything else is answered with the format to use, and writes nothing.
Every page that asks for a time uses one field (safehold/web/times.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case, Contact
from safehold.web.times import time_of_day
from safehold.web.words import LONDON
from tests.cases.test_pages import FORM, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(open_case: Callable[..., Case]) -> Case:
    """A case reported two days ago, so that any time yesterday is after the report."""
    return open_case(reported_at=timezone.now() - timedelta(days=2))


WRITTEN = [
    ("14:30", time(14, 30)),
    ("2:30pm", time(14, 30)),
    ("2.30pm", time(14, 30)),
    ("2pm", time(14, 0)),
    ("14.30", time(14, 30)),
    ("2:30 PM", time(14, 30)),
    ("2.30 p.m.", time(14, 30)),
    ("9am", time(9, 0)),
    ("09:05", time(9, 5)),
    ("1430", time(14, 30)),
    ("12:15am", time(0, 15)),
    ("12pm", time(12, 0)),
    ("midday", time(12, 0)),
    ("Noon", time(12, 0)),
    ("12 noon", time(12, 0)),
    ("midnight", time(0, 0)),
]
UNREADABLE = ["2", "14", "25:00", "14:60", "13pm", "0am", "half two", "2:3pm", "tea time"]


def yesterday() -> dict[str, str]:
    day = timezone.localtime(timezone.now(), LONDON).date() - timedelta(days=1)
    return {"at_date_0": str(day.day), "at_date_1": str(day.month), "at_date_2": str(day.year)}


def contact(at_time: str) -> dict[str, str]:
    return {
        **yesterday(),
        "at_time": at_time,
        "channel": "phone",
        "direction": "outbound",
        "with_whom": "survivor",
        "notes": "Rang about the lock change",
    }


@pytest.mark.parametrize(("written", "meant"), WRITTEN)
def test_it_reads_a_time_as_people_write_it(written: str, meant: time) -> None:
    assert time_of_day(written) == meant


@pytest.mark.parametrize("written", UNREADABLE)
def test_it_refuses_a_time_it_cannot_read_rather_than_guess(written: str) -> None:
    with pytest.raises(ValueError, match=re.escape(written)):
        time_of_day(written)


@pytest.mark.parametrize(("written", "meant"), WRITTEN)
def test_it_records_a_contact_at_the_time_written(
    officer: Staff, case: Case, as_staff: Callable[[Staff], Client], written: str, meant: time
) -> None:
    response = as_staff(officer).post(f"/cases/{case.pk}/contacts/new", contact(written))
    assert response.status_code == 302
    at = timezone.localtime(Contact.objects.get(case=case).at, LONDON)
    assert (at.time(), at.date()) == (meant, datetime.now(LONDON).date() - timedelta(days=1))


@pytest.mark.parametrize("written", ["2", "25:00", "13pm", "half two"])
def test_it_names_the_format_for_a_time_it_cannot_read_and_records_nothing(
    officer: Staff, case: Case, as_staff: Callable[[Staff], Client], written: str
) -> None:
    response = as_staff(officer).post(f"/cases/{case.pk}/contacts/new", contact(written))
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter a time like 2:30pm or 14:30" in page
    assert 'href="#id_at_time"' in page
    assert f'value="{written}"' in page  # what was typed stays, to correct
    assert not Contact.objects.filter(case=case).exists()


def test_the_time_box_says_how_to_write_a_time(
    officer: Staff, case: Case, as_staff: Callable[[Staff], Client]
) -> None:
    for url in (f"/cases/{case.pk}/contacts/new", "/cases/new"):
        page = as_staff(officer).get(url).content.decode()
        assert "For example, 2:30pm or 14:30" in page
        assert "24-hour" not in page


def test_a_report_takes_its_time_as_people_write_it(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    day = timezone.localtime(timezone.now(), LONDON).date() - timedelta(days=1)
    when = {"reported_date_0": str(day.day), "reported_date_1": str(day.month)}
    when |= {"reported_date_2": str(day.year), "reported_time": "2.30pm"}
    client = as_staff(officer)
    check = client.post("/cases/new", {**FORM, **when, "step": "check"})
    assert "2:30pm" in check.content.decode()
    response = record(client, {**FORM, **when})
    assert response.status_code == 302
    reported = timezone.localtime(Case.objects.get().reported_at, LONDON)
    assert (reported.date(), reported.time()) == (day, time(14, 30))


def test_a_report_at_a_time_it_cannot_read_names_the_format(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    when = {"reported_date_0": "1", "reported_date_1": "1", "reported_date_2": "2026"}
    response = as_staff(officer).post(
        "/cases/new", {**FORM, **when, "reported_time": "after lunch", "step": "check"}
    )
    assert response.status_code == 400
    assert "Enter a time like 2:30pm or 14:30" in response.content.decode()
    assert not Case.objects.exists()


def test_every_time_box_reads_times_as_people_write_them() -> None:
    """Every form that asks for a time uses the one field (web/times.py): Django's
    TimeField, which reads only the formats it is given, is found by its class."""
    import importlib
    import inspect
    import pkgutil

    from django import forms

    import safehold
    from safehold.web.times import TimeOfDayField

    plain, times = [], []
    for module_info in pkgutil.walk_packages(safehold.__path__, "safehold."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for name, field in form.base_fields.items():
                if isinstance(field, forms.TimeField | forms.SplitDateTimeField):
                    plain.append(f"{form.__module__}.{form.__name__}.{name}")
                if isinstance(field, TimeOfDayField):
                    times.append(f"{form.__name__}.{name}")
    assert plain == []
    assert {"IntakeForm.reported_time", "ContactForm.at_time"} <= set(times)
