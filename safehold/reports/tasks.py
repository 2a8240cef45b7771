"""The nightly count of kept figures (reports/kept.py), as a task for the database-backed
worker, scheduled as the retention run is (records/tasks.py): each run counts, then
enqueues the next for 03:00 Europe/London, after the retention run has erased what was
due. `safehold worker` calls `kept_schedule()` before it starts."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from safehold.records.tasks import next_run_after
from safehold.reports import kept

RUN_AT = time(3, 0)  # not-policy: when the nightly count starts, an hour after retention


def kept_schedule(*, now: datetime | None = None) -> bool:
    """Enqueues the next nightly count unless one is already waiting; True when it did."""
    waiting = DBTaskResult.objects.filter(
        task_path=kept_run.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    kept_run.using(run_after=next_run_after(now or timezone.now(), RUN_AT)).enqueue()
    return True


@task()
def kept_run() -> dict[str, int]:
    """Counts every reader's opening report, then schedules tomorrow's count, whatever
    happened to today's."""
    now = timezone.now()
    try:
        counted = kept.keep_for_readers(now=now)
    finally:
        kept_schedule(now=now)
    return {"counted": counted}
