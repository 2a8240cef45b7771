"""The `replica` mark: tests that start a PostgreSQL primary and a streaming replica of
their own (tests/reports/test_replica.py). scripts/test runs them in its PostgreSQL suite
and deselects them (-m "not replica") in its SQLite suite, which runs beside it."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "replica: starts a PostgreSQL primary and streaming replica of its own"
    )
