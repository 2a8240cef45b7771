"""How Safehold connects to its database: SQLite's durability settings, PostgreSQL
without JIT and priced for SSDs, connections kept between requests (docs/performance.md)."""

from __future__ import annotations

import pytest
from django.db import connection

from safehold import settings


def test_postgresql_connections_run_without_jit(monkeypatch: pytest.MonkeyPatch) -> None:
    """And with psycopg's prepared statements on, for the statements that ask for them
    (safehold/prepared.py): Django's client-side cursors never prepare."""
    monkeypatch.setenv("DATABASE_URL", "postgres://safehold:secret@db.example/safehold")

    config = settings.database_config()

    assert config["OPTIONS"] == {
        "options": "-c jit=off -c random_page_cost=1.1",
        "prepare_threshold": 2**31 - 1,
    }
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["CONN_MAX_AGE"] == 600


def test_sqlite_connections_are_kept_between_requests(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")

    config = settings.database_config()

    assert config["CONN_MAX_AGE"] == 600
    assert config["CONN_HEALTH_CHECKS"] is True


def test_sqlite_is_durable_and_waits_its_turn(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")

    options = settings.database_config()["OPTIONS"]

    assert "PRAGMA synchronous=FULL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db
def test_the_connection_in_use_has_the_settings_of_its_engine() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
            cursor.execute("SHOW random_page_cost")
            assert cursor.fetchone()[0] == "1.1"
            assert connection.connection.prepare_threshold == 2**31 - 1
        else:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
