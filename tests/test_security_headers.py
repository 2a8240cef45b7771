"""Every type of answer Safehold gives carries the security headers it should: one of
each, from the public sign-in page to a static file, through the same middleware a real
request passes. tests/web/test_pages.py checks more pages of the HTML kind.

- Everything: `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
  `Cross-Origin-Opener-Policy: same-origin`, `X-Frame-Options: DENY`.
- Everything but static files: a Content-Security-Policy with `frame-ancestors 'none'`,
  and `Cache-Control: no-store`, since any page or API answer may carry a survivor's
  details. Static files are the same for everyone and may be cached.
- HTML pages: the CSP's script nonce is new for each answer and is the one on the
  page's scripts, and no inline script or style is allowed otherwise.
- Downloads: attachments, never shown in the browser.
- In production settings: HSTS on every answer (a subprocess, as the test suite itself
  runs in development settings over plain HTTP).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts import services as accounts
from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.evidence import services as evidence_services
from tests.conftest import signed_in
from tests.evidence import files

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
STATIC_FILE = "/static/safehold/safehold.css"
NONCE = re.compile(r"'nonce-([^']+)'")


def assert_everywhere_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def assert_private_headers(response) -> None:
    """What every answer but a static file carries."""
    assert_everywhere_headers(response)
    assert response["Cache-Control"] == "no-store"
    csp = response["Content-Security-Policy"]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp
    # Nothing is loaded from, or sent to, anywhere but Safehold itself.
    assert "default-src 'self'" in csp
    assert "connect-src 'self'" in csp
    assert not re.search(r"https?:|\*", csp)
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp


def assert_html_page_headers(response) -> str:
    """The private headers, and a nonce in the policy that the page's scripts carry."""
    assert response["Content-Type"].startswith("text/html")
    assert_private_headers(response)
    script_src = next(
        part for part in response["Content-Security-Policy"].split(";") if "script-src" in part
    )
    nonces = NONCE.findall(script_src)
    assert len(nonces) == 1
    page = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts
    assert all(f'nonce="{nonces[0]}"' in tag for tag in scripts)
    return nonces[0]


def assert_download_headers(response, content_type: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment;")
    assert_private_headers(response)


def assert_problem_headers(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert_private_headers(response)


def report_query() -> str:
    end = timezone.localdate()
    start = end - timedelta(days=30)
    parts = {
        "start_0": start.day, "start_1": start.month, "start_2": start.year,
        "end_0": end.day, "end_1": end.month, "end_2": end.year,
    }  # fmt: skip
    return urlencode(parts)


def test_the_public_sign_in_page(db: None) -> None:
    first = Client().get("/sign-in")
    second = Client().get("/sign-in")
    assert first.status_code == 200
    assert assert_html_page_headers(first) != assert_html_page_headers(second)


def test_a_signed_in_page(officer: Staff) -> None:
    response = signed_in(officer).get("/")
    assert response.status_code == 200
    assert_html_page_headers(response)


def test_a_case_page(officer: Staff, case: Case) -> None:
    response = signed_in(officer).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert_html_page_headers(response)


def test_a_page_not_found(officer: Staff) -> None:
    response = signed_in(officer).get("/no-such-page")
    assert response.status_code == 404
    assert_html_page_headers(response)


def test_the_redirect_to_sign_in(db: None) -> None:
    response = Client().get("/cases/")
    assert response.status_code == 302
    assert_private_headers(response)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/reports/board-report.pdf", "application/pdf"),
        ("/reports/monitoring.csv", "text/csv"),
        (
            "/reports/monitoring.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
    ids=["pdf", "csv", "xlsx"],
)
def test_a_download(director: Staff, case: Case, path: str, content_type: str) -> None:
    response = signed_in(director).get(f"{path}?{report_query()}")
    assert_download_headers(response, content_type)


def test_an_evidence_download(officer: Staff, case: Case) -> None:
    upload = files.upload(files.png(), "door.png")
    evidence = evidence_services.evidence_add(case=case, by=officer, upload=upload, description="")
    response = signed_in(officer).get(f"/cases/{case.pk}/evidence/{evidence.pk}")
    assert_download_headers(response, "image/png")


def test_a_json_api_answer(officer: Staff, case: Case) -> None:
    token = accounts.token_create(staff=officer)
    response = Client(headers={"Authorization": f"Bearer {token}"}).get(f"/api/v1/cases/{case.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["reference"] == case.reference
    assert_private_headers(response)


def test_an_api_error(db: None) -> None:
    assert_problem_headers(Client().get("/api/v1/cases"), 401)
    assert_problem_headers(Client().get("/api/v1/no-such-thing"), 404)


def test_an_api_body_refused_before_it_is_read(officer: Staff) -> None:
    token = accounts.token_create(staff=officer)
    huge = json.dumps({"q": "x" * 2_000_000})
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = client.post("/api/v1/cases/search", data=huge, content_type="application/json")
    assert_problem_headers(response, 413)


def test_the_health_check(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert_private_headers(response)


def test_a_static_file_may_be_cached_but_is_never_sniffed(db: None) -> None:
    response = Client().get(STATIC_FILE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert_everywhere_headers(response)
    assert "no-store" not in response["Cache-Control"]


PRODUCTION_ANSWERS = f"""
import django; django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
call_command("migrate", verbosity=0)
client = Client(headers={{"host": "safehold.example.org"}})
for path in ("/sign-in", "/cases/", "/healthz", "/api/v1/cases", "/api/v1/openapi.json",
             "{STATIC_FILE}"):
    response = client.get(path, secure=True)
    print(path, response.status_code, response.headers.get("Strict-Transport-Security"))
response = client.get("/sign-in", secure=True)
cookie = response.cookies["csrftoken"]
print("csrftoken", bool(cookie["secure"]), cookie["samesite"])
from django.conf import settings
print("session", settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
      settings.SESSION_COOKIE_SAMESITE)
"""


def test_production_sends_hsts_on_every_type_and_secure_cookies(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEHOLD_", "DJANGO_"))}
    env.update(
        SAFEHOLD_ENV="production",
        SAFEHOLD_SECRET_KEY="a-production-secret-" + "k" * 40,
        SAFEHOLD_MASTER_KEY="1" * 64,
        SAFEHOLD_ALLOWED_HOSTS="safehold.example.org",
        SAFEHOLD_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        DJANGO_SETTINGS_MODULE="safehold.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_ANSWERS],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    *answers, csrf, session = result.stdout.splitlines()
    hsts = "max-age=63072000; includeSubDomains; preload"
    assert answers == [
        f"/sign-in 200 {hsts}",
        f"/cases/ 302 {hsts}",
        f"/healthz 200 {hsts}",
        f"/api/v1/cases 401 {hsts}",
        f"/api/v1/openapi.json 200 {hsts}",
        f"{STATIC_FILE} 200 {hsts}",
    ]
    assert csrf == "csrftoken True Lax"
    assert session == "session True True Lax"
