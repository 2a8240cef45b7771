"""`safehold synth --cases N`: invented cases at speed, for benchmarks and load tests.

What it makes, spread over the last `years` years: survivors (about a third of the
cases are of a survivor reported in the 12 months before, so flagged `repeat` as API.md
defines it), a survivor record per case with diversity and age bands, 0 to 2 alleged
perpetrators (the same ones on a survivor's later cases, so some are named on several),
abuse types and sources weighted as in the demo, risk levels mostly standard or medium,
a first contact around the response target (most in time, some late, the newest still
pending), closures with their reasons, feedback, a few appeals, reviews and emergency
repairs, by synthetic staff who cannot sign in. The people are the demo's kind
(safehold.demo_cases): invented names, addresses and phone numbers in Ofcom's drama
range.

How it writes: rows go straight into the tables in bulk (COPY on PostgreSQL,
`executemany` on SQLite; a transaction per batch of cases), NOT through the
services (`case_open` and what follows). The services lock, check and audit every step,
which would take hours for a million cases. What matters of theirs is kept:

- every identifying or free-text detail is sealed under a data key of the case's own
  (a WrappedKey row wrapped under the master key, as `vault.data_key_create` makes
  it), in the same documents the services seal, so `sealing.unseal` opens them;
- the blind indexes are the services' (same key, purposes and normalisation);
- references are taken from ReferenceCounter under its row lock, batch by batch, so a
  later `case_open` goes on from the last one;
- one audit entry covers the whole run (`synth.loaded`), not one per case.

It refuses to run when SAFEHOLD_ENV=production: invented people must never be mixed
into a live database. Memory stays flat: a batch is written and dropped before the next
is made, and only the survivors still to be reported again are kept, in a heap ordered
by when.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from time import monotonic

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from safehold.accounts.models import Staff, Team
from safehold.accounts.roles import Role
from safehold.cases.models import (
    Case,
    CaseAbuseType,
    CaseTeamMember,
    Contact,
    Person,
    ReferenceCounter,
    SearchToken,
    SurvivorIdentity,
)
from safehold.cases.services import LONDON, REFERENCE_DIGITS
from safehold.casework.models import Action, Review
from safehold.closure.models import Appeal, Closure, Feedback
from safehold.policy import clock
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit
from safehold.privacy.models import WrappedKey
from safehold.samples import demo_cases
from safehold.synth.cases import case_make
from safehold.synth.people import tokens_add
from safehold.synth.run import Draft, Pick, Run, SynthTeam

DEFAULT_YEARS = 10
DEFAULT_TEAMS = 4
# Unless told how many teams, synth has a team (four officers and a manager) for every
# CASES_PER_TEAM cases, and at least DEFAULT_TEAMS: a provider with a hundred times the
# cases has about a hundred times the staff, so a team holds about as many cases at any
# size (10,000 cases: 4 teams, as before; a million: 400). Invented data's shape, not
# a policy rule.
CASES_PER_TEAM = 2_500
CASES_PER_BATCH = 1000
TEAM_NAMES = (*demo_cases.TEAMS, "Eastfield", "Westmoor", "Southbank", "Highcliffe")
OFFICERS_PER_TEAM = 4
CLOSURE_REASONS = {
    "resolved": 35,
    "action_plan_complete": 25,
    "survivor_moved_away": 12,
    "survivor_withdrew": 12,
    "no_further_action_possible": 8,
    "perpetrator_evicted": 5,
    "perpetrator_imprisoned": 3,
}
# Parents before children, for the foreign keys.
WRITE_ORDER: tuple[type[models.Model], ...] = (
    WrappedKey,
    SurvivorIdentity,
    Case,
    CaseAbuseType,
    CaseTeamMember,
    Person,
    SearchToken,
    Contact,
    Closure,
    Feedback,
    Appeal,
    Review,
    Action,
)


class SynthRefused(Exception):
    """Synthetic data is not to be made here."""


def refuse_production() -> None:
    if not settings.DEVELOPMENT:
        raise SynthRefused(
            "synth makes invented people and refuses to run when SAFEHOLD_ENV=production: "
            "they must never be mixed into a live database. Use a database of its own, "
            "with SAFEHOLD_ENV=development."
        )


def synth_load(
    *,
    cases: int,
    seed: int = 0,
    years: int = DEFAULT_YEARS,
    teams: int | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> float:
    """Writes `cases` invented cases, reported from `years` years ago up to `now`, in
    `teams` teams (by default `teams_for(cases)`); returns the seconds it took."""
    refuse_production()
    if teams is None:
        teams = teams_for(cases)
    if cases < 1 or years < 1 or teams < 1:
        raise SynthRefused("--cases, --years and --teams must each be at least 1")
    started = monotonic()
    run = run_start(seed=seed, teams=teams, now=now or timezone.now())
    today = clock.london_date(run.now)
    first_day = date(today.year - years, today.month, min(today.day, 28))
    days = (today - first_day).days
    every = max(1, cases // 20 // CASES_PER_BATCH) * CASES_PER_BATCH
    for start in range(0, cases, CASES_PER_BATCH):
        end = min(cases, start + CASES_PER_BATCH)
        with transaction.atomic():
            made = [
                case_make(run, first_day + timedelta(days=n * days // cases))
                for n in range(start, end)
            ]
            references_take(made)
            tokens_add(run, made)
            run.write(WRITE_ORDER)
        if end % every == 0 or end == cases:
            progress(f"{end:,} of {cases:,} cases ({end / (monotonic() - started):,.0f} a second)")
    audit.record(actor="", action="synth.loaded", detail={"cases": cases})
    return monotonic() - started


def teams_for(cases: int) -> int:
    """How many teams `cases` invented cases are spread over when not told."""
    return max(DEFAULT_TEAMS, cases // CASES_PER_TEAM)


@transaction.atomic
def run_start(*, seed: int, teams: int, now: datetime) -> Run:
    policy = active_policy()
    synth_teams = staff_make(teams)
    return Run(
        rng=random.Random(seed),  # noqa: S311 - invented data, not security
        policy=policy,
        now=now,
        teams=synth_teams,
        director=staff_get("synth.director", Role.DIRECTOR, synth_teams[0].team),
        closure_reason=closure_reasons(policy),
    )


def closure_reasons(policy: Policy) -> Pick[str]:
    """The usual reasons, weighted, among those the policy allows."""
    allowed = {r: w for r, w in CLOSURE_REASONS.items() if r in policy.closure.reasons}
    return Pick(allowed or dict.fromkeys(policy.closure.reasons, 1))


def staff_get(username: str, role: str, team: Team) -> Staff:
    """A synthetic member of staff who cannot sign in (no usable password)."""
    found = Staff.objects.filter(username=username).first()
    if found is not None:
        return found
    staff = Staff(
        username=username,
        full_name=username.replace(".", " ").title(),
        role=role,
        sex="female",
        team=team,
    )
    staff.set_unusable_password()
    staff.save()
    return staff


def staff_make(count: int) -> list[SynthTeam]:
    """`count` teams (the demo's two first), each with officers and a manager."""
    teams = []
    for n in range(count):
        name = TEAM_NAMES[n] if n < len(TEAM_NAMES) else f"Team {n + 1}"
        team, _ = Team.objects.get_or_create(name=name)
        slug = name.lower().replace(" ", "")
        officers = [
            staff_get(f"synth.{slug}.officer{k + 1}", Role.OFFICER, team)
            for k in range(OFFICERS_PER_TEAM)
        ]
        manager = staff_get(f"synth.{slug}.manager", Role.MANAGER, team)
        teams.append(SynthTeam(team, officers, manager))
    return teams


def references_take(cases: Sequence[Draft]) -> None:
    """DA-YYYY-NNNNN by the year each case was recorded, from ReferenceCounter under its
    row lock, as `case_open` takes them."""
    by_year: dict[int, list[Draft]] = defaultdict(list)
    for case in cases:
        by_year[case["created_at"].astimezone(LONDON).year].append(case)
    for year, recorded in by_year.items():
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        for n, case in enumerate(recorded, start=counter.last + 1):
            case["reference"] = f"DA-{year}-{n:0{REFERENCE_DIGITS}d}"
        counter.last += len(recorded)
        counter.save(update_fields=["last"])
