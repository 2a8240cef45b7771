"""`safehold backup FILE` and `safehold restore FILE` (API.md §1; docs/operations.md,
"Backups and restores").

A backup is the database alone, taken online while the servers run and write:
- SQLite: the sqlite3 online backup API, in one step, so the copy is one read
  transaction's snapshot while WAL lets the servers go on committing. Never a copy of
  the file, which could catch a page half-written and would miss what is still in the
  -wal file.
- PostgreSQL: `pg_dump --format=custom`, which reads every table in one snapshot.

The master key is never in a backup: the database holds only the data keys wrapped by
it (privacy/vault.py), so the survivors' protected details in a backup cannot be read
without the key, which is kept apart. A restore writes only into an empty database, so
it can never overwrite anything, and then checks what it restored
(safehold/restore_checks.py): the audit chain verifies, and the configured master key
opens a sample of the keys and of the cases' sealed details.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import DatabaseError, connection

from safehold.ops.restore_checks import Check, restore_checks
from safehold.privacy import audit

KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_BIN = Path("/usr/lib/postgresql/15/bin")  # Debian's postgresql-15, when not on PATH
AUDIT_TABLE = "privacy_auditentry"
# libpq settings that DATABASE_URL may carry as query parameters, as libpq's variables.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str  # a key of KINDS
    source: str  # the database, described without secrets
    size: int


@dataclass(frozen=True)
class Restore:
    path: Path
    kind: str
    target: str
    checks: list[Check]
    pending_migrations: list[str]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


def database_kind() -> str:
    if connection.vendor not in KINDS:
        raise BackupError(f"backups work on SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def database_described() -> str:
    """The configured database, named without its password."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"the SQLite database {config['NAME']}"
    host = config.get("HOST") or "the local socket"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"the PostgreSQL database {config['NAME']} on {host}{port}"


def sqlite_path() -> Path:
    return Path(str(connection.settings_dict["NAME"])).absolute()


def chain_record(action: str, detail: dict[str, audit.DetailValue]) -> None:
    """Records a backup or restore in the audit chain. A database from a version before
    seals has no seal columns until 'safehold init' adds them: there the entry is
    appended in that version's columns, and sealed with the rest by 'safehold init'."""
    if audit.seals_in_database():
        audit.record(actor="", action=action, detail=detail)
    else:
        audit.record_in_older_chain(actor="", action=action, detail=detail)


# Backup


def backup_make(*, path: Path, force: bool = False) -> Backup:
    """Writes a backup of the configured database to `path`, readable by its owner only."""
    kind = database_kind()
    path = path.absolute()
    refuse_backup_target(path, force=force)
    if not has_safehold_tables():
        raise BackupError(f"{database_described()} has no Safehold tables: nothing to back up")
    # Recorded before the copy is taken, so the backup holds the record of its own making
    # and a restored database shows when its copy was taken. A failed attempt stays
    # recorded too (a copy of every case was being made), followed by backup.failed.
    detail: dict[str, audit.DetailValue] = {"database": kind, "file": path.name}
    chain_record("backup.made", detail)
    try:
        write_backup(kind, path, force=force)
    except BackupError:
        chain_record("backup.failed", detail)
        raise
    return Backup(path=path, kind=kind, source=database_described(), size=path.stat().st_size)


def refuse_backup_target(path: Path, *, force: bool) -> None:
    if path.is_dir():
        raise BackupError(f"{path} is a folder: name the file to write the backup to")
    if not path.parent.is_dir():
        raise BackupError(f"there is no folder {path.parent}")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists: choose a new name, or add --force to replace it")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise BackupError(f"the folder {path.parent} is not writable by this user")
    if connection.vendor == "postgresql":
        pg_tool("pg_dump")
    if connection.vendor == "sqlite":
        live = sqlite_path().resolve()
        own_files = {live, *(live.with_name(live.name + end) for end in ("-wal", "-shm"))}
        if path.resolve() in own_files:
            raise BackupError(f"{path} is the live database: write the backup somewhere else")


def has_safehold_tables() -> bool:
    if connection.vendor == "sqlite" and not sqlite_path().is_file():
        return False  # and Django must not create the file by connecting to it
    try:
        return AUDIT_TABLE in connection.introspection.table_names()
    except DatabaseError as error:
        raise BackupError(f"cannot reach {database_described()}: {error}") from error


def write_backup(kind: str, path: Path, *, force: bool) -> None:
    """Writes under a temporary name beside `path`, made readable by its owner only
    (mkstemp's 0600) before a byte is in it, and puts it in place only when complete:
    a failed backup leaves no partial file and never replaces a good one."""
    try:
        handle, partial_name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
        )
    except OSError as error:
        raise BackupError(f"cannot write in {path.parent}: {error}") from error
    partial = Path(partial_name)
    try:
        if kind == "sqlite":
            os.close(handle)
            sqlite_copy(source=sqlite_path(), destination=partial)
        else:
            with os.fdopen(handle, "wb") as output:
                postgresql_dump(output)
        partial.chmod(0o600)
        fsync(partial)
        publish(partial, path, force=force)
    except OSError as error:
        raise BackupError(f"cannot write {path}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)


def sqlite_copy(*, source: Path, destination: Path) -> None:
    """Copies with the online backup API in one step: one read transaction on the
    source, so a consistent snapshot while other connections go on writing. The copy is
    one self-contained file (rollback journal, not WAL), checked before it is kept."""
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=20)) as reading,
            contextlib.closing(sqlite3.connect(destination)) as writing,
        ):
            reading.backup(writing)
            writing.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = writing.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"the SQLite copy failed: {error}") from error
    if verdict != "ok":
        raise BackupError(f"the SQLite copy failed its integrity check: {verdict}")


def postgresql_dump(output: IO[bytes]) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments; the connection is in the environment
        [pg_tool("pg_dump"), "--format=custom", "--no-password"],
        stdout=output,
        stderr=subprocess.PIPE,
        env=libpq_environment(),
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.decode(errors='replace').strip()}")


def publish(partial: Path, path: Path, *, force: bool) -> None:
    if force:
        os.replace(partial, path)
    else:
        try:
            os.link(partial, path)  # fails, rather than replaces, if a file appeared meanwhile
        except FileExistsError as error:
            raise BackupError(f"{path} already exists: choose a new name") from error
        except OSError:  # a file system without hard links
            if path.exists():
                raise BackupError(f"{path} already exists: choose a new name") from None
            os.replace(partial, path)
    fsync(path.parent)


def fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    if (PG_BIN / name).is_file():
        return str(PG_BIN / name)
    raise BackupError(f"{name} is not installed: install Debian's postgresql-client-15")


def libpq_environment() -> dict[str, str]:
    """The configured database as libpq's variables: a password on a command line would
    be shown to every user of the machine by `ps`."""
    config = connection.settings_dict
    environment = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if config.get(key):
            environment[variable] = str(config[key])
    options = config.get("OPTIONS") or {}
    for option, variable in LIBPQ_OPTIONS.items():
        if options.get(option):
            environment[variable] = str(options[option])
    environment["PGAPPNAME"] = "safehold-backup"
    return environment


# Restore


def backup_restore(*, path: Path) -> Restore:
    """Restores the backup at `path` into the configured database, which must be empty,
    then checks it. A restore that passes its checks is recorded in the restored chain."""
    kind = database_kind()
    path = path.absolute()
    found = backup_kind(path)
    if found != kind:
        raise BackupError(
            f"{path} is a {KINDS[found]} backup, but DATABASE_URL names a {KINDS[kind]} "
            f"database: restore it into a {KINDS[found]} database"
        )
    target = database_described()
    if kind == "sqlite":
        sqlite_restore(path)
    else:
        postgresql_restore(path)
    checks, pending = restore_checks()
    restore = Restore(path, kind, target, checks, pending)
    if restore.passed:
        chain_record("backup.restored", {"database": kind, "file": path.name})
    return restore


def backup_kind(path: Path) -> str:
    try:
        with path.open("rb") as file:
            start = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"there is no file {path}") from None
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error}") from error
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Safehold backup: not a SQLite file nor a pg_dump archive")


def not_empty(target: str, tables: int) -> BackupError:
    return BackupError(
        f"{target} is not empty (it has {tables} tables): a restore writes only "
        "into an empty database, so that it can never overwrite one. Create a new, empty "
        "database (SQLite: a file that does not exist yet; PostgreSQL: createdb), point "
        "DATABASE_URL at it and restore again, without running 'safehold init' first"
    )


def sqlite_restore(backup: Path) -> None:
    target = sqlite_path()
    connection.close()  # Django's connection must not hold the file during the copy
    check_sqlite_backup(backup)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        with contextlib.closing(sqlite3.connect(target, timeout=20)) as writing:
            objects, tables = writing.execute(
                "SELECT count(*), count(*) FILTER (WHERE type = 'table') FROM sqlite_master"
            ).fetchone()
            if objects:
                raise not_empty(database_described(), tables)
            with contextlib.closing(
                sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)
            ) as reading:
                reading.backup(writing)
            writing.execute("PRAGMA journal_mode=WAL")  # as safehold/settings.py runs it
    except sqlite3.Error as error:
        raise BackupError(f"the restore into {target} failed: {error}") from error
    target.chmod(0o600)


def check_sqlite_backup(backup: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)) as reading:
            (verdict,) = reading.execute("PRAGMA quick_check").fetchone()
            tables = {name for (name,) in reading.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as error:
        raise BackupError(f"{backup} cannot be read as a SQLite backup: {error}") from error
    if verdict != "ok":
        raise BackupError(f"{backup} is damaged (SQLite's check says: {verdict})")
    if AUDIT_TABLE not in tables:
        raise BackupError(f"{backup} is not a Safehold backup: it has no audit log")


def postgresql_restore(backup: Path) -> None:
    check_postgresql_backup(backup)
    try:
        with connection.cursor() as cursor:
            cursor.execute(USER_RELATIONS)
            relations, tables = cursor.fetchone()
    except DatabaseError as error:
        raise BackupError(f"cannot reach {database_described()}: {error}") from error
    if relations:
        raise not_empty(database_described(), tables)
    connection.close()
    # One transaction: a restore that fails part-way leaves the database empty again.
    # Owners and grants are not restored (the roles may not exist here); the operator
    # grants the app's role again (docs/operations.md).
    result = subprocess.run(  # noqa: S603 - fixed arguments; the connection is in the environment
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={conninfo_dbname(str(connection.settings_dict['NAME']))}",
            str(backup),
        ],
        capture_output=True,
        env=libpq_environment(),
        check=False,
    )
    if result.returncode != 0:
        problem = result.stderr.decode(errors="replace").strip()
        raise BackupError(f"pg_restore failed and nothing was restored: {problem}")


# Every table, view, sequence or index outside PostgreSQL's own schemas, and the tables.
USER_RELATIONS = """
    SELECT count(*), count(*) FILTER (WHERE c.relkind IN ('r', 'p'))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
"""


def check_postgresql_backup(backup: Path) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [pg_tool("pg_restore"), "--list", str(backup)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{backup} cannot be read as a pg_dump archive: {result.stderr.strip()}")
    if f" TABLE public {AUDIT_TABLE} " not in result.stdout:
        raise BackupError(f"{backup} is not a Safehold backup: it has no audit log")


def conninfo_dbname(name: str) -> str:
    """The database's name as a libpq connection string, quoted as libpq reads it."""
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"dbname='{escaped}'"
