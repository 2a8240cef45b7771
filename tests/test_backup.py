"""`safehold backup FILE` and `safehold restore FILE` (API.md §1; docs/operations.md,
"Backups and restores"), on whichever database the suite runs on: SQLite, or the
PostgreSQL cluster that DATABASE_URL names (scripts/test runs the suite on both).

A backup is made in this process with `safehold.cli.main`, from the test database. The
tests are transactional (`django_db(transaction=True)`), so what they record is
committed and seen by the SQLite backup API's own connection or by pg_dump, as a
running server's writes would be. A restore goes into a NEW, empty database (SQLite: a
file that does not exist yet; PostgreSQL: a database created in the same cluster and
dropped at the end) by the real command in another process, whose DATABASE_URL names
that database, as an operator would run it. A third process then reads the restored
database through Safehold's own code: the audit chain, the cases, the survivors' names.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from safehold.accounts.models import Staff
from safehold.cases import inputs, services
from safehold.cases.models import Case
from safehold.cli import main
from safehold.ops import backup
from safehold.ops.restore_checks import restore_checks
from safehold.privacy.models import AuditEntry
from tests.casedata import SURVIVOR_NAME, report

ROOT = Path(__file__).resolve().parents[1]
OTHER_SURVIVOR = "Marigold Fenwick-Asante"
WAIT = 60.0  # seconds, on a busy 2-core machine

pytestmark = pytest.mark.django_db(transaction=True)

READ_RESTORED = """
import json, django
django.setup()
from safehold.cases import sealing
from safehold.cases.models import Case, Person
from safehold.privacy import audit
from safehold.privacy.models import AuditEntry
survivors = Person.objects.filter(role="survivor").select_related("case__data_key")
print(json.dumps({
    "intact": audit.verify().intact,
    "chain": [[e.seq, e.action, e.hash] for e in AuditEntry.objects.order_by("seq")],
    "cases": sorted(Case.objects.values_list("reference", flat=True)),
    "survivor_names": sorted(sealing.unseal(p.case.data_key, p)["name"] for p in survivors),
}))
"""


@pytest.fixture(autouse=True)
def master_key(settings: Any) -> str:
    """A master key of its own, so that the search for it in a backup's bytes means
    something (the suite's key is 64 zeros: 32 zero bytes are in any database file)."""
    settings.SAFEHOLD_MASTER_KEY = secrets.token_hex(32)
    return str(settings.SAFEHOLD_MASTER_KEY)


def database_url(name: str | None = None) -> str:
    """The test database, or another database `name` in the same cluster."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = quote(str(config["USER"] or ""), safe="")
    password = quote(str(config["PASSWORD"] or ""), safe="")
    credentials = f"{user}:{password}" if password else user
    return f"postgres://{credentials}@{config['HOST']}:{config['PORT']}/{name or config['NAME']}"


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database to restore into, as a DATABASE_URL."""
    with new_empty_database(tmp_path / "restored") as url:
        yield url


@contextlib.contextmanager
def new_empty_database(folder: Path) -> Iterator[str]:
    if connection.vendor == "sqlite":
        yield f"sqlite:///{folder / 'safehold.sqlite3'}"
        return
    assert connection.vendor == "postgresql"
    name = f"safehold_restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def safehold_environment(database: str, master_key: str, data_dir: Path) -> dict[str, str]:
    """An operator's environment: the real settings in production mode, with the
    database and the master key given. Nothing SAFEHOLD_ or DJANGO_ is inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEHOLD_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database,
        DJANGO_SETTINGS_MODULE="safehold.settings",
        SAFEHOLD_ENV="production",
        SAFEHOLD_SECRET_KEY=settings.SECRET_KEY,
        SAFEHOLD_MASTER_KEY=master_key,
        SAFEHOLD_DATA_DIR=str(data_dir),
    )
    return env


def restore(file: Path, *, database: str, master_key: str) -> subprocess.CompletedProcess[str]:
    """`safehold restore FILE` in its own process, into `database`."""
    return subprocess.run(
        [sys.executable, "-m", "safehold.cli", "restore", str(file)],
        env=safehold_environment(database, master_key, file.parent / "restore-data"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def read_restored(database: str, *, master_key: str, data_dir: Path) -> dict[str, Any]:
    """The restored database as Safehold's own code reads it, in a process of its own."""
    result = subprocess.run(
        [sys.executable, "-c", READ_RESTORED],
        env=safehold_environment(database, master_key, data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def live_chain() -> list[list[Any]]:
    return [[e.seq, e.action, e.hash] for e in AuditEntry.objects.order_by("seq")]


def other_survivor() -> inputs.SurvivorDetails:
    return inputs.SurvivorDetails(
        name=OTHER_SURVIVOR, date_of_birth=date(1979, 9, 30), sex="female", address="2 Mill Row"
    )


def test_a_restore_drill_brings_back_every_case_readable_and_the_chain_intact(
    open_case: Callable[..., Case],
    empty_database: str,
    tmp_path: Path,
    master_key: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    open_case()
    open_case(survivor=other_survivor())
    file = tmp_path / "safehold.backup"

    assert main(["backup", str(file)]) == 0

    assert f"safehold restore {file}" in capsys.readouterr().out
    made = AuditEntry.objects.order_by("seq").last()
    assert made is not None
    assert (made.actor, made.action, made.detail) == (
        "",
        "backup.made",
        {"database": connection.vendor, "file": "safehold.backup"},
    )
    chain, cases = live_chain(), sorted(Case.objects.values_list("reference", flat=True))

    restored = restore(file, database=empty_database, master_key=master_key)

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"audit chain: ok: intact, {len(chain)} entries" in restored.stdout
    assert "master key: ok" in restored.stdout
    assert "encrypted data: ok: every case sampled decrypts: 2 of 2" in restored.stdout
    found = read_restored(empty_database, master_key=master_key, data_dir=tmp_path / "read")
    assert found["intact"]
    assert found["chain"][:-1] == chain  # every entry, ending with the backup's own record
    assert found["chain"][-1][1] == "backup.restored"
    assert found["cases"] == cases
    assert found["survivor_names"] == sorted([SURVIVOR_NAME, OTHER_SURVIVOR])


# What a database made by a version of Safehold before seals lacks (privacy 0002, and
# accounts 0004 that came with it).
BEFORE_SEALS = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ALTER TABLE privacy_auditentry DROP COLUMN key_id")
    cursor.execute("ALTER TABLE privacy_auditentry DROP COLUMN seal")
    cursor.execute("DROP TABLE privacy_auditcheckpoint")
    cursor.execute("DROP TABLE accounts_websession")
    # And before what came after them in accounts (a partner's agency, issue 21).
    cursor.execute("ALTER TABLE accounts_staff DROP COLUMN agency")
    cursor.execute(
        "DELETE FROM django_migrations WHERE (app = 'privacy' AND name >= '0002_')"
        " OR (app = 'accounts' AND name >= '0004_')"
    )
"""


def safehold_command(
    *args: str, database: str, master_key: str, data_dir: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safehold.cli", *args],
        env=safehold_environment(database, master_key, data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_a_backup_from_before_seals_restores_and_init_seals_its_chain(
    case: Case, tmp_path: Path, master_key: str
) -> None:
    """docs/operations.md, "The audit log": an older backup's chain is checked link by
    link, its restore recorded in its own columns, and 'safehold init' adds the seals
    and seals the chain, vouching for every entry before."""
    data = tmp_path / "data"
    assert main(["backup", str(tmp_path / "now.backup")]) == 0
    with (
        new_empty_database(tmp_path / "older") as older,
        new_empty_database(tmp_path / "restored") as restored,
    ):
        assert (
            restore(tmp_path / "now.backup", database=older, master_key=master_key).returncode == 0
        )
        made_older = subprocess.run(
            [sys.executable, "-c", BEFORE_SEALS],
            env=safehold_environment(older, master_key, data),
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert made_older.returncode == 0, made_older.stderr
        older_backup = safehold_command(
            "backup", str(tmp_path / "older.backup"), database=older, master_key=master_key,
            data_dir=data,
        )  # fmt: skip
        assert older_backup.returncode == 0, older_backup.stderr

        result = restore(tmp_path / "older.backup", database=restored, master_key=master_key)

        assert result.returncode == 0, result.stdout + result.stderr
        assert "from a version before seals: 'safehold init' seals it" in result.stdout
        init = safehold_command("init", database=restored, master_key=master_key, data_dir=data)
        assert init.returncode == 0, init.stderr
        assert "Sealed the audit chain under master key" in init.stdout
        verified = safehold_command(
            "audit", "verify", database=restored, master_key=master_key, data_dir=data
        )
        assert verified.returncode == 0, verified.stderr
        found = read_restored(restored, master_key=master_key, data_dir=data)
    assert found["intact"]
    assert [action for _, action, _ in found["chain"][-3:]] == [
        "backup.made",
        "backup.restored",
        "audit.sealed",
    ]


def wait_for(condition: Callable[[], bool], errors: list[BaseException]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert errors == []
        assert time.monotonic() < deadline, f"not reached within {WAIT} s"
        time.sleep(0.05)


def test_a_backup_taken_while_cases_are_recorded_restores_and_verifies(
    officer: Staff, empty_database: str, tmp_path: Path, master_key: str
) -> None:
    recorded: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def record_cases() -> None:
        try:
            while not stop.is_set():
                recorded.append(services.case_open(report=report(), by=officer).reference)
                time.sleep(0.02)  # a moment between reports, as from people at work
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=record_cases)
    writer.start()
    file = tmp_path / "during.backup"
    try:
        wait_for(lambda: len(recorded) >= 3, errors)
        before = len(recorded)
        code = main(["backup", str(file)])
        after = len(recorded)
        wait_for(lambda: len(recorded) >= after + 2, errors)  # still writing after it
    finally:
        stop.set()
        writer.join(timeout=WAIT)
    assert errors == []
    assert code == 0

    restored = restore(file, database=empty_database, master_key=master_key)

    assert restored.returncode == 0, restored.stdout + restored.stderr
    found = read_restored(empty_database, master_key=master_key, data_dir=tmp_path / "read")
    assert found["intact"]
    in_backup = set(found["cases"])
    assert set(recorded[:before]) <= in_backup <= set(recorded)
    assert len(in_backup) < len(recorded)  # what came after the snapshot is not in it
    assert found["survivor_names"] == [SURVIVOR_NAME] * len(in_backup)
    chain = live_chain()
    assert found["chain"][:-1] == chain[: len(found["chain"]) - 1]  # a prefix of the live one
    assert "backup.made" in [action for _, action, _ in found["chain"]]


def test_restore_refuses_a_database_that_is_not_empty(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "safehold.backup"
    assert main(["backup", str(file)]) == 0
    chain = live_chain()

    assert main(["restore", str(file)]) == 1

    assert "is not empty" in capsys.readouterr().err
    assert live_chain() == chain
    assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]


def test_restore_with_another_master_key_fails_its_check_and_says_why(
    case: Case, empty_database: str, tmp_path: Path
) -> None:
    file = tmp_path / "safehold.backup"
    assert main(["backup", str(file)]) == 0

    restored = restore(file, database=empty_database, master_key=secrets.token_hex(32))

    assert restored.returncode == 1
    # The chain's seals were made under the key in use at the backup, so with another
    # key they cannot be checked either: the check says which key sealed them.
    assert "audit chain: FAILED: broken at entry #1: it is sealed under master key" in (
        restored.stdout
    )
    assert "not the key in use" in restored.stdout
    assert (
        "the master key does not open this backup's keys: restore needs the master key "
        "in use when the backup was made" in restored.stderr
    )
    assert "encrypted data: FAILED" in restored.stdout


def test_restore_refuses_a_file_that_is_not_a_backup(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("not a database")

    assert main(["restore", str(file)]) == 1

    assert "is not a Safehold backup" in capsys.readouterr().err


def test_backup_refuses_to_replace_a_file_unless_forced(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "safehold.backup"
    file.write_text("last night's backup")
    file.chmod(0o644)
    entries = AuditEntry.objects.count()

    assert main(["backup", str(file)]) == 1

    assert "already exists" in capsys.readouterr().err
    assert file.read_text() == "last night's backup"
    assert AuditEntry.objects.count() == entries  # refused before anything was recorded
    assert main(["backup", "--force", str(file)]) == 0
    assert backup.backup_kind(file) == connection.vendor
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [file.name]  # no partial file left


def readable_text(file: Path) -> bytes:
    """What the backup says once read: a SQLite file as it is; a pg_dump archive, whose
    table data is compressed, as the SQL that pg_restore makes of it."""
    if connection.vendor == "sqlite":
        return file.read_bytes()
    script = subprocess.run(
        [backup.pg_tool("pg_restore"), "--file=-", str(file)], capture_output=True, check=True
    )
    return script.stdout


def test_the_backup_holds_no_key_and_only_its_owner_may_read_it(
    case: Case, tmp_path: Path, master_key: str
) -> None:
    file = tmp_path / "safehold.backup"
    umask = os.umask(0)  # the mode must not depend on the operator's umask
    try:
        assert main(["backup", str(file)]) == 0
    finally:
        os.umask(umask)

    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    raw = bytes.fromhex(master_key)
    secrets_written = [
        master_key.encode(),
        master_key.upper().encode(),
        raw,
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        settings.SECRET_KEY.encode(),
    ]
    text = readable_text(file)
    assert case.reference.encode() in text  # the search reads the data itself
    for contents in (file.read_bytes(), text):
        for secret in secrets_written:
            assert secret not in contents


@pytest.mark.django_db  # not transactional: the changes to Django's migration records roll back
def test_the_checks_send_an_older_backup_to_init_and_refuse_a_newer_one(case: Case) -> None:
    recorder = MigrationRecorder(connection)
    app, name = MigrationLoader(connection).graph.leaf_nodes("cases")[0]
    recorder.record_unapplied(app, name)  # as a backup from before that migration

    checks, pending = restore_checks()

    assert pending == [f"{app}.{name}"]
    assert all(check.passed for check in checks), checks
    version = {check.name: check for check in checks}["database version"]
    assert "migrations to apply with 'safehold init'" in version.outcome
    recorder.record_applied(app, name)
    recorder.record_applied(app, "9999_from_a_newer_version")

    checks, pending = restore_checks()

    version = {check.name: check for check in checks}["database version"]
    assert (pending, version.passed) == ([], False)
    assert "made by a newer version of Safehold" in version.outcome
