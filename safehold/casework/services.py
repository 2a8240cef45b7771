"""Consent and disclosure: every write a named, atomic, audited service.

Information leaves Safehold only with the survivor's consent on record for that agency,
or on a ground the provider's policy allows, approved by a role the policy names
(API.md §5 "Consent, referrals and disclosure")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case, new_id
from safehold.cases.training import check_trained
from safehold.casework.models import Consent, ConsentPurpose, Referral, ReferralStatus
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit


def record(by: Staff, action: str, case_id: str, **detail: str) -> None:
    audit.record(
        actor=by.username, action=action, target_type="case", target_id=case_id, detail=detail
    )


def check_agency(policy: Policy, agency: str) -> None:
    if agency not in policy.agencies:
        raise Refusal(
            "unknown_agency",
            f"The policy's directory has no agency {agency!r}",
            policy_rule="agencies",
            field="agency",
        )


def check_open(case: Case) -> None:
    if case.status == "closed":
        raise Refusal("case_closed", "The case is closed", status=409)


PERMISSION_RULE = "confidentiality.permission_before_contacting_perpetrator"
DISCLOSURE_PURPOSES = (ConsentPurpose.REFERRAL, ConsentPurpose.INFORMATION_SHARING)


def check_consent_target(policy: Policy, agency: str, purpose: str) -> None:
    """Consent to share is given for one agency; the survivor's permission to contact
    the alleged perpetrator is given for no agency at all."""
    if purpose not in ConsentPurpose.values:
        raise Refusal(
            "unknown_purpose",
            f"Purpose must be one of: {', '.join(ConsentPurpose.values)}",
            field="purpose",
        )
    if purpose == ConsentPurpose.CONTACT_ALLEGED_PERPETRATOR:
        if agency:
            raise Refusal(
                "agency_not_expected",
                "Permission to contact or write to the alleged perpetrator is not given to an "
                "agency: leave the agency out",
                field="agency",
            )
        return
    if not agency:
        raise Refusal("agency_required", "Choose the agency the consent is for", field="agency")
    check_agency(policy, agency)


@transaction.atomic
def consent_record(
    *,
    case: Case,
    by: Staff,
    agency: str = "",
    purpose: str,
    given: bool,
    now: datetime | None = None,
) -> Consent:
    """Records consent given or withdrawn; the latest for an agency and purpose stands.
    Purpose `contact_alleged_perpetrator` (no agency) is the survivor's permission to
    contact or write to the alleged perpetrator."""
    check_consent_target(active_policy(), agency, purpose)
    consent = Consent.objects.create(
        id=new_id("cns"),
        case=case,
        agency=agency,
        purpose=purpose,
        given=given,
        recorded_by=by,
        recorded_at=now or timezone.now(),
    )
    record(
        by,
        "consent.given" if given else "consent.withdrawn",
        case.pk,
        consent=consent.pk,
        **({"agency": agency} if agency else {}),
        purpose=purpose,
    )
    return consent


def latest_consent(case: Case, agency: str, purpose: str) -> Consent | None:
    return (
        Consent.objects.filter(case=case, agency=agency, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .first()
    )


def consent_stands(case: Case, agency: str, purpose: str = ConsentPurpose.REFERRAL) -> bool:
    latest = latest_consent(case, agency, purpose)
    return bool(latest and latest.given)


def permission_stands(case: Case) -> bool:
    """Whether the survivor's latest word on contacting the alleged perpetrator is yes."""
    return consent_stands(case, "", ConsentPurpose.CONTACT_ALLEGED_PERPETRATOR)


def permission_missing(case: Case, policy: Policy) -> bool:
    """The policy asks for the survivor's permission before anything reaches the alleged
    perpetrator, and none stands."""
    rules = policy.confidentiality
    return rules.permission_before_contacting_perpetrator and not permission_stands(case)


def check_perpetrator_permission(case: Case, policy: Policy) -> None:
    """Refuses a letter, an outbound contact or an interview that would tell the alleged
    perpetrator a report was made, while the survivor's permission is not on record."""
    if permission_missing(case, policy):
        raise Refusal(
            "survivor_permission_required",
            "The survivor's permission to contact or write to the alleged perpetrator is not "
            "on record: ask her first, and record her answer under Consent",
            policy_rule=PERMISSION_RULE,
        )


@dataclass(frozen=True)
class DisclosureBasis:
    """Why information about the survivor may go to an agency: her consent that stands,
    or a disclosure without consent that an approver approved."""

    agency: str
    basis: str  # "consent", or "without consent: GROUND" as on the referral's audit entries
    consent: Consent | None = None
    referral: Referral | None = None

    def audit_detail(self) -> dict[str, str]:
        detail = {"agency": self.agency, "basis": self.basis}
        if self.consent is not None:
            detail["consent"] = self.consent.pk
        if self.referral is not None:
            detail["referral"] = self.referral.pk
            decided_by = self.referral.decided_by
            detail["approved_by"] = decided_by.username if decided_by else ""
        return detail


def disclosure_basis(case: Case, agency: str) -> DisclosureBasis | None:
    """Consent to share with the agency that stands (for a referral or for sharing
    information), else the latest disclosure to it approved without consent. A referral
    once sent with consent is no basis after she withdraws it."""
    for purpose in DISCLOSURE_PURPOSES:
        latest = latest_consent(case, agency, purpose)
        if latest is not None and latest.given:
            return DisclosureBasis(agency, "consent", consent=latest)
    approved = (
        Referral.objects.filter(case=case, agency=agency, status=ReferralStatus.SENT)
        .exclude(without_consent_ground="")
        .select_related("decided_by")
        .order_by("-sent_at", "-id")
        .first()
    )
    if approved is None:
        return None
    ground = approved.without_consent_ground
    return DisclosureBasis(agency, f"without consent: {ground}", referral=approved)


def check_disclosure(case: Case, agency: str) -> DisclosureBasis:
    """A letter to an agency discloses what it says: only on a basis that stands."""
    basis = disclosure_basis(case, agency)
    if basis is None:
        raise Refusal(
            "consent_required",
            "There is no consent on record to share with this agency, and no disclosure to it "
            "approved without consent. Record her consent, or make a referral on a ground the "
            "policy allows and have it approved.",
            policy_rule="disclosure.grounds",
            field="agency",
        )
    return basis


@transaction.atomic
def referral_make(
    *,
    case: Case,
    by: Staff,
    agency: str,
    reason: str,
    ground: str = "",
    explanation: str = "",
    now: datetime | None = None,
) -> Referral:
    """Sends a referral with consent; without it, holds one made on an allowed ground for
    an approver. Either way the disclosure is recorded: what, to whom, on what basis."""
    check_trained(by, doing="referrals")
    now = now or timezone.now()
    policy = active_policy()
    case = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
    check_open(case)
    check_agency(policy, agency)
    with_consent = consent_stands(case, agency)
    if not with_consent:
        check_ground(policy, ground, explanation)
    referral = Referral(
        id=new_id("ref"),
        case=case,
        agency=agency,
        created_by=by,
        created_at=now,
        status=ReferralStatus.SENT if with_consent else ReferralStatus.AWAITING_APPROVAL,
        without_consent_ground="" if with_consent else ground,
        sent_at=now if with_consent else None,
    )
    referral.sealed = sealing.seal(
        case.data_key,
        referral,
        {
            "reason": reason,
            "explanation": "" if with_consent else explanation,
            "note": "",
        },
    )
    referral.save(force_insert=True)
    basis = "consent" if with_consent else f"without consent: {ground}"
    action = "disclosure.sent" if with_consent else "disclosure.requested"
    record(by, action, case.pk, referral=referral.pk, agency=agency, basis=basis)
    return referral


def check_ground(policy: Policy, ground: str, explanation: str) -> None:
    if not ground:
        raise Refusal(
            "consent_required",
            "There is no consent on record for this agency. Record consent, or give a ground "
            "the policy allows for sharing without it.",
            policy_rule="disclosure.grounds",
        )
    if ground not in policy.disclosure.grounds:
        allowed = ", ".join(policy.disclosure.grounds)
        raise Refusal(
            "ground_not_allowed",
            f"This policy allows sharing without consent only on: {allowed}",
            policy_rule="disclosure.grounds",
            field="ground",
        )
    if not explanation.strip():
        raise Refusal(
            "explanation_required",
            "Explain why consent cannot be sought or was refused, and why sharing is needed",
            field="explanation",
        )


def may_approve(user: Staff) -> bool:
    """Whether the user's role approves disclosures without consent on some case: the
    policy's approver roles, or the roles that take the decision on a restricted case."""
    return access.takes_decision(user, access.Decision.DISCLOSURE)


def not_an_approver() -> Refusal:
    roles = " or ".join(active_policy().disclosure.approver_roles)
    return Refusal(
        "not_an_approver",
        f"Only a {roles} may approve sharing without consent",
        policy_rule="disclosure.approver_roles",
        status=403,
    )


@transaction.atomic
def referral_decide(
    *,
    referral: Referral,
    by: Staff,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> Referral:
    """An approver sends, or refuses, a referral held for sharing without consent: never
    the person who made it (`own_request`), and an approval says why (`note_required`)."""
    if not may_approve(by):
        raise not_an_approver()
    referral = (
        Referral.objects.select_for_update()
        .select_related("case", "case__data_key")
        .get(pk=referral.pk)
    )
    # An approver who may not see the case, nor decide on it when restricted: 404.
    access.check_decision_access(by, referral.case, access.Decision.DISCLOSURE)
    if not access.decides(by, referral.case, access.Decision.DISCLOSURE):
        raise not_an_approver()
    if referral.status != ReferralStatus.AWAITING_APPROVAL:
        raise Refusal("already_decided", f"This referral is already {referral.status}", status=409)
    access.check_not_own_request(by, referral.created_by_id, "disclosure")
    if approve and not note.strip():
        raise Refusal(
            "note_required",
            "Say why you approve sharing without the survivor's consent",
            field="note",
        )
    now = now or timezone.now()
    details = sealing.unseal(referral.case.data_key, referral)
    details["note"] = note.strip()
    referral.sealed = sealing.seal(referral.case.data_key, referral, details)
    referral.status = ReferralStatus.SENT if approve else ReferralStatus.REJECTED
    referral.sent_at = now if approve else None
    referral.decided_by, referral.decided_at = by, now
    referral.save()
    action = "disclosure.approved" if approve else "disclosure.rejected"
    record(
        by,
        action,
        referral.case_id,
        referral=referral.pk,
        agency=referral.agency,
        basis=f"without consent: {referral.without_consent_ground}",
    )
    return referral
