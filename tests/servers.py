"""Real `safehold serve` processes on the test session's own database, for the tests
that drive a running server over HTTP (tests/test_two_servers.py,
tests/test_no_lost_writes.py).

The servers are given the database the session is using, read from Django's own
connection settings (`database_url()`), so a transactional test's committed rows are
theirs too. They run the real settings (`safehold.settings`) in production mode, with the
session's secret and master key passed as the documented SAFEHOLD_* variables."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
READY_WITHIN = 45.0  # seconds for a server to answer /healthz on a busy 2-core machine
STOP_WITHIN = 10.0  # seconds for a graceful stop before the server is killed
REQUEST_TIMEOUT = 30.0
NO_ANSWER = 0  # the status recorded when a request got no HTTP answer


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """The end of what the server printed (gunicorn's log and any traceback)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return f"--- {self.url} ---\n{text[-4000:]}"


def free_ports(count: int) -> list[int]:
    """Distinct free ports on 127.0.0.1: all held open together, so none repeats."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def database_url() -> str:
    """The database this test session uses, as a DATABASE_URL for the servers."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = quote(str(config["USER"] or ""), safe="")
    password = quote(str(config["PASSWORD"] or ""), safe="")
    credentials = f"{user}:{password}" if password else user
    return f"postgres://{credentials}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


def server_environment(runtime_dir: Path) -> dict[str, str]:
    """The real settings in production mode, with the session's database and keys.
    Nothing SAFEHOLD_ or DJANGO_ is inherited, so no stray `_FILE` can override them.

    `safehold serve` turns off gunicorn's control socket (one path per user, which a
    second server would take over); each server still gets a runtime folder of its own
    ($XDG_RUNTIME_DIR), so nothing one leaves there is seen by the other."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEHOLD_", "DJANGO_"))}
    env.update(
        XDG_RUNTIME_DIR=str(runtime_dir),
        DJANGO_SETTINGS_MODULE="safehold.settings",
        DATABASE_URL=database_url(),
        SAFEHOLD_ENV="production",
        SAFEHOLD_SECRET_KEY=settings.SECRET_KEY,
        SAFEHOLD_MASTER_KEY=settings.SAFEHOLD_MASTER_KEY,
        SAFEHOLD_POLICY=settings.SAFEHOLD_POLICY,
        SAFEHOLD_DATA_DIR=str(settings.DATA_DIR),
    )
    return env


def start_server(port: int, folder: Path) -> Server:
    """`safehold serve` (the console script's entry point), its output kept in `folder`."""
    command = [sys.executable, "-m", "safehold.cli", "serve"]
    options = ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    folder.mkdir(mode=0o700)
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, *options],
            env=server_environment(runtime_dir=folder),
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so its workers stop with it
        )
    return Server(url=f"http://127.0.0.1:{port}", process=process, log=log)


def wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server stopped before it was ready\n{server.output()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # noqa: S310 - 127.0.0.1
                if json.load(response) == {"status": "ok"}:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"/healthz did not answer within {READY_WITHIN} s\n{server.output()}")


def stop(server: Server) -> None:
    """Terminate the server's process group; kill it if it has not gone in time."""
    if server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=STOP_WITHIN)


def post(
    server: str, path: str, token: str, body: dict[str, Any], timeout: float = REQUEST_TIMEOUT
) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310 - 127.0.0.1
        f"{server}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",  # as the TLS-terminating load balancer sends
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        # No answer at all, or one cut off before its end: reported with the servers' logs.
        return NO_ANSWER, repr(error)


def assert_references_are_distinct_and_gapless() -> None:
    """DA-YYYY-NNNNN: no number twice, and none skipped, in each year."""
    from safehold.cases.models import Case

    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))
    by_year: dict[str, list[int]] = {}
    for reference in references:
        _, year, number = reference.split("-")
        by_year.setdefault(year, []).append(int(number))
    for numbers in by_year.values():
        assert sorted(numbers) == list(range(min(numbers), max(numbers) + 1))
