"""The `safehold` command (API.md §1)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from safehold.privacy.seals import Checkpoint

EXIT_OK = 0
EXIT_FAILED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safehold", description="Case management for domestic abuse work in social housing."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("init", help="create or migrate the database and the data folder")

    serve = commands.add_parser("serve", help="run the web app and the API")
    add_server_options(serve)

    demo = commands.add_parser("demo", help="init, load demo staff, print how to sign in, serve")
    add_server_options(demo)

    code = commands.add_parser(
        "demo-code", help="print the current two-factor code of a demo account (development only)"
    )
    code.add_argument("username")

    staff = commands.add_parser("staff", help="manage staff accounts")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    add = staff_commands.add_parser("add", help="create a staff account")
    add.add_argument("username")
    add.add_argument("--role", required=True)
    add.add_argument("--sex", required=True, choices=["female", "male"])
    add.add_argument("--team", required=True)
    add.add_argument("--agency", default="", help="a partner's agency (an id of the policy's)")
    add.add_argument("--full-name", default="")
    add.add_argument("--email", default="")
    add.add_argument("--untrained", action="store_true", help="not trained in domestic abuse")
    add.add_argument("--language", action="append", default=[], metavar="CODE")
    add.add_argument("--token", action="store_true", help="print a new API token as the last line")

    digest = commands.add_parser(
        "digest", help="email each officer and manager what is due (run daily, e.g. from cron)"
    )
    digest.add_argument("--base-url", default="", help="the service's address, for the email")

    policy = commands.add_parser("policy", help="the provider's policy")
    policy_commands = policy.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    show = policy_commands.add_parser("show", help="print the active policy")
    show.add_argument("--json", action="store_true", help="the document GET /api/v1/policy gives")
    check = policy_commands.add_parser("check", help="validate a policy file")
    check.add_argument("file")

    audit = commands.add_parser("audit", help="the audit chain")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser(
        "verify",
        help="walk the chain, its seals and checkpoints; exit 1 naming the first bad entry",
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="FILE-OR-TEXT",
        help="a checkpoint kept outside the database (its line, or a file of them) that the "
        "chain must still hold; may be given more than once",
    )
    verify.add_argument(
        "--since-checkpoint",
        action="store_true",
        help="prove the last checkpoint intact (its signature, the entry it names) and walk "
        "only the entries after it, instead of the whole chain (the daily check)",
    )
    audit_commands.add_parser(
        "checkpoint",
        help="sign the chain's head, keep it in the database and print it (last line) "
        "for a record kept outside it",
    )

    keys = commands.add_parser("keys", help="the encryption keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    rotate = keys_commands.add_parser(
        "rotate",
        help="re-wrap every data key under SAFEHOLD_NEW_MASTER_KEY (or its _FILE form)",
    )
    rotate.add_argument(
        "--despite-broken-audit-chain",
        action="store_true",
        help="rotate even though the audit chain does not verify (the break is recorded)",
    )

    token = commands.add_parser("token", help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="print a new API token for an account")
    create.add_argument("username")

    add_records_commands(commands)
    add_synth_command(commands)
    add_backup_commands(commands)
    return parser


def add_records_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`retention run` and `worker` (docs/records.md)."""
    retention = commands.add_parser("retention", help="erase cases whose retention has ended")
    retention_commands = retention.add_subparsers(
        dest="retention_command", required=True, metavar="ACTION"
    )
    run = retention_commands.add_parser(
        "run", help="erase every closed case past the policy's retention period, unless held"
    )
    run.add_argument(
        "--dry-run", action="store_true", help="list what would be erased; change nothing"
    )
    worker = commands.add_parser(
        "worker",
        help="run background tasks, keeping the nightly retention run and report count scheduled",
    )
    worker.add_argument(
        "--batch", action="store_true", help="run the tasks that are due now, then exit"
    )


def add_backup_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`backup FILE` and `restore FILE` (docs/operations.md, "Backups and restores")."""
    backup = commands.add_parser(
        "backup", help="a consistent online backup of the database (never the keys) into FILE"
    )
    backup.add_argument("file")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    restore = commands.add_parser(
        "restore", help="restore a backup into an empty database, then check it"
    )
    restore.add_argument("file")


def add_synth_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`synth` (docs/synth.md): invented cases for benchmarks, never in production."""
    synth = commands.add_parser(
        "synth", help="load invented cases for benchmarks (refused when SAFEHOLD_ENV=production)"
    )
    synth.add_argument("--cases", type=int, default=0, help="how many cases to make")
    synth.add_argument(
        "--audit-entries",
        type=int,
        default=0,
        metavar="N",
        help="then append N invented audit entries about the cases, a year of work's shape",
    )
    synth.add_argument("--seed", type=int, default=0, help="the same seed invents the same")
    synth.add_argument("--years", type=int, default=10, help="reported over the last Y years")
    synth.add_argument(
        "--teams",
        type=int,
        default=None,
        help="spread over T teams (by default one for every 2,500 cases, at least 4)",
    )


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)


def main(argv: Sequence[str] | None = None) -> int:
    from safehold.privacy.data_folder import PROCESS_UMASK

    # What any command creates (the data folder, the SQLite database and its -wal and
    # -shm, development keys) is readable by this user only from the start.
    previous_umask = os.umask(PROCESS_UMASK)
    try:
        return run(build_parser().parse_args(argv))
    finally:
        os.umask(previous_umask)


def run(args: argparse.Namespace) -> int:
    if args.command in ("demo", "demo-code"):
        # The demo holds synthetic people only; development mode lets it run with no
        # secrets configured and over plain HTTP on localhost.
        os.environ.setdefault("SAFEHOLD_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safehold.settings")
    try:
        import django

        django.setup()
    except Exception as error:  # noqa: BLE001 - configuration errors are shown, not traced
        print(f"safehold: cannot start: {error}", file=sys.stderr)
        return EXIT_FAILED
    handler = HANDLERS[args.command]
    return handler(args)


def configuration_problems() -> str:
    """Why the configured policy or a risk tool file cannot be used, or "" when all can:
    the app never runs on a half-valid policy or tool."""
    from safehold.policy.loader import PolicyFileError, active_policy
    from safehold.risk.tools import tool_problems

    try:
        active_policy()
    except PolicyFileError as error:
        return f"the policy is not valid.\n{error}"
    tools = tool_problems()
    if tools:
        return "a risk tool is not valid.\n" + "\n".join(f"  - {p}" for p in tools)
    return ""


def refuse_bad_policy() -> bool:
    problems = configuration_problems()
    if problems:
        print(f"safehold: cannot start: {problems}", file=sys.stderr)
    return bool(problems)


def run_init(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    if refuse_bad_policy() or refuse_exposed_data_folder():
        return EXIT_FAILED
    call_command("migrate", interactive=False, verbosity=0)
    if refuse_exposed_data_folder():  # the database migrate may have just made
        return EXIT_FAILED
    print(f"Database ready. Data folder: {settings.DATA_DIR}")
    seal_audit_chain()
    return EXIT_OK


def refuse_exposed_data_folder() -> bool:
    """Makes the data folder and the database files readable by this user only, saying
    which it changed; True (and a message) when it cannot."""
    from safehold.privacy.data_folder import DataFolderExposed, data_folder_secure

    try:
        changed = data_folder_secure()
    except (DataFolderExposed, OSError) as error:
        print(f"safehold: cannot start: {error}", file=sys.stderr)
        return True
    for path in changed:
        print(f"safehold: made {path} readable by this user only", file=sys.stderr)
    return False


def seal_audit_chain() -> None:
    """Seals the audit chain under the key in use when its last entry is not (a chain
    from before seals, or a new master key): docs/operations.md, "The audit log"."""
    from safehold.privacy import audit

    entry = audit.chain_seal()
    if entry is not None:
        print(f"Sealed the audit chain under master key {entry.key_id} (entry #{entry.seq}).")


def pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def run_serve(args: argparse.Namespace) -> int:
    if refuse_bad_policy() or refuse_exposed_data_folder():
        return EXIT_FAILED
    pending = pending_migrations()
    if pending:
        print(
            f"safehold: the database is not ready ({len(pending)} migrations to apply). "
            "Run 'safehold init' first.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    seal_audit_chain()
    from safehold.ops.server import serve

    serve(host=args.host, port=args.port, workers=args.workers)
    return EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    from safehold.samples import demo

    if run_init(args) != EXIT_OK:
        return EXIT_FAILED
    print(demo.load())
    print(f"\nServing on http://{args.host}:{args.port}/ (Ctrl+C to stop)\n", flush=True)
    return run_serve(args)


def run_demo_code(args: argparse.Namespace) -> int:
    from safehold.samples import demo

    try:
        print(demo.current_code(args.username))
    except demo.DemoError as error:
        print(f"safehold: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def run_staff(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from safehold.accounts import services
    from safehold.errors import Refusal

    password = secrets.token_urlsafe(12)
    try:
        staff = services.staff_create(
            username=args.username,
            full_name=args.full_name,
            email=args.email,
            role=args.role,
            sex=args.sex,
            team=args.team,
            password=password,
            trained=not args.untrained,
            languages=args.language,
            agency=args.agency,
        )
    except Refusal as refusal:
        print(f"safehold: {refusal.message}", file=sys.stderr)
        return EXIT_FAILED
    except ValidationError as error:
        print(f"safehold: {'; '.join(error.messages)}", file=sys.stderr)
        return EXIT_FAILED
    at = f" at {staff.agency}" if staff.agency else ""
    print(f"Created {staff.role} {staff.username}{at} in team {staff.team.name}.")
    print(f"Initial password (give it to them by a safe route): {password}")
    print(
        "They set up two-factor sign-in the first time they sign in, then choose their own "
        "password."
    )
    if args.token:
        print(services.token_create(staff=staff))
    return EXIT_OK


def run_token(args: argparse.Namespace) -> int:
    from safehold.accounts import services
    from safehold.accounts.models import Staff

    staff = Staff.objects.filter(username=args.username, is_active=True).first()
    if staff is None:
        print(f"safehold: no active account called {args.username}", file=sys.stderr)
        return EXIT_FAILED
    # Audited as made at the server (`by: cli`); the person and the DA leads are told.
    print(services.token_create(staff=staff))
    return EXIT_OK


def run_policy(args: argparse.Namespace) -> int:
    import json

    from safehold.policy import explain
    from safehold.policy.loader import active_policy, check_policy_file

    if args.policy_command == "check":
        problems = check_policy_file(args.file)
        if problems:
            print(f"{args.file} is not a valid policy:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
            return EXIT_FAILED
        print(f"{args.file} is a valid policy.")
        return EXIT_OK
    if refuse_bad_policy():
        return EXIT_FAILED
    policy = active_policy()
    if args.json:
        print(json.dumps(explain.policy_document(policy), indent=2, default=str))
        return EXIT_OK
    print(f"{policy.name} ({policy.provider})")
    print(f"id {policy.id}, version {policy.version}, next review {policy.review_date}")
    for rule in explain.policy_rules(policy):
        tags = ", ".join(tag.tag for tag in rule.tags)
        print(f"\n[{rule.section}] {rule.heading} ({rule.setting}) [{tags}]\n  {rule.text}")
        for note in rule.notes:
            print(f"  {note.text} “{note.quote}”" if note.quote else f"  {note.text}")
    return EXIT_OK


def run_digest(args: argparse.Namespace) -> int:
    from safehold.desk.digest import digest_send

    print(f"Sent {digest_send(base_url=args.base_url)} digests.")
    return EXIT_OK


def run_audit(args: argparse.Namespace) -> int:
    from safehold.privacy import audit
    from safehold.privacy.seals import CheckpointUnreadable

    if args.audit_command == "checkpoint":
        checkpoint = audit.checkpoint_make()
        print(
            f"Checkpoint of the audit chain at entry #{checkpoint.seq}, signed under master "
            f"key {checkpoint.key_id} and kept in the database. Keep this line outside it too "
            "(docs/operations.md, 'Checkpoints'):"
        )
        print(checkpoint.text())
        return EXIT_OK
    try:
        outside = [found for given in args.checkpoint for found in checkpoints_given(given)]
    except (CheckpointUnreadable, OSError) as error:
        print(f"safehold: cannot read the checkpoint: {error}", file=sys.stderr)
        return EXIT_FAILED
    verdict = (
        audit.verify_since_checkpoint(outside) if args.since_checkpoint else audit.verify(outside)
    )
    since = verdict.since
    if not verdict.intact:
        walked = f"{verdict.entries} entries before it verified"
        if since is not None:
            walked = f"Verified from the checkpoint at entry #{since.seq}"
        print(f"The audit chain is {verdict.problem()}. {walked}.", file=sys.stderr)
        return EXIT_FAILED
    held = f"; it holds all {verdict.checkpoints} checkpoints" if verdict.checkpoints else ""
    if since is None:
        print(
            f"The audit chain is intact: {verdict.entries} entries, sealed under master key "
            f"{verdict.key_id}{held}."
        )
    else:
        print(
            f"The audit chain is intact since the checkpoint of {since.at_text()}: its "
            f"signature and entry #{since.seq} hold, and entries #{since.seq} to "
            f"#{verdict.entries} ({verdict.entries - since.seq + 1}) verified, sealed under "
            f"master key {verdict.key_id}{held}. Entries before #{since.seq} were not walked: "
            "'safehold audit verify' walks them all."
        )
    for note in verdict.notes:
        print(f"Note: {note}.")
    return EXIT_OK


def checkpoints_given(given: str) -> list[Checkpoint]:
    """The checkpoints in `given`: a file of them, or the text of one."""
    from pathlib import Path

    from safehold.privacy.seals import CHECKPOINT_TAG, checkpoints_in

    text = given if CHECKPOINT_TAG in given else Path(given).read_text(encoding="utf-8")
    return checkpoints_in(text)


def run_keys(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    from safehold.privacy import audit, vault
    from safehold.privacy.rotation import master_key_rotate
    from safehold.settings import env

    new_text = env("SAFEHOLD_NEW_MASTER_KEY")
    if not new_text:
        print("safehold: set SAFEHOLD_NEW_MASTER_KEY (or _FILE) to the new key", file=sys.stderr)
        return EXIT_FAILED
    # The chain is checked under the old key before it is sealed under the new one:
    # afterwards, seals under the old key can no longer be checked (docs/operations.md).
    verdict = audit.verify()
    if not verdict.intact and not args.despite_broken_audit_chain:
        print(
            f"safehold: nothing was changed: the audit chain is {verdict.problem()}. Rotating "
            "now would seal over it: keep a record of the break, then rotate with "
            "--despite-broken-audit-chain",
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        new_master = vault.parse_master_key(new_text)
        count = master_key_rotate(
            old_master=vault.master_key(),
            new_master=new_master,
            chain="intact" if verdict.intact else verdict.problem()[:200],
        )
    except (ImproperlyConfigured, vault.DecryptionFailed) as error:
        print(f"safehold: nothing was changed: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Re-wrapped {count} keys. Now set SAFEHOLD_MASTER_KEY to the new key and restart.")
    return EXIT_OK


def run_retention(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from safehold.records import services

    if refuse_bad_policy():
        return EXIT_FAILED
    now = timezone.now()
    if args.dry_run:
        due = list(services.retention_due(now=now))
        for case in due:
            closed = case.closed_at.date().isoformat() if case.closed_at else "?"
            print(f"{case.reference}  closed {closed}  would be erased")
        print(f"{len(due)} cases would be erased. Dry run: nothing was changed.")
        return EXIT_OK
    erasures = services.retention_erase_due(now=now)
    for erasure in erasures:
        closed = erasure.closed_at.date().isoformat() if erasure.closed_at else "?"
        outcome = "erased" if erasure.erased else f"not erased: {erasure.problem}"
        print(f"{erasure.reference}  closed {closed}  {outcome}")
    erased = sum(1 for erasure in erasures if erasure.erased)
    print(f"{erased} cases erased.")
    return EXIT_OK if erased == len(erasures) else EXIT_FAILED


def run_worker(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from safehold.records.tasks import retention_schedule
    from safehold.reports.tasks import kept_schedule

    if refuse_bad_policy() or refuse_exposed_data_folder():
        return EXIT_FAILED
    if pending_migrations():
        print("safehold: the database is not ready. Run 'safehold init' first.", file=sys.stderr)
        return EXIT_FAILED
    if retention_schedule():
        print("Scheduled the nightly retention run.", flush=True)
    if kept_schedule():
        print("Scheduled the nightly count of the monitoring report.", flush=True)
    options = ["--batch", "--no-startup-delay"] if args.batch else []
    call_command("db_worker", *options, "--no-reload")
    return EXIT_OK


def run_synth(args: argparse.Namespace) -> int:
    from safehold import synth

    if refuse_bad_policy():
        return EXIT_FAILED
    if pending_migrations():
        print("safehold: the database is not ready. Run 'safehold init' first.", file=sys.stderr)
        return EXIT_FAILED
    from safehold.synth.trail import trail_load

    if not args.cases and not args.audit_entries:
        print("safehold: give --cases, --audit-entries or both", file=sys.stderr)
        return EXIT_FAILED
    progress = lambda line: print(line, flush=True)  # noqa: E731
    try:
        if args.cases:
            seconds = synth.synth_load(
                cases=args.cases,
                seed=args.seed,
                years=args.years,
                teams=args.teams,
                progress=progress,
            )
            rate = args.cases / seconds
            print(
                f"Loaded {args.cases:,} invented cases in {seconds:,.0f} s ({rate:,.0f} a second)."
            )
        if args.audit_entries:
            seconds = trail_load(entries=args.audit_entries, seed=args.seed, progress=progress)
            rate = args.audit_entries / seconds
            print(
                f"Appended {args.audit_entries:,} invented audit entries in {seconds:,.0f} s "
                f"({rate:,.0f} a second)."
            )
    except synth.SynthRefused as refusal:
        print(f"safehold: {refusal}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def run_backup(args: argparse.Namespace) -> int:
    import shlex
    from pathlib import Path

    from safehold.ops import backup

    try:
        made = backup.backup_make(path=Path(args.file), force=args.force)
    except backup.BackupError as error:
        print(f"safehold: no backup was made: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backed up {made.source} to {made.path} ({made.size:,} bytes, owner-only).")
    print("It holds no keys: restoring it needs the master key in use now. Keep them apart.")
    print(f"To restore it into an empty database: safehold restore {shlex.quote(str(made.path))}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from safehold.ops import backup

    try:
        restored = backup.backup_restore(path=Path(args.file))
    except backup.BackupError as error:
        print(f"safehold: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Restored {restored.path} into {restored.target}. Checks:")
    for check in restored.checks:
        print(f"  {check.name}: {'ok' if check.passed else 'FAILED'}: {check.outcome}")
    if not restored.passed:
        failed = "; ".join(f"{c.name}: {c.outcome}" for c in restored.checks if not c.passed)
        print(f"safehold: the restored database failed its checks. {failed}.", file=sys.stderr)
        print("Do not serve it; see docs/operations.md, 'Backups and restores'.", file=sys.stderr)
        return EXIT_FAILED
    if restored.pending_migrations:
        print("Next: run 'safehold init' to bring it up to this version of Safehold.")
    if restored.kind == "postgresql":
        print("Grants were not restored: grant the app's role again (docs/operations.md).")
    print("Then 'safehold retention run', to erase again what was erased since the backup.")
    return EXIT_OK


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "backup": run_backup,
    "restore": run_restore,
    "synth": run_synth,
    "retention": run_retention,
    "worker": run_worker,
    "audit": run_audit,
    "digest": run_digest,
    "policy": run_policy,
    "keys": run_keys,
    "init": run_init,
    "serve": run_serve,
    "demo": run_demo,
    "demo-code": run_demo_code,
    "staff": run_staff,
    "token": run_token,
}


if __name__ == "__main__":
    sys.exit(main())
