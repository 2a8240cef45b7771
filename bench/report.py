"""Times the monitoring report for the most recent full year against a hand-written SQL
query computing the same figures, on the same PostgreSQL database, in one run.

    .venv/bin/python bench/report.py [--cases 1000000] [--runs 5] [--reuse] [--plans]

Without DATABASE_URL it starts a throwaway cluster from Debian's postgresql-15 (as
scripts/test does) and removes it at the end. With DATABASE_URL it uses that database;
`--reuse` skips loading when it already holds the cases. It migrates, loads the cases
with `safehold synth`, runs VACUUM ANALYZE, checks that the ORM and the SQL give the
same figures, then prints both medians and their ratio and writes them to
bench/results/report-<date>.json. `--plans` also writes EXPLAIN ANALYZE of every query
the ORM report runs, to bench/results/report-<date>-plans.txt.
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from common import RESULTS, ROOT, Timed, throwaway_cluster, timed_queries

GOAL_RATIO, GOAL_SECONDS = 1.5, 2.0


def django_start(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["SAFEHOLD_ENV"] = "development"  # synth refuses production
    os.environ.setdefault("SAFEHOLD_SECRET_KEY", "bench-secret-key-" + "x" * 40)
    os.environ.setdefault("SAFEHOLD_MASTER_KEY", "1" * 64)
    if "SAFEHOLD_DATA_DIR" not in os.environ:
        data_dir = tempfile.mkdtemp(prefix="safehold-bench-")
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
        os.environ["SAFEHOLD_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "safehold.settings"
    import django

    django.setup()


def load(cases: int, *, reuse: bool) -> float | None:
    """Migrates and loads the cases; returns synth's seconds, or None if it loaded none."""
    from django.core.management import call_command
    from django.db import connection

    from safehold.cases.models import Case
    from safehold.synth import synth_load, teams_for

    call_command("migrate", interactive=False, verbosity=0)
    existing = Case.objects.count()
    if existing and not reuse:
        sys.exit(f"The database already holds {existing:,} cases: pass --reuse to use them.")
    if existing >= cases:
        print(f"Reusing the {existing:,} cases already there.")
        return None
    print(f"Loading {cases - existing:,} cases with synth...", flush=True)
    # Topping a database up, the new cases go to as many teams as the whole would have.
    seconds = synth_load(
        cases=cases - existing,
        teams=teams_for(cases),
        progress=lambda line: print(" ", line, flush=True),
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return seconds


def timed(what: Callable[[], Any], runs: int) -> tuple[Any, list[float]]:
    """The answer and the seconds of each run, after one run to warm the caches."""
    answer = what()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = what()
        seconds.append(time.perf_counter() - started)
    return answer, seconds


def same(orm: Any, sql: Any, path: str = "report") -> list[str]:
    """Where two answers differ; floats (the mean satisfaction) within rounding."""
    if isinstance(orm, dict) and isinstance(sql, dict):
        if orm.keys() != sql.keys():
            return [f"{path}: keys {sorted(orm)} != {sorted(sql)}"]
        return [d for key in orm for d in same(orm[key], sql[key], f"{path}.{key}")]
    if isinstance(orm, float) and isinstance(sql, float):
        return [] if math.isclose(orm, sql, rel_tol=1e-9) else [f"{path}: {orm} != {sql}"]
    return [] if orm == sql else [f"{path}: {orm!r} != {sql!r}"]


def plans(run_report: Callable[[], Any], run_sql: Callable[[], Any], path: Path) -> None:
    """EXPLAIN ANALYZE of every query the ORM report runs, slowest first, then of the
    hand-written query."""
    from django.db import connection

    queries: list[Timed] = []
    record = timed_queries(queries)
    with connection.execute_wrapper(record):
        run_report()
    ours = len(queries)
    with connection.execute_wrapper(record):
        run_sql()
    queries = sorted(queries[:ours], key=lambda q: q[0], reverse=True) + queries[ours:]
    with connection.cursor() as cursor, path.open("w") as out:
        for seconds, sql, params in queries:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            out.write(f"-- {seconds * 1000:.1f} ms\n{sql}\n{plan}\n\n")
    print(f"{ours} ORM queries and the SQL; plans in {path.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the cases already there")
    parser.add_argument("--plans", action="store_true", help="EXPLAIN ANALYZE the ORM queries")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the timed runs, e.g. jit=off (repeatable)",
    )
    args = parser.parse_args(argv)
    if os.environ.get("DATABASE_URL"):
        return bench(os.environ["DATABASE_URL"], args)
    with throwaway_cluster() as url:
        return bench(url, args)


def bench(database_url: str, args: argparse.Namespace) -> int:
    django_start(database_url)
    from django.db import connection
    from django.utils import timezone

    from safehold.policy.loader import active_policy
    from safehold.reports.period import Period
    from safehold.reports.report import monitoring_report
    from safehold.reports.scope import Scope

    loaded_in = load(args.cases, reuse=args.reuse)
    now, policy = timezone.now(), active_policy()
    last_year = timezone.localdate(now).year - 1
    period = Period(date(last_year, 1, 1), date(last_year, 12, 31))

    def orm() -> dict[str, Any]:
        return monitoring_report(period=period, scope=Scope(None), now=now, policy=policy)

    def sql() -> dict[str, Any]:
        return report_by_sql(period=period, now=now, policy=policy)

    with connection.cursor() as cursor:
        for setting in args.set:
            name, value = setting.split("=", 1)
            cursor.execute("SELECT set_config(%s, %s, false)", [name.strip(), value.strip()])
    orm_answer, orm_seconds = timed(orm, args.runs)
    sql_answer, sql_seconds = timed(sql, args.runs)
    differences = same(orm_answer, sql_answer)
    if differences:
        print("The ORM and the SQL disagree:", *differences[:20], sep="\n  ")
        return 1
    orm_median, sql_median = statistics.median(orm_seconds), statistics.median(sql_seconds)
    ratio = orm_median / sql_median
    print(f"Cases: {args.cases:,}; period {period} ({orm_answer['reports']:,} reports)")
    print(f"ORM report   median {orm_median * 1000:8.1f} ms  runs {ms(orm_seconds)}")
    print(f"SQL query    median {sql_median * 1000:8.1f} ms  runs {ms(sql_seconds)}")
    met = ratio <= GOAL_RATIO and orm_median < GOAL_SECONDS
    print(f"Ratio {ratio:.2f} (goal: at most {GOAL_RATIO}, under {GOAL_SECONDS:.0f} s): ", end="")
    print("met" if met else "NOT met")
    RESULTS.mkdir(parents=True, exist_ok=True)
    variant = "".join(f"-{setting.replace('=', '-').replace('.', '_')}" for setting in args.set)
    stem = RESULTS / f"report-{timezone.localdate(now).isoformat()}-{args.cases}{variant}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    result = {
        "cases": args.cases,
        "period": [period.start.isoformat(), period.end.isoformat()],
        "reports_in_period": orm_answer["reports"],
        "orm_median_s": round(orm_median, 4),
        "sql_median_s": round(sql_median, 4),
        "ratio": round(ratio, 3),
        "goal_met": met,
        "orm_runs_s": [round(s, 4) for s in orm_seconds],
        "sql_runs_s": [round(s, 4) for s in sql_seconds],
        "settings": args.set,
        "synth_seconds": round(loaded_in, 1) if loaded_in is not None else None,
        "postgresql": server,
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"Written to {stem.with_suffix('.json').relative_to(ROOT)}")
    if args.plans:
        plans(orm, sql, stem.with_name(stem.name + "-plans.txt"))
    return 0


def ms(seconds: list[float]) -> str:
    return " ".join(f"{s * 1000:.0f}" for s in seconds)


# The same figures in one statement: each CTE is one figure of reports/monitoring.py or
# reports/compliance.py, over the whole provider.
REPORT_SQL = """
WITH period_cases AS MATERIALIZED (
    SELECT id, survivor_identity_id, repeat, source, risk_level, status, closure_reason,
           first_contact_at, response_due_at, reported_at
    FROM cases_case WHERE reported_at >= %(start)s AND reported_at < %(end)s
), totals AS (
    SELECT count(*) AS reports,
           count(DISTINCT survivor_identity_id) AS individuals,
           count(*) FILTER (WHERE repeat) AS repeat_reports,
           count(*) FILTER (WHERE first_contact_at <= response_due_at) AS met,
           count(*) FILTER (WHERE first_contact_at > response_due_at
                            OR (first_contact_at IS NULL AND response_due_at < %(now)s))
               AS missed,
           count(*) FILTER (WHERE first_contact_at IS NULL AND response_due_at >= %(now)s)
               AS pending
    FROM period_cases
), survivors_once AS (
    SELECT DISTINCT ON (survivor_identity_id) * FROM cases_person
    WHERE role = 'survivor' AND case_reported_at >= %(start)s AND case_reported_at < %(end)s
    ORDER BY survivor_identity_id, case_reported_at DESC, case_id DESC
), perpetrators AS (
    SELECT * FROM cases_person WHERE role = 'alleged_perpetrator'
    AND case_reported_at >= %(start)s AND case_reported_at < %(end)s
), perpetrators_once AS (
    (SELECT DISTINCT ON (name_index) * FROM perpetrators WHERE name_index <> ''
     ORDER BY name_index, case_reported_at DESC, id DESC)
    UNION ALL
    SELECT * FROM perpetrators WHERE name_index = ''
), appeals AS (
    SELECT a.* FROM closure_appeal a JOIN period_cases c ON c.id = a.case_id
)
SELECT json_build_object(
  'totals', (SELECT row_to_json(totals) FROM totals),
  'abuse_types', (SELECT json_agg(json_build_array(abuse_type, n)) FROM (
      SELECT t.abuse_type, count(*) AS n FROM cases_caseabusetype t
      JOIN period_cases c ON c.id = t.case_id GROUP BY 1) g),
  'sources', (SELECT json_agg(json_build_array(source, n)) FROM (
      SELECT source, count(*) AS n FROM period_cases GROUP BY 1) g),
  'risk_levels', (SELECT json_agg(json_build_array(risk_level, n)) FROM (
      SELECT risk_level, count(*) AS n FROM period_cases GROUP BY 1) g),
  'outcomes', (SELECT json_agg(json_build_array(closure_reason, n)) FROM (
      SELECT closure_reason, count(*) AS n FROM period_cases WHERE status = 'closed'
      GROUP BY 1) g),
  'satisfaction', (SELECT row_to_json(s) FROM (
      SELECT count(f.satisfaction) AS responses, avg(f.satisfaction)::float AS mean,
             count(*) FILTER (WHERE f.kind = 'complaint') AS complaints,
             count(*) FILTER (WHERE f.kind = 'praise') AS praise
      FROM closure_feedback f JOIN period_cases c ON c.id = f.case_id) s),
  'survivor_bands', (SELECT json_agg(json_build_array(field, value, n)) FROM (
      SELECT band.field, band.value, count(*) AS n
      FROM survivors_once p
      CROSS JOIN LATERAL (VALUES ('sex', p.sex), ('age_band', p.age_band),
          ('ethnicity', p.ethnicity), ('disability', p.disability),
          ('sexual_orientation', p.sexual_orientation),
          ('gender_identity', p.gender_identity), ('religion', p.religion)) band(field, value)
      GROUP BY 1, 2) g),
  'perpetrator_bands', (SELECT json_agg(json_build_array(field, value, n)) FROM (
      SELECT band.field, band.value, count(*) AS n FROM perpetrators_once p
      CROSS JOIN LATERAL (VALUES ('sex', p.sex), ('ethnicity', p.ethnicity),
          ('disability', p.disability), ('sexual_orientation', p.sexual_orientation),
          ('gender_identity', p.gender_identity), ('religion', p.religion)) band(field, value)
      GROUP BY 1, 2) g),
  'appeals', (SELECT count(*) FROM appeals WHERE stage = 1),
  'appeal_outcomes', (SELECT json_agg(json_build_array(outcome, n)) FROM (
      SELECT outcome, count(*) AS n FROM appeals a WHERE NOT EXISTS (
          SELECT 1 FROM closure_appeal e WHERE e.escalated_from_id = a.id)
      GROUP BY 1) g),
  'reviews', (SELECT row_to_json(r) FROM (
      SELECT count(*) AS held, count(*) FILTER (WHERE at <= due_at) AS on_time,
             count(*) FILTER (WHERE at > due_at) AS late
      FROM casework_review WHERE at >= %(start)s AND at < %(end)s) r),
  'emergency_repairs', (SELECT row_to_json(r) FROM (
      SELECT count(*) AS due, count(*) FILTER (WHERE completed_at <= due_at) AS on_time,
             count(*) FILTER (WHERE completed_at > due_at) AS late,
             count(*) FILTER (WHERE completed_at IS NULL AND due_at < %(now)s) AS overdue
      FROM casework_action WHERE kind = 'emergency_repair'
      AND due_at >= %(start)s AND due_at < %(end)s) r),
  'disclosures', (SELECT row_to_json(r) FROM (
      SELECT count(*) AS asked, count(*) FILTER (WHERE status = 'sent') AS sent,
             count(*) FILTER (WHERE status = 'rejected') AS rejected,
             count(*) FILTER (WHERE status = 'awaiting_approval') AS waiting
      FROM casework_referral WHERE without_consent_ground <> ''
      AND created_at >= %(start)s AND created_at < %(end)s) r),
  'approvers', (SELECT json_agg(json_build_object('name', name, 'role', role, 'count', n)
                                ORDER BY n DESC, name) FROM (
      SELECT s.full_name AS name, s.role, count(*) AS n
      FROM casework_referral r JOIN accounts_staff s ON s.id = r.decided_by_id
      WHERE r.without_consent_ground <> '' AND r.status = 'sent'
      AND r.created_at >= %(start)s AND r.created_at < %(end)s GROUP BY 1, 2) g),
  'closures', (SELECT row_to_json(r) FROM (
      SELECT count(*) AS closed,
             count(*) FILTER (WHERE survivor_agrees) AS with_agreement,
             count(*) FILTER (WHERE NOT survivor_agrees) AS without_agreement
      FROM closure_closure WHERE closed_at >= %(start)s AND closed_at < %(end)s) r),
  'appeals_answered', (SELECT row_to_json(r) FROM (
      SELECT count(*) AS received,
             count(*) FILTER (WHERE decided_at <= due_at) AS answered_on_time,
             count(*) FILTER (WHERE decided_at > due_at) AS answered_late,
             count(*) FILTER (WHERE decided_at IS NULL) AS unanswered
      FROM closure_appeal WHERE received_at >= %(start)s AND received_at < %(end)s) r)
)
"""


def report_by_sql(*, period: Any, now: datetime, policy: Any) -> dict[str, Any]:
    """The report's figures from REPORT_SQL, in one round trip, shaped as
    `monitoring_report` shapes them (which keys appear, and in what order)."""
    from django.db import connection

    from safehold.cases.models import RiskLevel, Source
    from safehold.closure.models import AppealOutcome
    from safehold.policy.vocabulary import CLOSURE_REASONS
    from safehold.reports import monitoring

    params = {"start": period.starts_at, "end": period.ends_before, "now": now}
    with connection.cursor() as cursor:
        cursor.execute(REPORT_SQL, params)
        found = cursor.fetchone()[0]
    totals = found["totals"]
    met, missed = totals["met"], totals["missed"]
    appeal_outcomes = counted(found["appeal_outcomes"], [*AppealOutcome.values, "undecided"])
    appeal_outcomes.pop(monitoring.NOT_RECORDED, None)
    risk = counted(found["risk_levels"], [*RiskLevel.values, monitoring.NOT_ASSESSED])
    risk[monitoring.NOT_ASSESSED] += risk.pop(monitoring.NOT_RECORDED, 0)
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "team": None,
        "suppressed": False,
        "reports": totals["reports"],
        "individuals": totals["individuals"],
        "repeat_reports": totals["repeat_reports"],
        "by_abuse_type": counted(found["abuse_types"], list(policy.definitions.abuse_types)),
        "by_source": counted(found["sources"], Source.values),
        "by_risk_level": risk,
        "response": {
            "met": met,
            "missed": missed,
            "pending": totals["pending"],
            "rate": met / (met + missed) if met + missed else None,
        },
        "outcomes": counted(found["outcomes"], list(CLOSURE_REASONS)),
        "satisfaction": found["satisfaction"],
        "diversity": {
            "survivors": bands(found["survivor_bands"], monitoring.SURVIVOR_FIELDS),
            "alleged_perpetrators": bands(
                found["perpetrator_bands"], monitoring.PERPETRATOR_FIELDS
            ),
        },
        "appeals": found["appeals"],
        "appeal_outcomes": appeal_outcomes,
        "compliance": {
            "reviews": found["reviews"],
            "emergency_repairs": found["emergency_repairs"],
            "disclosures_without_consent": {
                **found["disclosures"],
                "approved_by": found["approvers"] or [],
            },
            "closures": found["closures"],
            "appeals_answered": found["appeals_answered"],
            "policy_review": {
                "review_date": policy.review_date.isoformat(),
                "overdue": policy.review_date < now.date(),
            },
        },
    }


def counted(pairs: list[list[Any]] | None, keys: list[str]) -> dict[str, int]:
    """Every expected key (0 when none), and blank values as `not_recorded`, or as
    `undecided` for appeal outcomes when that is an expected key."""
    counts = dict.fromkeys(keys, 0)
    blank = "undecided" if "undecided" in keys else "not_recorded"
    for value, n in pairs or []:
        counts[value or blank] = counts.get(value or blank, 0) + n
    return counts


def bands(rows: list[list[Any]] | None, fields: tuple[str, ...]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {field: Counter() for field in fields}
    for field, value, n in rows or []:
        counts[field][value or "not_recorded"] += n
    return {field: dict(sorted(counter.items())) for field, counter in counts.items()}


if __name__ == "__main__":
    sys.exit(main())
