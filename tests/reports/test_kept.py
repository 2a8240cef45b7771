"""Kept figures (reports/kept.py): the report page shows what was last counted for the
same reader and question, says when, and counts again when asked; each reader's own;
never across a change of role, team, the cases seen beyond the role (a break-glass
grant), policy or shape of the figures, nor after a day; the nightly run counts every
reader's opening question, one reader's failure stopping no other; downloads and the API
always count afresh."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from safehold.accounts.models import Staff, Team
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from safehold.reports import kept, tasks
from safehold.reports.models import KeptReport
from tests.casedata import report
from tests.conftest import signed_in
from tests.test_prepared import grant

pytestmark = pytest.mark.django_db


def text_of(client: Client, query: str = "") -> str:
    page = client.get(f"/reports/{query}")
    assert page.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())


def reports_shown(text: str) -> int:
    found = re.search(r"Reports (\d+) \(previous period", text)
    assert found, text
    return int(found.group(1))


@pytest.fixture
def six(policy: str, open_case: Callable[..., Case]) -> list[Case]:
    return [open_case() for _ in range(6)]


def test_the_page_shows_kept_figures_says_when_and_counts_again_when_asked(
    six: list[Case], director: Staff, open_case: Callable[..., Case]
) -> None:
    client = signed_in(director)
    first = text_of(client)
    assert reports_shown(first) == 6
    assert "These figures were counted just now" in first

    open_case()
    again = text_of(client)
    assert reports_shown(again) == 6  # kept: the seventh case is not counted yet
    assert "These figures were counted at" in again
    assert "anything recorded since then is not counted in them yet" in again
    assert "Count again now" in again

    recounted = text_of(client, "?recount=1")
    assert reports_shown(recounted) == 7
    assert "These figures were counted just now" in recounted
    assert reports_shown(text_of(client)) == 7  # the new count is the one kept


def test_the_count_again_link_keeps_the_question(six: list[Case], director: Staff) -> None:
    client = signed_in(director)
    end = timezone.localdate()
    start = end - timedelta(days=30)
    form = (
        f"start_0={start.day}&start_1={start.month}&start_2={start.year}"
        f"&end_0={end.day}&end_1={end.month}&end_2={end.year}"
    )  # the box unticked: small counts shown
    client.get(f"/reports/?{form}")
    html = client.get(f"/reports/?{form}").content.decode()
    link = re.search(r'href="\?([^"]*recount=1[^"]*)"', html)
    assert link
    assert link.group(1).replace("&amp;", "&") == f"{form}&recount=1"
    [row] = KeptReport.objects.filter(reader=director)
    assert (row.start, row.end, row.suppress, row.scope) == (start, end, False, "provider")


def test_kept_figures_are_the_readers_own(
    six: list[Case], director: Staff, make_staff: Callable[..., Staff],
    open_case: Callable[..., Case],
) -> None:  # fmt: skip
    text_of(signed_in(director))
    open_case()
    other = make_staff("dina.director", role="director")

    text = text_of(signed_in(other))
    assert reports_shown(text) == 7  # her own count, not the first director's
    assert "counted just now" in text
    assert KeptReport.objects.filter(reader=other).count() == 1


def test_a_new_team_or_role_or_a_day_later_counts_again(
    six: list[Case], manager: Staff, open_case: Callable[..., Case]
) -> None:
    client = signed_in(manager)
    assert reports_shown(text_of(client)) == 6
    open_case()
    assert reports_shown(text_of(client)) == 6

    manager.role = "da_lead"  # the same person, now seeing the whole provider
    manager.save()
    assert reports_shown(text_of(client)) == 7
    manager.role = "manager"
    manager.save()
    back = text_of(client)  # where she stood when her team's figures were counted
    assert "These figures were counted at" in back
    assert reports_shown(back) == 6
    own_team = manager.team
    manager.team = Team.objects.create(name="Eastfield")
    manager.save()
    assert reports_shown(text_of(client)) == 0  # her new team's, counted now
    manager.team = own_team
    manager.save()

    open_case()
    KeptReport.objects.update(counted_at=timezone.now() - kept.KEPT_FOR)
    assert reports_shown(text_of(client)) == 8


def test_a_new_policy_counts_again(
    six: list[Case], director: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(director)
    text_of(client)
    assert "counted at" in text_of(client)
    standing = kept.standing_of(director, timezone.now())
    monkeypatch.setattr(kept, "standing_of", lambda reader, now: standing + "-changed")
    assert "counted just now" in text_of(client)


def test_every_view_is_audited_and_says_when_kept_figures_were_counted(
    six: list[Case], director: Staff
) -> None:
    client = signed_in(director)
    text_of(client)
    text_of(client)
    first, second = AuditEntry.objects.filter(action="report.viewed").order_by("seq")
    assert "counted_at" not in first.detail
    counted_at = KeptReport.objects.get(reader=director).counted_at
    assert second.detail["counted_at"] == counted_at.isoformat()
    assert second.actor == director.username


def test_downloads_and_the_api_count_afresh(
    six: list[Case], director: Staff, open_case: Callable[..., Case],
    api_as: Callable[..., Client],
) -> None:  # fmt: skip
    client = signed_in(director)
    text_of(client)
    open_case()
    today = timezone.localdate()
    start = today.replace(year=today.year - 1) + timedelta(days=1)
    csv = client.get("/reports/monitoring.csv").content.decode("utf-8-sig")
    assert re.search(r"^Reports,Reports,7,", csv, re.MULTILINE), csv
    answer = api_as(director).get(f"/api/v1/reports/monitoring?from={start}&to={today}")
    assert answer.json()["reports"] == 7


def test_an_account_that_may_no_longer_see_reports_gets_none_kept(
    six: list[Case], manager: Staff
) -> None:
    client = signed_in(manager)
    text_of(client)
    manager.role = "officer"
    manager.save()
    assert client.get("/reports/").status_code == 403


def test_the_nightly_count_keeps_every_readers_opening_report(
    six: list[Case], director: Staff, manager: Staff, da_lead: Staff, auditor: Staff,
    officer: Staff, admin: Staff, make_staff: Callable[..., Staff],
) -> None:  # fmt: skip
    gone = make_staff("gone.manager", role="manager")
    gone.is_active = False
    gone.save()
    old = KeptReport.objects.create(
        reader=director, scope="provider", start=date(2020, 1, 1),
        end=date(2020, 12, 31), suppress=True, standing="x", figures={},
        counted_at=timezone.now() - kept.KEPT_FOR,
    )  # fmt: skip
    entries = AuditEntry.objects.count()

    assert kept.keep_for_readers() == 4

    readers = set(KeptReport.objects.values_list("reader__username", flat=True))
    assert readers == {s.username for s in (director, manager, da_lead, auditor)}
    assert not KeptReport.objects.filter(pk=old.pk).exists()  # older than a day: removed
    assert KeptReport.objects.get(reader=manager).scope == str(manager.team_id)
    assert AuditEntry.objects.count() == entries  # nobody was shown anything
    text = text_of(signed_in(director))
    assert reports_shown(text) == 6
    assert "These figures were counted at" in text


def test_the_nightly_count_is_scheduled_for_three_in_the_morning(db: None) -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert tasks.kept_schedule(now=now) is True
    assert tasks.kept_schedule(now=now) is False
    [waiting] = DBTaskResult.objects.filter(
        task_path=tasks.kept_run.module_path, status=TaskResultStatus.READY
    )
    assert waiting.run_after == datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def test_the_nightly_task_counts_and_schedules_the_next(six: list[Case], director: Staff) -> None:
    assert tasks.kept_run.call() == {"counted": 1}
    assert KeptReport.objects.filter(reader=director).exists()
    assert (
        DBTaskResult.objects.filter(
            task_path=tasks.kept_run.module_path, status=TaskResultStatus.READY
        ).count()
        == 1
    )


@pytest.mark.parametrize("junk", ["<script>alert(1)</script>", "0", ""])
def test_any_recount_value_counts_again_and_is_never_echoed(
    six: list[Case], director: Staff, junk: str
) -> None:
    client = signed_in(director)
    text_of(client)
    html = client.get("/reports/", {"recount": junk}).content.decode()
    assert "counted just now" in html
    assert "<script>alert(1)</script>" not in html


def test_a_teams_report_is_kept_under_its_team(six: list[Case], director: Staff) -> None:
    team = Team.objects.create(name="Eastfield")
    client = signed_in(director)
    end = timezone.localdate()
    form = (
        f"start_0=1&start_1=1&start_2={end.year}"
        f"&end_0={end.day}&end_1={end.month}&end_2={end.year}&team=Eastfield&suppress=on"
    )
    assert client.get(f"/reports/?{form}").status_code == 200
    assert KeptReport.objects.get(reader=director).scope == str(team.pk)


def test_figures_counted_under_a_grant_are_not_shown_once_it_has_expired(
    six: list[Case], director: Staff, open_case: Callable[..., Case]
) -> None:
    """A restricted case (her survivor is on the staff) is seen by a director only under
    a break-glass grant: counted while it ran, it must not stay counted to him after."""
    restricted = open_case(survivor=replace(report().survivor, is_staff_member=True))
    assert restricted.restricted
    client = signed_in(director)
    assert reports_shown(text_of(client)) == 6  # not his to see: left out (docs/reports.md)

    grant(restricted, director, expires_at=timezone.now() + timedelta(hours=1))
    assert reports_shown(text_of(client)) == 7  # a new standing: counted again, with it
    assert "counted at" in text_of(client)  # kept while the grant runs

    restricted.break_glass.update(expires_at=timezone.now() - timedelta(seconds=1))
    after = text_of(client)
    assert "counted just now" in after
    assert reports_shown(after) == 6


def test_the_nightly_count_keeps_the_standing_of_the_moment_it_counted(
    six: list[Case], director: Staff, open_case: Callable[..., Case]
) -> None:
    restricted = open_case(survivor=replace(report().survivor, is_staff_member=True))
    grant(restricted, director, expires_at=timezone.now() + timedelta(hours=1))
    kept.keep_for_readers()
    assert reports_shown(text_of(signed_in(director))) == 7
    restricted.break_glass.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reports_shown(text_of(signed_in(director))) == 6


# What reports/pages.py reads of kept figures. A change here is a change of the figures'
# shape: raise kept.FIGURES with it, so figures kept in the old shape are counted again.
SHAPE = (
    1,
    "action_taken appeal_outcomes appeals by_abuse_type by_risk_level by_source compliance"
    " diversity from individuals marac monitoring_fields outcomes read_from repeat_reports"
    " reports response satisfaction suppressed team to unseen_cases"
    " compliance.appeals_answered compliance.closures compliance.disclosures_without_consent"
    " compliance.emergency_repairs compliance.policy_review compliance.reviews"
    " diversity.alleged_perpetrators diversity.survivors",
)


def test_the_shape_of_the_figures_is_the_one_kept_figures_are_marked_with(
    six: list[Case], director: Staff
) -> None:
    text_of(signed_in(director))
    current = KeptReport.objects.get(reader=director).figures["current"]
    shape = [
        *sorted(current),
        *(f"compliance.{key}" for key in sorted(current["compliance"])),
        *(f"diversity.{key}" for key in sorted(current["diversity"])),
    ]
    assert (kept.FIGURES, " ".join(shape)) == SHAPE


def test_one_readers_failed_count_stops_no_other(
    six: list[Case], director: Staff, manager: Staff, da_lead: Staff,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    count = kept.services.counted_with_previous

    def failing_for_the_manager(*, by: Staff, **question: object) -> object:
        if by == manager:
            raise ConnectionError("the reports database did not answer")
        return count(by=by, **question)  # type: ignore[arg-type]

    monkeypatch.setattr(kept.services, "counted_with_previous", failing_for_the_manager)
    assert kept.keep_for_readers() == 2
    readers = set(KeptReport.objects.values_list("reader__username", flat=True))
    assert readers == {director.username, da_lead.username}
    assert "failed for one reader" in caplog.text
    assert manager.username not in caplog.messages[0]


def test_a_later_count_is_never_overwritten_by_an_earlier_one(
    six: list[Case], director: Staff
) -> None:
    client = signed_in(director)
    text_of(client)
    row = KeptReport.objects.get(reader=director)
    question = {
        "reader": director, "scope": row.scope, "start": row.start, "end": row.end,
        "suppress": row.suppress,
    }  # fmt: skip
    earlier = row.counted_at - timedelta(minutes=5)
    kept.keep(question, "older", {}, {}, counted_at=earlier)
    row.refresh_from_db()
    assert row.standing != "older"
    later = row.counted_at + timedelta(minutes=5)
    kept.keep(question, "newer", {"reports": 1}, {}, counted_at=later)
    row.refresh_from_db()
    assert (row.standing, row.counted_at) == ("newer", later)


def test_counting_removes_the_readers_own_figures_older_than_a_day(
    six: list[Case], director: Staff
) -> None:
    old = KeptReport.objects.create(
        reader=director, scope="provider", start=date(2020, 1, 1),
        end=date(2020, 12, 31), suppress=True, standing="x", figures={},
        counted_at=timezone.now() - kept.KEPT_FOR,
    )  # fmt: skip
    text_of(signed_in(director))
    assert not KeptReport.objects.filter(pk=old.pk).exists()
    assert KeptReport.objects.filter(reader=director).count() == 1


def test_it_says_when_in_gov_uk_words(six: list[Case], director: Staff) -> None:
    client = signed_in(director)
    with time_machine.travel(datetime(2026, 12, 4, 14, 36, tzinfo=UTC), tick=False):
        assert "counted just now, at 2:36pm on 4 December 2026" in text_of(client)
        assert "counted at 2:36pm on 4 December 2026" in text_of(client)
