"""Where the monitoring report reads: a PostgreSQL streaming replica when one is
configured (SAFEHOLD_REPORTS_DATABASE_URL, docs/deployment.md), else the main database.

The report reads the same models as casework (cases, people, actions, appeals), so a
router choosing a database per model would send casework's reads to the replica as well,
including the read of a case just written, which the replica may not have yet. So the
router sends no read anywhere by itself: the report's queries say `.using(REPORTS)`
(reports/monitoring.py, compliance.py, unseen.py), and only they. The router's part is
to keep the replica out of everything else: never migrated, never written."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model

REPORTS = "reports"


def reports_database() -> str:
    """The alias the report's figures are read from: the replica's when configured."""
    return REPORTS if REPORTS in settings.DATABASES else DEFAULT_DB_ALIAS


class ReportsRouter:
    """Installed only when the replica is configured (safehold/settings.py)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return None  # Django's own choice: the main database, or the instance's own

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        # Even a row read from the replica is saved to the main database: the audit
        # entries of the report (report.viewed, report.exported) among all others.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the main database's rows: a row read from one may be related
        # to a row read from the other.
        same_data = {DEFAULT_DB_ALIAS, REPORTS}
        return True if {obj1._state.db, obj2._state.db} <= same_data else None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # A streaming replica gets its tables from the main database's WAL.
        return False if db == REPORTS else None
