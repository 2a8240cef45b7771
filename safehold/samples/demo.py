"""`safehold demo`: synthetic staff across two teams and every role, about 200 invented
cases worked by them, and how to sign in.

Everyone shares one demo password; all but one account already have two-factor set up,
and `safehold demo-code USERNAME` prints the code their app would show. The account
`new.officer` has no authenticator yet, to show enrolment.

The cases are played through the real services (`case_open`, `officer_assign`,
`contact_record`, `incident_add`, the DASH risk assessment, MARAC referrals, the action
plan, reviews, `closure_request` and what follows closure) with the demo staff as the
acting users, so each is encrypted, audited and checked against the active policy as a
real one would be. Each service call runs inside `audit.recorded_at(when)`, so its audit
entries carry the time the event happened, not the time the demo was loaded. The loader
goes case by case (each case's events in time order), so across cases the chain's order
(`seq`) is not time order; the chain still verifies, as it seals what is stored.

The load is a believable one: most survivors reached are assessed (about one in seven
at high risk, referred to MARAC with their consent), most actions are done by their due
date and most open cases were reviewed within the policy's interval, and nearly every
survivor was reached (a few per team still wait past their first-contact deadline,
`demo_cases.OVERDUE_PER_TEAM`), so each queue shows a few overdue items rather than
hundreds.
`safehold.demo_cases` invents what was reported; this module does what staff did next."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP

from safehold.accounts import services
from safehold.accounts.models import Authenticator, Staff
from safehold.accounts.roles import Role
from safehold.cases import services as cases
from safehold.cases.inputs import SurvivorDetails
from safehold.cases.models import Case
from safehold.casework import contacts
from safehold.casework import plan as action_plan
from safehold.casework import services as casework
from safehold.casework.models import Action, ActionStatus
from safehold.closure import appeals, feedback
from safehold.closure import services as closure
from safehold.marac import services as marac
from safehold.policy import clock
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit
from safehold.risk import services as risk
from safehold.samples import demo_cases
from safehold.samples.demo_cases import PlannedCase, Response

DEMO_PASSWORD = "safehold-demo-password"  # noqa: S105 - synthetic accounts in development only

DemoPerson = tuple[str, str, str, str, str, bool, list[str]]

DEMO_STAFF: list[DemoPerson] = [
    # username, full name, role, sex, team, trained, languages
    ("amira.officer", "Amira Hussain", "officer", "female", "Northgate", True, ["ur", "pa"]),
    ("tom.officer", "Tom Kowalski", "officer", "male", "Northgate", True, ["pl"]),
    ("jess.officer", "Jess Morgan", "officer", "female", "Riverside", True, []),
    ("dan.officer", "Dan Price", "officer", "male", "Riverside", False, []),
    ("grace.manager", "Grace Adeyemi", "manager", "female", "Northgate", True, []),
    ("owen.manager", "Owen Baxter", "manager", "male", "Riverside", True, ["cy"]),
    ("helen.director", "Helen Carter", "director", "female", "Northgate", True, []),
    ("priya.dalead", "Priya Shah", "da_lead", "female", "Riverside", True, ["gu"]),
    ("martin.auditor", "Martin Hale", "auditor", "male", "Northgate", True, []),
    ("sam.admin", "Sam Ellis", "admin", "male", "Northgate", True, []),
    # A partner at the IDVA service (docs/partners.md): sees only what was shared with it.
    ("ida.idva", "Ida Advocate", "partner", "female", "Northgate", True, []),
]
# The agency of each demo partner.
DEMO_AGENCIES = {"ida.idva": "idva"}
UNENROLLED: DemoPerson = ("new.officer", "Nadia Obi", "officer", "female", "Riverside", True, [])

# The manager who can show the web intake recognising the showcase survivor.
SHOWCASE_VIEWER = "grace.manager"
# Share of cases allocated to an officer, by how the response went: cases still waiting
# for first contact are mostly the ones nobody has picked up yet.
ASSIGNED_SHARE: dict[Response, float] = {"met": 0.85, "missed": 0.8, "overdue": 0.3, "pending": 0.2}
INCIDENT_SHARE = 0.22
OFFICE_HOURS = (8, 19)  # when officers visit, meet and call, London time
FURTHER_REPORTS_AFTER = timedelta(days=2)
FURTHER_REPORTS = (
    "The alleged perpetrator came to the property again despite bail conditions.",
    "Threatening messages on social media overnight.",
    "Damage to the car parked outside the property.",
    "Police called out again after an argument in the street.",
    "Followed home from work twice this week.",
)
CONTACT_NOTES = {
    "phone": "Spoke on the safe number; agreed a home visit.",
    "sms": "Texted from the team phone; the survivor replied and agreed a time to talk.",
    "visit": "Visited at the agreed time; talked through safety at home.",
    "office": "Met at the office; talked about a sanctuary scheme.",
    "email": "Wrote to the safe address; the survivor replied with times to talk.",
    "video": "Video call at a safe time; talked through the options.",
}
# Survivors come to the office and officers make the visits; calls and messages go
# both ways.
FIXED_DIRECTION = {"office": "inbound", "visit": "outbound"}
AGENCY_NOTES = (
    "Police confirmed they attended; no safe number for the survivor yet.",
    "Asked the referring agency for a safe way to reach the survivor.",
)


# Closing: a share of the older cases whose survivor was reached closes, most with the
# manager's approval given and a few still waiting for it; most closed cases have
# feedback, a few an appeal.
CLOSE_AFTER = timedelta(weeks=4)
CLOSED_SHARE = 0.45
AWAITING_APPROVAL_SHARE = 0.12
FEEDBACK_SHARE = 0.6
APPEAL_SHARE = 0.08
CLOSURE_EXPLANATIONS = (
    "The locks are changed, the alarm is fitted and you told us you feel safe at home.",
    "The injunction is in force and the support worker will stay in touch with you.",
    "You have moved to your new home and the local team there knows how to reach you.",
)
FEEDBACK_COMMENTS = (
    "Felt listened to from the first call.",
    "Would have liked to hear back sooner after the visit.",
    "The locks were changed the same day. Thank you.",
    "",
)


# The risk assessment: most survivors reached are assessed soon after the first contact;
# the level falls as the weights say (a score of 14 or more "yes" answers is high risk).
RISK_TOOL = "dash-ric"
ASSESSED_SHARE = 0.85
RISK_WEIGHTS = {"high": 14, "medium": 26, "standard": 60}
YES_ANSWERS = {"high": (14, 19), "medium": (10, 13), "standard": (1, 9)}
MARAC_REASON = (
    "High risk on the DASH checklist; the survivor agreed to a MARAC referral to plan her "
    "safety with the police, the IDVA service and children's services."
)
IDVA_REASON = (
    "High risk on the DASH checklist; the survivor asked for an IDVA to support her through "
    "the MARAC and the court."
)
# What the demo's MARAC decides for each case it hears (docs/marac.md).
MARAC_DECIDED = "Safety plan agreed: target hardening at home, a police flag on the address."
MARAC_OWN_ACTION = "Target hardening: a safe letterbox and a door chain"
MARAC_POLICE_ACTION = "Flag the address for a priority response"
MARAC_APART = timedelta(days=14)  # not-policy: when the demo's MARAC met and meets next
# The action plan: what officers agree with the survivor after the assessment. Most
# actions are done by their due date; a few slip (the "a few overdue" of each queue).
PLAN_ACTIONS = (
    ("security_measure", "lock_change", "Change the locks on the front and back doors."),
    ("security_measure", "door_window_security", "Fit window locks and a door chain."),
    ("security_measure", "panic_alarm", "Ask the police to fit a panic alarm."),
    ("security_measure", "external_lighting", "Fit a light over the back door."),
    ("support", "", "Refer to the local IDVA service for support through the court case."),
    ("support", "", "Help with a claim for the rent while she stays with her sister."),
)
ACTION_DONE_SHARE = 0.95
# Reviews every review interval or a little sooner; a few cases miss their latest one.
REVIEW_MISSED_SHARE = 0.04
REVIEW_NOTES = (
    "Reviewed with the survivor: the plan is working and she feels safer at home.",
    "Reviewed the plan; waiting for the police to fit the alarm.",
    "No contact since the last review; tried the safe number twice.",
    "Reviewed after the further report; the plan stands.",
)


class DemoError(Exception):
    pass


@transaction.atomic
def load(*, now: datetime | None = None) -> str:
    """Creates the demo staff and cases (each only once) and returns how to sign in."""
    staff_load()
    cases_load(policy=active_policy(), now=now or timezone.now())
    return sign_in_instructions(cases=Case.objects.count())


def staff_load() -> None:
    for username, full_name, role, sex, team, trained, languages in [*DEMO_STAFF, UNENROLLED]:
        if Staff.objects.filter(username=username).exists():
            continue
        staff = services.staff_create(
            username=username,
            full_name=full_name,
            role=role,
            sex=sex,
            team=team,
            password=DEMO_PASSWORD,
            trained=trained,
            languages=languages,
            agency=DEMO_AGENCIES.get(username, ""),
            # Demo accounts share the printed password and keep it: nobody is asked to
            # choose their own at first sign-in, as a real account is (docs/getting-started.md).
            password_change_required=False,
        )
        if username != UNENROLLED[0]:
            services.authenticator_create(staff=staff, name="Demo authenticator", confirmed=True)


def sign_in_instructions(*, cases: int = 0) -> str:
    accounts = "\n".join(
        f"  {username:16} {role:9} {team:10} {full_name}"
        for username, full_name, role, _, team, _, _ in DEMO_STAFF
    )
    born = demo_cases.SHOWCASE_BORN
    return (
        "Demo staff (synthetic people only):\n"
        f"{accounts}\n\n"
        f"Demo cases: {cases}, invented, reported over the last {demo_cases.WEEKS_BACK} weeks.\n"
        f"To see the intake recognise a survivor with an open case, sign in as "
        f"{SHOWCASE_VIEWER}\nand record a report for {demo_cases.SHOWCASE_NAME}, "
        f"born {born.day} {born:%B %Y}.\n\n"
        f"Every demo password is: {DEMO_PASSWORD}\n"
        "For the two-factor code, run in another terminal:\n"
        f"  {command_name()} demo-code amira.officer\n"
        f"'{UNENROLLED[0]}' has no authenticator yet: signing in shows the QR code to scan."
    )


def command_name() -> str:
    """How this `safehold` was started (for example .venv/bin/safehold after make demo),
    so the printed command works when pasted into another terminal."""
    started_as = sys.argv[0] if sys.argv else ""
    return started_as if Path(started_as).name == "safehold" else "safehold"


def current_code(username: str) -> str:
    if not settings.DEVELOPMENT:
        raise DemoError("demo-code only works when SAFEHOLD_ENV=development")
    device = Authenticator.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        raise DemoError(f"{username} has no authenticator set up")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@dataclass(frozen=True)
class DemoTeams:
    """Who does what: officers and managers record reports, managers allocate, and the
    DA lead takes reports from members of staff."""

    recorders: dict[str, list[Staff]]
    officers: dict[str, list[Staff]]
    managers: dict[str, Staff]
    da_lead: Staff

    @classmethod
    def of_demo_staff(cls) -> DemoTeams:
        usernames = [person[0] for person in DEMO_STAFF]
        found = Staff.objects.filter(username__in=usernames).select_related("team")
        staff = list(found.order_by("username"))  # a fixed order keeps the demo repeatable
        teams = {team: [s for s in staff if s.team.name == team] for team in demo_cases.TEAMS}
        return cls(
            recorders={
                team: [s for s in people if s.role in (Role.OFFICER, Role.MANAGER)]
                for team, people in teams.items()
            },
            officers={t: [s for s in p if s.role == Role.OFFICER] for t, p in teams.items()},
            managers={t: next(s for s in p if s.role == Role.MANAGER) for t, p in teams.items()},
            da_lead=next(s for s in staff if s.role == Role.DA_LEAD),
        )


def cases_load(*, policy: Policy, now: datetime) -> int:
    """Opens the demo cases unless there are cases already; returns how many it opened."""
    if Case.objects.exists():  # `safehold demo` runs again on the same database
        return 0
    rng = demo_cases.seeded_random()
    teams = DemoTeams.of_demo_staff()
    plans = demo_cases.cases_plan(rng, policy, now)
    for plan in plans:
        case_work(rng, policy, plan, teams, now)
    marac_work(policy, teams.da_lead, now)
    return len(plans)


def marac_work(policy: Policy, lead: Staff, now: datetime) -> None:
    """The DA lead at the MARAC: a meeting a fortnight ago heard the referrals sent before
    it and recorded what it decided for each open case (the provider's action on the
    plan, due next week; the police's done); the next meeting, in a fortnight, lists those
    sent since. Nothing random: the cases are as they were."""
    conference = next(iter(policy.marac.conferences))
    held_at = datetime.combine((now - MARAC_APART).date(), time(10), tzinfo=now.tzinfo)
    with audit.recorded_at(held_at):
        past = marac.meeting_create(
            conference=conference, held_on=held_at.date(), by=lead, now=held_at
        )
    decided_at = held_at + timedelta(hours=3)
    hearings = past.hearings.select_related("case").order_by("pk")
    for hearing in hearings.filter(case__status="open"):
        with audit.recorded_at(decided_at):
            marac.hearing_decisions_record(
                hearing=hearing,
                by=lead,
                notes=MARAC_DECIDED,
                actions=[
                    marac.AgreedAction(
                        marac.PROVIDER, MARAC_OWN_ACTION, (now + timedelta(days=7)).date()
                    ),
                    marac.AgreedAction(
                        "police", MARAC_POLICE_ACTION, held_at.date() + timedelta(days=7)
                    ),
                ],
                now=decided_at,
            )
        for action in hearing.actions.filter(agency="police"):
            with audit.recorded_at(decided_at + timedelta(days=2)):
                marac.marac_action_status_set(
                    action=action, by=lead, status="done", now=decided_at + timedelta(days=2)
                )
    with audit.recorded_at(now):
        marac.meeting_create(
            conference=conference, held_on=(now + MARAC_APART).date(), by=lead, now=now
        )


def case_work(
    rng: random.Random, policy: Policy, plan: PlannedCase, teams: DemoTeams, now: datetime
) -> None:
    """The report, and what staff did next: allocation, contact, further reports."""
    team = plan.survivor.team
    recorder, manager = rng.choice(teams.recorders[team]), teams.managers[team]
    if plan.report.survivor.is_staff_member:
        recorder = manager = teams.da_lead  # so only the people named on it see it
    opened_at = soon_after(rng, plan.reported_at, now)
    with audit.recorded_at(opened_at):
        case = cases.case_open(report=plan.report, by=recorder, now=opened_at)
    officer = officer_pick(rng, policy, case, plan, teams)
    if officer is not None:
        with audit.recorded_at(soon_after(rng, opened_at, now)):
            case = cases.officer_assign(case=case, officer_username=officer.username, by=manager)
    worker = officer or recorder
    contacts_record(rng, case, plan, worker, now)
    if rng.random() < INCIDENT_SHARE and now - case.reported_at > FURTHER_REPORTS_AFTER:
        incidents_add(rng, policy, case, worker, now)
    # Assessing, planning and reviewing is casework kept for trained staff on the case: an
    # untrained recorder's case is worked by the manager until it is allocated.
    trained = worker if worker.trained else manager
    risk_work(rng, case, trained, now)
    # Reviews up to the earliest a case is asked to close, then on to now if it stays open.
    reviewed = reviews_work(
        rng, policy, case, trained, case.reported_at, min(now, case.reported_at + CLOSE_AFTER)
    )
    if closes(rng, case, plan, now):
        closer = closer_of(worker, manager, teams.officers[team])
        closure_work(rng, policy, case, closer, manager, now)
    else:
        reviews_work(rng, policy, case, trained, reviewed, now, missed=REVIEW_MISSED_SHARE)


def risk_work(rng: random.Random, case: Case, by: Staff, now: datetime) -> None:
    """A DASH assessment soon after the survivor was reached; MARAC with her consent
    when it recommends a referral; then the plan's actions, most done by their date."""
    case.refresh_from_db(fields=["first_contact_at", "status"])
    if case.first_contact_at is None or rng.random() >= ASSESSED_SHARE:
        return
    assessed_at = min(now, case.first_contact_at + timedelta(minutes=rng.randint(20, 90)))
    questions = [q.id for s in risk.tool_named(RISK_TOOL).sections for q in s.questions]
    level = demo_cases.weighted(rng, RISK_WEIGHTS)
    yes = set(rng.sample(questions, rng.randint(*YES_ANSWERS[level])))
    answers = {
        q: "yes" if q in yes else ("unknown" if rng.random() < 0.08 else "no") for q in questions
    }
    with audit.recorded_at(assessed_at):
        assessment = risk.assessment_create(
            case=case, by=by, tool_id=RISK_TOOL, answers=answers, now=assessed_at
        )
    if assessment.marac_referral_recommended:
        consent_at = min(now, assessed_at + timedelta(minutes=rng.randint(5, 30)))
        with audit.recorded_at(consent_at):
            casework.consent_record(
                case=case, by=by, agency="marac", purpose="referral", given=True, now=consent_at
            )
        referred_at = by_day(rng, consent_at + timedelta(hours=rng.uniform(1, 20)), latest=now)
        referred_at = min(now, referred_at)
        with audit.recorded_at(referred_at):
            casework.referral_make(
                case=case, by=by, agency="marac", reason=MARAC_REASON, now=referred_at
            )
            # And, with her consent, to the IDVA service, whose partner (ida.idva) sees
            # what was shared with it (docs/partners.md).
            casework.consent_record(
                case=case, by=by, agency="idva", purpose="referral", given=True, now=referred_at
            )
            casework.referral_make(
                case=case, by=by, agency="idva", reason=IDVA_REASON, now=referred_at
            )
    actions_work(rng, case, by, assessed_at, now)


def actions_work(rng: random.Random, case: Case, by: Staff, since: datetime, now: datetime) -> None:
    for kind, measure, detail in rng.sample(PLAN_ACTIONS, rng.randint(1, 3)):
        added_at = by_day(rng, since + timedelta(hours=rng.uniform(1, 48)), latest=now)
        if added_at >= now:
            continue
        due_at = added_at + timedelta(days=rng.randint(3, 28))
        with audit.recorded_at(added_at):
            action = action_plan.action_add(
                case=case,
                by=by,
                kind=kind,
                measure=measure,
                detail=detail,
                due_at=due_at,
                agreed_with_survivor=True,
                now=added_at,
            )
        if due_at < now and rng.random() < ACTION_DONE_SHARE:
            done_at = by_day(rng, added_at + (due_at - added_at) * rng.uniform(0.2, 1), now)
            action_done(action, by, min(done_at, now))


def action_done(action: Action, by: Staff, at: datetime) -> None:
    with audit.recorded_at(at):
        action_plan.action_complete(action=action, by=by, now=at)


def reviews_work(
    rng: random.Random,
    policy: Policy,
    case: Case,
    by: Staff,
    since: datetime,
    until: datetime,
    *,
    missed: float = 0.0,
) -> datetime:
    """Reviews every interval or a little sooner, from `since` to `until`; returns the
    latest. With `missed`, that share of cases skip the review that keeps them in date."""
    interval = timedelta(days=policy.review_interval_days)
    last = since
    while True:
        at = by_day(rng, last + interval * rng.uniform(0.7, 0.95), latest=until)
        if at >= until:
            return last
        if missed and at + interval > until and rng.random() < missed:
            return last
        with audit.recorded_at(at):
            action_plan.review_record(
                case=case, by=by, at=at, notes=rng.choice(REVIEW_NOTES), now=at
            )
        last = at


def closer_of(worker: Staff, manager: Staff, officers: list[Staff]) -> Staff:
    """Who asks to close: the person working the case, unless they are untrained (asking
    to close is casework kept for trained staff, assignment.trained_officers_only) or the
    manager who approves it (nobody approves their own request); then a trained officer
    of the team."""
    if worker.trained and worker != manager:
        return worker
    return next(officer for officer in officers if officer.trained)


def closes(rng: random.Random, case: Case, plan: PlannedCase, now: datetime) -> bool:
    """Older cases whose survivor was reached, but never the showcase survivor's: the
    intake is to find her cases open."""
    case.refresh_from_db(fields=["first_contact_at", "status"])
    return (
        case.first_contact_at is not None
        and case.status == "open"
        and now - case.reported_at > CLOSE_AFTER + timedelta(days=10)
        and plan.survivor.details.name != demo_cases.SHOWCASE_NAME
        and rng.random() < CLOSED_SHARE
    )


def closure_work(
    rng: random.Random,
    policy: Policy,
    case: Case,
    worker: Staff,
    manager: Staff,
    now: datetime,
) -> None:
    """Closed after a review meeting with the survivor; approved a day later, except a
    few still waiting; then feedback asked for and given, and the odd appeal."""
    asked_at = min(now - timedelta(days=7), case.reported_at + CLOSE_AFTER * rng.uniform(1, 1.5))
    # Everything agreed with the survivor is done before the case is asked to close.
    for action in Action.objects.filter(case=case, status=ActionStatus.OPEN):
        action_done(action, worker, max(action.created_at, asked_at - timedelta(days=1)))
    with audit.recorded_at(asked_at):
        request_closure(rng, policy, case, worker, asked_at)
    if rng.random() < AWAITING_APPROVAL_SHARE:
        return
    closed_at = by_day(rng, asked_at + timedelta(days=1), latest=now)
    with audit.recorded_at(closed_at):
        closure.closure_approve(case=case, by=manager, now=closed_at)
    case.refresh_from_db()
    after = closed_at + timedelta(days=2)
    if after > now:
        return
    if policy.feedback.after_closure and rng.random() < FEEDBACK_SHARE:
        feedback_work(rng, case, worker, closed_at + timedelta(days=1), now)
    if rng.random() < APPEAL_SHARE:
        with audit.recorded_at(after):
            appeals.appeal_make(
                case=case,
                by=worker,
                party="survivor",
                grounds="Unhappy that the case was closed before the court hearing.",
                received_at=closed_at + timedelta(days=1),
                now=after,
            )


def request_closure(
    rng: random.Random, policy: Policy, case: Case, worker: Staff, asked_at: datetime
) -> None:
    closure.closure_request(
        case=case,
        by=worker,
        reason=rng.choice(policy.closure.reasons),
        survivor_agrees=True,
        review_meeting_at=asked_at - timedelta(days=rng.randint(1, 4)),
        explanation=rng.choice(CLOSURE_EXPLANATIONS),
        now=asked_at,
    )


def feedback_work(rng: random.Random, case: Case, by: Staff, at: datetime, now: datetime) -> None:
    channel = rng.choice(feedback.safe_channels(case))
    with audit.recorded_at(at):
        feedback.feedback_request(case=case, by=by, channel=channel, now=at)
    kind = demo_cases.weighted(rng, {"feedback": 17, "praise": 2, "complaint": 1})
    given_at = min(now, at + timedelta(days=rng.randint(1, 5)))
    with audit.recorded_at(given_at):
        feedback.feedback_record(
            case=case,
            by=by,
            satisfaction=demo_cases.weighted(rng, {5: 6, 4: 5, 3: 2, 2: 1, 1: 1}),
            comments=rng.choice(FEEDBACK_COMMENTS) if kind == "feedback" else "About the repairs.",
            kind=kind,
            now=given_at,
        )


def soon_after(rng: random.Random, moment: datetime, now: datetime) -> datetime:
    """When someone got round to typing it in: minutes to a few hours later."""
    return min(now, moment + timedelta(minutes=rng.randint(5, 180)))


def officer_pick(
    rng: random.Random, policy: Policy, case: Case, plan: PlannedCase, teams: DemoTeams
) -> Staff | None:
    """A team officer the policy allows (trained; of the survivor's own sex when asked),
    or None: some cases wait for allocation, and a survivor who asked for an officer of
    their own sex waits when the team has no such officer the policy allows."""
    if rng.random() >= ASSIGNED_SHARE[plan.response]:
        return None
    allowed = [
        officer
        for officer in teams.officers[plan.survivor.team]
        if cases.assignment_refusal(policy, case, officer) is None
    ]
    return rng.choice(allowed) if allowed else None


def contacts_record(
    rng: random.Random, case: Case, plan: PlannedCase, by: Staff, now: datetime
) -> None:
    first = first_contact_at(rng, case, plan.response, now)
    channels = survivor_channels(plan.report.survivor)
    if first is None:
        if rng.random() < 0.4:  # an agency was reached: that does not stop the clock
            at = min(now, case.reported_at + timedelta(hours=rng.uniform(0.5, 12)))
            contact(rng, case, by, at, now, with_whom="agency", channels=("phone",))
        return
    contact(rng, case, by, first, now, with_whom="survivor", channels=channels)
    follow_up = by_day(rng, first + timedelta(days=rng.uniform(1, 14)), latest=now)
    if follow_up < now and rng.random() < 0.5:
        contact(rng, case, by, follow_up, now, with_whom="survivor", channels=channels)


def first_contact_at(
    rng: random.Random, case: Case, response: Response, now: datetime
) -> datetime | None:
    """Within the target for "met" (mostly early on), after it for "missed", and none
    yet for "overdue" and "pending"."""
    if response == "met":
        latest = min(case.response_due_at, now)
        window = latest - case.reported_at
        return by_day(rng, case.reported_at + window * (0.05 + 0.9 * rng.random() ** 2), latest)
    if response == "missed":
        latest = now - timedelta(minutes=5)
        late = case.response_due_at + timedelta(hours=rng.uniform(0.5, 72))
        return by_day(rng, min(late, latest), latest)
    return None


def by_day(rng: random.Random, moment: datetime, latest: datetime) -> datetime:
    """Officers make contact by day: a time in the night moves to the next morning when
    that is still no later than `latest` (the deadline, for a contact made in time)."""
    if not out_of_hours(moment):
        return moment
    local = moment.astimezone(clock.LONDON)
    day = local.date() + timedelta(days=int(local.hour >= OFFICE_HOURS[1]))
    start = time(OFFICE_HOURS[0], rng.randint(0, 59))
    morning = datetime.combine(day, start, tzinfo=clock.LONDON)
    return morning if morning <= latest else moment


def out_of_hours(moment: datetime) -> bool:
    hour = moment.astimezone(clock.LONDON).hour
    return not OFFICE_HOURS[0] <= hour < OFFICE_HOURS[1]


def survivor_channels(survivor: SurvivorDetails) -> tuple[str, ...]:
    """Only the ways the survivor can safely be reached: never a letter, since some
    survivors said post is not safe."""
    channels = ["visit", "office"]
    if survivor.safe_contact.phone:
        channels += ["phone", "phone", "sms"]
    if survivor.safe_contact.email:
        channels += ["email", "video"]
    return tuple(channels)


def contact(
    rng: random.Random,
    case: Case,
    by: Staff,
    at: datetime,
    now: datetime,
    *,
    with_whom: str,
    channels: tuple[str, ...],
) -> None:
    # At night only the duty phone is answered.
    channel = "phone" if out_of_hours(at) else rng.choice(channels)
    survivor = with_whom == "survivor"
    recorded_at = soon_after(rng, at, now)
    with audit.recorded_at(recorded_at):
        contact_record(rng, case, by, at, channel, with_whom, survivor, recorded_at)


def contact_record(
    rng: random.Random,
    case: Case,
    by: Staff,
    at: datetime,
    channel: str,
    with_whom: str,
    survivor: bool,
    recorded_at: datetime,
) -> None:
    contacts.contact_record(
        case=case,
        by=by,
        at=at,
        channel=channel,
        direction=FIXED_DIRECTION.get(channel) or rng.choice(("outbound", "inbound")),
        with_whom=with_whom,
        notes=CONTACT_NOTES[channel] if survivor else rng.choice(AGENCY_NOTES),
        now=recorded_at,
    )


def incidents_add(rng: random.Random, policy: Policy, case: Case, by: Staff, now: datetime) -> None:
    """Further reports after the case opened, added to it as the intake offers."""
    for _ in range(rng.randint(1, 2)):
        reported_at = case.reported_at + (now - case.reported_at) * rng.uniform(0.2, 1)
        added_at = soon_after(rng, reported_at, now)
        with audit.recorded_at(added_at):
            incident_add(rng, policy, case, by, reported_at, added_at)


def incident_add(
    rng: random.Random,
    policy: Policy,
    case: Case,
    by: Staff,
    reported_at: datetime,
    added_at: datetime,
) -> None:
    cases.incident_add(
        case=case,
        by=by,
        source=demo_cases.weighted(rng, demo_cases.SOURCE_WEIGHTS),
        abuse_types=demo_cases.abuse_types_pick(rng, policy, "partner"),
        summary=rng.choice(FURTHER_REPORTS),
        reported_at=reported_at,
        now=added_at,
    )
