"""Flag and tag (issue 21, docs/marac.md "Flag and tag"): a case heard at a MARAC carries
the flag for the policy's `marac.flag_months` months from the hearing (`heard_at`, when
its decisions were recorded). While it stands, a new report about the same survivor, a
further incident on the case or a new completed risk assessment of it alerts the case's
officer and every active DA lead, so the case can be referred again as a repeat.

The events reach this module through `safehold/cases/followups.py`, registered in
`MaracConfig.ready` (apps.py): `cases` and `risk` call the hook inside their own
services, so every path that records the event (pages, API, the public page, triage)
is covered, and they import nothing of MARAC.

An alert's message is kept in clear (cases.models.Alert): it names references, dates and
what happened, never anything the case says. Each person is alerted only about a case
they may see (`access.may_see`), so a DA lead is told nothing of a restricted case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access
from safehold.cases.followups import Event, Happened, register
from safehold.cases.models import Alert, Case
from safehold.marac.models import Hearing
from safehold.policy.clock import months_before
from safehold.policy.loader import active_policy

LONDON = ZoneInfo("Europe/London")
WHAT_TO_DO = "refer again to MARAC as a repeat"


@dataclass(frozen=True)
class Flag:
    """A case's MARAC flag: the latest hearing that raised it, and when it ends."""

    case_id: str
    heard_at: datetime
    until: datetime

    @property
    def until_date(self) -> date:
        return self.until.astimezone(LONDON).date()

    @property
    def heard_on(self) -> date:
        return self.heard_at.astimezone(LONDON).date()


def flag_window_start(now: datetime) -> datetime:
    """A hearing at or after this still flags its case."""
    return months_before(now, active_policy().marac.flag_months)


def flag_until(heard_at: datetime) -> datetime:
    return months_before(heard_at, -active_policy().marac.flag_months)


def flags_of(case_ids: list[str], now: datetime) -> dict[str, Flag]:
    """The standing flag of each of the cases that has one: one query."""
    hearings = (
        Hearing.objects.filter(
            case_id__in=case_ids, heard_at__isnull=False, heard_at__gte=flag_window_start(now)
        )
        .order_by("case_id", "-heard_at")
        .values_list("case_id", "heard_at")
    )
    flags: dict[str, Flag] = {}
    for case_id, heard_at in hearings:
        if heard_at is not None and case_id not in flags:
            flags[case_id] = Flag(case_id, heard_at, flag_until(heard_at))
    return flags


def flag_of(case: Case, now: datetime) -> Flag | None:
    """The case's standing flag, or None (never heard, or heard too long ago)."""
    return flags_of([case.pk], now).get(case.pk)


def flagged_cases_of_survivor(case: Case, now: datetime) -> list[tuple[Case, Flag]]:
    """The survivor's other cases whose flag stands, for a new report about her."""
    others = list(
        Case.objects.filter(survivor_identity_id=case.survivor_identity_id)
        .exclude(pk=case.pk)
        .select_related("assigned_officer")
    )
    flags = flags_of([other.pk for other in others], now)
    return [(other, flags[other.pk]) for other in others if other.pk in flags]


def told_about(case: Case) -> list[Staff]:
    """The case's officer and every active DA lead, each only if they may see the case."""
    leads = list(Staff.objects.filter(role=Role.DA_LEAD, is_active=True).order_by("username"))
    people = {person.pk: person for person in leads}
    officer = case.assigned_officer
    if officer is not None and officer.is_active:
        people[officer.pk] = officer
    return [person for person in people.values() if access.may_see(person, case.pk)]


def alert_send(case: Case, flag: Flag, what: str, *, also_seeing: Case | None = None) -> None:
    """Alerts those told about `case`; with `also_seeing`, only those of them who may
    see that case too (a restricted new report the message names)."""
    message = (
        f"{what} {case.reference} was heard at MARAC on {flag.heard_on:%-d %B %Y} and is "
        f"flagged until {flag.until_date:%-d %B %Y}: {WHAT_TO_DO}."
    )
    link = reverse("case", args=[case.pk])
    people = told_about(case)
    if also_seeing is not None:
        people = [person for person in people if access.may_see(person, also_seeing.pk)]
    Alert.objects.bulk_create(
        [Alert(recipient=person, case=case, message=message[:300], link=link) for person in people]
    )


def on_report(happened: Happened) -> None:
    """A new report about the survivor of a flagged case. A restricted new report (she is
    a member of staff) is told only to those who may see it: to anyone else the alert
    would say that a case they may not open exists."""
    new = happened.case
    for case, flag in flagged_cases_of_survivor(new, happened.now):
        alert_send(
            case,
            flag,
            f"A new report, {new.reference}, may be about the survivor of",
            also_seeing=new if new.restricted else None,
        )


def on_incident(happened: Happened) -> None:
    case = Case.objects.select_related("assigned_officer").get(pk=happened.case.pk)
    flag = flag_of(case, happened.now)
    if flag is not None:
        alert_send(case, flag, "A further incident was recorded on")


def on_assessment(happened: Happened) -> None:
    case = Case.objects.select_related("assigned_officer").get(pk=happened.case.pk)
    flag = flag_of(case, happened.now)
    if flag is not None:
        alert_send(case, flag, "A new risk assessment was completed on")


def handlers_register() -> None:
    """Called from MaracConfig.ready()."""
    register(Event.REPORT, on_report)
    register(Event.INCIDENT, on_incident)
    register(Event.ASSESSMENT, on_assessment)
