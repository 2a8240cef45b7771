"""Every page a person uses, at scale (issue 19, "Goals"): each page's median and p95
over `--runs` requests, and their ratio to the bare signed-in page's in the same run, as
the synth team manager and as the director (who sees every case).

    .venv/bin/python bench/pages.py                                  # SQLite, 10,000 and 100,000
    .venv/bin/python bench/pages.py --database both --cases 10000    # SQLite and PostgreSQL
    .venv/bin/python bench/pages.py --database postgresql --cases 10000 100000

For each database and size, a process of its own (Django's settings are read once):

1. a fresh database (SQLite in a temporary folder; PostgreSQL on a throwaway cluster of
   Debian's postgresql-15, durable as a live service is, bench/common.py), `safehold
   init`, `safehold synth --cases N`, invented audit entries (`--audit-entries` a case,
   so the busiest case's trail is about as long at each size), ANALYZE;
2. a few rows of what synth does not make, through the real services and the same at
   every size: high-risk assessments recommending MARAC, a referral waiting for approval,
   subject access requests, requests to interview an alleged perpetrator;
3. the pages, in-process with Django's test client and a signed-in session as sign-in
   leaves it (bench/prepare.py): each persona's queues (those their home page counts),
   and every page below; `--warmups` rounds, then `--runs` rounds of every page in turn,
   so that a change of the machine's load falls on every page alike.

The bare signed-in page is `GET /cases/search` (the search form: sign-in, session and
the header, no case data), as in bench/serve.py. Search is timed for a full name with
`SEARCH_MATCHES` matches at every size (the goal) and for the commonest surname
(reported, not a goal). The monitoring report is timed as it opens, with the figures
kept from the warm-up's count (docs/reports.md, "Kept figures"), and counted again
(reported, not a goal: what "Count again now" costs). The staff list is an
administrator's page only: it is timed as an administrator. A page a persona may not
open (403) is left out of their column.

Prints a table per run and, when two sizes of one database ran, each page's p95 at the
larger over the smaller. Writes bench/results/pages-<date>-<db>-<cases>.json. Not part
of the test suite; asserts nothing. Only for benchmarks: synth refuses production."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import RESULTS, ROOT, throwaway_cluster

VENV_BIN = ROOT / ".venv" / "bin"
# Issue 19's goals, for the printout: never asserted.
MEDIAN_GOAL, SCALE_GOAL = 3.0, 1.5
SEARCH_MATCHES = 2  # the full name searched for has this many matches at every size
BARE = "bare signed-in page"
EXTRAS = 5  # rows of each kind synth does not make
# Pages reported but not held to the goals.
NOT_A_GOAL = ("search (commonest surname)", "monitoring report (counted again)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument(
        "--audit-entries", type=float, default=2.0, help="invented audit entries per case"
    )
    parser.add_argument("--label", default="", help="added to the results' file names")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # OUT.json: one run, in-process
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for database in databases:
        runs = [run_database(database, cases, args) for cases in sorted(args.cases)]
        for run in runs:
            table(run)
        if len(runs) > 1:
            scale(runs[0], runs[-1])
            runs[-1]["scale"] = {"against_cases": runs[0]["cases"], **scale_ratios(*runs)}
        for run in runs:
            write(run, args.label)
    return 0


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def write(run: dict[str, Any], label: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = f"-{label}" if label else ""
    path = RESULTS / f"pages-{today()}-{run['database']}-{run['cases']}{suffix}.json"
    path.write_text(json.dumps(run, indent=2) + "\n")
    print(f"Written to {path.relative_to(ROOT)}")


# ---------------------------------------------------------------- one run, in its own process


def run_database(database: str, cases: int, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {database}, {cases:,} cases", flush=True)
    with tempfile.TemporaryDirectory(prefix="safehold-bench-pages.") as folder:
        if database == "postgresql":
            with throwaway_cluster(durable=True) as url:
                return run_child(url, folder, cases, args)
        return run_child(None, folder, cases, args)


def run_child(url: str | None, folder: str, cases: int, args: argparse.Namespace) -> Any:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        SAFEHOLD_ENV="development",
        SAFEHOLD_DATA_DIR=folder,
        SAFEHOLD_SECRET_KEY=os.environ.get("SAFEHOLD_SECRET_KEY", "bench-secret-" + "x" * 50),
        SAFEHOLD_MASTER_KEY=os.environ.get("SAFEHOLD_MASTER_KEY", "3" * 64),
    )
    if url:
        env["DATABASE_URL"] = url
    out = Path(folder) / "pages.json"
    command = [
        str(VENV_BIN / "python"),
        str(Path(__file__)),
        "--child",
        str(out),
        "--cases",
        str(cases),
        "--runs",
        str(args.runs),
        "--warmups",
        str(args.warmups),
        "--audit-entries",
        str(args.audit_entries),
        "--label",
        args.label,
    ]
    subprocess.run(command, env=env, check=True)  # noqa: S603
    return json.loads(out.read_text())


def child(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safehold.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if settings.SAFEHOLD_ENV == "production":
        sys.exit("bench/pages.py refuses a production database")
    cases = args.cases[0]
    loaded = load(cases, round(cases * args.audit_entries))
    people = personas()
    extras_add(people)
    result: dict[str, Any] = {
        "database": connection.vendor,
        "cases": cases,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "runs": args.runs,
        "warmups": args.warmups,
        "load": loaded,
        "personas": {},
    }
    for label in ("manager", "director"):
        print(f"  as the {label} ({people[label].username})", flush=True)
        result["personas"][label] = measure(people[label], people, args)
    Path(args.child).write_text(json.dumps(result, indent=2))
    write(result, args.label)  # kept whatever happens to the parent
    return 0


def load(cases: int, entries: int) -> dict[str, Any]:
    from django.db import connection

    from safehold.cli import main as safehold
    from safehold.synth import synth_load
    from safehold.synth.trail import trail_load

    def say(line: str) -> None:
        print("   ", line, flush=True)

    safehold(["init"])
    seconds = synth_load(cases=cases, progress=say)
    trail_seconds = trail_load(entries=entries, progress=say) if entries else 0.0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "synth_seconds": round(seconds, 1),
        "audit_entries": entries,
        "audit_seconds": round(trail_seconds, 1),
    }


# ---------------------------------------------------------------- the people and their work


def personas() -> dict[str, Any]:
    """The synth team manager (the first team's), the synth director, one of the manager's
    officers, and an administrator for the staff list (synth makes none)."""
    from safehold.accounts.models import Staff
    from safehold.accounts.roles import Role
    from safehold.accounts.services import staff_create

    manager = Staff.objects.filter(role=Role.MANAGER, username__startswith="synth.").order_by(
        "username"
    )[0]
    admin = Staff.objects.filter(username="bench.admin").first() or staff_create(
        username="bench.admin",
        full_name="Bench Administrator",
        role=Role.ADMIN,
        sex="female",
        team=manager.team.name,
        password="bench-admin-" + "x" * 20,  # a throwaway database's
        password_change_required=False,
    )
    return {
        "manager": manager,
        "director": Staff.objects.get(username="synth.director", role=Role.DIRECTOR),
        "officers": list(
            Staff.objects.filter(team=manager.team, role=Role.OFFICER).order_by("username")
        ),
        "admin": admin,
    }


def extras_add(people: dict[str, Any]) -> None:
    """What synth does not make, through the services, `EXTRAS` of each on the manager's
    team's newest open cases with a first contact: a high-risk assessment recommending
    MARAC, a referral waiting for approval, a subject access request and a request to
    interview the alleged perpetrator."""
    from django.utils import timezone

    from safehold.cases.models import Case
    from safehold.casework import interviews
    from safehold.casework import services as casework
    from safehold.policy.loader import active_policy
    from safehold.records import services as records
    from safehold.risk import services as risk

    policy, manager = active_policy(), people["manager"]
    answers = {f"q{n}": "no" for n in range(1, 25)}
    cases = Case.objects.filter(
        team=manager.team, status="open", first_contact_at__isnull=False,
        assigned_officer__isnull=False,
    ).select_related("assigned_officer").order_by("-reported_at", "-id")[:EXTRAS]  # fmt: skip
    for case in cases:
        officer = case.assigned_officer
        risk.assessment_create(
            case=case, by=officer, tool_id="dash-ric", answers=answers, professional_judgement=True
        )
        casework.referral_make(
            case=case,
            by=officer,
            agency=next(iter(policy.agencies)),
            reason="She is not safe at home",
            ground=policy.disclosure.grounds[0],
            explanation="She cannot be asked safely today",
        )
        records.subject_access_log(
            case=case,
            by=manager,
            person_role="survivor",
            received_at=timezone.now() - timedelta(days=1),
        )
        casework.consent_record(
            case=case, by=officer, purpose="contact_alleged_perpetrator", given=True
        )
        interviews.interview_request(
            case=case, by=officer, survivor_agrees=True, safety_assessment="He is away"
        )


# ---------------------------------------------------------------- the pages


Request = tuple[str, str, dict[str, str] | None]  # method, path, form


def pages_of(user: Any, people: dict[str, Any]) -> dict[str, Request]:
    """Every page this person uses, by name."""
    from django.utils import timezone

    from safehold.desk import queues

    now = timezone.now()
    case = case_for_pages(user)
    rare, common = search_names(user)
    slugs = [q.slug for q, *_ in queues.overdue_counts(user, now)]
    slugs += [q.slug for q, _ in queues.decision_counts(user, now)]
    found: dict[str, Request] = {
        BARE: ("GET", "/cases/search", None),
        "home": ("GET", "/", None),
    }
    for slug in slugs:
        if slug != "approvals":  # /queues/approvals is a way to "approvals" below
            path = "/triage" if slug == "triage" else f"/queues/{slug}"
            found[f"queue: {slug}"] = ("GET", path, None)
    found |= {
        "case list": ("GET", "/cases/", None),
        "case page": ("GET", f"/cases/{case.pk}/", None),
        "chronology": ("GET", f"/cases/{case.pk}/chronology", None),
        f"search ({SEARCH_MATCHES} matches)": ("POST", "/cases/search", {"q": rare}),
        "search (commonest surname)": ("POST", "/cases/search", {"q": common}),
        "risk": ("GET", "/risk", None),
        "MARAC": ("GET", "/marac", None),
        "approvals": ("GET", "/approvals", None),
        "subject access": ("GET", "/subject-access", None),
        # As it opens: the figures kept from the warm-up's count (reports/kept.py). Counted
        # again is what "Count again now" costs: a year's cases and the year before's.
        "monitoring report": ("GET", "/reports/", None),
        "monitoring report (counted again)": ("GET", "/reports/?recount=1", None),
        "audit trail (long case)": ("GET", f"/cases/{busiest_case(user)}/audit", None),
    }
    return found


def case_for_pages(user: Any) -> Any:
    """The newest open case the person may see that has the extras (extras_add)."""
    from safehold.cases import access
    from safehold.casework.models import Referral

    with_extras = Referral.objects.values("case_id")
    return (
        access.cases_visible_to(user)
        .filter(pk__in=with_extras)
        .order_by("-reported_at", "-id")
        .first()
    )


def busiest_case(user: Any) -> str:
    """The case with the most audit entries among those the person may see."""
    from django.db.models import Count

    from safehold.cases import access
    from safehold.privacy.models import AuditEntry

    visible = access.cases_visible_to(user).values("pk")
    busiest = (
        AuditEntry.objects.filter(target_type="case", target_id__in=visible)
        .values("target_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]
    )
    return str(busiest["target_id"])


def search_names(user: Any) -> tuple[str, str]:
    """A survivor's full name that finds `SEARCH_MATCHES` of the person's cases, the
    first found among their newest, and the commonest surname among those survivors."""
    from collections import Counter

    from safehold.cases import access, sealing, selectors
    from safehold.cases.models import Person, PersonRole

    newest = access.cases_visible_to(user).order_by("-reported_at", "-id")[:300]
    survivors = Person.objects.filter(case__in=newest, role=PersonRole.SURVIVOR).select_related(
        "case__data_key"
    )
    names = [sealing.unseal(p.case.data_key, p)["name"] for p in survivors]
    surnames = Counter(name.split()[-1] for name in names)
    closest = min(
        names[:60],
        key=lambda name: abs(len(selectors.case_search(user, q=name)) - SEARCH_MATCHES),
    )
    return closest, surnames.most_common(1)[0][0]


def client_for(user: Any) -> Any:
    """A test client with a signed-in session as sign-in leaves it."""
    from django.test import Client
    from prepare import signed_in_session

    from safehold.accounts.sessions import session_start

    name, key = signed_in_session(user).split("=", 1)
    session_start(staff=user, session_key=key, address="127.0.0.1", user_agent="bench")
    # A page that fails answers 500 and is left out, rather than ending the run.
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    client.cookies[name] = key
    return client


def measure(user: Any, people: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Each page's queries, then its median and p95 over `args.runs` rounds of them all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # A page a persona may not open answers 403, which Django logs with its traceback.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    client, admin = client_for(user), client_for(people["admin"])
    requests = {name: (client, *request) for name, request in pages_of(user, people).items()}
    requests["staff list (as an administrator)"] = (admin, "GET", "/staff/", None)
    found: dict[str, Any] = {}
    for name, (who, method, path, form) in list(requests.items()):
        response = send(who, method, path, form)
        if response.status_code != 200:
            print(f"    {name:<36} {response.status_code}: left out", flush=True)
            found[name] = {"path": path, "status": response.status_code}
            del requests[name]
            continue
        with CaptureQueriesContext(connection) as made:
            send(who, method, path, form)
        found[name] = {"path": path, "queries": len(made), "bytes": len(response.content)}
    for _ in range(args.warmups - 2):
        for who, method, path, form in requests.values():
            send(who, method, path, form)
    seconds: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(args.runs):
        for name, (who, method, path, form) in requests.items():
            started = time.perf_counter()
            send(who, method, path, form)
            seconds[name].append(time.perf_counter() - started)
    bare = statistics.median(seconds[BARE])
    for name, times in seconds.items():
        median = statistics.median(times)
        found[name] |= {
            "median_ms": round(median * 1000, 2),
            "p95_ms": round(p95(times) * 1000, 2),
            "median_ratio": round(median / bare, 2),
        }
    return found


def send(client: Any, method: str, path: str, form: dict[str, str] | None) -> Any:
    return client.post(path, form) if method == "POST" else client.get(path)


def p95(times: list[float]) -> float:
    """The nearest-rank 95th percentile: of 30 runs, the 29th fastest."""
    ordered = sorted(times)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


# ---------------------------------------------------------------- the figures


# The queues in the order of desk/queues.py QUEUES (the parent process has no Django).
QUEUE_ORDER = (
    "first-contact", "actions", "reviews", "contacts", "closures-to-approve",
    "closures-to-evaluate", "feedback-to-ask", "appeals-to-answer", "interviews-to-agree",
    "triage",
)  # fmt: skip


def names_in(run: dict[str, Any]) -> list[str]:
    """Every page of the run, the bare page, home and the queues first."""
    order = [BARE, "home", *(f"queue: {slug}" for slug in QUEUE_ORDER)]
    names: list[str] = []
    for persona in run["personas"].values():
        names += [name for name in persona if name not in names]
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


def over(ratio: float, goal: float, name: str) -> bool:
    """Whether a page misses a goal: pages reported but not held to them never do."""
    return ratio > goal and name not in NOT_A_GOAL


def cell(figures: dict[str, Any] | None, name: str) -> str:
    if not figures:
        return f"{'':>24}"
    if "median_ms" not in figures:
        return f"{'(' + str(figures['status']) + ')':>24}"
    flag = "*" if over(figures["median_ratio"], MEDIAN_GOAL, name) else " "
    return (
        f"{figures['median_ms']:>7.1f} {figures['p95_ms']:>7.1f} {figures['median_ratio']:>6.1f}"
        f"{flag:>2}"
    )


def table(run: dict[str, Any]) -> None:
    print(
        f"\n{run['database']}, {run['cases']:,} cases: median ms, p95 ms, median / bare "
        f"page's median (* over {MEDIAN_GOAL}); queries"
    )
    print(f"{'page':<38} {'manager':>24} {'director':>24}  queries")
    for name in names_in(run):
        manager, director = (run["personas"][p].get(name) for p in ("manager", "director"))
        queries = "/".join(str(f.get("queries", "-")) for f in (manager, director) if f)
        print(f"{name:<38} {cell(manager, name)} {cell(director, name)}  {queries}")


def scale_ratios(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    ratios: dict[str, Any] = {}
    for persona in ("manager", "director"):
        before, after = small["personas"][persona], large["personas"][persona]
        ratios[persona] = {
            name: round(after[name]["p95_ms"] / before[name]["p95_ms"], 2)
            for name in after
            if "p95_ms" in after[name] and "p95_ms" in before.get(name, {})
        }
    return ratios


def scale(small: dict[str, Any], large: dict[str, Any]) -> None:
    ratios = scale_ratios(small, large)
    print(
        f"\n{large['database']}: p95 at {large['cases']:,} cases / p95 at {small['cases']:,}"
        f" (* over {SCALE_GOAL})"
    )
    print(f"{'page':<38} {'manager':>9} {'director':>9}")
    for name in names_in(large):
        shown = []
        for persona in ("manager", "director"):
            value = ratios[persona].get(name)
            shown.append(
                f"{'':>9}"
                if value is None
                else f"{value:>7.2f}{'*' if over(value, SCALE_GOAL, name) else ' ':>2}"
            )
        print(f"{name:<38} {' '.join(shown)}")


if __name__ == "__main__":
    raise SystemExit(main())
