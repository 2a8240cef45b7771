"""What the policy offers this survivor, as prompts on the case page: the settings that
promise something an officer does (offer security measures, advise on a joint tenancy,
arrange the interview as the survivor needs, book an interpreter, offer the handbook)
and that no rule can check by itself. Each prompt names the setting it comes from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from safehold.cases.models import Case
from safehold.cases.selectors import CaseView
from safehold.casework.models import Action, ActionKind
from safehold.policy.schema import Policy
from safehold.policy.wording import and_list
from safehold.web.languages import language_name


@dataclass(frozen=True)
class Offer:
    setting: str  # the policy setting that makes the promise
    text: str
    hint: str = ""
    link: str = ""  # the kind of action to add, where the offer is an action
    done: bool = False  # the offer is on the plan already


def joint_tenancy(survivor: dict[str, object], perpetrators: Iterable[dict[str, object]]) -> str:
    """The tenancy reference the survivor shares with an alleged perpetrator, if any."""
    own = str(survivor.get("tenancy_ref") or "").strip().casefold()
    for person in perpetrators:
        if own and str(person.get("tenancy_ref") or "").strip().casefold() == own:
            return str(survivor.get("tenancy_ref"))
    return ""


def policy_offers(policy: Policy, view: CaseView, plan: Iterable[Action]) -> list[Offer]:
    """The offers for an open case, from the case page's view of its details."""
    case = view.case
    if case.status != "open":
        return []
    survivor = view.survivor.details
    perpetrators = [person.details for person in view.alleged_perpetrators]
    children = len(view.children)
    venue = str(view.details.get("interview_venue") or "")
    offers: list[Offer] = []
    plan_rules, assignment = policy.action_plan, policy.assignment
    if plan_rules.security_measures_offered:
        offered = any(action.kind == ActionKind.SECURITY_MEASURE for action in plan)
        offers.append(
            Offer(
                "action_plan.security_measures_offered",
                "Offer security measures for the home: better locks, door and window "
                "security, a panic alarm, lighting, a sanctuary scheme",
                "Offered: see the action plan" if offered else "None on the plan yet",
                link=ActionKind.SECURITY_MEASURE,
                done=offered,
            )
        )
    shared = joint_tenancy(survivor, perpetrators)
    if plan_rules.joint_tenancy_legal_advice and shared:
        offers.append(
            Offer(
                "action_plan.joint_tenancy_legal_advice",
                "Advise the survivor to seek independent legal advice on their options",
                f"The survivor and an alleged perpetrator hold a joint tenancy ({shared})",
            )
        )
    offers += interview_offers(policy, case, children=children, venue=venue)
    if assignment.same_gender_interpreter and case.interpreter_language:
        offers.append(
            Offer(
                "assignment.same_gender_interpreter",
                f"Book an interpreter ({language_name(case.interpreter_language)}), of the "
                "survivor's own sex if they ask",
            )
        )
    if assignment.same_culture_officer_on_request:
        offers.append(
            Offer(
                "assignment.same_culture_officer_on_request",
                "If the survivor asks, assign an officer who shares their culture",
            )
        )
    if policy.survivor_information.documents:
        offers.append(
            Offer(
                "survivor_information.documents",
                f"Offer the survivor {and_list(list(policy.survivor_information.documents))}",
            )
        )
    return offers


def interview_offers(policy: Policy, case: Case, *, children: int, venue: str) -> list[Offer]:
    rules = policy.survivor_interview
    offers = []
    if rules.venue_of_survivors_choice:
        offers.append(
            Offer(
                "survivor_interview.venue_of_survivors_choice",
                "Interview the survivor at a safe place of their choice",
                f"They asked to meet at: {venue}" if venue else "Ask where they would like to meet",
            )
        )
    if rules.may_be_accompanied:
        offers.append(
            Offer(
                "survivor_interview.may_be_accompanied",
                "Tell the survivor they may bring someone with them for support",
            )
        )
    if rules.childcare_offered and (children or case.childcare):
        offers.append(
            Offer(
                "survivor_interview.childcare_offered",
                "Offer childcare for the length of the interview",
                "They asked for childcare" if case.childcare else "Children are named on the case",
            )
        )
    return offers
