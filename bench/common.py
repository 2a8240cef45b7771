"""What the benchmarks share: where results go, free ports, and a throwaway PostgreSQL
cluster from Debian's postgresql-15, started as scripts/test starts one."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True)  # noqa: S603, S607


@contextmanager
def throwaway_cluster(*, durable: bool = False) -> Iterator[str]:
    """A cluster of its own, removed at the end. Loading a million cases is no test of
    durability, so by default it runs as scripts/test's does, with fsync off; a
    `durable` one keeps PostgreSQL's defaults (fsync, synchronous commit), as a live
    service must, for measuring the server's writes."""
    folder = Path(tempfile.mkdtemp(prefix="safehold-bench-pg."))
    shutil.chown(folder, "postgres")
    port = free_port()
    data = str(folder / "db")
    as_postgres(str(PG_BIN / "initdb"), "-D", data, "-A", "trust", "-U", "postgres")
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 "
        "-c shared_buffers=2GB -c work_mem=64MB -c maintenance_work_mem=512MB "
        "-c max_wal_size=8GB"
    )
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off"
    log = str(folder / "log")
    as_postgres(str(PG_BIN / "pg_ctl"), "-D", data, "-l", log, "-w", "-o", options, "start")
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", data, "-m", "fast", "stop")
        shutil.rmtree(folder, ignore_errors=True)


Timed = tuple[float, str, Any]  # seconds, SQL, parameters


def timed_queries(queries: list[Timed]) -> Callable[..., Any]:
    """A Django execute wrapper that appends each query it runs, with its time, to
    `queries` (`with connection.execute_wrapper(timed_queries(found)): ...`)."""

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql, params))

    return record
