"""One invented case and what staff did next: the report, first contact around the
response target, risk, allocation, reviews, an emergency repair now and then, closure,
feedback and the odd appeal. Rows have the columns and sealed documents the services
write; the weights and wording come from the demo where it has them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from safehold.accounts.models import Staff
from safehold.cases.models import Case, CaseAbuseType, CaseTeamMember, Contact, new_id
from safehold.cases.services import LONDON
from safehold.casework.models import Action, ActionKind, ActionStatus, Review
from safehold.closure import appeals
from safehold.closure.models import Appeal, AppealStatus, Closure, ClosureStatus, Feedback
from safehold.policy import clock
from safehold.samples import demo, demo_cases
from safehold.synth.people import Survivor, people_add, report_again_later, survivor_for
from safehold.synth.run import Draft, Pick, Run, SynthTeam

SOURCES = Pick(demo_cases.SOURCE_WEIGHTS)
RISK_LEVELS = Pick({"standard": 55, "medium": 32, "high": 13})
NOT_ASSESSED_SHARE = {True: 0.04, False: 0.8}  # by whether the survivor was reached
RESPONSES = Pick({"met": 80, "missed": 16, "never": 4})
UNREACHED_REASONS = ("survivor_withdrew", "no_further_action_possible")
OPEN_AT_LEAST_DAYS, OPEN_MEAN_EXTRA_DAYS, LONG_RUNNING_SHARE = 21, 75, 0.04
FEEDBACK_SHARE, APPEAL_SHARE, REVIEWED_SHARE, MAX_REVIEWS = 0.55, 0.04, 0.4, 2
EMERGENCY_REPAIR_SHARE = 0.06
SATISFACTION = Pick({5: 6, 4: 5, 3: 2, 2: 1, 1: 1})  # as the demo's feedback
FEEDBACK_KINDS = Pick({"feedback": 17, "praise": 2, "complaint": 1})
APPEAL_OUTCOMES = Pick({"not_upheld": 60, "partly_upheld": 25, "upheld": 15})
# Police notifications come at any hour, never 01:00 to 02:00 (the clock change skips it).
ROUND_THE_CLOCK = [hour for hour in range(24) if hour not in (1, 2)]


def reported_time(run: Run, day: date, source: str) -> datetime:
    """Office hours, but police notifications around the clock (as the demo's)."""
    rng = run.rng
    hour = rng.choice(ROUND_THE_CLOCK) if source == "police" else rng.randint(8, 19)
    moment = datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=LONDON)
    return min(moment, run.now - timedelta(minutes=rng.randint(5, 300)))


def case_make(run: Run, day: date) -> Draft:
    rng, policy, now = run.rng, run.policy, run.now
    source = SOURCES(rng)
    reported_at = reported_time(run, day, source)
    survivor, returning = survivor_for(run, reported_at)
    last = survivor.last_reported_at
    team = run.teams[survivor.team]
    recorder = rng.choice([*team.officers, team.manager])
    created_at = min(now, reported_at + timedelta(minutes=rng.randint(5, 180)))
    key_id, key = run.data_key(created_at)
    case = Draft(
        run.add(
            Case,
            {
                "id": new_id("case"),
                "data_key_id": key_id,
                "survivor_identity_id": survivor.identity_id,
                "team_id": team.team.pk,
                "source": source,
                "reported_at": reported_at,
                "response_due_at": clock.response_due_at(policy, reported_at),
                # API.md: the same survivor had a case reported in the 12 months before.
                "repeat": last is not None
                and clock.repeat_window_start(policy, reported_at) <= last < reported_at,
                "abuse_types": list(demo_cases.abuse_types_pick(rng, policy, survivor.pattern)),
                "same_sex_officer": rng.random() < 0.3,
                "interpreter_language": survivor.language,
                "policy_id": policy.id,
                "policy_version": policy.version,
                "created_by_id": recorder.pk,
                "created_at": created_at,
            },
        ),
        key,
    )
    case["sealed"] = case.seal(
        Case,
        case["id"],
        {
            "summary": rng.choice(demo_cases.SUMMARIES[source]),
            "interview_venue": rng.choice(demo_cases.VENUES) if rng.random() < 0.3 else "",
            "separate_case_reason": (
                rng.choice(demo_cases.SEPARATE_CASE_REASONS) if returning else ""
            ),
        },
    )
    member(run, case, recorder)
    for kind in case["abuse_types"]:
        run.add(CaseAbuseType, {"case_id": case["id"], "abuse_type": kind})
    people_add(run, case, survivor)
    casework_add(run, case, survivor, team, recorder)
    report_again_later(run, survivor, reported_at)
    return case


def member(run: Run, case: Draft, staff: Staff) -> None:
    run.add(
        CaseTeamMember,
        {
            "case_id": case["id"],
            "staff_id": staff.pk,
            "added_at": case["created_at"],
            "case_reported_at": case["reported_at"],
        },
    )


def casework_add(
    run: Run, case: Draft, survivor: Survivor, team: SynthTeam, recorder: Staff
) -> None:
    rng = run.rng
    officer = rng.choice(team.officers)
    contacted_at = first_contact_at(run, case)
    reached = contacted_at is not None
    case["risk_level"] = None if rng.random() < NOT_ASSESSED_SHARE[reached] else RISK_LEVELS(rng)
    if reached or rng.random() < 0.3:
        case["assigned_officer_id"] = officer.pk
        if officer != recorder:
            member(run, case, officer)
    if contacted_at is not None:
        case["first_contact_at"] = contacted_at
        contact_add(run, case, survivor, officer, contacted_at)
    closed_at = closure_add(run, case, contacted_at, officer, team.manager)
    reviews_add(run, case, officer, until=min(closed_at or run.now, run.now))
    if contacted_at is not None and rng.random() < EMERGENCY_REPAIR_SHARE:
        repair_add(run, case, officer, contacted_at)


def first_contact_at(run: Run, case: Draft) -> datetime | None:
    """In time for most, late for some, never for a few; none yet when in the future."""
    rng, due, reported = run.rng, case["response_due_at"], case["reported_at"]
    response = RESPONSES(rng)
    if response == "never":
        return None
    if response == "met":
        moment = reported + (due - reported) * (0.05 + 0.9 * rng.random() ** 2)
        moment = demo.by_day(rng, moment, due)
    else:
        moment = demo.by_day(rng, due + timedelta(hours=rng.uniform(0.5, 72)), run.now)
    return moment if moment < run.now else None


def contact_add(run: Run, case: Draft, survivor: Survivor, officer: Staff, at: datetime) -> None:
    rng = run.rng
    channels = ["visit", "office"] + (["phone", "phone", "sms"] if survivor.contact.phone else [])
    channel = "phone" if demo.out_of_hours(at) else rng.choice(channels)
    contact_id = new_id("con")
    run.add(
        Contact,
        {
            "id": contact_id,
            "case_id": case["id"],
            "at": at,
            "channel": channel,
            "direction": demo.FIXED_DIRECTION.get(channel) or rng.choice(("outbound", "inbound")),
            "with_whom": "survivor",
            "recorded_by_id": officer.pk,
            "created_at": min(run.now, at + timedelta(minutes=rng.randint(5, 180))),
            "sealed": case.seal(Contact, contact_id, {"notes": demo.CONTACT_NOTES[channel]}),
        },
    )


def closing_time(run: Run, case: Draft, contacted_at: datetime | None) -> tuple[datetime, str]:
    """When the case would close, and why: weeks to months after first contact; a few
    months after the report for a survivor never reached."""
    rng, policy = run.rng, run.policy
    if contacted_at is None:
        unreached = [r for r in UNREACHED_REASONS if r in policy.closure.reasons]
        reason = rng.choice(unreached or list(policy.closure.reasons))
        return case["reported_at"] + timedelta(days=rng.randint(60, 120)), reason
    days = OPEN_AT_LEAST_DAYS + rng.expovariate(1 / OPEN_MEAN_EXTRA_DAYS)
    far = run.now + timedelta(days=365)  # not-policy: "no later than a year ahead" for by_day
    return demo.by_day(rng, contacted_at + timedelta(days=days), far), run.closure_reason(rng)


def closure_add(
    run: Run, case: Draft, contacted_at: datetime | None, officer: Staff, manager: Staff
) -> datetime | None:
    """Closes the case if its time came before now (or leaves it waiting for approval);
    returns when it closed, or None."""
    rng, now = run.rng, run.now
    if contacted_at is not None and rng.random() < LONG_RUNNING_SHARE:
        return None
    closed_at, reason = closing_time(run, case, contacted_at)
    requested_at = closed_at - timedelta(hours=rng.randint(2, 48))
    if requested_at > now:
        return None
    closure_id = new_id("clo")
    explanation = {"explanation": rng.choice(demo.CLOSURE_EXPLANATIONS), "override_reason": ""}
    closure = run.add(
        Closure,
        {
            "id": closure_id,
            "case_id": case["id"],
            "status": ClosureStatus.AWAITING_APPROVAL.value,
            "reason": reason,
            "survivor_agrees": rng.random() < 0.92,
            "review_meeting_at": requested_at - timedelta(days=rng.randint(1, 4)),
            "requested_by_id": officer.pk,
            "requested_at": requested_at,
            "sealed": case.seal(Closure, closure_id, explanation),
        },
    )
    case["status"] = "closing"
    if closed_at > now:
        return None
    closure.update(status=ClosureStatus.CLOSED.value, closed_at=closed_at)
    closure.update(decided_by_id=manager.pk, decided_at=closed_at)
    case.row.update(status="closed", closed_at=closed_at, closure_reason=reason)
    after_closure_add(run, case, officer, closed_at)
    return closed_at


def after_closure_add(run: Run, case: Draft, officer: Staff, closed_at: datetime) -> None:
    rng = run.rng
    at = closed_at + timedelta(days=rng.randint(2, 20))
    if run.policy.feedback.after_closure and rng.random() < FEEDBACK_SHARE and at <= run.now:
        kind = FEEDBACK_KINDS(rng)
        comments = rng.choice(demo.FEEDBACK_COMMENTS) if kind == "feedback" else "About repairs."
        feedback_id = new_id("fdb")
        run.add(
            Feedback,
            {
                "id": feedback_id,
                "case_id": case["id"],
                "kind": kind,
                "satisfaction": SATISFACTION(rng),
                "recorded_by_id": officer.pk,
                "recorded_at": at,
                "sealed": case.seal(Feedback, feedback_id, {"comments": comments}),
            },
        )
    if "survivor" in run.policy.appeals.who and rng.random() < APPEAL_SHARE:
        appeal_add(run, case, officer, closed_at + timedelta(days=rng.randint(1, 10)))


def appeal_add(run: Run, case: Draft, officer: Staff, received_at: datetime) -> None:
    """A stage 1 appeal by the survivor: acknowledged in time, mostly answered in time."""
    rng, policy, now = run.rng, run.policy, run.now
    if received_at > now:
        return
    acknowledge_by, answer_by = appeals.deadlines(policy, received_at, 1)
    appeal_id = new_id("apl")
    grounds = {"grounds": "Unhappy that the case was closed before the court hearing."}
    appeal = run.add(
        Appeal,
        {
            "id": appeal_id,
            "case_id": case["id"],
            "by": "survivor",
            "stage": 1,
            "reviewer_role": policy.appeals.reviewer_role,
            "received_at": received_at,
            "acknowledge_due_at": acknowledge_by,
            "due_at": answer_by,
            "recorded_by_id": officer.pk,
            "sealed": case.seal(Appeal, appeal_id, grounds),
        },
    )
    acknowledged = min(acknowledge_by, received_at + timedelta(days=rng.randint(1, 4)))
    if acknowledged > now:
        return
    due = clock.appeal_answer_due_at(policy, acknowledged, 1)
    appeal.update(status=AppealStatus.ACKNOWLEDGED.value, acknowledged_at=acknowledged, due_at=due)
    late = rng.random() < 0.15
    decided = max(
        acknowledged, due + timedelta(days=rng.randint(1, 10) if late else -rng.randint(0, 8))
    )
    if decided <= now:
        appeal.update(status=AppealStatus.DECIDED.value, outcome=APPEAL_OUTCOMES(rng))
        appeal.update(decided_at=decided, decided_by_id=run.director.pk)


def reviews_add(run: Run, case: Draft, officer: Staff, *, until: datetime) -> None:
    """Reviews at the policy's interval while the case is open, a few days either side."""
    rng, policy = run.rng, run.policy
    due = clock.next_review_due_at(policy, case["reported_at"])
    case["next_review_at"] = due  # as intake sets it; each review sets the next
    if rng.random() >= REVIEWED_SHARE:
        return
    for _ in range(MAX_REVIEWS):
        held = due + timedelta(days=rng.uniform(-3, 5))
        if held > until or held <= case["reported_at"]:
            return
        review_id = new_id("rev")
        notes = {"notes": "Reviewed the plan and the risk with the survivor's wishes in mind."}
        run.add(
            Review,
            {
                "id": review_id,
                "case_id": case["id"],
                "at": held,
                "due_at": due,
                "reviewed_by_id": officer.pk,
                "created_at": held,
                "sealed": case.seal(Review, review_id, notes),
            },
        )
        case["last_review_at"] = held
        due = clock.next_review_due_at(policy, held)
        case["next_review_at"] = due


def repair_add(run: Run, case: Draft, officer: Staff, raised_at: datetime) -> None:
    """An emergency repair raised at first contact: most done by the policy's deadline."""
    rng, now = run.rng, run.now
    due = clock.emergency_repair_due_at(run.policy, raised_at)
    late = rng.random() < 0.15
    done = due + timedelta(hours=rng.uniform(1, 48) if late else -rng.uniform(1, 20))
    done = max(done, raised_at + timedelta(minutes=30))
    action_id = new_id("act")
    detail = {"detail": "Front door frame repaired after forced entry.", "risk_assessment": ""}
    run.add(
        Action,
        {
            "id": action_id,
            "case_id": case["id"],
            "kind": ActionKind.EMERGENCY_REPAIR.value,
            "owner_id": officer.pk,
            "due_at": due,
            "status": ActionStatus.DONE.value if done <= now else ActionStatus.OPEN.value,
            "completed_at": done if done <= now else None,
            "agreed_with_survivor": True,
            "created_by_id": officer.pk,
            "created_at": raised_at,
            "sealed": case.seal(Action, action_id, detail),
        },
    )
