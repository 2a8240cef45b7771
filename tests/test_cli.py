"""The `safehold` command line (API.md §1)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from safehold.accounts.models import Staff
from safehold.cli import main
from safehold.policy.loader import clear_active_policy

ROOT = Path(__file__).resolve().parents[1]


def test_staff_add_with_token_prints_a_working_token_last(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "staff",
            "add",
            "kim",
            "--role",
            "officer",
            "--sex",
            "female",
            "--team",
            "Northgate",
            "--language",
            "pl",
            "--language",
            "ur",
            "--token",
        ]
    )
    assert code == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("shk_")
    assert " " not in token
    kim = Staff.objects.get(username="kim")
    assert (kim.role, kim.sex, kim.team.name, kim.trained, kim.languages) == (
        "officer",
        "female",
        "Northgate",
        True,
        ["pl", "ur"],
    )
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/cases")
    assert response.status_code == 200


def test_staff_add_untrained(db: None) -> None:
    assert (
        main(
            [
                "staff",
                "add",
                "lee",
                "--role",
                "manager",
                "--sex",
                "male",
                "--team",
                "East",
                "--untrained",
            ]
        )
        == 0
    )
    assert Staff.objects.get(username="lee").trained is False


def test_staff_add_refuses_an_unknown_role(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["staff", "add", "kim", "--role", "ceo", "--sex", "female", "--team", "North"])
    assert code == 1
    assert "Role must be one of" in capsys.readouterr().err
    assert not Staff.objects.filter(username="kim").exists()


def test_staff_add_refuses_a_duplicate(officer: Staff, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "staff",
            "add",
            officer.username,
            "--role",
            "officer",
            "--sex",
            "female",
            "--team",
            "North",
        ]
    )
    assert code == 1
    assert "already an account" in capsys.readouterr().err


def test_token_create_prints_a_new_token_last(
    officer: Staff, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", officer.username]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert (
        Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/cases").status_code == 200
    )


def test_token_create_for_an_unknown_account_fails(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "nobody"]) == 1
    assert "no active account" in capsys.readouterr().err


def run_safehold(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "import sys; from safehold.cli import main; sys.exit(main())"]
    return subprocess.run(
        [*command, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEHOLD_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(SAFEHOLD_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def test_init_makes_a_durable_sqlite_database_and_is_safe_to_repeat(tmp_path: Path) -> None:
    env = clean_env(tmp_path, SAFEHOLD_ENV="development")
    first = run_safehold("init", env=env)
    assert first.returncode == 0, first.stderr
    assert run_safehold("init", env=env).returncode == 0
    database = tmp_path / "data" / "safehold.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_connections_commit_durably(tmp_path: Path) -> None:
    script = (
        "import django; django.setup();"
        "from django.db import connection; c = connection.cursor();"
        "print(c.execute('PRAGMA synchronous').fetchone()[0],"
        " c.execute('PRAGMA journal_mode').fetchone()[0])"
    )
    env = clean_env(
        tmp_path, SAFEHOLD_ENV="development", DJANGO_SETTINGS_MODULE="safehold.settings"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == ["2", "wal"], result.stderr  # 2 is FULL


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    result = run_safehold("init", env=clean_env(tmp_path))
    assert result.returncode == 1
    assert "SAFEHOLD_SECRET_KEY (or SAFEHOLD_SECRET_KEY_FILE) must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("from-a-file-" + "s" * 40 + "\n")
    (tmp_path / "master").write_text("ab" * 32)
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.SECRET_KEY, settings.SAFEHOLD_MASTER_KEY)"
    )
    env = clean_env(
        tmp_path,
        SAFEHOLD_SECRET_KEY_FILE=str(tmp_path / "secret"),
        SAFEHOLD_MASTER_KEY_FILE=str(tmp_path / "master"),
        DJANGO_SETTINGS_MODULE="safehold.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == ["from-a-file-" + "s" * 40, "ab" * 32], result.stderr


def test_an_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    env = clean_env(tmp_path, SAFEHOLD_SECRET_KEY_FILE=str(tmp_path / "missing"))
    result = run_safehold("init", env=env)
    assert result.returncode == 1
    assert "SAFEHOLD_SECRET_KEY_FILE: cannot read" in result.stderr


def test_serve_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    result = run_safehold(
        "serve", "--port", "0", env=clean_env(tmp_path, SAFEHOLD_ENV="development")
    )
    assert result.returncode == 1
    assert "Run 'safehold init' first" in result.stderr


def test_database_url_selects_the_database(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.sqlite3"
    env = clean_env(tmp_path, SAFEHOLD_ENV="development", DATABASE_URL=f"sqlite:///{target}")
    assert run_safehold("init", env=env).returncode == 0
    assert target.exists()


def test_audit_verify_exits_0_when_intact(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    from safehold.privacy import audit

    audit.record(actor="alice", action="case.viewed")
    assert main(["audit", "verify"]) == 0
    assert "intact: 1 entries" in capsys.readouterr().out


def test_audit_verify_exits_1_naming_the_first_bad_entry(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.db import connection

    from safehold.privacy import audit

    for _ in range(3):
        audit.record(actor="alice", action="case.viewed")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_auditentry SET actor = 'mallory' WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    assert "broken at entry #2" in capsys.readouterr().err


def test_audit_checkpoint_prints_a_line_that_verify_checks_from_outside(
    db: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """docs/operations.md, "Checkpoints": a checkpoint kept outside the database catches a
    chain cut back even when the checkpoints inside it were deleted too."""
    from django.db import connection

    from safehold.privacy import audit

    for _ in range(3):
        audit.record(actor="alice", action="case.viewed")
    assert main(["audit", "checkpoint"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    kept = tmp_path / "checkpoints.txt"
    kept.write_text(f"{line}\n")
    assert main(["audit", "verify", "--checkpoint", line]) == 0
    assert "it holds all 2 checkpoints" in capsys.readouterr().out

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry WHERE seq > 2")
        cursor.execute("UPDATE privacy_audithead SET seq = 2, hash = (SELECT hash FROM"
                       " privacy_auditentry WHERE seq = 2)")  # fmt: skip
        cursor.execute("DELETE FROM privacy_auditcheckpoint")
    assert main(["audit", "verify", "--checkpoint", str(kept)]) == 1
    assert "broken at entry #3: entries #3 to #4 are missing" in capsys.readouterr().err


def test_audit_verify_refuses_a_checkpoint_it_cannot_read(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--checkpoint", "safehold-audit-checkpoint v1 seq=x"]) == 1
    assert "cannot read the checkpoint" in capsys.readouterr().err


def test_keys_rotate_refuses_to_seal_over_a_broken_chain(
    db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.db import connection

    from safehold.privacy import audit, vault
    from safehold.privacy.models import AuditEntry

    wrapped = vault.data_key_create()
    for _ in range(3):
        audit.record(actor="alice", action="case.viewed")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_auditentry SET actor = 'mallory' WHERE seq = 2")
    monkeypatch.setenv("SAFEHOLD_NEW_MASTER_KEY", bytes(range(32)).hex())

    assert main(["keys", "rotate"]) == 1
    assert "the audit chain is broken at entry #2" in capsys.readouterr().err
    wrapped.refresh_from_db()
    assert wrapped.master_key_id == vault.key_id(vault.master_key())

    assert main(["keys", "rotate", "--despite-broken-audit-chain"]) == 0
    rotated = AuditEntry.objects.order_by("-seq").first()
    assert rotated is not None
    assert rotated.action == "keys.rotated"
    assert str(rotated.detail["chain"]).startswith("broken at entry #2")


def test_keys_rotate_rewraps_under_the_new_key(
    db: None, monkeypatch: pytest.MonkeyPatch, settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from safehold.privacy import vault

    wrapped = vault.data_key_create()
    new = bytes(range(32)).hex()
    monkeypatch.setenv("SAFEHOLD_NEW_MASTER_KEY", new)
    assert main(["keys", "rotate"]) == 0
    assert "Re-wrapped 1 keys" in capsys.readouterr().out
    settings.SAFEHOLD_MASTER_KEY = new
    wrapped.refresh_from_db()
    assert vault.open_key(wrapped)


def test_keys_rotate_refuses_a_malformed_new_key(
    db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from safehold.privacy import vault

    wrapped = vault.data_key_create()
    before = bytes(wrapped.wrapped)
    monkeypatch.setenv("SAFEHOLD_NEW_MASTER_KEY", "not a key")
    assert main(["keys", "rotate"]) == 1
    assert "nothing was changed" in capsys.readouterr().err
    wrapped.refresh_from_db()
    assert bytes(wrapped.wrapped) == before


BAD_POLICY = """
id = "bad"
name = "Bad"
provider = "Nobody"
review_date = 2027-01-01
response_target = {kind = "clock_hours", amount = -3}
[closure]
override_role = "ceo"
"""


def test_policy_check_accepts_a_bundled_file(capsys: pytest.CaptureFixture[str]) -> None:
    from safehold.policy.loader import bundled_policy_path

    assert main(["policy", "check", str(bundled_policy_path("wrekin"))]) == 0
    assert "is a valid policy" in capsys.readouterr().out


def test_policy_check_lists_every_problem_by_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_POLICY)
    assert main(["policy", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "response_target.amount" in err
    assert "closure.override_role: unknown role 'ceo'" in err


def test_policy_show_prints_the_active_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "show"]) == 0
    out = capsys.readouterr().out
    assert "id default, version" in out
    assert "First contact with the survivor" in out


def test_policy_show_says_whose_rule_each_is(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.SAFEHOLD_POLICY = "wha"
    clear_active_policy()
    try:
        assert main(["policy", "show"]) == 0
    finally:
        clear_active_policy()
    out = capsys.readouterr().out
    # [000 Confidentiality] quoted; [000 silent] on a response time; retention left open.
    assert "(disclosure.approver_roles) [WHA's words]" in out
    assert "In WHA's words: “The Housing Services Director will approve any disclosure" in out
    assert "(response_target) [Safehold's default]" in out
    assert "Safehold's default: WHA's policy does not say." in out
    assert "WHA has not set this yet: Safehold uses 6 years." in out


@pytest.mark.parametrize("command", ["init", "serve"])
def test_a_bad_policy_stops_the_app_naming_the_setting(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_POLICY)
    env = clean_env(tmp_path, SAFEHOLD_ENV="development", SAFEHOLD_POLICY=str(bad))
    result = run_safehold(command, env=env)
    assert result.returncode == 1
    assert "the policy is not valid" in result.stderr
    assert "response_target.amount" in result.stderr
    assert not (tmp_path / "data" / "safehold.sqlite3").exists()


def test_django_check_refuses_a_bad_policy(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_POLICY)
    env = clean_env(
        tmp_path,
        SAFEHOLD_ENV="development",
        SAFEHOLD_POLICY=str(bad),
        DJANGO_SETTINGS_MODULE="safehold.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "safehold.E001" in result.stderr


def test_a_broken_risk_tool_stops_the_app(tmp_path: Path) -> None:
    folder = tmp_path / "tools"
    folder.mkdir()
    (folder / "broken.toml").write_text('id = "broken"\nname = "Broken"\nsurprise = 1\n')
    env = clean_env(tmp_path, SAFEHOLD_ENV="development", SAFEHOLD_RISK_TOOLS_DIR=str(folder))
    result = run_safehold("init", env=env)
    assert result.returncode == 1
    assert "a risk tool is not valid" in result.stderr
    assert "surprise" in result.stderr
