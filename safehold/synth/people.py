"""Invented survivors and alleged perpetrators, after the demo's (safehold.demo_cases),
and their Person rows with the same columns and sealed documents as
`cases.services.people_add`."""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from safehold.cases import diversity, sealing, search
from safehold.cases.inputs import Diversity, SafeContact
from safehold.cases.models import Person, PersonRole, SearchToken, SurvivorIdentity, new_id
from safehold.policy import clock
from safehold.samples import demo_cases
from safehold.samples.demo_cases import NameGroup, Pattern
from safehold.synth.run import Draft, Pick, Run

# How many more times a new survivor will be reported: about a third of all cases are
# of a survivor reported before, most of them within the repeat window.
FURTHER_REPORTS = Pick({0: 60, 1: 22, 2: 11, 3: 7})
GAP_DAYS_WITHIN_A_YEAR, GAP_DAYS_LATER, WITHIN_A_YEAR = (20, 330), (380, 900), 0.85
PERPETRATOR_COUNT = Pick({0: 8, 1: 80, 2: 12})
UNNAMED_SHARE = 0.05
GROUPS = Pick({group: group.weight for group in demo_cases.NAME_GROUPS})
PATTERNS = Pick(demo_cases.PATTERN_WEIGHTS)
# Invented surnames widen the demo's short lists, so that most alleged perpetrators'
# names are their own and "each person counted once" means something at a million.
SURNAME_STARTS = demo_cases.words(
    "Ash Brad Carr Dun Elm Fair Green Hart Kirk Lang Moor New Oak Pen Rad Stan Thorn Wal"
) + demo_cases.words("Wood Brook Cole Fen Hol Mar Sal Til Whit Bar Black Crom Hay Lind")
SURNAME_ENDS = demo_cases.words("ley ton worth field by wood ham well ford shaw more dale croft")
SURNAME_ENDS += demo_cases.words("bridge man wick stead hurst cott bury")


@dataclass(frozen=True, slots=True)
class Perpetrator:
    name: str
    name_index: str
    sex: str
    relationship: str
    is_resident: bool | None
    tenancy_ref: str
    bands: Diversity


@dataclass(slots=True)
class Survivor:
    """One invented person, kept between reports only while she will be reported again."""

    identity_id: str
    name: str
    born: date
    sex: str
    team: int
    pattern: Pattern
    address: str
    tenancy_ref: str
    contact: SafeContact
    bands: Diversity
    perpetrators: tuple[Perpetrator, ...]
    language: str
    reports_left: int
    last_reported_at: datetime | None = None


def survivor_for(run: Run, reported_at: datetime) -> tuple[Survivor, bool]:
    """A survivor due to be reported again by then (True), or a new one (False)."""
    if run.returning and run.returning[0][0] <= clock.london_date(reported_at).toordinal():
        return heapq.heappop(run.returning)[2], True
    return survivor_invent(run, reported_at), False


def report_again_later(run: Run, survivor: Survivor, reported_at: datetime) -> None:
    survivor.last_reported_at = reported_at
    if survivor.reports_left < 1:
        return
    survivor.reports_left -= 1
    within = run.rng.random() < WITHIN_A_YEAR
    gap = run.rng.randint(*(GAP_DAYS_WITHIN_A_YEAR if within else GAP_DAYS_LATER))
    due = clock.london_date(reported_at).toordinal() + gap
    heapq.heappush(run.returning, (due, id(survivor), survivor))


def surname_invent(rng: random.Random, group: NameGroup) -> str:
    if rng.random() < 0.5:
        return rng.choice(group.surnames)
    return rng.choice(SURNAME_STARTS) + rng.choice(SURNAME_ENDS)


def name_invent(rng: random.Random, group: NameGroup, sex: str, *, middle: bool) -> str:
    names = group.women if sex == "female" else group.men
    given = [rng.choice(names)]
    if middle and rng.random() < 0.7:
        given.append(rng.choice(names))
    return " ".join([*given, surname_invent(rng, group)])


def survivor_invent(run: Run, reported_at: datetime) -> Survivor:
    """A new survivor, with her SurvivorIdentity row (keyed by name and date of birth)."""
    rng, policy = run.rng, run.policy
    group = GROUPS(rng)
    sex = "female" if rng.random() < 0.82 else "male"
    name = name_invent(rng, group, sex, middle=False)
    age = round(rng.triangular(policy.definitions.minimum_age + 2, 78, 33))
    pattern = PATTERNS(rng)
    if age >= demo_cases.ADULT_CHILD_FROM_AGE and rng.random() < demo_cases.ADULT_CHILD_SHARE:
        pattern = "adult_child"
    team = rng.randrange(len(run.teams))
    tenancy_ref = f"T-{rng.randint(10000, 99999)}" if rng.random() < 0.9 else ""
    born = demo_cases.date_of_birth_invent(rng, reported_at, age)  # her age when reported
    identity = run.add(
        SurvivorIdentity,
        {
            "id": new_id("per"),
            "identity_index": run.blind_index(
                "survivor-identity", f"{sealing.normalised_name(name)}|{born.isoformat()}"
            ),
            "created_at": reported_at,
        },
    )
    first, surname = name.split(" ", 1)
    return Survivor(
        identity_id=identity["id"],
        name=name,
        born=born,
        sex=sex,
        team=team,
        pattern=pattern,
        address=demo_cases.address_invent(rng, run.teams[team].team.name),
        tenancy_ref=tenancy_ref,
        contact=demo_cases.safe_contact_invent(rng, first, surname),
        bands=demo_cases.diversity_invent(rng, group),
        perpetrators=perpetrators_invent(run, pattern, sex, group, tenancy_ref),
        language=rng.choice(group.languages) if group.languages and rng.random() < 0.3 else "",
        reports_left=FURTHER_REPORTS(rng),
    )


def perpetrators_invent(
    run: Run, pattern: Pattern, sex: str, group: NameGroup, tenancy_ref: str
) -> tuple[Perpetrator, ...]:
    """As the demo's, with a middle name now and then, and some given without a name."""
    rng = run.rng
    other_sex = sex if rng.random() < 0.08 else {"female": "male", "male": "female"}[sex]
    people = []
    for n in range(PERPETRATOR_COUNT(rng)):
        relationship = rng.choice(demo_cases.PATTERN_RELATIONSHIPS[pattern])
        their_sex = other_sex if n == 0 else "male"
        named = rng.random() >= UNNAMED_SHARE
        name = name_invent(rng, group, their_sex, middle=True) if named else ""
        resident = rng.choice((True, False, False, None))
        people.append(
            Perpetrator(
                name=name,
                name_index=run.name_index("perpetrator-name", name),
                sex=their_sex,
                relationship=relationship if n == 0 or pattern == "family" else "other",
                is_resident=resident,
                tenancy_ref=tenancy_ref if resident else "",
                bands=demo_cases.perpetrator_diversity(rng, group),
            )
        )
    return tuple(people)


def person_add(
    run: Run, case: Draft, role: str, details: dict[str, str], **columns: object
) -> None:
    person_id = new_id("ppl")
    bands = columns.pop("bands", Diversity())
    run.add(
        Person,
        {
            "id": person_id,
            "case_id": case["id"],
            "role": role,
            "case_reported_at": case["reported_at"],
            "case_team_id": case["team_id"],
            "survivor_identity_id": (
                case["survivor_identity_id"] if role == PersonRole.SURVIVOR else None
            ),
            **vars(bands),
            **columns,
            "sealed": case.seal(Person, person_id, details),
        },
    )


def people_add(run: Run, case: Draft, survivor: Survivor) -> None:
    contact = survivor.contact
    details = {
        "name": survivor.name,
        "date_of_birth": survivor.born.isoformat(),
        "address": survivor.address,
        "tenancy_ref": survivor.tenancy_ref,
        "phone": contact.phone,
        "email": contact.email,
        "safe_times": contact.safe_times,
    }
    case.survivor_details = details
    person_add(
        run,
        case,
        PersonRole.SURVIVOR.value,
        details,
        name_index=run.name_index("survivor-name", survivor.name),
        sex=survivor.sex,
        voicemail_ok=contact.voicemail_ok,
        post_ok=contact.post_ok,
        age_band=diversity.age_band(survivor.born, clock.london_date(case["reported_at"])),
        bands=survivor.bands,
    )
    for someone in survivor.perpetrators:
        person_add(
            run,
            case,
            PersonRole.ALLEGED_PERPETRATOR.value,
            {"name": someone.name, "tenancy_ref": someone.tenancy_ref},
            name_index=someone.name_index,
            sex=someone.sex,
            relationship=someone.relationship,
            is_resident=someone.is_resident,
            bands=someone.bands,
        )


def tokens_add(run: Run, cases: Sequence[Draft]) -> None:
    """The survivors' search tokens, as `cases.search.tokens_write` writes them, once the
    batch's references are taken (a token is made of the reference too)."""
    for case in cases:
        if case.survivor_details is None:
            continue
        tokens = search.survivor_tokens(run.index_key, case.survivor_details, case["reference"])
        for token in tokens:
            run.add(
                SearchToken,
                {
                    "case_id": case["id"],
                    "role": PersonRole.SURVIVOR.value,
                    "kind": token.kind,
                    "digest": token.digest,
                },
            )
        case.survivor_details = None
