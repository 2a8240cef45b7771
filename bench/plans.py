"""EXPLAIN (ANALYZE, BUFFERS) of every query behind the pages officers wait for: the case
list, search by name, the case page and the home page with its queues, as a synth
manager sees them, on a database already loaded (bench/serve.py or bench/report.py
leave one; `DATABASE_URL` names it):

    DATABASE_URL=postgres://... .venv/bin/python bench/plans.py

Writes bench/results/pages-plans-<cases>.txt, slowest query first within each page, and
prints each page's query count and the time of its slowest query. Only for benchmarks:
it refuses a production database."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from common import RESULTS, ROOT, Timed, timed_queries


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safehold.settings")
    os.environ.setdefault("SAFEHOLD_ENV", "development")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if settings.SAFEHOLD_ENV == "production" or connection.vendor != "postgresql":
        sys.exit("bench/plans.py needs a development PostgreSQL database")
    from safehold.cases.models import Case

    cases = Case.objects.count()
    path = RESULTS / f"pages-plans-{cases}.txt"
    with path.open("w") as out:
        for name, page in pages().items():
            queries = captured(page)
            out.write(f"==== {name}: {len(queries)} queries\n\n")
            slowest = explain_all(queries, out)
            print(f"{name:<12} {len(queries):>3} queries, slowest {slowest * 1000:7.1f} ms")
    print(f"Plans in {path.relative_to(ROOT)}")
    return 0


def pages() -> dict[str, Callable[[], Any]]:
    """Each page's work as its view does it, for a synth team's manager."""
    from safehold.accounts.models import Staff
    from safehold.accounts.roles import Role
    from safehold.cases import access, sealing, selectors
    from safehold.cases.models import Person, PersonRole

    manager = Staff.objects.filter(role=Role.MANAGER, username__startswith="synth.").order_by(
        "username"
    )[0]
    newest = access.cases_visible_to(manager).order_by("-reported_at", "-id")[0]
    survivor = Person.objects.select_related("case__data_key").get(
        case=newest, role=PersonRole.SURVIVOR
    )
    name = sealing.unseal(survivor.case.data_key, survivor)["name"]

    def home() -> Any:
        """The home page's queries (web/views.py home), without rendering it."""
        from safehold.desk import queues

        return (
            selectors.awaiting_first_contact(manager),
            queues.counts(manager),
            selectors.unread_alerts(manager),
        )

    return {
        "case list": lambda: selectors.case_page(manager),
        "search": lambda: selectors.case_search(manager, q=name),
        "case page": lambda: selectors.case_detail(manager, newest.pk, via="bench"),
        "home": home,
    }


def captured(page: Callable[[], Any]) -> list[tuple[float, str, Any]]:
    from django.db import connection

    queries: list[Timed] = []
    page()  # warm
    with connection.execute_wrapper(timed_queries(queries)):
        page()
    return queries


def explain_all(queries: list[tuple[float, str, Any]], out: Any) -> float:
    """Writes the plan of each SELECT, slowest first; returns the slowest's seconds."""
    from django.db import connection

    selects = [q for q in queries if q[1].lstrip().upper().startswith("SELECT")]
    with connection.cursor() as cursor:
        for seconds, sql, params in sorted(selects, key=lambda q: q[0], reverse=True):
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            out.write(f"-- {seconds * 1000:.2f} ms\n{sql}\n{plan}\n\n")
    return max((q[0] for q in selects), default=0.0)


if __name__ == "__main__":
    raise SystemExit(main())
