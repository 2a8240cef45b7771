"""The demo's reports: 200 invented survivors' reports over the last ten weeks.

This module only invents: who was reported, when, from which source, about what, and
whether the survivor is to be contacted in time. It writes nothing; `safehold.demo`
plays the plan through the real services. The people come from small lists of names;
their phone numbers are in Ofcom's drama range and their email addresses at
example.org, so none can reach a real person. A fixed seed makes every run invent the
same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Literal, TypeVar

from safehold.cases import diversity
from safehold.cases.inputs import (
    ChildDetails,
    Diversity,
    PerpetratorDetails,
    Report,
    Requests,
    SafeContact,
    SurvivorDetails,
)
from safehold.policy import clock
from safehold.policy.schema import Policy

SEED = 20260
TEAMS = ("Northgate", "Riverside")
WEEKS_BACK = 10
SINGLE_SURVIVORS = 168
RESTRICTED_SURVIVORS = len(TEAMS)  # one member of staff as survivor in each team
# Survivors reported more than once: their later cases carry the repeat flag.
REPEAT_WINDOWS = (((36, 70), (1, 34)),) * 12 + (((50, 70), (23, 45), (1, 20)),) * 2
PENDING_CASES = 12
# Reports still without a first contact after their deadline, in each team: "a few
# overdue items, not hundreds" (issue 18). Every other report drawn as overdue was
# answered, late.
OVERDUE_PER_TEAM = 3

T = TypeVar("T")
Response = Literal["met", "missed", "overdue", "pending"]
# Most reports are answered in time; the rest make the dashboards worth looking at.
RESPONSE_WEIGHTS: dict[Response, int] = {"met": 70, "missed": 18, "overdue": 12}
SOURCE_WEIGHTS = {
    "self": 30,
    "police": 24,
    "agency": 15,
    "staff": 12,
    "witness": 11,
    "anonymous": 8,
}


@dataclass(frozen=True)
class NameGroup:
    """Names that belong together, so that invented people read as real ones."""

    ethnicity: str
    weight: int
    women: tuple[str, ...]
    men: tuple[str, ...]
    surnames: tuple[str, ...]
    religions: tuple[str, ...]
    languages: tuple[str, ...] = ()


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NAME_GROUPS = (
    NameGroup(
        "white",
        52,
        words("Amy Charlotte Danielle Emma Gemma Hannah Jade Kirsty Lauren Natalie Rebecca Zoe"),
        words("Adam Callum Craig Darren Gareth Jamie Lee Liam Mark Ryan Scott Wayne"),
        words("Atkinson Barker Bennett Cartwright Dawson Fletcher Goodwin Holloway Jennings")
        + words("Lister Marsh Pickering Rowley Sutcliffe Thorne Whitworth"),
        ("none", "christian"),
    ),
    NameGroup(
        "white",
        10,
        words("Agnieszka Katarzyna Magdalena Ewa Ioana Elena Daria"),
        words("Piotr Tomasz Marek Andrei Bogdan Pawel"),
        words("Nowak Kowalczyk Wojcik Popescu Ionescu Horvat Lewandowski"),
        ("christian", "none"),
        ("pl", "ro"),
    ),
    NameGroup(
        "asian",
        14,
        words("Aisha Farzana Nasreen Priyanka Simran Rukhsana Shabana Harpreet Anjali Sadia"),
        words("Imran Tariq Arjun Gurpreet Rajesh Faisal Sanjay"),
        words("Begum Chaudhry Khan Patel Sandhu Mistry Rahman Gill Akhtar Bhatt"),
        ("muslim", "sikh", "hindu"),
        ("ur", "pa", "bn", "gu"),
    ),
    NameGroup(
        "black",
        9,
        words("Abena Chiamaka Folake Marcia Shanice Nia Amara Precious"),
        words("Kwame Tunde Delroy Emeka Jerome Kofi"),
        words("Adebayo Mensah Okonkwo Campbell Thompson Asante Nwosu Clarke"),
        ("christian", "none", "muslim"),
    ),
    NameGroup(
        "black",
        4,
        words("Hodan Fadumo Sahra Ayan Hibo"),
        words("Abdi Mohamed Ahmed Abdirahman"),
        words("Warsame Farah Abdullahi Jama Osman"),
        ("muslim",),
        ("so",),
    ),
    NameGroup(
        "other",
        5,
        words("Layla Rania Noor Yasmin Samira"),
        words("Omar Karim Yousef Hassan"),
        words("Haddad Mansour Nasser Hamdan Saleh"),
        ("muslim", "christian"),
        ("ar",),
    ),
    NameGroup(
        "asian",
        4,
        words("Mei Xiaoling Yan Hui"),
        words("Wei Jun Hao"),
        words("Chen Wong Liu Zhang Lam"),
        ("none", "buddhist", "christian"),
        ("zh",),
    ),
)

STREETS = words("Larch Holly Beech Mill Cedar Orchard Station Wren Foxglove Kingfisher Albert")
STREETS += words("Meadow Heron Willow Chapel Sycamore Lark Bramble Ashgrove Tanner")
STREET_KINDS = words("Close Road Lane Court Way Drive Crescent Grove Street Terrace Walk")
BLOCKS = words("Alder Hawthorn Juniper Rowan Elder Hazel")

SAFE_TIMES = (
    "Weekday mornings",
    "Between 10:00 and 14:00 on weekdays",
    "Only during school hours",
    "Text first, then call",
    "Lunchtimes, at work",
    "After 18:00 on Tuesdays and Thursdays",
)
VENUES = ("The housing office", "The local library", "A friend's house", "The children's centre")

# Which abuse types go with which kind of relationship, most usual first.
Pattern = Literal["partner", "family", "adult_child"]
PATTERN_WEIGHTS: dict[Pattern, int] = {"partner": 90, "family": 10}
# Abuse by an adult son or daughter: only for survivors old enough to have one.
ADULT_CHILD_FROM_AGE, ADULT_CHILD_SHARE = 55, 0.3
PATTERN_ABUSE: dict[Pattern, dict[str, int]] = {
    "partner": {
        "controlling_or_coercive": 30,
        "physical": 26,
        "emotional": 18,
        "psychological": 16,
        "violent_or_threatening": 14,
        "economic": 10,
        "stalking_harassment": 9,
        "technology_facilitated": 7,
        "sexual": 6,
    },
    "family": {
        "honour_based": 10,
        "forced_marriage": 8,
        "controlling_or_coercive": 8,
        "psychological": 5,
        "physical": 5,
        "fgm": 3,
    },
    "adult_child": {"economic": 10, "physical": 6, "emotional": 6, "violent_or_threatening": 4},
}
PATTERN_RELATIONSHIPS: dict[Pattern, tuple[str, ...]] = {
    "partner": ("partner", "partner", "ex_partner", "ex_partner", "spouse", "ex_spouse"),
    "family": ("parent", "sibling", "other_family", "household_member"),
    "adult_child": ("child",),
}

SUMMARIES: dict[str, tuple[str, ...]] = {
    "self": (
        "Called the housing office: repeated threats from a former partner and damage to "
        "the front door.",
        "Came to the office and disclosed years of controlling behaviour, including money "
        "being taken.",
        "Emailed asking for help; frightened to be at home in the evenings.",
    ),
    "witness": (
        "A neighbour heard shouting and a crash late at night and saw the survivor leave.",
        "A relative called, worried about bruising seen at the weekend.",
    ),
    "police": (
        "Police notification: officers attended a domestic incident at the address "
        "overnight; the alleged perpetrator was arrested and bailed.",
        "Police shared a risk assessment after a call-out; the survivor agreed to contact "
        "from the landlord.",
    ),
    "agency": (
        "Health visitor referral, with consent: concerns about controlling behaviour.",
        "IDVA referral: the survivor needs a sanctuary scheme assessment.",
        "Victim Support referral, with consent: the survivor wants to talk about moving.",
    ),
    "staff": (
        "A repairs operative noticed a broken internal door and a frightened tenant.",
        "The income officer noticed arrears that began when a partner took control of the money.",
        "The caretaker reported repeated visits by an ex-partner who is barred from the block.",
    ),
    "anonymous": (
        "Anonymous call about regular shouting and threats at the property.",
        "Anonymous letter saying the tenant is not allowed out alone.",
    ),
}
SEPARATE_CASE_REASONS = (
    "The survivor asked for this to be dealt with apart from the open case.",
    "A new pattern of abuse; agreed with the manager to open a separate case.",
)


@dataclass(frozen=True)
class InventedSurvivor:
    """One invented person, who may be reported more than once."""

    details: SurvivorDetails
    team: str
    pattern: Pattern
    perpetrators: tuple[PerpetratorDetails, ...]
    children: tuple[ChildDetails, ...]
    language: str


@dataclass(frozen=True)
class Slot:
    """Where a case falls: its survivor, how many days ago it may be reported, and
    whether the survivor was reported before (so an earlier case is still open)."""

    survivor: InventedSurvivor
    days_ago: tuple[int, int]
    later: bool


@dataclass(frozen=True)
class PlannedCase:
    """A report to open, and what its response to the survivor is to look like."""

    survivor: InventedSurvivor
    reported_at: datetime
    response: Response
    report: Report


# The survivor the sign-in instructions name, so that anyone trying the demo can watch
# the web intake recognise a survivor who already has an open case in Northgate.
SHOWCASE_NAME = "Leanne Okafor"
SHOWCASE_BORN = date(1991, 3, 7)


def seeded_random() -> random.Random:
    """The same sequence on every run, so the demo invents the same people each time."""
    return random.Random(SEED)  # noqa: S311 - invented demo data, not security


def cases_plan(rng: random.Random, policy: Policy, now: datetime) -> list[PlannedCase]:
    """Every demo report, in the order they were reported: opening them in that order
    lets the repeat flag fall on a survivor's later reports."""
    slots: list[Slot] = []
    for n, repeat_windows in enumerate(REPEAT_WINDOWS):
        survivor = survivor_invent(rng, policy, now, team=TEAMS[n % 2])
        if n == 0:
            survivor = showcase(survivor)
        slots += [Slot(survivor, window, later=k > 0) for k, window in enumerate(repeat_windows)]
    for n in range(SINGLE_SURVIVORS + RESTRICTED_SURVIVORS):
        survivor = survivor_invent(rng, policy, now, team=TEAMS[n % 2])
        if n < RESTRICTED_SURVIVORS:
            survivor = replace(survivor, details=replace(survivor.details, is_staff_member=True))
        slots.append(Slot(survivor, (1, WEEKS_BACK * 7), later=False))
    recent = [n for n, slot in enumerate(slots) if slot.days_ago[0] <= 1]
    pending = set(rng.sample(recent, PENDING_CASES))
    plans = [case_plan(rng, policy, now, slot, n in pending) for n, slot in enumerate(slots)]
    return sorted(few_overdue(plans), key=lambda plan: plan.reported_at)


def few_overdue(plans: list[PlannedCase]) -> list[PlannedCase]:
    """Officers reach nearly every survivor: in each team only the first
    `OVERDUE_PER_TEAM` reports drawn as overdue stay unanswered; the others were answered
    after their deadline (their report is already far enough back for that). Drawing no
    more from the random sequence keeps every other invented detail as it was."""
    kept: dict[str, int] = dict.fromkeys(TEAMS, 0)
    answered = []
    for plan in plans:
        if plan.response == "overdue":
            if kept[plan.survivor.team] < OVERDUE_PER_TEAM:
                kept[plan.survivor.team] += 1
            else:
                plan = replace(plan, response="missed")
        answered.append(plan)
    return answered


def showcase(survivor: InventedSurvivor) -> InventedSurvivor:
    details = replace(
        survivor.details,
        name=SHOWCASE_NAME,
        date_of_birth=SHOWCASE_BORN,
        sex="female",
        diversity=Diversity(ethnicity="mixed"),
    )
    return replace(survivor, details=details, team="Northgate")


def case_plan(
    rng: random.Random,
    policy: Policy,
    now: datetime,
    slot: Slot,
    pending: bool,
) -> PlannedCase:
    survivor = slot.survivor
    response: Response = "pending" if pending else weighted(rng, RESPONSE_WEIGHTS)
    source = "self" if survivor.details.is_staff_member else weighted(rng, SOURCE_WEIGHTS)
    if pending:
        reported_at = reported_in_last_hours(rng, policy, now)
    else:
        reported_at = reported_days_ago(rng, now, slot.days_ago, night=source == "police")
        reported_at = overdue_by_now(policy, reported_at, now, response)
    report = Report(
        source=source,
        survivor=survivor.details,
        reported_at=reported_at,
        team=survivor.team,
        alleged_perpetrators=survivor.perpetrators,
        children=survivor.children,
        abuse_types=abuse_types_pick(rng, policy, survivor.pattern),
        summary=rng.choice(SUMMARIES[source]),
        requests=requests_pick(rng, survivor),
        # The web intake asks why a report for a survivor with an open case is not
        # added to that case; the demo gives the reason a person would have given.
        separate_case_reason=rng.choice(SEPARATE_CASE_REASONS) if slot.later else "",
    )
    return PlannedCase(survivor, reported_at, response, report)


def weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def reported_days_ago(
    rng: random.Random, now: datetime, days_ago: tuple[int, int], *, night: bool
) -> datetime:
    """A believable time of day: reports come in office hours; police notifications
    arrive around the clock (never 01:00 to 02:00, which the clock change can skip)."""
    day = clock.london_date(now) - timedelta(days=rng.randint(*days_ago))
    hour = rng.choice([h for h in range(24) if h not in (1, 2)]) if night else rng.randint(8, 19)
    moment = datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=clock.LONDON)
    return min(moment, now)


def reported_in_last_hours(rng: random.Random, policy: Policy, now: datetime) -> datetime:
    reported_at = now - timedelta(minutes=rng.randint(15, 6 * 60))
    while clock.response_due_at(policy, reported_at) <= now:  # a policy with a tiny target
        reported_at = now - (now - reported_at) / 2
    return reported_at


def overdue_by_now(
    policy: Policy, reported_at: datetime, now: datetime, response: Response
) -> datetime:
    """A missed or overdue case needs its deadline well past: a Friday evening report
    under a working-day target is not due until the next week, so go back a week."""
    if response in ("met", "pending"):
        return reported_at
    while clock.response_due_at(policy, reported_at) > now - timedelta(hours=2):
        reported_at -= timedelta(days=7)
    return reported_at


def survivor_invent(
    rng: random.Random, policy: Policy, now: datetime, *, team: str
) -> InventedSurvivor:
    group = weighted(rng, {group: group.weight for group in NAME_GROUPS})
    sex = "female" if rng.random() < 0.82 else "male"
    first = rng.choice(group.women if sex == "female" else group.men)
    surname = rng.choice(group.surnames)
    age = round(rng.triangular(policy.definitions.minimum_age + 2, 78, 33))
    pattern = weighted(rng, PATTERN_WEIGHTS)
    if age >= ADULT_CHILD_FROM_AGE and rng.random() < ADULT_CHILD_SHARE:
        pattern = "adult_child"
    tenancy_ref = f"T-{rng.randint(10000, 99999)}" if rng.random() < 0.9 else ""
    details = SurvivorDetails(
        name=f"{first} {surname}",
        date_of_birth=date_of_birth_invent(rng, now, age),
        sex=sex,
        address=address_invent(rng, team),
        tenancy_ref=tenancy_ref,
        safe_contact=safe_contact_invent(rng, first, surname),
        diversity=diversity_invent(rng, group),
    )
    return InventedSurvivor(
        details=details,
        team=team,
        pattern=pattern,
        perpetrators=perpetrators_invent(rng, pattern, sex, group, tenancy_ref),
        children=children_invent(rng, age) if pattern == "partner" else (),
        language=rng.choice(group.languages) if group.languages and rng.random() < 0.3 else "",
    )


def date_of_birth_invent(rng: random.Random, now: datetime, age: int) -> date:
    today = clock.london_date(now)
    return date(today.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))


def address_invent(rng: random.Random, team: str) -> str:
    street = f"{rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
    if rng.random() < 0.3:
        return f"Flat {rng.randint(1, 40)}, {rng.choice(BLOCKS)} House, {street}, {team}"
    return f"{rng.randint(1, 120)} {street}, {team}"


def safe_contact_invent(rng: random.Random, first: str, surname: str) -> SafeContact:
    """Ofcom's drama range (07700 900000 to 07700 900999) and example.org reach no one."""
    has_email = rng.random() < 0.4
    return SafeContact(
        phone=f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.85 else "",
        email=f"{first}.{surname}{rng.randint(1, 99)}@example.org".lower() if has_email else "",
        safe_times=rng.choice(SAFE_TIMES) if rng.random() < 0.6 else "",
        voicemail_ok=rng.choice((True, False, False, None)),
        post_ok=rng.choice((True, False, False, None)),
    )


def diversity_invent(rng: random.Random, group: NameGroup) -> Diversity:
    """Bands the survivor chose to give: many answer some questions, few answer all."""

    def band(name: str, likely: tuple[str, ...]) -> str:
        roll = rng.random()
        if roll < 0.3:
            return ""  # not asked, or not answered
        if roll < 0.4:
            return diversity.PREFER_NOT[0]
        if likely and roll < 0.9:
            return rng.choice(likely)
        return rng.choice([value for value, _ in diversity.BANDS[name]])

    return Diversity(
        ethnicity=band("ethnicity", (group.ethnicity,)),
        disability=band("disability", ("no", "no", "yes")),
        sexual_orientation=band("sexual_orientation", ("heterosexual",) * 6 + ("bisexual",)),
        gender_identity=band("gender_identity", ("same_as_registered",) * 9),
        religion=band("religion", group.religions),
    )


def perpetrators_invent(
    rng: random.Random, pattern: Pattern, sex: str, group: NameGroup, tenancy_ref: str
) -> tuple[PerpetratorDetails, ...]:
    count = 1 if pattern != "family" else rng.randint(1, 3)
    count += rng.random() < 0.15  # a new partner or a friend of the family joins in
    other_sex = sex if rng.random() < 0.08 else {"female": "male", "male": "female"}[sex]
    perpetrators = []
    for n in range(count):
        relationship = rng.choice(PATTERN_RELATIONSHIPS[pattern])
        if n and pattern != "family":
            relationship = "other"
        first = rng.choice(group.men if other_sex == "male" or n else group.women)
        resident = rng.choice((True, False, False, None))
        perpetrators.append(
            PerpetratorDetails(
                name=f"{first} {rng.choice(group.surnames)}",
                relationship=relationship,
                is_resident=resident,
                tenancy_ref=tenancy_ref if resident else "",
                diversity=perpetrator_diversity(rng, group),
            )
        )
    return tuple(perpetrators)


def perpetrator_diversity(rng: random.Random, group: NameGroup) -> Diversity:
    """What the survivor knew or guessed of the alleged perpetrator: often nothing."""
    if rng.random() < 0.6:
        return Diversity()
    return Diversity(ethnicity=group.ethnicity, disability=rng.choice(("", "no", "yes")))


def children_invent(rng: random.Random, survivor_age: int) -> tuple[ChildDetails, ...]:
    if rng.random() < 0.5:
        return ()
    oldest = min(17, survivor_age - 17)
    return tuple(
        ChildDetails(
            age=rng.randint(0, max(0, oldest)),
            name=rng.choice(words("Poppy Alfie Ruby Noah Isla Leo Maya Zain Esme Kai")),
        )
        for _ in range(rng.choice((1, 1, 2, 2, 3)))
    )


def abuse_types_pick(rng: random.Random, policy: Policy, pattern: Pattern) -> tuple[str, ...]:
    """One to three types usual for the relationship, among those the policy records."""
    recorded = policy.definitions.abuse_types
    usual = {kind: w for kind, w in PATTERN_ABUSE[pattern].items() if kind in recorded}
    usual = usual or dict.fromkeys(recorded, 1)
    return tuple(sorted({weighted(rng, usual) for _ in range(rng.choice((1, 2, 2, 3)))}))


def requests_pick(rng: random.Random, survivor: InventedSurvivor) -> Requests:
    return Requests(
        same_sex_officer=rng.random() < 0.3,
        interpreter_language=survivor.language,
        childcare=bool(survivor.children) and rng.random() < 0.5,
        interview_venue=rng.choice(VENUES) if rng.random() < 0.3 else "",
    )
