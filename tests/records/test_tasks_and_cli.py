"""The nightly retention run: the task on the database backend, the schedule it keeps,
and `safehold retention run` and `safehold worker`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from safehold.cases import sealing
from safehold.cases.models import Case
from safehold.cli import main
from safehold.privacy import audit
from safehold.privacy.models import AuditEntry
from safehold.records import tasks
from safehold.records.dates import calendar_years_before
from tests.records.conftest import close

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
YEARS = 6  # default.toml: retention.years_after_closure


@pytest.fixture
def due_and_kept(open_case: Callable[..., Case]) -> tuple[Case, Case]:
    """One case past its retention period, and one closed a year ago."""
    now = timezone.now()
    due, kept = open_case(), open_case()
    close(due, calendar_years_before(now, YEARS) - timedelta(days=1))
    close(kept, now - timedelta(days=365))
    return due, kept


def pending() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path="safehold.records.tasks.retention_run", status=TaskResultStatus.READY
        )
    )


@pytest.mark.parametrize(
    ("now", "next_run"),
    [
        (datetime(2026, 11, 22, 1, 59, tzinfo=UTC), datetime(2026, 11, 22, 2, 0, tzinfo=UTC)),
        (datetime(2026, 11, 22, 2, 0, tzinfo=UTC), datetime(2026, 11, 23, 2, 0, tzinfo=UTC)),
        # British Summer Time: 02:00 in London is 01:00 UTC.
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), datetime(2026, 7, 2, 1, 0, tzinfo=UTC)),
        # The night the clocks go forward (01:00 GMT becomes 02:00 BST).
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # The night they go back: 01:30 GMT, after 01:00-02:00 BST has passed.
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
    ],
)
def test_the_next_run_is_at_two_in_the_morning_in_london(now: datetime, next_run) -> None:
    found = tasks.next_run_after(now)
    assert found == next_run
    assert found.astimezone(LONDON).hour == 2


def test_the_task_erases_due_cases_and_schedules_the_next_run(
    due_and_kept: tuple[Case, Case],
) -> None:
    due, kept = due_and_kept
    assert tasks.retention_run.call() == {"erased": 1, "not_erased": 0}
    assert Case.objects.get(pk=due.pk).erased_at is not None
    assert Case.objects.get(pk=kept.pk).erased_at is None
    [scheduled] = pending()
    assert scheduled.run_after == tasks.next_run_after(timezone.now())
    assert scheduled.backend_name == "default"


def test_enqueueing_writes_a_pending_row_and_scheduling_adds_no_second(db: None) -> None:
    result = tasks.retention_run.enqueue()
    assert result.status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert tasks.retention_schedule() is False
    assert len(pending()) == 1


def test_scheduling_adds_one_run_when_none_is_pending(db: None) -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert tasks.retention_schedule(now=now) is True
    assert tasks.retention_schedule(now=now) is False
    [scheduled] = pending()
    assert scheduled.run_after == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


# The worker closes connections between tasks, as a long-running process must: these
# tests commit for real rather than inside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_schedules_the_run_and_runs_what_is_due(
    due_and_kept: tuple[Case, Case], capsys: pytest.CaptureFixture[str]
) -> None:
    due, _ = due_and_kept
    tasks.retention_run.enqueue()  # an extra run, due now
    assert main(["worker", "--batch"]) == 0
    assert Case.objects.get(pk=due.pk).erased_at is not None
    ran = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
    assert ran.return_value == {"erased": 1, "not_erased": 0}
    [next_run] = pending()  # the worker found one waiting, the run added none more
    assert next_run.run_after > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_the_worker_schedules_the_nightly_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--batch"]) == 0
    assert "Scheduled the nightly retention run." in capsys.readouterr().out
    assert len(pending()) == 1
    assert main(["worker", "--batch"]) == 0
    assert len(pending()) == 1


def test_a_dry_run_lists_and_changes_nothing(
    due_and_kept: tuple[Case, Case], capsys: pytest.CaptureFixture[str]
) -> None:
    due, kept = due_and_kept
    entries = AuditEntry.objects.count()
    assert main(["retention", "run", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"{due.reference}  closed {Case.objects.get(pk=due.pk).closed_at.date()}" in out
    assert "would be erased" in out
    assert kept.reference not in out
    assert "1 cases would be erased. Dry run: nothing was changed." in out
    assert AuditEntry.objects.count() == entries
    due.refresh_from_db()
    assert due.erased_at is None
    assert sealing.unseal(due.data_key, due)["summary"]


def test_a_run_erases_and_says_so(
    due_and_kept: tuple[Case, Case], capsys: pytest.CaptureFixture[str]
) -> None:
    due, _ = due_and_kept
    assert main(["retention", "run"]) == 0
    out = capsys.readouterr().out
    assert f"{due.reference}  closed" in out
    assert "erased" in out
    assert "1 cases erased." in out
    assert Case.objects.get(pk=due.pk).erased_at is not None
    assert AuditEntry.objects.filter(action="case.erased", target_id=due.pk).count() == 1
    assert audit.verify().intact
    assert main(["retention", "run"]) == 0
    assert "0 cases erased." in capsys.readouterr().out


@time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=UTC), tick=False)
def test_the_run_uses_the_time_it_is_run(open_case: Callable[..., Case], capsys) -> None:
    case = open_case(reported_at=datetime(2020, 1, 1, tzinfo=UTC))
    close(case, datetime(2020, 11, 22, 12, 1, tzinfo=UTC))  # six years less a minute
    assert main(["retention", "run", "--dry-run"]) == 0
    assert "0 cases would be erased" in capsys.readouterr().out
