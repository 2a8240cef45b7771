"""The data folder and the SQLite database on disk: readable by the service's user only.

Whoever can read the database file holds the sealed case data, the wrapped keys, the
audit chain and the staff accounts; the development keys sit beside it. So the folder
is 0700 and its files, and the SQLite database's own (the database, its `-wal`, `-shm`
and `-journal`, wherever DATABASE_URL puts them), 0600, whatever they were before: a
folder made for Safehold by a container volume or a systemd state directory is often
0755, and a database written by an older version 0644. Every `safehold` command also
runs with the umask 0077, so what it creates starts that way (cli.py), and SQLite
gives its `-wal` and `-shm` the database file's own mode."""

from __future__ import annotations

import stat
from pathlib import Path

from django.conf import settings

FOLDER_MODE = 0o700
FILE_MODE = 0o600
PROCESS_UMASK = 0o077
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


class DataFolderExposed(Exception):
    """A file that others may read, and whose mode this user cannot change."""


def data_folder_secure() -> list[Path]:
    """Makes the data folder and its files, and the SQLite database's files, readable by
    this user only. Returns the paths whose mode it changed."""
    folder = Path(settings.DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    changed = [path for path in [folder] if restricted(path, FOLDER_MODE)]
    files = [path for path in folder.iterdir() if path.is_file()]
    files += [path for path in sqlite_files() if path.is_file() and path not in files]
    changed += [path for path in files if restricted(path, FILE_MODE)]
    return changed


def sqlite_files() -> list[Path]:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return []
    main = Path(str(database["NAME"]))
    return [main, *(main.with_name(main.name + end) for end in SQLITE_COMPANIONS)]


def restricted(path: Path, mode: int) -> bool:
    """Takes every permission away from the group and others; True when there were any."""
    current = stat.S_IMODE(path.stat().st_mode)
    if not current & 0o077:
        return False
    try:
        path.chmod(mode)
    except OSError as error:
        raise DataFolderExposed(
            f"{path} can be read by other users (mode {current:04o}) and this user "
            f"cannot change that: {error}. Make the service's user its owner."
        ) from error
    return True
