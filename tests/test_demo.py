"""`safehold demo`: staff in two teams and every role, and how to sign in as them."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from safehold import demo
from safehold.accounts.models import Staff
from safehold.accounts.roles import Role

ROOT = Path(__file__).resolve().parents[1]


def test_demo_staff_cover_two_teams_and_every_role(db: None) -> None:
    instructions = demo.load()
    assert set(Staff.objects.values_list("role", flat=True)) == set(Role.values)
    assert Staff.objects.values("team").distinct().count() == 2
    assert demo.DEMO_PASSWORD in instructions
    assert "safehold demo-code" in instructions
    demo.load()  # safe to run again
    assert Staff.objects.count() == len(demo.DEMO_STAFF) + 1


def test_a_demo_account_signs_in_with_the_printed_code(db: None) -> None:
    demo.load()
    client = Client()
    client.post("/sign-in", {"username": "amira.officer", "password": demo.DEMO_PASSWORD})
    response = client.post("/sign-in/two-factor", {"code": demo.current_code("amira.officer")})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_demo_code_refuses_production(db: None, settings) -> None:
    demo.load()
    settings.DEVELOPMENT = False
    with pytest.raises(demo.DemoError):
        demo.current_code("amira.officer")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_safehold_demo_serves_with_gunicorn(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEHOLD_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["SAFEHOLD_DATA_DIR"] = str(tmp_path)
    port = free_port()
    command = [sys.executable, "-c", "import sys; from safehold.cli import main; sys.exit(main())"]
    server = subprocess.Popen(
        [*command, "demo", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        body = wait_for(f"http://127.0.0.1:{port}/healthz")
        assert body == '{"status": "ok"}'
        sign_in = wait_for(f"http://127.0.0.1:{port}/sign-in")
        assert "Sign in to Safehold" in sign_in
        css = wait_for(f"http://127.0.0.1:{port}/static/govuk/govuk-frontend.min.css")
        assert ".govuk-" in css
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert "Every demo password is" in output
    assert re.search(r"gunicorn", output, re.IGNORECASE)


def wait_for(url: str, attempts: int = 100) -> str:
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                return str(response.read().decode())
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")
