"""Settings for the test suite: the real settings, with fixed secrets and a throwaway
data folder, in development mode (plain HTTP for the test client and live server).
Production settings are checked separately, in a subprocess (tests/web/test_pages.py)."""

import os
import tempfile

os.environ.setdefault("SAFEHOLD_ENV", "development")
os.environ.setdefault("SAFEHOLD_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("SAFEHOLD_MASTER_KEY", "0" * 64)
os.environ.setdefault("SAFEHOLD_DATA_DIR", tempfile.mkdtemp(prefix="safehold-test-"))

from safehold.settings import *  # noqa: F403
from safehold.settings import DATABASES

# A file, not SQLite's shared in-memory database, so that tests with several threads or
# processes see the same locking (WAL, BEGIN IMMEDIATE) as a real server.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(os.environ["SAFEHOLD_DATA_DIR"], "test.sqlite3")
    }
