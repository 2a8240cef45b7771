"""Fifty officers working for five minutes (issue 10), with locust, against Safehold run
as users run it, on a durable throwaway PostgreSQL (or SQLite) holding synth cases:

    .venv/bin/pip install -e '.[bench]'      # locust (make load does both)
    .venv/bin/python bench/load.py [--users 50] [--minutes 5] [--database postgresql]

It prints each request type's count, failures, median and p95, and writes them to
bench/results/load-<date>.json. The goal is zero failures; the p95s go in
docs/performance.md. Nothing is asserted."""

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4, help="safehold serve --workers")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args(argv)
    if args.database == "postgresql":
        with throwaway_cluster(durable=True) as url:
            results = run(url, args)
    else:
        results = run(None, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"load-{args.database}-{datetime.now(UTC).date().isoformat()}.json"
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
        subprocess.run(  # noqa: S603
            [VENV_BIN / "python", ROOT / "bench" / "prepare.py", fixture],
            env={**development, "BENCH_OFFICERS": str(args.users)},
            check=True,
        )
        production = environment(database_url, data_dir, production=True)
        for limit in ("SAFEHOLD_API_RATE_PER_TOKEN", "SAFEHOLD_API_RATE_PER_ADDRESS"):
            production.pop(limit)  # the service's own rate limits, as officers meet them
        with server(production, args) as (url, _):
            command = [
                VENV_BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless",
                "--users", str(args.users), "--spawn-rate", "5",
                "--run-time", f"{int(args.minutes * 60)}s", "--host", url,
                "--csv", work / "load", "--only-summary", "--exit-code-on-error", "0",
            ]  # fmt: skip
            subprocess.run(command, env={**os.environ, "BENCH_FIXTURE": str(fixture)}, check=True)  # noqa: S603
        rows = list(csv.DictReader((work / "load_stats.csv").open()))
    requests = {row["Name"]: figures(row) for row in rows}
    total = requests.pop("Aggregated")
    print(f"\n{'request':<34} {'count':>7} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for name, row in [*requests.items(), ("all", total)]:
        print(
            f"{name:<34} {row['count']:>7} {row['failures']:>6} "
            f"{row['p50_ms']:>7} {row['p95_ms']:>7}"
        )
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {**vars(args), "database": args.database},
        "synth": synth,
        "requests": requests,
        "all": total,
        "failures": total["failures"],
    }


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
