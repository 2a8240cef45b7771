"""Every write of the public pages, as named functions: a report sent by anyone through
`/tell-us` (`report_send`), and its triage by staff (`triage_assign`, `triage_merge`,
`triage_no_action`). docs/public-pages.md says why each choice was made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import Http404

from safehold.accounts.models import Staff, Team
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases import services as cases
from safehold.cases.inputs import PerpetratorDetails, Report, SafeContact, SurvivorDetails
from safehold.cases.models import Case, Source, Status, new_id
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit
from safehold.public.models import PublicReport, Relation, Triage

# The public page's own account: the recorder of every report sent through it. Nobody
# signs in as it (inactive, no usable password) and its role sees no case content.
PUBLIC_ACCOUNT = "public-page"
PUBLIC_ACCOUNT_NAME = "The public page"
# The source a case takes from the sender's relation to the survivor (API.md's sources).
SOURCE_OF_RELATION = {
    Relation.SELF: Source.SELF,
    Relation.WITNESS: Source.WITNESS,
    Relation.PROFESSIONAL: Source.AGENCY,
    Relation.NOT_SAID: Source.ANONYMOUS,
}


@dataclass(frozen=True)
class Sent:
    """What a person sent through the public form, as the form cleaned it."""

    anonymous: bool
    relation: str = ""
    sender_name: str = ""
    organisation: str = ""
    phone: str = ""
    voicemail_ok: bool | None = None
    safe_times: str = ""
    email: str = ""
    post_ok: bool | None = None
    survivor_name: str = ""
    survivor_date_of_birth: date | None = None
    summary: str = ""
    abuse_types: tuple[str, ...] = ()
    danger_now: str = ""
    children_in_home: str = ""
    address: str = ""
    postcode: str = ""
    harm_name: str = ""
    harm_relationship: str = ""
    harm_lives_there: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def public_account(team: Team) -> Staff:
    account = Staff.objects.filter(username=PUBLIC_ACCOUNT).first()
    if account is not None:
        return account
    return Staff.objects.create(
        username=PUBLIC_ACCOUNT,
        full_name=PUBLIC_ACCOUNT_NAME,
        role=Role.AUDITOR,
        is_active=False,
        trained=False,
        team=team,
        password=make_password(None),
    )


def postcode_of(text: str) -> str:
    return " ".join(text.upper().split())


def routed_team(policy: Policy, postcode: str) -> Team | None:
    """The team the policy's routing names for the postcode: its district ("TF3") if
    listed, else its area ("TF"); None when it cannot tell."""
    outward = postcode_of(postcode).split(" ")[0] if postcode.strip() else ""
    area = outward[: len(outward) - len(outward.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))]
    routing = policy.public_page.routing
    name = routing.get(outward) or routing.get(area) if outward else None
    return Team.objects.filter(name=name).first() if name else None


def leads_team() -> Team:
    """Where a report nobody's routing names is kept: the team of the first domestic
    abuse lead (who see every team's cases anyway), else the first team."""
    lead = Staff.objects.filter(role=Role.DA_LEAD, is_active=True).order_by("username").first()
    if lead is not None:
        return lead.team
    team = Team.objects.order_by("name").first()
    return team if team is not None else Team.objects.create(name="Public reports")


def report_of(sent: Sent, team: Team, now: datetime) -> Report:
    own = sent.relation == Relation.SELF
    contact = SafeContact(
        phone=sent.phone,
        email=sent.email,
        safe_times=sent.safe_times,
        voicemail_ok=sent.voicemail_ok,
        post_ok=sent.post_ok,
    )
    address = ", ".join(part for part in (sent.address.strip(), postcode_of(sent.postcode)) if part)
    harm = (
        (
            PerpetratorDetails(
                name=sent.harm_name,
                relationship=sent.harm_relationship,
                is_resident=sent.harm_lives_there,
            ),
        )
        if sent.harm_name or sent.harm_relationship or sent.harm_lives_there is not None
        else ()
    )
    return Report(
        source=SOURCE_OF_RELATION[Relation(sent.relation)],
        survivor=SurvivorDetails(
            name=sent.survivor_name or (sent.sender_name if own else ""),
            date_of_birth=sent.survivor_date_of_birth,
            address=address,
            safe_contact=contact if own and not sent.anonymous else SafeContact(),
        ),
        reported_at=now,
        team=team.name,
        alleged_perpetrators=harm,
        abuse_types=sent.abuse_types,
        summary=sent.summary,
    )


@transaction.atomic
def report_send(*, sent: Sent, now: datetime) -> PublicReport:
    """Records a report from the public page as a case, its clock starting `now` (when
    it was sent), for triage by the team the policy's routing names or the DA leads."""
    policy = active_policy()
    routed = routed_team(policy, sent.postcode)
    team = routed or leads_team()
    case = cases.case_open_from_public_page(
        report=report_of(sent, team, now), recorder=public_account(team), now=now
    )
    row = PublicReport(
        id=new_id("pub"),
        case=case,
        relation=sent.relation,
        anonymous=sent.anonymous,
        danger_now=sent.danger_now,
        children_in_home=sent.children_in_home,
        sent_at=now,
        routed=routed is not None,
        harm_name_as_survivor=sealing.survivor_name_index(sent.harm_name),
    )
    row.sealed = sealing.seal(
        case.data_key,
        row,
        {
            "sender_name": sent.sender_name,
            "organisation": sent.organisation,
            "phone": sent.phone,
            "voicemail_ok": sent.voicemail_ok,
            "safe_times": sent.safe_times,
            "email": sent.email,
            "post_ok": sent.post_ok,
            "no_action_reason": "",
        },
    )
    row.save(force_insert=True)
    return row


# Triage -----------------------------------------------------------------------------


def may_triage(user: Staff, report: PublicReport) -> bool:
    """The DA leads triage every report; a team's managers those routed to their team."""
    if not user.is_active:
        return False
    if user.role == Role.DA_LEAD:
        return True
    return user.role == Role.MANAGER and report.routed and report.case.team_id == user.team_id


def waiting_report(user: Staff, report_id: str) -> PublicReport:
    """The report waiting for triage, reached through the one door to its case: 404 for
    one missing, one the user may not see, and one they may not triage alike."""
    report = PublicReport.objects.filter(pk=str(report_id)).select_related("case").first()
    if report is None or not access.may_see(user, report.case_id) or not may_triage(user, report):
        raise Http404("No such report")
    if report.triage != Triage.WAITING:
        raise Refusal("already_triaged", "This report has already been triaged", status=409)
    return report


def triaged(report: PublicReport, outcome: str, by: Staff, now: datetime, **detail: str) -> None:
    report.triage = outcome
    report.triaged_at = now
    report.triaged_by = by
    report.save(update_fields=["triage", "triaged_at", "triaged_by", "merged_into"])
    audit.record(
        actor=by.username,
        action="case.triaged",
        target_type="case",
        target_id=report.case_id,
        detail={"outcome": outcome, **detail},
    )


def close_untriaged(case: Case, now: datetime) -> None:
    """A report merged into another case, or needing no action, leaves nothing to do on
    its own case: it is closed without a closure under the policy (no survivor to agree,
    no letters), its reason being the triage's."""
    case = cases.locked(case)
    case.status = Status.CLOSED
    case.closed_at = now
    case.save(update_fields=["status", "closed_at"])


@transaction.atomic
def triage_assign(*, report_id: str, officer: str, by: Staff, now: datetime) -> PublicReport:
    report = waiting_report(by, report_id)
    cases.officer_assign(case=report.case, officer_username=officer, by=by)
    triaged(report, Triage.ASSIGNED, by, now, officer=officer)
    return report


@transaction.atomic
def triage_merge(*, report_id: str, into: str, by: Staff, now: datetime) -> PublicReport:
    """Adds the report to an open case of the same survivor as a further report, and
    closes the case it opened."""
    report = waiting_report(by, report_id)
    case = report.case
    try:
        target = access.case_for(by, into)
    except Http404:
        target = None
    if (
        target is None
        or target.pk == case.pk
        or target.status != Status.OPEN
        or target.survivor_identity_id != case.survivor_identity_id
    ):
        raise Refusal(
            "not_same_survivor",
            "Choose an open case of the same survivor",
            field="into",
        )
    summary = sealing.unseal(case.data_key, case).get("summary", "")
    cases.incident_add(
        case=target,
        by=by,
        source=case.source,
        abuse_types=tuple(case.abuse_types),
        summary=f"Sent through the public page ({case.reference}): {summary}",
        reported_at=max(case.reported_at, target.reported_at),
        now=now,
    )
    report.merged_into = target
    close_untriaged(case, now)
    triaged(report, Triage.MERGED, by, now, into=target.reference)
    return report


@transaction.atomic
def triage_no_action(*, report_id: str, reason: str, by: Staff, now: datetime) -> PublicReport:
    report = waiting_report(by, report_id)
    if not reason.strip():
        raise Refusal("reason_required", "Say why no action follows", field="reason")
    details = sealing.unseal(report.case.data_key, report)
    details["no_action_reason"] = reason.strip()
    report.sealed = sealing.seal(report.case.data_key, report, details)
    report.save(update_fields=["sealed"])
    close_untriaged(report.case, now)
    triaged(report, Triage.NO_ACTION, by, now)
    return report
