"""The database files, the logs and the audit table never hold a survivor's name,
address or phone number in clear: a search of the raw bytes, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from safehold.accounts.models import Staff
from safehold.privacy.models import AuditEntry
from tests.casedata import (
    CASE_BODY,
    PERPETRATOR_NAME,
    SURVIVOR_ADDRESS,
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
)

SECRETS = [SURVIVOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_PHONE, PERPETRATOR_NAME, "Wistmoor"]
WEB_NAME = "Ottoline Fennimore-Gasket"
WEB_PHONE = "07700 900388"


def database_files() -> list[Path]:
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        return [p for p in name.parent.glob(name.name + "*") if p.is_file()]
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("SHOW data_directory")
        data_directory = Path(cursor.fetchone()[0])
    return [p for p in data_directory.rglob("*") if p.is_file() and p.suffix != ".conf"]


def files_containing(needles: list[str]) -> list[str]:
    found = []
    for path in database_files():
        try:
            content = path.read_bytes()
        except OSError:
            continue
        found += [f"{needle} in {path}" for needle in needles if needle.encode() in content]
    return found


@pytest.mark.django_db(transaction=True)
def test_identity_is_never_stored_in_clear(
    officer: Staff, api_as, as_staff, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = api_as(officer)
    created = api.post("/api/v1/cases", CASE_BODY, content_type="application/json")
    assert created.status_code == 201
    case_id = created.json()["id"]
    assert api.get(f"/api/v1/cases/{case_id}").json()["survivor"]["name"] == SURVIVOR_NAME
    api.post("/api/v1/cases/search", {"q": SURVIVOR_NAME}, content_type="application/json")
    record_through_the_web(as_staff(officer))

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(FULL)")
    needles = [*SECRETS, WEB_NAME, WEB_PHONE]
    assert files_containing(needles) == []
    assert not [n for n in needles if n in caplog.text]
    audit_text = " ".join(str(e.detail) + e.actor + e.target_id for e in AuditEntry.objects.all())
    assert not [n for n in needles if n in audit_text]


def record_through_the_web(client: Client) -> None:
    form = {
        "source": "self",
        "name": WEB_NAME,
        "phone": WEB_PHONE,
        "perpetrators": "1",
        "children": "0",
        "p0_name": "",
        "p0_relationship": "partner",
        "p0_tenancy_ref": "",
    }
    check = client.post("/cases/new", {**form, "step": "check"})
    assert check.status_code == 200, check.content.decode()[:2000]
    saved = client.post("/cases/new", {**form, "step": "confirm"})
    assert saved.status_code == 302
    page = client.get(saved["Location"])
    assert WEB_NAME in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_search_finds_clear_text_when_there_is_some() -> None:
    """The control: the same search sees a value stored in clear, so the test above
    would fail if a survivor's details were."""
    from safehold.accounts.models import Team

    Team.objects.create(name="Quillimont Control Team")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(FULL)")
    assert files_containing(["Quillimont Control Team"]) != []
