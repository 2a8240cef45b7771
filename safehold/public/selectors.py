"""Every read of the public pages' reports for staff: the triage queue, where a report
may be merged, and whether it may be a counter-allegation. Each starts from the one door
to case data (cases/access.py), so nothing is listed, counted or hinted that the reader
may not see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access
from safehold.cases.models import Case, PersonRole, Status
from safehold.public.models import PublicReport, Triage
from safehold.public.services import may_triage

# Who triages: a team's managers (reports routed to their team) and the DA leads (all).
TRIAGE_ROLES = (Role.MANAGER, Role.DA_LEAD)


def triage_queue(user: Staff) -> QuerySet[PublicReport]:
    """The reports waiting for triage by this user, the earliest sent first: every one
    for a DA lead, those routed to their team for a manager, none for anyone else."""
    if user.role == Role.DA_LEAD:
        mine = Q()
    elif user.role == Role.MANAGER:
        mine = Q(routed=True, case__team_id=user.team_id)
    else:
        return PublicReport.objects.none()
    return (
        PublicReport.objects.filter(mine, triage=Triage.WAITING)
        .filter(access.on_one_of(access.cases_visible_to(user)))
        .select_related("case", "case__team")
        .order_by("sent_at", "id")
    )


def survivor_open_cases(user: Staff, case: Case) -> list[Case]:
    """The other open cases of the report's survivor that the user may see: where triage
    may merge it."""
    return list(
        access.cases_visible_to(user)
        .filter(survivor_identity_id=case.survivor_identity_id, status=Status.OPEN)
        .exclude(pk=case.pk)
        .order_by("-reported_at")
    )


def may_be_counter_allegation(user: Staff, report: PublicReport) -> bool:
    """Whether the person the report says causes harm has the name of a survivor on a
    case this user may see: told to staff who may see that case, never to the public."""
    if not report.harm_name_as_survivor:
        return False
    return (
        access.cases_visible_to(user)
        .filter(
            people__role=PersonRole.SURVIVOR,
            people__name_index=report.harm_name_as_survivor,
        )
        .exclude(pk=report.case_id)
        .exists()
    )


def public_report_of(user: Staff, case: Case) -> PublicReport | None:
    """The public report that opened this case, if one did (one query), marked with
    whether this reader may triage it: for the case page's "Received through the public
    page, unverified"."""
    report = PublicReport.objects.filter(case=case).first()
    if report is not None:
        report.case = case
        report.may_triage = (  # type: ignore[attr-defined]
            report.triage == Triage.WAITING
            and user.role in TRIAGE_ROLES
            and may_triage(user, report)
        )
    return report
