"""The data folder and the database files are readable by the service's user only,
whatever existed before (docs/configuration.md, "The data folder"): a folder made for
Safehold by a container volume or a systemd state directory is often 0755, and a
database written by an older version was 0644 with its -wal."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
DATABASE_FILES = ("safehold.sqlite3", "safehold.sqlite3-wal", "safehold.sqlite3-shm")
KEY_FILES = ("master-key.dev", "secret-key.dev")


@pytest.fixture
def open_parent() -> Iterator[Path]:
    """A folder every user may pass through, as /srv or /var/lib are, so that only the
    data folder's own modes keep another user out (pytest's own folders are 0700)."""
    parent = Path(tempfile.mkdtemp(prefix="safehold-modes-"))
    parent.chmod(0o755)
    try:
        yield parent
    finally:
        shutil.rmtree(parent)


def safehold(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEHOLD_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)  # SQLite in the data folder, whatever the suite runs on
    env.update(SAFEHOLD_ENV="development", SAFEHOLD_DATA_DIR=str(data))
    command = [sys.executable, "-c", "import sys; from safehold.cli import main; sys.exit(main())"]
    return subprocess.run(
        [*command, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def readable_by_another_user(path: Path) -> bool:
    """Whether `nobody` can read the file, as anyone else on the machine would try."""
    result = subprocess.run(
        ["/bin/cat", str(path)], user=NOBODY, group=NOBODY, extra_groups=[],
        capture_output=True, check=False,
    )  # fmt: skip
    return result.returncode == 0


def test_init_makes_a_new_data_folder_owner_only_though_the_folder_was_made_0755(
    open_parent: Path,
) -> None:
    data = open_parent / "data"
    data.mkdir()
    data.chmod(0o755)  # as a systemd StateDirectory= or a container volume makes it

    result = safehold("init", data=data)

    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    for name in ("safehold.sqlite3", *KEY_FILES):
        assert mode(data / name) == 0o600, name


def test_init_takes_back_an_older_installations_open_files(open_parent: Path) -> None:
    data = open_parent / "data"
    assert safehold("init", data=data).returncode == 0
    database = data / "safehold.sqlite3"
    data.chmod(0o755)
    for name in ("safehold.sqlite3", *KEY_FILES):
        (data / name).chmod(0o644)
    # A server of the older version still has the database open: its -wal and -shm
    # exist, made with the database file's mode.
    with sqlite3.connect(database) as server:
        server.execute("SELECT count(*) FROM privacy_auditentry").fetchone()
        assert {mode(data / name) for name in DATABASE_FILES} == {0o644}
        if os.geteuid() == 0:  # the suite runs as root in CI: read as another user
            assert readable_by_another_user(database)

        result = safehold("init", data=data)

        assert result.returncode == 0, result.stderr
        assert f"made {database} readable by this user only" in result.stderr
        assert mode(data) == 0o700
        for name in (*DATABASE_FILES, *KEY_FILES):
            assert mode(data / name) == 0o600, name
        if os.geteuid() == 0:
            for name in (*DATABASE_FILES, *KEY_FILES):
                assert not readable_by_another_user(data / name), name
