"""Break glass: access to one case outside a person's need to know (API.md §4), and on a
restricted case (the survivor is a member of staff) a request that a second person
decides (issue 17 §5).

- On an ordinary case an officer or a manager opens it at once for
  `SAFEHOLD_BREAK_GLASS_DURATION`; the DA leads are alerted.
- On a restricted case only the roles `restricted_cases.break_glass_roles` names may
  break the glass (anyone else is answered as for a case that does not exist, by
  `access.case_to_break_glass`). With `restricted_cases.break_glass_needs_approval` it
  is a request (`waiting`) that another person of those roles approves or declines with
  a reason of their own; access starts only when approved.
- Every reason is sealed under the case's data key like all free text; alerts (kept in
  clear) carry neither the reason nor, on a restricted case, its reference: they link to
  the request's page, which only its asker and the people who may decide on it or see
  the case can open (`access.break_glass_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases.models import Alert, BreakGlass, BreakGlassStatus, Case, new_id
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.privacy import audit

NO_CASE_DETAILS = "This email holds no survivor details."


def record(by: Staff, action: str, case: Case, **detail: Any) -> None:
    audit.record(
        actor=by.username, action=action, target_type="case", target_id=case.pk, detail=detail
    )


def break_glass_reason(reason: str, *, message: str = "Say why you need to see this case") -> str:
    """The reason, refused when too short. Both doors call this before they look the case
    up, so the answer to a short reason is the same for a case that exists and one that
    does not: no oracle by sequential reference (issue 17)."""
    reason = reason.strip()
    if len(reason) < settings.SAFEHOLD_BREAK_GLASS_MIN_REASON:
        raise Refusal("reason_required", message, field="reason")
    return reason


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def page_of(grant: BreakGlass) -> str:
    return reverse("break-glass-request", kwargs={"grant_id": grant.pk})


@transaction.atomic
def break_glass(*, case: Case, by: Staff, reason: str, now: datetime | None = None) -> BreakGlass:
    """Access to `case` for `by`: granted at once, or on a restricted case where the
    policy wants approval, a request waiting for a second person (`status` says which).
    The DA leads (and whoever else decides) are alerted either way."""
    now = now or timezone.now()
    if not access.may_break_glass(by):
        raise Refusal("may_not_break_glass", "Your role may not break the glass", status=403)
    reason = break_glass_reason(reason)
    if not access.may_break_glass_on(by, case):
        raise Http404("No such case")
    if access.sees_without_glass(by, case):
        raise Refusal(
            "case_already_visible", "You can already see this case: there is no glass to break"
        )
    restricted = case.restricted and not access.is_named_on(by, case)
    waits = restricted and active_policy().restricted_cases.break_glass_needs_approval
    if (
        waits
        and BreakGlass.objects.filter(case=case, staff=by, status=BreakGlassStatus.WAITING).exists()
    ):
        raise Refusal(
            "break_glass_waiting",
            "You have already asked to open this case: your request waits for a decision",
        )
    grant = BreakGlass(id=new_id("brk"), case=case, staff=by, requested_at=now)
    grant.sealed = sealing.seal(case.data_key, grant, {"reason": reason})
    if waits:
        grant.status = BreakGlassStatus.WAITING
    else:
        grant.status = BreakGlassStatus.GRANTED
        grant.granted_at = now
        grant.expires_at = now + settings.SAFEHOLD_BREAK_GLASS_DURATION
    grant.save(force_insert=True)
    if waits:
        record(by, "case.break_glass_requested", case, request=grant.pk)
        tell(
            deciders(exclude=(by,)),
            grant,
            f"{by.full_name} ({by.username}) asked to break the glass on a restricted case. "
            "Open the request to decide on it.",
            subject="Safehold: a request to break the glass",
        )
        return grant
    record(by, "case.break_glass", case, expires_at=iso(grant.expires_at), grant=grant.pk)
    if restricted:
        tell(
            deciders(exclude=(by,)),
            grant,
            f"{by.full_name} ({by.username}) broke the glass on a restricted case. "
            "Open it to read why.",
            subject="Safehold: break glass on a restricted case",
        )
    else:
        tell(
            da_leads(exclude=(by,)),
            grant,
            f"{by.full_name} ({by.username}) broke the glass on {case.reference}. "
            "Open it to read why.",
            subject=f"Safehold: break glass on {case.reference}",
        )
    return grant


@transaction.atomic
def break_glass_decide(
    *, grant: BreakGlass, by: Staff, approve: bool, reason: str, now: datetime | None = None
) -> BreakGlass:
    """A second person of `restricted_cases.break_glass_roles` approves or declines a
    waiting request, with a reason; never the person who asked. Approval starts access."""
    now = now or timezone.now()
    grant = (
        BreakGlass.objects.select_for_update(of=("self",))
        .select_related("case__data_key", "staff")
        .get(pk=grant.pk)
    )
    access.check_not_own_request(by, grant.staff_id, "break glass")
    if not access.decides_break_glass(by):
        raise Refusal(
            "may_not_decide_break_glass",
            "Your role does not decide on requests to break the glass",
            policy_rule=access.BREAK_GLASS_RULE,
            status=403,
        )
    if grant.status != BreakGlassStatus.WAITING:
        raise Refusal("break_glass_decided", "This request is not waiting for a decision")
    reason = break_glass_reason(
        reason, message="Say why you approve or decline this request to break the glass"
    )
    case = grant.case
    details = sealing.unseal(case.data_key, grant)
    details["decision_reason"] = reason
    grant.sealed = sealing.seal(case.data_key, grant, details)
    grant.decided_by = by
    grant.decided_at = now
    if approve:
        grant.status = BreakGlassStatus.GRANTED
        grant.granted_at = now
        grant.expires_at = now + settings.SAFEHOLD_BREAK_GLASS_DURATION
    else:
        grant.status = BreakGlassStatus.DECLINED
    grant.save(
        update_fields=["sealed", "decided_by", "decided_at", "status", "granted_at", "expires_at"]
    )
    asker = grant.staff
    if approve:
        record(
            by,
            "case.break_glass_approved",
            case,
            request=grant.pk,
            requested_by=asker.username,
            expires_at=iso(grant.expires_at),
        )
    else:
        record(by, "case.break_glass_declined", case, request=grant.pk, requested_by=asker.username)
    verb = "approved" if approve else "declined"
    tell([asker], grant, f"{by.full_name} ({by.username}) {verb} your request to break the glass.")
    tell(
        deciders(exclude=(by, asker)),
        grant,
        f"{by.full_name} ({by.username}) {verb} the request of {asker.full_name} "
        f"({asker.username}) to break the glass on a restricted case.",
    )
    return grant


# Who is told ---------------------------------------------------------------------------


def da_leads(*, exclude: Iterable[Staff] = ()) -> list[Staff]:
    left_out = [person.pk for person in exclude]
    return list(Staff.objects.filter(role=Role.DA_LEAD, is_active=True).exclude(pk__in=left_out))


def deciders(*, exclude: Iterable[Staff] = ()) -> list[Staff]:
    """The DA leads, and whoever else the policy lets break the glass on a restricted
    case (they decide on each other's requests)."""
    roles = {Role.DA_LEAD.value, *active_policy().restricted_cases.break_glass_roles}
    left_out = [person.pk for person in exclude]
    return list(Staff.objects.filter(role__in=roles, is_active=True).exclude(pk__in=left_out))


def tell(
    people: Iterable[Staff],
    grant: BreakGlass,
    message: str,
    *,
    subject: str = "Safehold: break glass",
) -> None:
    """An in-app alert linking to the request's page, and an email to those with an
    address, sent when the change commits. `message` names staff and, on an ordinary case,
    its reference; never a reason or anything else from the case."""
    recipients = {person.pk: person for person in people if person.is_active}
    link = page_of(grant)
    Alert.objects.bulk_create(
        [
            Alert(recipient=person, case=grant.case, message=message[:300], link=link)
            for person in recipients.values()
        ]
    )
    addresses = sorted({person.email for person in recipients.values() if person.email})
    if addresses:
        body = f"{message} The reason given is in Safehold. {NO_CASE_DETAILS}"
        transaction.on_commit(
            lambda: send_mail(
                subject=subject,
                message=body,
                from_email=None,
                recipient_list=addresses,
                fail_silently=True,
            )
        )


# Reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantView:
    grant: BreakGlass
    reason: str
    decision_reason: str

    @property
    def case(self) -> Case:
        return self.grant.case


def grant_view(user: Staff, grant_id: str) -> GrantView:
    """A request or grant with its reasons, for whoever `access.break_glass_for` lets
    read it; each read is audited, as it shows part of the case."""
    grant = access.break_glass_for(user, grant_id)
    details = sealing.unseal(grant.case.data_key, grant) if grant.sealed else {}
    record(user, "case.viewed", grant.case, via="break_glass", request=grant.pk)
    return GrantView(grant, str(details.get("reason", "")), str(details.get("decision_reason", "")))


def waiting_for(user: Staff) -> list[BreakGlass]:
    """The requests waiting for the user's decision, oldest first: none unless their role
    decides on them, and never their own. Shows no case: the page of each does."""
    if not access.decides_break_glass(user):
        return []
    waiting = BreakGlass.objects.filter(
        Q(status=BreakGlassStatus.WAITING), case__erased_at__isnull=True
    ).exclude(staff=user)
    return list(waiting.select_related("staff").order_by("requested_at"))


def may_decide(user: Staff, grant: BreakGlass) -> bool:
    return (
        grant.status == BreakGlassStatus.WAITING
        and grant.staff_id != user.pk
        and access.decides_break_glass(user)
    )
