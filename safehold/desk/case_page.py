"""The case page: everything about one case a reader may see, from every app (cases,
risk, casework, closure, records), with the tasks the policy sets next."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access, selectors
from safehold.cases.models import Case
from safehold.casework import offers
from safehold.casework import selectors as casework_selectors
from safehold.closure import selectors as closure_selectors
from safehold.closure.services import REOPEN_ROLES
from safehold.marac.flags import flag_of
from safehold.marac.selectors import hearings_of_case
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.public import selectors as public_selectors
from safehold.records import rules as records_rules
from safehold.risk import selectors as risk_selectors


def case_page(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    view = selectors.case_detail(user, case_id, via="web")
    return render(request, "desk/case.html", case_context(user, view))


def same_sex_officer_offer(policy: Policy, case: Case) -> dict[str, Any]:
    """The survivor's answer about an officer of their own sex, and whether offering one
    is still a task: under a policy that always offers it, until they have answered."""
    answer = selectors.same_sex_officer_answer(case)
    return {
        "same_sex_answer": answer,
        "offer_same_sex_officer": policy.assignment.same_sex_officer_always_offered
        and answer == "not_asked"
        and case.status == "open",
    }


def under_age_referral(policy: Policy, case: Case) -> dict[str, Any] | None:
    """For a survivor under the policy's minimum age: the safeguarding agency the policy
    names, and the latest referral to it, if any (the case page's task)."""
    if not case.under_minimum_age:
        return None
    agency = policy.definitions.under_age_referral_agency
    named = (
        "children's services" if agency == "childrens_services" else policy.agencies[agency].name
    )
    referral = casework_selectors.referrals_to(case, agency)
    return {"agency": agency, "name": named, "referral": referral}


def may_decide_closure(user: Staff, case: Case, after: closure_selectors.AfterClosure) -> bool:
    """Whether the case page offers "Decide on the closure": to whoever decides the waiting
    closure (the approver roles, or without her agreement the override role), never to
    the person who asked for it."""
    latest = after.closures[0].closure if after.closures else None
    if case.status != "closing" or latest is None or latest.requested_by_id == user.pk:
        return False
    agrees = latest.survivor_agrees
    decision = access.Decision.CLOSURE if agrees else access.Decision.CLOSURE_OVERRIDE
    return access.decides(user, case, decision)


def case_context(user: Staff, view: selectors.CaseView, **extra: Any) -> dict[str, Any]:
    policy = active_policy()
    case = view.case
    consents = casework_selectors.consents_standing(case)
    plan = casework_selectors.plan_of(case)
    after = closure_selectors.after_closure(case)
    return {
        "view": view,
        "case": case,
        "policy": policy,
        "public_report": public_selectors.public_report_of(user, case),
        "abuse_labels": [
            label for k, label in policy.abuse_type_choices() if k in case.abuse_types
        ],
        **same_sex_officer_offer(policy, case),
        "under_age": under_age_referral(policy, case),
        "may_assign": access.may_assign(user, case),
        "may_see_audit": access.may_see_audit(user),
        "may_handle_records": records_rules.may_handle_subject_access(user)
        or records_rules.may_hold(user),
        "risk": risk_selectors.risk_step_seen_by(user, case),
        "consents": consents,
        "perpetrator_permission": next(
            (c for c in consents if c.purpose == "contact_alleged_perpetrator"), None
        ),
        "letters_outstanding": closure_selectors.letters_outstanding(case),
        "referrals": casework_selectors.referrals_of(case),
        "plan": plan,
        "reviews": casework_selectors.reviews_of(case, actions=[a for a, _ in plan]),
        "policy_offers": offers.policy_offers(policy, view, [action for action, _ in plan]),
        "interviews": casework_selectors.interviews_of(case),
        "documents": casework_selectors.documents_of(case),
        "after_closure": after,
        "may_approve_closure": may_decide_closure(user, case, after),
        "may_reopen": user.role in REOPEN_ROLES,
        "may_evaluate": access.decides(user, case, access.Decision.EVALUATION),
        # A closed case shows no live tasks: nothing to contact, assess, plan or review.
        "live": case.status != "closed",
        "glass_until": access.glass_until(user, case),
        "marac_flag": flag_of(case, timezone.now()),
        "marac_hearings": hearings_of_case(case),
        "now": timezone.now(),
        **extra,
    }
