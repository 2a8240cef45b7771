"""How the audit trail grows (issue 19, "The audit trail as it grows"), on PostgreSQL:

    .venv/bin/python bench/audit.py [--cases 10000] [--entries 100000 1000000] [--new 10000]

Without DATABASE_URL it starts a throwaway cluster from Debian's postgresql-15 (as
scripts/test does; fsync off) and removes it at the end. It migrates, loads the cases
with `safehold synth`, and measures how many entries one read of a case appends (the
case page and the API's case, as a synth manager). Then, for each size in `--entries`
in turn, it appends invented entries up to that size (`safehold synth --audit-entries`),
takes a checkpoint, appends `--new` more (a day's work), runs VACUUM ANALYZE and prints:

- bytes per entry: `pg_total_relation_size` of the table (heap, TOAST and indexes) over
  its count, the heap and each index apart, and the average row of each action;
- the time of a full `safehold audit verify` and of `--since-checkpoint`;
- the time of a case's "Who has seen this case" page (the busiest case's first and
  tenth page, and a typical case's first), with the page's query plan.

Writes bench/results/audit-<date>.json and audit-<date>-plans.txt. Only for
benchmarks: synth refuses a production database. Times are one run each on a shared
machine: read them as sizes, not to the millisecond."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from common import RESULTS, ROOT, throwaway_cluster
from report import django_start, load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--entries", type=int, nargs="+", default=[100_000])
    parser.add_argument("--new", type=int, default=10_000, help="entries after the checkpoint")
    parser.add_argument("--reuse", action="store_true", help="keep the cases already there")
    args = parser.parse_args(argv)
    if os.environ.get("DATABASE_URL"):
        return bench(os.environ["DATABASE_URL"], args)
    with throwaway_cluster() as url:
        return bench(url, args)


def bench(database_url: str, args: argparse.Namespace) -> int:
    django_start(database_url)
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/audit.py measures PostgreSQL: give it a PostgreSQL DATABASE_URL")
    from safehold.privacy.models import AuditEntry
    from safehold.synth.trail import trail_load

    load(args.cases, reuse=args.reuse)
    per_read = entries_per_read()
    print(f"Entries one read appends: {per_read}", flush=True)
    sizes = []
    plans_path = RESULTS / f"audit-{today()}-plans.txt"
    with plans_path.open("w") as plans:
        for size in sorted(args.entries):
            have = AuditEntry.objects.count()
            if size - args.new > have:
                print(f"Appending {size - args.new - have:,} entries...", flush=True)
                trail_load(entries=size - args.new - have, progress=indented)
            sizes.append(measure(size, args.new, plans, trail_load))
    result = {
        "date": today(),
        "machine": f"{platform.node()} {os.cpu_count()} cores",
        "cases": args.cases,
        "entries_per_read": per_read,
        "sizes": sizes,
    }
    path = RESULTS / f"audit-{today()}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Results in {path.relative_to(ROOT)}, plans in {plans_path.relative_to(ROOT)}")
    return 0


def today() -> str:
    return str(datetime.now(UTC).date())


def indented(line: str) -> None:
    print(" ", line, flush=True)


def entries_per_read() -> dict[str, int]:
    """How many entries one read appends, through HTTP as a synth manager: the case
    page, and the API's case."""
    from django.test import Client
    from prepare import signed_in_session

    from safehold.accounts.models import Staff
    from safehold.accounts.roles import Role
    from safehold.accounts.services import token_create
    from safehold.accounts.sessions import session_start
    from safehold.cases import access
    from safehold.privacy.models import AuditEntry

    manager = Staff.objects.filter(role=Role.MANAGER, username__startswith="synth.").order_by(
        "username"
    )[0]
    case = access.cases_visible_to(manager).order_by("-reported_at", "-id")[0]
    name, key = signed_in_session(manager).split("=", 1)
    # The row every signed-in session has (accounts/sessions.py), as sign-in writes it.
    session_start(staff=manager, session_key=key, address="127.0.0.1", user_agent="bench")
    web = Client(HTTP_HOST="localhost")
    web.cookies[name] = key
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token_create(staff=manager)}")
    reads = {
        "case page": lambda: web.get(f"/cases/{case.pk}/"),
        "case list": lambda: web.get("/cases/"),
        "api case": lambda: api.get(f"/api/v1/cases/{case.pk}"),
    }
    found = {}
    for what, read in reads.items():
        read()  # once to warm up (a session's or token's first use may write)
        before = AuditEntry.objects.count()
        response = read()
        if response.status_code != 200:
            sys.exit(f"{what} answered {response.status_code} {response.get('Location', '')}")
        found[what] = AuditEntry.objects.count() - before
    return found


def measure(size: int, new: int, plans: Any, trail_load: Callable[..., float]) -> dict[str, Any]:
    from django.db import connection

    from safehold.privacy import audit

    checkpoint = audit.checkpoint_make()
    trail_load(entries=new, seed=size)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE privacy_auditentry")
        cursor.execute(
            "SELECT count(*), pg_total_relation_size('privacy_auditentry'),"
            " pg_relation_size('privacy_auditentry'), pg_indexes_size('privacy_auditentry')"
            " FROM privacy_auditentry"
        )
        count, total, heap, indexes = cursor.fetchone()
        cursor.execute(
            "SELECT action, count(*), avg(pg_column_size(entry.*)) FROM privacy_auditentry"
            " entry GROUP BY action ORDER BY count(*) DESC"
        )
        by_action = {action: round(size) for action, _, size in cursor.fetchall()}
        cursor.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes"
            " WHERE relname = 'privacy_auditentry' ORDER BY indexrelname"
        )
        by_index = {name: round(size / count) for name, size in cursor.fetchall()}
    print(f"\n{count:,} entries: {total / count:,.0f} bytes each", flush=True)
    print(f"  heap {heap / count:,.0f}, indexes {indexes / count:,.0f}: {by_index}", flush=True)
    print(f"  a row of each action: {by_action}", flush=True)
    full_seconds, full_cpu, full = timed(audit.verify)
    print(
        f"  full verify            {full_seconds:8.1f} s  ({full.entries:,} entries, "
        f"{full_cpu:.0%} of it in this process)",
        flush=True,
    )
    since_seconds, since_cpu, since = timed(audit.verify_since_checkpoint)
    walked = since.entries - checkpoint.seq + 1
    print(
        f"  --since-checkpoint     {since_seconds:8.2f} s  ({walked:,} entries, "
        f"{since_cpu:.0%} of it in this process)",
        flush=True,
    )
    if not (full.intact and since.intact):
        sys.exit(f"the chain does not verify: {full.problem()} / {since.problem()}")
    busiest, pages = trail_pages(plans, count)
    for what, seconds in pages.items():
        print(f"  {what:<28} {seconds * 1000:8.1f} ms", flush=True)
    return {
        "entries": count,
        "bytes_per_entry": round(total / count),
        "heap_bytes_per_entry": round(heap / count),
        "index_bytes_per_entry": round(indexes / count),
        "bytes_per_entry_by_index": by_index,
        "row_bytes_by_action": by_action,
        "full_verify_seconds": round(full_seconds, 2),
        "full_verify_share_in_process": round(full_cpu, 2),
        "since_checkpoint_seconds": round(since_seconds, 3),
        "since_checkpoint_entries": walked,
        "busiest_case_entries": busiest,
        "trail_page_ms": {what: round(seconds * 1000, 1) for what, seconds in pages.items()},
    }


def timed(what: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds `what` took, the share of them this process spent on a core (the rest
    is waiting: for the database, or for a core other processes hold), and what it
    gave."""
    started, cpu = time.perf_counter(), time.process_time()
    found = what()
    seconds = time.perf_counter() - started
    return seconds, (time.process_time() - cpu) / seconds, found


def trail_pages(plans: Any, count: int) -> tuple[int, dict[str, float]]:
    """A case's "Who has seen this case" page as its selector reads it, for a director
    (who may see every case), and EXPLAIN ANALYZE of its page query."""
    from django.db import connection
    from django.db.models import Count

    from safehold.accounts.models import Staff
    from safehold.accounts.roles import Role
    from safehold.cases import selectors
    from safehold.privacy.models import AuditEntry

    director = Staff.objects.get(username="synth.director", role=Role.DIRECTOR)
    busiest = (
        AuditEntry.objects.filter(target_type="case")
        .values("target_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]
    )
    typical = AuditEntry.objects.filter(target_type="case").order_by("-seq")[0].target_id
    cases = {
        "busiest case, page 1": (busiest["target_id"], 1),
        "busiest case, page 10": (busiest["target_id"], 10),
        "a typical case, page 1": (typical, 1),
    }
    print(f"  the busiest case has {busiest['n']:,} entries", flush=True)
    found = {}
    for what, (case_id, number) in cases.items():
        selectors.audit_trail_page(director, case_id, number=number)  # warm
        started = time.perf_counter()
        selectors.audit_trail_page(director, case_id, number=number)
        seconds = time.perf_counter() - started
        found[what] = seconds
    page = AuditEntry.objects.filter(target_type="case", target_id=busiest["target_id"])
    sql, params = page.order_by("-seq")[450:501].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    plans.write(f"==== {count:,} entries: the busiest case's trail, page 10\n{sql}\n\n{plan}\n\n")
    return busiest["n"], found


if __name__ == "__main__":
    raise SystemExit(main())
