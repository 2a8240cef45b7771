"""Every kind of page is a GOV.UK page with the security headers, and no signed-in page
is cached."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from safehold.accounts.models import Staff

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


def test_sign_in_page_has_headers_and_a_nonce(db: None) -> None:
    response = Client().get("/sign-in")
    assert response.status_code == 200
    assert_security_headers(response)
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_signed_in_pages_are_not_cached(
    officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    response = as_staff(officer).get("/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_admin_pages_have_the_headers(admin: Staff, as_staff: Callable[[Staff], Client]) -> None:
    for path in ("/staff/", "/staff/new", f"/staff/{admin.username}/"):
        assert_security_headers(as_staff(admin).get(path))


def test_error_pages_have_the_headers(officer: Staff, as_staff: Callable[[Staff], Client]) -> None:
    client = as_staff(officer)
    forbidden = client.get("/staff/")
    missing = client.get("/no-such-page")
    assert (forbidden.status_code, missing.status_code) == (403, 404)
    assert_security_headers(forbidden)
    assert_security_headers(missing)


def test_api_answers_have_the_headers(officer: Staff) -> None:
    response = Client().get("/api/v1/cases")
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_need_sign_in(db: None) -> None:
    for path in ("/", "/staff/", "/staff/new"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in?next=")


def test_a_server_error_is_a_govuk_page_without_a_trace(
    officer: Staff, as_staff: Callable[[Staff], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("safehold.desk.home.render", broken)
    client = as_staff(officer)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page
    assert "Traceback" not in page


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEHOLD_", "DJANGO_"))}
    env.update(
        SAFEHOLD_ENV="production",
        SAFEHOLD_SECRET_KEY="a-production-secret-" + "k" * 40,
        SAFEHOLD_MASTER_KEY="1" * 64,
        SAFEHOLD_ALLOWED_HOSTS="safehold.example.org",
        DJANGO_SETTINGS_MODULE="safehold.settings",
        **extra,
    )
    return env


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(SAFEHOLD_DATA_DIR=str(tmp_path)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


PRODUCTION_HEADERS = """
import django; django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
r = Client().get("/healthz", secure=True, headers={"host": "safehold.example.org"})
print(r.headers.get("Strict-Transport-Security"))
r = Client().get("/sign-in", headers={"host": "safehold.example.org"})
print(r.status_code, r.headers.get("Location"))
"""


def test_production_sends_hsts_and_redirects_to_https(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_HEADERS],
        env=production_env(SAFEHOLD_DATA_DIR=str(tmp_path), DATABASE_URL="sqlite:///:memory:"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "max-age=63072000; includeSubDomains; preload", result.stderr
    assert lines[1] == "301 https://safehold.example.org/sign-in"
