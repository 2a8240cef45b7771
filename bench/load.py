"""Fifty officers and managers working for five minutes (issues 10 and 19), with locust,
against Safehold run as users run it, on a durable throwaway PostgreSQL (or SQLite)
holding synth cases:

    .venv/bin/pip install -e '.[bench]'      # locust (make load does both)
    .venv/bin/python bench/load.py [--users 50] [--minutes 5] [--database postgresql]

Officers use the API and the web pages, managers (one user in five) the web pages
(bench/locustfile.py). It prints each request type's count, failures, median and p95,
and writes them to bench/results/load-<database>-<date>.json. The goal is zero failures.

Issue 19's goal for pages under load, each page's p95 under load at most
`UNDER_LOAD_GOAL` times its one-user median: first, on the same server, one officer
alone for `--one-user` minutes, then one manager alone as long (each thinking
`--one-user-think` seconds, so that one user makes enough requests for a median; one
request at a time all the same), then the load. For every request both runs made it
prints the one-user median, the p95 under load and their ratio. Nothing is asserted."""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import RESULTS, ROOT, throwaway_cluster
from serve import VENV_BIN, environment, load, machine, safehold, server

UNDER_LOAD_GOAL = 5.0  # issue 19: p95 under load at most 5 times the one-user median
ONE_USER = ("Officer", "Manager")  # bench/locustfile.py's classes, alone in turn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4, help="safehold serve --workers")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--one-user",
        type=float,
        default=2,
        help="minutes of one officer, then of one manager, alone first (0: none)",
    )
    parser.add_argument("--one-user-think", default="0.1,0.3", help="seconds, low,high")
    parser.add_argument("--label", default="", help="added to the results' file name")
    args = parser.parse_args(argv)
    if args.database == "postgresql":
        with throwaway_cluster(durable=True) as url:
            results = run(url, args)
    else:
        results = run(None, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = f"-{args.label}" if args.label else ""
    path = RESULTS / f"load-{args.database}-{datetime.now(UTC).date().isoformat()}{suffix}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Written to {path.relative_to(ROOT)}")
    return 0 if results["failures"] == 0 else 1


def run(database_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="safehold-load-data.")
    development = environment(database_url, data_dir, production=False)
    safehold(["init"], development)
    synth = load(args.cases, development)
    with tempfile.TemporaryDirectory(prefix="safehold-load.") as folder:
        work = Path(folder)
        fixture = work / "fixture.json"
        users = str(args.users)  # officers and managers' sessions: locust takes its share
        subprocess.run(  # noqa: S603
            [VENV_BIN / "python", ROOT / "bench" / "prepare.py", fixture],
            env={**development, "BENCH_OFFICERS": users, "BENCH_MANAGERS": users},
            check=True,
        )
        production = environment(database_url, data_dir, production=True)
        for limit in ("SAFEHOLD_API_RATE_PER_TOKEN", "SAFEHOLD_API_RATE_PER_ADDRESS"):
            production.pop(limit)  # the service's own rate limits, as officers meet them
        alone: dict[str, Any] = {}
        alone_failed: list[dict[str, Any]] = []
        with server(production, args) as (url, _):
            if args.one_user:
                for user_class in ONE_USER:
                    print(f"\n== one {user_class.lower()} alone, {args.one_user} min", flush=True)
                    found = locust(url, fixture, work, user_class, args)
                    found.pop("Aggregated")
                    table(found)
                    alone |= found
                    alone_failed += failures(work / f"one-{user_class}")
            print(f"\n== {args.users} users, {args.minutes} min", flush=True)
            requests = locust(url, fixture, work, "", args)
            failed = failures(work / "load")
    total = requests.pop("Aggregated")
    table(requests, total)
    compared = compare(alone, requests)
    if failed:
        print("\nFailures under load:")
        for row in failed:
            print(f"  {row['occurrences']:>5} {row['method']} {row['name']}: {row['error']}")
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {**vars(args), "database": args.database},
        "synth": synth,
        "requests": requests,
        "all": total,
        "failures": total["failures"],
        "failure_messages": failed,
        "one_user": alone,
        "one_user_failures": sum(row["failures"] for row in alone.values()),
        "one_user_failure_messages": alone_failed,
        "under_load_goal": UNDER_LOAD_GOAL,
        "under_load": compared,
    }


def locust(
    url: str, fixture: Path, work: Path, user_class: str, args: argparse.Namespace
) -> dict[str, Any]:
    """One locust run: all the users (`user_class` empty) or one of `user_class` alone.
    Its figures by request name, and all of them together as "Aggregated"."""
    prefix = work / (f"one-{user_class}" if user_class else "load")
    env = {**os.environ, "BENCH_FIXTURE": str(fixture)}
    if user_class:
        users, minutes, env["BENCH_THINK"] = 1, args.one_user, args.one_user_think
    else:
        users, minutes = args.users, args.minutes
    command = [
        VENV_BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless",
        "--users", str(users), "--spawn-rate", "5",
        "--run-time", f"{int(minutes * 60)}s", "--host", url,
        "--csv", prefix, "--only-summary", "--exit-code-on-error", "0",
        *([user_class] if user_class else []),
    ]  # fmt: skip
    subprocess.run(command, env=env, check=True)  # noqa: S603
    with Path(f"{prefix}_stats.csv").open() as stats:
        return {row["Name"]: figures(row) for row in csv.DictReader(stats)}


def failures(prefix: Path) -> list[dict[str, Any]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open() as rows:
        return [
            {"method": row["Method"], "name": row["Name"], "error": row["Error"],
             "occurrences": int(row["Occurrences"])}
            for row in csv.DictReader(rows)
        ]  # fmt: skip


def table(requests: dict[str, Any], total: dict[str, Any] | None = None) -> None:
    print(f"\n{'request':<38} {'count':>7} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7}")
    rows = [*requests.items(), *([("all", total)] if total else [])]
    for name, row in rows:
        print(
            f"{name:<38} {row['count']:>7} {row['failures']:>6} "
            f"{row['p50_ms']:>7} {row['p95_ms']:>7}"
        )


def compare(alone: dict[str, Any], loaded: dict[str, Any]) -> dict[str, Any]:
    """Each request both runs made: its one-user median, its p95 under load, their
    ratio, and whether that is within issue 19's goal."""
    found = {}
    for name, row in loaded.items():
        if name not in alone or not alone[name]["p50_ms"]:
            continue
        median, p95 = alone[name]["p50_ms"], row["p95_ms"]
        found[name] = {
            "one_user_median_ms": median,
            "one_user_count": alone[name]["count"],
            "p95_under_load_ms": p95,
            "ratio": round(p95 / median, 2),
            "within_goal": p95 <= UNDER_LOAD_GOAL * median,
        }
    goal = f"within {UNDER_LOAD_GOAL:g}x"
    print(f"\n{'request':<38} {'1-user p50':>10} {'load p95':>9} {'ratio':>6}  {goal}")
    for name, row in found.items():
        print(
            f"{name:<38} {row['one_user_median_ms']:>10} {row['p95_under_load_ms']:>9} "
            f"{row['ratio']:>6}  {'yes' if row['within_goal'] else 'NO'}"
        )
    return found


def figures(row: dict[str, str]) -> dict[str, Any]:
    return {
        "count": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "p50_ms": int(float(row["50%"])),
        "p95_ms": int(float(row["95%"])),
        "per_second": round(float(row["Requests/s"]), 1),
    }


if __name__ == "__main__":
    sys.exit(main())
