"""The server benchmark (issue 9): Safehold run as users run it, driven from another
process, with each figure and its ratio printed and written to
bench/results/serve-<date>.json.

    .venv/bin/python bench/serve.py                  # both databases, 10,000 and 1,000,000 cases
    .venv/bin/python bench/serve.py --large 0        # without the million (no scale figures)
    .venv/bin/python bench/serve.py --large-url postgres://...   # a database holding the million

For each database (PostgreSQL on a throwaway cluster from Debian's packages, as
scripts/test starts one; SQLite in a temporary folder):

1. `safehold init`, then `safehold synth --cases N` as a process of its own, timed, with
   its peak resident memory;
2. bench/prepare.py makes a synth manager usable: an API token, a signed-in web session,
   the cases they may see, a survivor's name to search for;
3. `safehold serve --workers W` (gunicorn, production settings; wrk sends
   X-Forwarded-Proto: https as the TLS proxy in front of it would);
4. wrk (Debian's package), a separate process, runs each scenario for `--duration`
   seconds at `--connections` connections after a short warm-up (bench/scenario.lua);
5. the resident memory of each server worker after the run.

The scale figures (case list, search by name, case page) are measured at 10,000 cases
and again at 1,000,000 on PostgreSQL, and compared.

It is not part of the test suite and asserts nothing: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import RESULTS, ROOT, free_port, throwaway_cluster

VENV_BIN = ROOT / ".venv" / "bin"
SCENARIO = ROOT / "bench" / "scenario.lua"
# Issue 9's goals, for the printout: they are never asserted.
GOALS = {
    "postgresql": {"read": 0.40, "intake": 0.15},
    "sqlite": {"read": 0.25, "intake": 0.10},
}
SCALE_GOAL, WORKER_RSS_GOAL_MB = 1.5, 250
SYNTH_GOAL_SECONDS, SYNTH_GOAL_MB = 20 * 60, 2048


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--small", type=int, default=10_000, help="cases for every figure")
    parser.add_argument("--large", type=int, default=1_000_000, help="cases for the scale run")
    parser.add_argument("--large-url", help="a PostgreSQL database already holding them")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="safehold serve --workers")
    parser.add_argument(
        "--scenarios",
        help=f"a comma-separated subset of {','.join(ALL)} (default: all; no ratios then)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="also run bench/report.py on the million-case database (make bench does)",
    )
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("bench/serve.py needs wrk: apt-get install wrk")
    chosen = tuple(args.scenarios.split(",")) if args.scenarios else ALL
    unknown = set(chosen) - set(ALL)
    if unknown:
        sys.exit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    results: dict[str, Any] = {"settings": vars(args), "machine": machine(), "at": now()}
    for database in args.databases.split(","):
        results[database] = run_database(database, args.small, args, scenarios=chosen)
    scaled = tuple(name for name in SCALE if name in chosen)
    if args.large and "postgresql" in args.databases.split(",") and len(scaled) > 1:
        if args.large_url:
            large = run_on(args.large_url, "postgresql", args.large, args, scenarios=scaled)
            if args.report:
                report_bench(args.large_url, args.large)
        else:
            large = run_database(
                "postgresql", args.large, args, scenarios=scaled, report=args.report
            )
        results["postgresql_large"] = large
        results["scale"] = scale(results["postgresql"], large)
    summary(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    partial = "-partial" if args.scenarios else ""  # never overwrites a whole run's figures
    path = RESULTS / f"serve-{datetime.now(UTC).date().isoformat()}{partial}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten to {path.relative_to(ROOT)}")
    return 0


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


# ---------------------------------------------------------------- databases and processes


def run_database(
    database: str, cases: int, args: argparse.Namespace, *, scenarios: Any, report: bool = False
) -> Any:
    """One database's run. PostgreSQL runs durable (fsync and synchronous commit on, as
    a live service must), so every write the server acknowledges has reached the disk,
    as on SQLite (synchronous=FULL). `report` also runs bench/report.py on the same
    loaded database."""
    if database == "postgresql":
        with throwaway_cluster(durable=True) as url:
            result = run_on(url, database, cases, args, scenarios=scenarios)
            if report:
                report_bench(url, cases)
            return result
    with tempfile.TemporaryDirectory(prefix="safehold-bench-sqlite.") as folder:
        return run_on(None, database, cases, args, scenarios=scenarios, data_dir=folder)


def environment(database_url: str | None, data_dir: str, *, production: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        SAFEHOLD_ENV="production" if production else "development",
        SAFEHOLD_DATA_DIR=data_dir,
        SAFEHOLD_SECRET_KEY=os.environ.get("SAFEHOLD_SECRET_KEY", "bench-secret-" + "x" * 50),
        SAFEHOLD_MASTER_KEY=os.environ.get("SAFEHOLD_MASTER_KEY", "2" * 64),
        SAFEHOLD_ALLOWED_HOSTS="127.0.0.1,localhost",
        # The API's rate limits stay on, so every request pays for its count, but high
        # enough that one token driving 8 connections flat out is never refused.
        SAFEHOLD_API_RATE_PER_TOKEN=os.environ.get("SAFEHOLD_API_RATE_PER_TOKEN", "10000000/m"),
        SAFEHOLD_API_RATE_PER_ADDRESS=os.environ.get("SAFEHOLD_API_RATE_PER_ADDRESS", "10000000/m"),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_on(
    database_url: str | None,
    database: str,
    cases: int,
    args: argparse.Namespace,
    *,
    scenarios: Any,
    data_dir: str | None = None,
) -> dict[str, Any]:
    data_dir = data_dir or tempfile.mkdtemp(prefix="safehold-bench-data.")
    development = environment(database_url, data_dir, production=False)
    print(f"\n== {database}, {cases:,} cases", flush=True)
    safehold(["init"], development)
    result: dict[str, Any] = {"cases": cases, "synth": load(cases, development)}
    with tempfile.TemporaryDirectory(prefix="safehold-bench-run.") as folder:
        work = Path(folder)
        fixture_path = work / "fixture.json"
        subprocess.run(  # noqa: S603
            [VENV_BIN / "python", ROOT / "bench" / "prepare.py", fixture_path],
            env=development,
            check=True,
        )
        fixture = json.loads(fixture_path.read_text())
        result["cases_visible_to_the_user"] = fixture["cases_visible"]
        with server(environment(database_url, data_dir, production=True), args) as (url, pid):
            result["scenarios"] = {
                name: run_scenario(url, work, fixture, name, args) for name in scenarios
            }
            result["worker_rss_mb"] = worker_rss_mb(pid)
    return result


def report_bench(url: str, cases: int) -> None:
    """bench/report.py (the monitoring report against hand-written SQL) on the database
    this run loaded, so the million cases are loaded once for both."""
    print(f"\n== the monitoring report, {cases:,} cases", flush=True)
    env = environment(url, tempfile.mkdtemp(prefix="safehold-bench-data."), production=False)
    script = ROOT / "bench" / "report.py"
    command = [VENV_BIN / "python", script, "--cases", str(cases), "--reuse"]
    subprocess.run(command, env=env, check=True)  # noqa: S603


def safehold(command: list[str], env: dict[str, str]) -> None:
    subprocess.run([VENV_BIN / "safehold", *command], env=env, check=True)  # noqa: S603


def load(cases: int, env: dict[str, str]) -> dict[str, Any] | None:
    """`safehold synth` as its own process, unless the database already holds the cases:
    its time and peak resident memory (from the kernel's accounting of the process)."""
    count = subprocess.run(  # noqa: S603
        [VENV_BIN / "python", "-c", COUNT_CASES],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    existing = int(count.stdout.strip())
    if existing >= cases:
        print(f"Reusing the {existing:,} cases already there.")
        return None
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603
        [VENV_BIN / "safehold", "synth", "--cases", str(cases - existing)], env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"safehold synth failed ({process.returncode})")
    seconds = time.monotonic() - started
    # Statistics, as autovacuum would have them by the time anyone asks; and the load's
    # writes checkpointed now, not in the middle of a scenario: a durable PostgreSQL's
    # checkpoint of 10,000 freshly loaded cases halved the read rate that followed it.
    subprocess.run([VENV_BIN / "python", "-c", SETTLE], env=env, check=True)  # noqa: S603
    return {
        "cases": cases - existing,
        "seconds": round(seconds, 1),
        "peak_rss_mb": usage.ru_maxrss // 1024,
    }


SETTLE = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'safehold.settings');"
    "django.setup(); from django.db import connection; cursor = connection.cursor()\n"
    "if connection.vendor == 'postgresql':\n"
    "    cursor.execute('VACUUM ANALYZE'); cursor.execute('CHECKPOINT')\n"
    "else:\n"
    "    cursor.execute('ANALYZE'); cursor.execute('PRAGMA wal_checkpoint(TRUNCATE)')"
)
COUNT_CASES = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'safehold.settings');"
    "django.setup(); from safehold.cases.models import Case; print(Case.objects.count())"
)


@contextmanager
def server(env: dict[str, str], args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    """`safehold serve` on a free port until the block ends; its access log is dropped."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [VENV_BIN / "safehold", "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("safehold serve stopped before it answered")
        with suppress(OSError), urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310
            if answer.status == 200:
                return
        time.sleep(0.3)
    sys.exit("safehold serve did not answer /healthz within 60 s")


def worker_rss_mb(master: int) -> list[int]:
    """Resident memory of each gunicorn worker (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for child in children:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) // 1024)
    return sizes


# ---------------------------------------------------------------- scenarios


def paths_of(fixture: dict[str, Any], template: str) -> list[str]:
    return [template.format(case_id=case_id) for case_id in fixture["case_ids"]]


def token_header(fixture: dict[str, Any]) -> list[str]:
    return [f"Authorization: Bearer {fixture['token']}"]


def cookie_header(fixture: dict[str, Any]) -> list[str]:
    return [f"Cookie: {fixture['session_cookie']}"]


# name: (method, paths, headers, body)
SCENARIOS: dict[str, Any] = {
    "healthz": lambda f: ("GET", ["/healthz"], [], None),
    "read": lambda f: ("GET", paths_of(f, "/api/v1/cases/{case_id}"), token_header(f), None),
    "intake": lambda f: ("POST", ["/api/v1/cases"], token_header(f), f["intake_body"]),
    "bare_page": lambda f: ("GET", ["/cases/search"], cookie_header(f), None),
    "home_page": lambda f: ("GET", ["/"], cookie_header(f), None),
    "case_page": lambda f: ("GET", paths_of(f, "/cases/{case_id}/"), cookie_header(f), None),
    "case_list": lambda f: ("GET", ["/cases/"], cookie_header(f), None),
    "search": lambda f: ("POST", ["/api/v1/cases/search"], token_header(f), f["search_body"]),
}
ALL = tuple(SCENARIOS)
SCALE = ("healthz", "case_list", "search", "case_page")


def run_scenario(
    url: str, work: Path, fixture: dict[str, Any], name: str, args: argparse.Namespace
) -> dict[str, Any]:
    method, paths, headers, body = SCENARIOS[name](fixture)
    (work / "paths").write_text("\n".join(paths) + "\n")
    (work / "headers").write_text("\n".join(headers) + "\n")
    env = {
        **os.environ,
        "BENCH_PATHS": str(work / "paths"),
        "BENCH_HEADERS": str(work / "headers"),
        "BENCH_METHOD": method,
        "BENCH_BODY": "",
        "BENCH_OUT": str(work / "out.json"),
    }
    if body is not None:
        (work / "body").write_text(json.dumps(body))
        env["BENCH_BODY"] = str(work / "body")
    threads = min(args.connections, 2)
    command = ["wrk", "-t", str(threads), "-c", str(args.connections), "-s", str(SCENARIO)]
    subprocess.run([*command, "-d", "2s", url], env=env, check=True, capture_output=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*command, "-d", f"{args.duration}s", "--timeout", "30s", url],
        env=env,
        check=True,
        capture_output=True,
    )
    figures = json.loads((work / "out.json").read_text())
    figures["per_second"] = round(figures["requests"] / figures["seconds"], 1)
    errors = sum(
        figures[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    figures["errors"] = errors
    print(
        f"  {name:<10} {figures['per_second']:>8,.1f}/s  p50 {figures['p50_ms']:>7.1f} ms  "
        f"p95 {figures['p95_ms']:>7.1f} ms  errors {errors}",
        flush=True,
    )
    return figures


# ---------------------------------------------------------------- figures


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def scale(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    return {
        name: ratio(large["scenarios"][name]["p95_ms"], small["scenarios"][name]["p95_ms"])
        for name in large["scenarios"]
        if name != "healthz"
    }


def scenario_ratio(run: dict[str, Any], name: str, base: str, figure: str) -> float | None:
    """`name`'s figure over `base`'s, when this run measured both."""
    if name not in run or base not in run:
        return None
    return ratio(run[name][figure], run[base][figure])


def summary(results: dict[str, Any]) -> None:
    print("\n== Figures (goals are issue 9's; nothing here is asserted)")
    for database, goals in GOALS.items():
        if database not in results:
            continue
        run = results[database]["scenarios"]
        ratios = {
            "read": scenario_ratio(run, "read", "healthz", "per_second"),
            "intake": scenario_ratio(run, "intake", "healthz", "per_second"),
            "case_page_p95": scenario_ratio(run, "case_page", "bare_page", "p95_ms"),
            "home_page_p95": scenario_ratio(run, "home_page", "bare_page", "p95_ms"),
        }
        results[database]["ratios"] = ratios
        print(f"{database}:")
        for name in ("read", "intake"):
            print(f"  {name} / healthz throughput: {ratios[name]} (goal at least {goals[name]})")
        for name in ("case_page_p95", "home_page_p95"):
            print(f"  {name} / bare signed-in page p95: {ratios[name]}")
        rss = results[database]["worker_rss_mb"]
        print(f"  worker resident memory: {rss} MB (goal under {WORKER_RSS_GOAL_MB} MB each)")
        errors = sum(s["errors"] for s in run.values())
        print(f"  errors across scenarios: {errors}")
    if "scale" in results:
        large, small = results["postgresql_large"]["cases"], results["postgresql"]["cases"]
        print(f"scale, p95 at {large:,} cases / at {small:,}:")
        for name, value in results["scale"].items():
            print(f"  {name}: {value} (goal at most {SCALE_GOAL})")
        synth = results["postgresql_large"]["synth"]
        if synth:
            print(
                f"  synth {synth['cases']:,} cases: {synth['seconds']} s, "
                f"peak {synth['peak_rss_mb']} MB "
                f"(goal under {SYNTH_GOAL_SECONDS} s and {SYNTH_GOAL_MB} MB)"
            )


if __name__ == "__main__":
    raise SystemExit(main())
