"""Reports never let a reader isolate a case they may not see (issue 17 §2, docs/reports.md
"Cases you may not see").

A restricted case (the survivor is a member of staff) is seen only by the people named
on it. A director, a DA lead or a manager not named on it, and an auditor, get the same
figures with it as without it, in a one-day report, with `suppress=false`, on the page
and in the downloads, and two periods that differ by one day difference to the same
thing. It is counted only in the whole provider's totals over whole quarters that have
ended. Whoever is named on it sees it counted everywhere.

The restricted case R is reported on 14 August 2026 (in the third quarter); the reports
are asked for on 30 October 2026."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases import services as cases
from safehold.cases.models import Case
from safehold.casework import plan
from tests.casedata import report
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
NOW = "2026-10-30T12:00:00Z"
DAY = "from=2026-08-14&to=2026-08-14"
PATH = "/api/v1/reports/monitoring"
READERS = ["director", "da_lead", "manager", "auditor"]


def at(moment: str) -> Any:
    return time_machine.travel(moment, tick=False)


def staff_survivor(is_staff_member: bool = True) -> inputs.SurvivorDetails:
    return inputs.SurvivorDetails(
        name="Rhiannon Colleague",
        date_of_birth=date(1985, 3, 9),
        sex="female",
        is_staff_member=is_staff_member,
        safe_contact=inputs.SafeContact(phone="07700 900555"),
        diversity=inputs.Diversity(ethnicity="asian", religion="sikh"),
    )


def opened(by: Staff, moment: str, **changes: Any) -> Case:
    with at(moment):
        return cases.case_open(report=report(reported_at=None, **changes), by=by)


@pytest.fixture
def ordinary(officer: Staff, outsider: Staff) -> list[Case]:
    """Cases everyone who reports may see: in July, August and September."""
    return [
        opened(officer, "2026-07-10T10:00:00Z"),
        opened(officer, "2026-08-03T10:00:00Z", source="police"),
        opened(officer, "2026-08-14T09:00:00Z"),  # the restricted case's own day
        opened(officer, "2026-09-21T10:00:00Z", source="agency"),
    ]


@pytest.fixture
def named(make_staff: Callable[..., Staff]) -> Staff:
    """A DA lead who records the restricted case, and so is named on it."""
    return make_staff("nia.named", role="da_lead", team="Head Office")


def restricted_case(named: Staff) -> Case:
    """R: a colleague's case, with everything a report could give away, and a review."""
    case = opened(
        named, "2026-08-14T15:00:00Z", survivor=staff_survivor(), source="staff",
        abuse_types=("stalking_harassment",), team="Northgate",
    )  # fmt: skip
    assert case.restricted
    with at("2026-08-14T16:00:00Z"):
        plan.review_record(case=case, by=named)
    return case


@pytest.fixture
def reader(request: pytest.FixtureRequest) -> Staff:
    staff: Staff = request.getfixturevalue(request.param)
    return staff


@pytest.fixture
def now() -> Iterator[None]:
    with at(NOW):
        yield


def figures(client: Client, query: str) -> dict[str, Any]:
    answer = client.get(f"{PATH}?{query}")
    assert answer.status_code == 200, answer.content
    found: dict[str, Any] = answer.json()
    return found


def numbers(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a report, by its path."""
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out |= numbers(value, f"{prefix}/{key}")
        return out
    return {prefix: tree}


def difference(longer: dict[str, Any], shorter: dict[str, Any]) -> dict[str, Any]:
    a, b = numbers(longer), numbers(shorter)
    return {
        key: a[key] - b[key]
        for key in a
        if isinstance(a[key], int | float) and isinstance(b.get(key), int | float)
    }


@pytest.mark.parametrize("reader", READERS, indirect=True)
@pytest.mark.parametrize("suppress", ["false", "true"])
def test_it_shows_nothing_of_a_restricted_case_alone_in_a_one_day_report(
    policy: str, ordinary: list[Case], named: Staff, reader: Staff, suppress: str,
    api_as: Callable[..., Client], now: None,
) -> None:  # fmt: skip
    client = api_as(reader)
    query = f"{DAY}&suppress={suppress}"
    before = figures(client, query)

    restricted_case(named)

    assert figures(client, query) == before  # totals, breakdowns, diversity, compliance
    assert before["reports"] == 1


@pytest.mark.parametrize("reader", READERS, indirect=True)
def test_it_gives_the_same_difference_for_two_periods_a_day_apart(
    policy: str, ordinary: list[Case], named: Staff, reader: Staff,
    api_as: Callable[..., Client], now: None,
) -> None:  # fmt: skip
    client = api_as(reader)
    longer, shorter = "from=2026-08-01&to=2026-08-14", "from=2026-08-01&to=2026-08-13"
    without = difference(
        figures(client, f"{longer}&suppress=false"), figures(client, f"{shorter}&suppress=false")
    )

    restricted_case(named)

    with_it = difference(
        figures(client, f"{longer}&suppress=false"), figures(client, f"{shorter}&suppress=false")
    )
    assert with_it == without
    assert without["/reports"] == 1  # the ordinary case of 14 August, and nothing else


def test_whoever_is_named_on_it_sees_it_counted(
    policy: str, ordinary: list[Case], named: Staff, api_as: Callable[..., Client], now: None
) -> None:
    client = api_as(named)
    before = figures(client, f"{DAY}&suppress=false")

    restricted_case(named)

    after = figures(client, f"{DAY}&suppress=false")
    assert (after["reports"], before["reports"]) == (2, 1)
    assert after["by_source"]["staff"] == before["by_source"]["staff"] + 1
    assert after["diversity"]["survivors"]["ethnicity"]["asian"] == 1
    assert after["compliance"]["reviews"]["held"] == before["compliance"]["reviews"]["held"] + 1


@pytest.mark.parametrize("reader", ["director", "da_lead", "auditor"], indirect=True)
def test_whole_quarter_provider_totals_count_it_and_nothing_else_does(
    policy: str, ordinary: list[Case], named: Staff, reader: Staff,
    api_as: Callable[..., Client], now: None,
) -> None:  # fmt: skip
    client = api_as(reader)
    quarter, half = "from=2026-07-01&to=2026-09-30", "from=2026-04-01&to=2026-09-30"
    team = "from=2026-07-01&to=2026-09-30&team=Northgate"
    before = {q: figures(client, f"{q}&suppress=false") for q in (quarter, half, team)}

    restricted_case(named)

    for q in (quarter, half):  # two overlapping reports of whole quarters
        after = figures(client, f"{q}&suppress=false")
        assert after["unseen_cases"] == "in_totals"
        assert after["reports"] == before[q]["reports"] + 1
        assert after["individuals"] == before[q]["individuals"] + 1
        assert after["repeat_reports"] == before[q]["repeat_reports"]
        for key in ("reports", "individuals", "repeat_reports"):
            after[key] = before[q][key]
        assert after == before[q]  # no breakdown, no compliance figure moved
    assert figures(client, f"{team}&suppress=false") == before[team]  # a team: never


def test_a_quarter_still_running_leaves_it_out(
    policy: str, ordinary: list[Case], named: Staff, director: Staff,
    api_as: Callable[..., Client],
) -> None:  # fmt: skip
    client = api_as(director)
    with at("2026-09-29T12:00:00Z"):  # the third quarter is not over: it could be read daily
        before = figures(client, "from=2026-07-01&to=2026-09-30&suppress=false")
        restricted_case(named)
        after = figures(client, "from=2026-07-01&to=2026-09-30&suppress=false")

    assert after == before
    assert after["unseen_cases"] == "left_out"


def test_a_repeat_counts_only_for_whoever_may_see_the_earlier_case(
    policy: str, ordinary: list[Case], named: Staff, director: Staff, officer: Staff,
    api_as: Callable[..., Client], now: None,
) -> None:  # fmt: skip
    restricted_case(named)
    later = opened(officer, "2026-09-02T10:00:00Z", survivor=staff_survivor(False))
    assert later.repeat
    assert not later.restricted
    day = "from=2026-09-02&to=2026-09-02&suppress=false"

    assert figures(api_as(director), day)["repeat_reports"] == 0  # its case says no repeat
    assert figures(api_as(named), day)["repeat_reports"] == 1  # she sees R: correct for her


def page_text(client: Client, query: str) -> str:
    page = client.get(f"/reports/?{query}")
    assert page.status_code == 200
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.content.decode())
    return re.sub(r'nonce="[^"]*"', "", html)  # both change with every request


DAY_FORM = "start_0=14&start_1=8&start_2=2026&end_0=14&end_1=8&end_2=2026"


@pytest.mark.parametrize("reader", ["director", "manager"], indirect=True)
def test_the_page_and_the_csv_show_nothing_of_it(
    policy: str, ordinary: list[Case], named: Staff, reader: Staff, now: None
) -> None:
    client = signed_in(reader)
    counted = f"{DAY_FORM}&recount=1"  # counted afresh each time, never kept figures
    before_page = page_text(client, counted)  # the box unticked: exact counts
    before_csv = client.get(f"/reports/monitoring.csv?{DAY_FORM}").content

    restricted_case(named)

    assert page_text(client, counted) == before_page
    assert client.get(f"/reports/monitoring.csv?{DAY_FORM}").content == before_csv
    assert "Cases you may not see" in before_page
    assert "This report counts only the cases you may see." in before_page
    rows = list(csv.reader(io.StringIO(before_csv.decode("utf-8-sig"))))
    assert rows[3][0].startswith("Cases you may not see")


def test_suppression_is_on_by_default_on_the_api_and_the_page(
    policy: str, ordinary: list[Case], director: Staff, outsider: Staff,
    api_as: Callable[..., Client], now: None,
) -> None:  # fmt: skip
    answer = figures(api_as(director), "from=2026-08-01&to=2026-08-31")

    assert answer["suppressed"] is True
    assert answer["by_source"]["police"] == "<5"
    page = signed_in(director).get("/reports/").content.decode()
    assert re.search(r'name="suppress" type="checkbox" value="on" checked', page)
    assert api_as(outsider).get(f"{PATH}?{DAY}").status_code == 403  # an officer: none


def test_a_quarters_page_compares_it_with_the_quarter_before_and_says_what_it_counts(
    policy: str, ordinary: list[Case], director: Staff, now: None
) -> None:
    query = "start_0=1&start_1=7&start_2=2026&end_0=30&end_1=9&end_2=2026"
    page = signed_in(director).get(f"/reports/?{query}").content.decode()

    assert "1 July 2026 to 30 September 2026, beside 1 April 2026 to 30 June 2026" in page
    assert "its three totals count those cases too; nothing else does." in page
