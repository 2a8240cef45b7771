"""Reads of risk assessments and the risk and MARAC views, through cases.access."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access
from safehold.cases.models import Case
from safehold.casework.selectors import (
    case_referred_to_marac,
    marac_referral_since,
    marac_referrals_sent_for_any,
)
from safehold.policy import clock
from safehold.policy.loader import active_policy
from safehold.risk.models import AssessmentStatus, RiskAssessment

# What each MARAC reason means, in plain English, for the results page.
REASON_TEXT = {
    "visible_high_risk": "The checklist score is at the tool's high-risk threshold or above.",
    "professional_judgement": "The officer judges the risk to be high, whatever the score.",
    "potential_escalation": "The police were called out {callouts} times in the last 12 "
    "months, at or over the policy's threshold of {threshold}.",
    "repeat": "The survivor was referred to MARAC in the {months} months before: this "
    "is a repeat referral.",
}


def repeat_reason_seen(user: Staff, assessment: RiskAssessment) -> bool:
    """Whether `user` may be told the `repeat` MARAC reason of `assessment`: only when
    they may see a case of the same survivor with a MARAC referral sent in the window
    before the assessment. The stored reasons stay the truth (docs/security.md
    "Oracles")."""
    return assessment.pk in repeat_reasons_seen(user, [assessment])


def repeat_reasons_seen(user: Staff, assessments: Sequence[RiskAssessment]) -> set[Any]:
    """The ids of those of `assessments` whose `repeat` reason `user` may be told, in
    one query however many there are (a page's rows)."""
    policy = active_policy()
    windows: dict[Any, tuple[str, datetime, datetime]] = {
        assessment.pk: (
            assessment.case.survivor_identity_id,
            clock.marac_repeat_window_start(policy, assessment.completed_at),
            assessment.completed_at,
        )
        for assessment in assessments
        if "repeat" in assessment.marac_reasons and assessment.completed_at is not None
    }
    if not windows:
        return set()
    sent: list[tuple[str, datetime | None]] = list(
        marac_referrals_sent_for_any(
            survivor_identity_ids={identity for identity, _, _ in windows.values()},
            since=min(since for _, since, _ in windows.values()),
            before=max(before for _, _, before in windows.values()),
        )
        .filter(case__in=access.cases_visible_to(user))
        .values_list("case__survivor_identity_id", "sent_at")
    )
    return {
        pk
        for pk, (identity, since, before) in windows.items()
        if any(who == identity and at is not None and since <= at < before for who, at in sent)
    }


def seen_by(user: Staff, assessments: Sequence[RiskAssessment | None]) -> None:
    """The assessments as `user` may be told them: the `repeat` reason (and a
    recommendation resting on it alone) taken from the rendered instances of whoever may
    not see the earlier referral. The instances are only rendered, never saved."""
    told = [a for a in assessments if a is not None and "repeat" in a.marac_reasons]
    seen = repeat_reasons_seen(user, told)
    for assessment in told:
        if assessment.pk not in seen:
            assessment.marac_reasons = [r for r in assessment.marac_reasons if r != "repeat"]
            assessment.marac_referral_recommended = bool(assessment.marac_reasons)


def reason_texts(assessment: RiskAssessment) -> list[str]:
    marac = active_policy().marac
    values = {
        "callouts": assessment.police_callouts_last_12_months,
        "threshold": marac.potential_escalation_callouts,
        "months": marac.repeat_months,
    }
    return [REASON_TEXT[reason].format(**values) for reason in assessment.marac_reasons]


def completed(case: Case) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(case=case, status=AssessmentStatus.COMPLETE).order_by(
        "-completed_at"
    )


def latest_assessment(case: Case) -> RiskAssessment | None:
    return completed(case).first()


def assessment_for(user: Staff, case_id: str, assessment_id: str) -> RiskAssessment:
    """An assessment of a case the user may see; 404 otherwise."""
    case = access.case_for(user, case_id)
    found = (
        RiskAssessment.objects.select_related("case", "case__data_key", "started_by")
        .filter(case=case, pk=assessment_id)
        .first()
    )
    if found is None:
        raise Http404("No such assessment")
    return found


@dataclass
class RiskStep:
    """What the case page shows about risk, as next steps, and the history."""

    latest: RiskAssessment | None
    in_progress: RiskAssessment | None
    marac_required: bool
    reassess_due_at: datetime | None
    reassess_for_incident: bool
    history: Sequence[RiskAssessment] = ()


def risk_step(case: Case, now: datetime | None = None) -> RiskStep:
    now = now or timezone.now()
    latest = latest_assessment(case)
    started = (
        RiskAssessment.objects.filter(case=case, status=AssessmentStatus.IN_PROGRESS)
        .order_by("-started_at")
        .first()
    )
    history = list(completed(case).select_related("started_by"))
    if latest is None or latest.completed_at is None:
        return RiskStep(None, started, False, None, False, history)
    marac_required = latest.marac_referral_recommended and not case_referred_to_marac(
        case_id=case.pk, since=latest.completed_at
    )
    reassess = None
    if latest.level == "high":
        reassess = latest.completed_at + timedelta(
            days=active_policy().marac.reassess_high_risk_days
        )
    new_incident = case.incidents.filter(created_at__gt=latest.completed_at).exists()
    return RiskStep(latest, started, marac_required, reassess, new_incident, history)


def risk_step_seen_by(user: Staff, case: Case) -> RiskStep:
    """`risk_step` as `user` may be told it (`seen_by`)."""
    step = risk_step(case)
    seen_by(user, [step.latest, *step.history])
    if step.latest is not None and not step.latest.marac_referral_recommended:
        step.marac_required = False
    return step


def open_visible(user: Staff, now: datetime | None = None) -> QuerySet[Case]:
    return access.open_cases_listed_for(user, now).select_related("team", "assigned_officer")


# The risk page shows each list's first rows and links to the whole list, a page at a
# time (issue 19: 200 rows of six lists made a 450 kB page that took 50 times a bare
# page to render at 10,000 cases; reading is bounded, rendering was not).
SHOWN_ON_RISK_PAGE = 10
RISK_LIST_PAGE = 50


@dataclass(frozen=True)
class RiskList:
    """One list of the risk page: its name in the address, and its caption."""

    name: str
    caption: str


RISK_LISTS = (
    RiskList("due", "High risk, due for reassessment"),
    RiskList("new-incident", "A further report since the last assessment: reassess"),
    RiskList("never-assessed", "Never assessed"),
    RiskList("high", "High risk"),
    RiskList("medium", "Medium risk"),
    RiskList("standard", "Standard risk"),
)
RISK_LIST_NAMES = {risk_list.name: risk_list for risk_list in RISK_LISTS}


def risk_list_cases(user: Staff, name: str, *, now: datetime | None = None) -> QuerySet[Case]:
    """The open cases of one list of the risk page, in its order (most urgent first).
    Each reads the case's own columns (its level, when it was last assessed and last
    had a further report, kept by risk.services and cases.services) through an index of
    open cases in the list's order, so a page of a list is read and the rest never
    (issue 19)."""
    now = now or timezone.now()
    return risk_list_of(open_visible(user, now), name, now)


def risk_list_of(cases: QuerySet[Case], name: str, now: datetime) -> QuerySet[Case]:
    """`risk_list_cases` from the open cases `cases` (`open_visible`), so that the risk
    page's six lists are built from one query of what the person may see, not six."""
    if name in ("high", "medium", "standard"):
        return cases.filter(risk_level=name).order_by("reported_at", "pk")
    if name == "never-assessed":
        return cases.filter(risk_level__isnull=True).order_by("reported_at", "pk")
    if name == "due":
        interval = timedelta(days=active_policy().marac.reassess_high_risk_days)
        return cases.filter(risk_level="high", last_assessed_at__lt=now - interval).order_by(
            "last_assessed_at", "pk"
        )
    if name == "new-incident":
        return cases.filter(
            last_incident_at__isnull=False,
            last_assessed_at__isnull=False,
            last_incident_at__gt=F("last_assessed_at"),
        ).order_by("reported_at", "pk")
    raise Http404("No such list")


@dataclass
class RiskRows:
    """Some rows of one list, and whether the list goes on past them."""

    list: RiskList
    cases: Sequence[Case]
    more: bool


def rows_of(cases: QuerySet[Case], risk_list: RiskList, *, start: int, size: int) -> RiskRows:
    """`size` rows from `start`: one more is read to tell whether the list goes on."""
    found = list(cases[start : start + size + 1])
    return RiskRows(risk_list, found[:size], more=len(found) > size)


def risk_views(
    user: Staff, *, now: datetime | None = None, limit: int | None = None
) -> list[RiskRows]:
    """Every list of the risk page, each its first `limit` rows (by default
    `SHOWN_ON_RISK_PAGE`)."""
    size = SHOWN_ON_RISK_PAGE if limit is None else limit
    now = now or timezone.now()
    visible = open_visible(user, now)  # need to know built once, each list filters it
    return [
        rows_of(risk_list_of(visible, each.name, now), each, start=0, size=size)
        for each in RISK_LISTS
    ]


def risk_list_page(user: Staff, name: str, *, page: int, now: datetime | None = None) -> RiskRows:
    """One page of one list (`page` from 1). Http404 for a list that does not exist."""
    risk_list = RISK_LIST_NAMES.get(name)
    if risk_list is None or page < 1:
        raise Http404("No such list")
    cases = risk_list_cases(user, name, now=now)
    return rows_of(cases, risk_list, start=(page - 1) * RISK_LIST_PAGE, size=RISK_LIST_PAGE)


def latest_assessments(cases: QuerySet[Case]) -> QuerySet[RiskAssessment]:
    """The latest completed assessment of each of `cases` (open cases): the one completed
    when its case says it was last assessed (`Case.last_assessed_at`, kept by
    risk.services). Read from the open cases ever assessed (an index of just those) and
    each asked whether it is one of `cases` (`access.on_one_of`), never every case the
    person may see first, as `case__in=cases` had SQLite do (issue 19: the MARAC page
    took 104 ms at 100,000 synth cases, none of them assessed)."""
    return (
        RiskAssessment.objects.filter(
            status=AssessmentStatus.COMPLETE,
            case__status="open",
            case__last_assessed_at__isnull=False,
            completed_at=F("case__last_assessed_at"),
        )
        .filter(access.on_one_of(cases))
        .select_related("case", "case__team", "case__assigned_officer")
    )


@dataclass
class MaracView:
    recommended_not_referred: Sequence[RiskAssessment]
    repeats: Sequence[RiskAssessment]


def marac_view(user: Staff, *, limit: int = 200) -> MaracView:
    """For DA leads: cases whose latest assessment recommends MARAC and that have not been
    referred since, and repeat cases (a MARAC referral in the 12 months before)."""
    latest = latest_assessments(open_visible(user)).annotate(
        referred=marac_referral_since(case=OuterRef("case"), since=OuterRef("completed_at"))
    )
    waiting = list(
        latest.filter(marac_referral_recommended=True, referred=False).order_by("completed_at")[
            :limit
        ]
    )
    newest = list(latest.order_by("-completed_at")[:limit])
    seen_by(user, [*waiting, *newest])
    repeats = [a for a in newest if "repeat" in a.marac_reasons]
    return MaracView([a for a in waiting if a.marac_referral_recommended], repeats)
