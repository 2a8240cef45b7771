"""The nightly retention run, as a task for the database-backed worker (django-tasks).

One run keeps itself scheduled: each erases every due case, then enqueues the next for
02:00 Europe/London, when the service is quietest. `safehold worker` calls
`retention_schedule()` before it starts, so a new installation, or one whose pending run
was lost, gets one; it adds none when a run is already waiting."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from safehold.records import services
from safehold.records.dates import LONDON

RUN_AT = time(2, 0)  # not-policy: when the nightly run starts, not a retention period
logger = logging.getLogger(__name__)


def next_run_after(now: datetime, at: time = RUN_AT) -> datetime:
    """The next `at` (02:00 unless said) in London after `now`. 02:00 and 03:00 exist on
    every day of the year: the clocks change at 01:00 GMT."""
    local = now.astimezone(LONDON)
    candidate = datetime.combine(local.date(), at, tzinfo=LONDON)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=LONDON)
    return candidate.astimezone(timezone.get_current_timezone())


def pending_runs() -> int:
    return DBTaskResult.objects.filter(
        task_path=retention_run.module_path, status=TaskResultStatus.READY
    ).count()


def retention_schedule(*, now: datetime | None = None) -> bool:
    """Enqueues the next nightly run unless one is already waiting; True when it did."""
    if pending_runs():
        return False
    retention_run.using(run_after=next_run_after(now or timezone.now())).enqueue()
    return True


@task()
def retention_run() -> dict[str, int]:
    """Erases every case whose retention period has ended, then schedules tomorrow's run,
    whatever happened to today's."""
    now = timezone.now()
    try:
        erasures = services.retention_erase_due(now=now)
    finally:
        retention_schedule(now=now)
    kept = [e for e in erasures if not e.erased]
    for erasure in kept:
        logger.warning("retention: %s not erased: %s", erasure.reference, erasure.problem)
    return {"erased": len(erasures) - len(kept), "not_erased": len(kept)}
