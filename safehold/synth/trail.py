"""`safehold synth --audit-entries N`: an invented audit trail of realistic shape, for
measuring how the trail grows (docs/performance.md, "The audit trail as it grows").

The entries are what a year of work on the loaded cases appends: mostly reads of a
case (`case.viewed`, from the web or the API), lists naming up to fifty cases
(`case.listed`), and the casework the services record (contacts, people, risk, actions,
reviews), with the request address every entry written while answering a request
carries. A few long cases are read far more often than the rest, as busy cases are.
Times rise with the sequence over the last year.

How it writes: straight into the table in batches (COPY on PostgreSQL), each batch one
transaction holding the chain's head locked, hashing and sealing each entry as
`audit.record` does (same canonical form, same keys), so `safehold audit verify` checks
them like any other. Refused when SAFEHOLD_ENV=production, as synth is."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.privacy import audit
from safehold.privacy.models import AuditEntry
from safehold.privacy.seals import audit_keys
from safehold.synth.run import Insert

ENTRIES_PER_BATCH = 10_000
SPAN = timedelta(days=365)  # not-policy: the trail is a year of work's, a benchmark's shape
LONG_CASES = 0.01  # the share of cases that are long, busy ones
LONG_CASE_READS = 0.2  # the share of entries about them
LISTED_MOST = 50  # a list page names at most this many cases

# (action, target_type, detail keys beyond via and address, weight): a day's work.
ACTIONS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("case.viewed", "case", (), 55),
    ("case.listed", "cases", ("cases",), 15),
    ("case.audit_viewed", "case", (), 2),
    ("contact.recorded", "case", ("contact", "with_whom"), 10),
    ("person.updated", "case", ("person",), 2),
    ("action.completed", "case", ("action",), 4),
    ("action.added", "case", ("action", "kind"), 4),
    ("risk.section_saved", "case", ("assessment", "stage"), 4),
    ("risk.assessed", "case", ("assessment", "level"), 1),
    ("review.recorded", "case", ("review",), 2),
    ("letter.created", "case", ("document", "kind"), 1),
)


def moment(first: datetime, n: int, entries: int) -> datetime:
    """When the `n`th of `entries` entries was made, evenly over SPAN from `first`. The
    fraction first: `SPAN * n` overflows a timedelta past about 2.7 million entries."""
    return first + SPAN * (n / entries)


def trail_load(
    *, entries: int, seed: int = 0, progress: Callable[[str], None] = lambda line: None
) -> float:
    """Appends `entries` invented entries about the cases already loaded; returns the
    seconds it took."""
    from safehold.synth import SynthRefused, refuse_production

    refuse_production()
    if entries < 1:
        raise SynthRefused("--audit-entries must be at least 1")
    case_ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    synth_staff = Staff.objects.filter(username__startswith="synth.")
    actors = list(synth_staff.values_list("username", flat=True))
    if not case_ids or not actors:
        raise SynthRefused("--audit-entries needs cases to be about: load them with --cases")
    rng = random.Random(seed)  # noqa: S311 - invented data, not security
    started = monotonic()
    first = timezone.now() - SPAN
    insert = Insert.of(AuditEntry)
    every = max(ENTRIES_PER_BATCH, entries // 20 // ENTRIES_PER_BATCH * ENTRIES_PER_BATCH)
    long_cases = case_ids[: max(1, int(len(case_ids) * LONG_CASES))]
    weights = [weight for *_, weight in ACTIONS]
    keys = audit_keys()
    for start in range(0, entries, ENTRIES_PER_BATCH):
        end = min(entries, start + ENTRIES_PER_BATCH)
        with transaction.atomic():
            seq, prev_hash = audit.head_locked()
            rows = []
            for n in range(start, end):
                action, target_type, wanted, _ = rng.choices(ACTIONS, weights)[0]
                case = rng.choice(long_cases if rng.random() < LONG_CASE_READS else case_ids)
                entry = AuditEntry(
                    seq=seq + 1,
                    at=moment(first, n, entries),
                    actor=rng.choice(actors),
                    action=action,
                    target_type=target_type,
                    target_id="" if target_type == "cases" else case,
                    detail=detail_for(rng, wanted, case, case_ids),
                    prev_hash=prev_hash,
                    key_id=keys.key_id,
                )
                entry.hash = audit.link_hash(prev_hash, audit.canonical(entry))
                entry.seal = keys.seal(entry.hash)
                rows.append(row_of(entry))
                seq, prev_hash = entry.seq, entry.hash
            insert.write(rows)
            with connection.cursor() as cursor:
                cursor.execute(audit.HEAD_MOVE, [seq, prev_hash, audit.HEAD_ID])
        if end % every == 0 or end == entries:
            rate = end / (monotonic() - started)
            progress(f"{end:,} of {entries:,} audit entries ({rate:,.0f} a second)")
    return monotonic() - started


def detail_for(
    rng: random.Random, keys: tuple[str, ...], case: str, case_ids: list[str]
) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "via": rng.choice(("web", "web", "web", "api")),
        "address": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
    }
    for key in keys:
        if key == "cases":
            listed = rng.randint(1, min(len(case_ids), LISTED_MOST))
            detail[key] = [case, *rng.sample(case_ids, listed - 1)]
        elif key == "with_whom":
            detail[key] = rng.choice(("survivor", "police", "children_services", "idva"))
        elif key == "kind":
            detail[key] = rng.choice(("repair", "referral", "letter", "safety_plan"))
        elif key == "level":
            detail[key] = rng.choice(("standard", "medium", "high"))
        elif key == "stage":
            detail[key] = rng.randrange(1, 5)
        else:
            detail[key] = rng.randrange(1, 10_000_000)
    return detail


def row_of(entry: AuditEntry) -> dict[str, Any]:
    return {
        field.attname: getattr(entry, field.attname)
        for field in AuditEntry._meta.concrete_fields
        if field.attname != "id"
    }
