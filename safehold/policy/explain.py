"""The policy in plain English, for the "Our policy" page, `safehold policy show` and
`GET /api/v1/policy`.

Every sentence is generated from the settings, never written beside them, so what the
page says is what the application enforces. Where the policy file quotes its source
document for a setting, the quote travels with the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from safehold.policy.schema import Policy, ResponseTarget
from safehold.policy.vocabulary import (
    CLOSURE_REASON_LABELS,
    DISCLOSURE_GROUND_LABELS,
    NATION_LABELS,
    PARTY_LABELS,
    RISK_LEVELS,
    MonitoringField,
)
from safehold.policy.wording import (
    and_list,
    clock_time,
    count,
    months,
    or_list,
    ordinal,
    roles_named,
)

SECTIONS = (
    "Responding to a report",
    "Who works with the survivor",
    "Confidentiality and other agencies",
    "Keeping the survivor safe",
    "Reviewing a case",
    "Closing a case",
    "Appeals",
    "What we count as domestic abuse",
    "Monitoring and review of this policy",
)

MONITORING_FIELD_LABELS: dict[MonitoringField, str] = {
    "reports": "the number of reports",
    "individuals": "the number of people reporting",
    "repeat_reports": "repeat reports",
    "by_abuse_type": "the types of abuse",
    "by_source": "who made the reports",
    "by_risk_level": "risk levels",
    "response": "how many reports we responded to in time",
    "outcomes": "outcomes",
    "satisfaction": "survivors' satisfaction",
    "diversity": "the diversity of survivors and alleged perpetrators",
    "appeals": "appeals",
}


@dataclass(frozen=True)
class Rule:
    """One rule of the policy: what the page shows, and the settings it comes from.

    `setting` is the rule's main setting, the `policy_rule` a refusal names; `settings`
    are all the settings the sentence reads. `quotes` are the source document's own
    words for them, from the policy file's `quotes` table.
    """

    section: str
    heading: str
    text: str
    setting: str
    settings: tuple[str, ...]
    quotes: tuple[str, ...] = ()


def policy_rules(policy: Policy) -> list[Rule]:
    """Every rule of `policy`, in the order of `SECTIONS`, each with its source's words."""
    drafts = [
        *_response_rules(policy),
        *_assignment_rules(policy),
        *_confidentiality_rules(policy),
        *_safety_rules(policy),
        *_review_rules(policy),
        *_closure_rules(policy),
        *_appeal_rules(policy),
        *_definition_rules(policy),
        *_monitoring_rules(policy),
    ]
    return [
        Rule(section, heading, text, settings[0], settings, _quotes_for(policy, settings))
        for section, heading, text, settings in drafts
    ]


def policy_document(policy: Policy) -> dict[str, Any]:
    """The policy as JSON-ready data, as `GET /api/v1/policy` reports it (API.md §5)."""
    settings = policy.model_dump(mode="json")
    return {
        "id": policy.id,
        "name": policy.name,
        "version": policy.version,
        "disclosure_approver_roles": list(policy.disclosure.approver_roles),
        **settings,
    }


def policy_review_overdue(policy: Policy, today: date) -> bool:
    """Whether the policy has passed its own review date."""
    return today > policy.review_date


Draft = tuple[str, str, str, tuple[str, ...]]  # section, heading, text, settings


def _response_rules(policy: Policy) -> Iterable[Draft]:
    section = SECTIONS[0]
    yield (
        section,
        "First contact with the survivor",
        f"We contact the survivor {_within(policy, policy.response_target)}.",
        ("response_target",),
    )
    for level in RISK_LEVELS:
        target = getattr(policy.response_target_by_risk_level, level)
        if target is not None:
            yield (
                section,
                f"First contact in a {level}-risk case",
                f"Once a case is assessed as {level} risk, we contact the survivor "
                f"{_within(policy, target)}.",
                (f"response_target_by_risk_level.{level}",),
            )
    hours = policy.working_hours
    yield (
        section,
        "Working days",
        f"Our working day is {clock_time(hours.start)} to {clock_time(hours.end)}, Monday to "
        f"Friday, except bank holidays in {NATION_LABELS[policy.nation]}.",
        ("working_hours", "nation"),
    )


def _assignment_rules(policy: Policy) -> Iterable[Draft]:
    section, offers = SECTIONS[1], policy.assignment
    interview = policy.survivor_interview
    yield from _when_true(
        section,
        (
            (offers.same_sex_officer_on_request, "assignment.same_sex_officer_on_request",
             "Officer of the same sex",
             "A survivor who asks for an officer of their own sex gets one."),
            (offers.same_culture_officer_on_request, "assignment.same_culture_officer_on_request",
             "Officer of the same culture",
             "A survivor can ask for an officer who shares their culture."),
            (offers.trained_officers_only, "assignment.trained_officers_only",
             "Trained officers",
             "Only staff trained in domestic abuse work are assigned to a case."),
            (offers.same_gender_interpreter, "assignment.same_gender_interpreter",
             "Interpreters",
             "A survivor who needs an interpreter can ask for one of their own gender."),
            (interview.venue_of_survivors_choice, "survivor_interview.venue_of_survivors_choice",
             "Where we meet",
             "The survivor can choose a safe place for their interview."),
            (interview.may_be_accompanied, "survivor_interview.may_be_accompanied",
             "Support at interviews",
             "The survivor can bring someone with them for support."),
            (interview.childcare_offered, "survivor_interview.childcare_offered",
             "Childcare",
             "We offer childcare during the interview if children are present."),
        ),
    )  # fmt: skip
    yield (
        section,
        "Interviewing an alleged perpetrator",
        _perpetrator_interview_text(policy),
        ("perpetrator_interview",),
    )


def _perpetrator_interview_text(policy: Policy) -> str:
    rules = policy.perpetrator_interview
    conditions = [
        text
        for applies, text in (
            (
                rules.needs_officer_and_manager_agreement,
                "the investigating officer and their manager consider it appropriate",
            ),
            (rules.needs_survivor_agreement, "the survivor agrees"),
            (rules.needs_safety_check, "it is safe to do so"),
        )
        if applies
    ]
    if not conditions:
        return "Staff may interview an alleged perpetrator when the investigation needs it."
    return f"We interview an alleged perpetrator only when {and_list(conditions)}."


def _confidentiality_rules(policy: Policy) -> Iterable[Draft]:
    section, disclosure = SECTIONS[2], policy.disclosure
    if disclosure.grounds:
        grounds = or_list([DISCLOSURE_GROUND_LABELS[ground] for ground in disclosure.grounds])
        text = (
            "We share what the survivor tells us with other agencies only with their "
            f"consent, except where {grounds}."
        )
    else:
        text = "We never share what the survivor tells us without their consent."
    yield section, "Sharing information", text, ("disclosure.grounds",)
    yield (
        section,
        "Who approves sharing without consent",
        f"Sharing without the survivor's consent must be approved by "
        f"{roles_named(disclosure.approver_roles)}, and is recorded.",
        ("disclosure.approver_roles",),
    )
    yield (
        section,
        "Agencies we work with",
        "We work with the police and other national and local agencies. Our directory "
        "lists them, with their phone numbers where we have them.",
        ("agencies",),
    )


def _safety_rules(policy: Policy) -> Iterable[Draft]:
    section, plan = SECTIONS[3], policy.action_plan
    yield (
        section,
        "Emergency repairs",
        f"We carry out emergency repairs after abuse within "
        f"{count(policy.emergency_repair_hours, 'hour')}.",
        ("emergency_repair_hours",),
    )
    survivor_pays = "is never" if policy.recharge.survivor_forbidden else "may be"
    yield (
        section,
        "Paying for repairs and security",
        f"The survivor {survivor_pays} charged for security measures or repairs after abuse.",
        ("recharge.survivor_forbidden",),
    )
    if policy.recharge.perpetrator_may_be_charged:
        yield (
            section,
            "Charging the alleged perpetrator",
            "We may charge the alleged perpetrator for the damage.",
            ("recharge.perpetrator_may_be_charged",),
        )
    legal_action = (
        "We take legal action against the alleged perpetrator only with the survivor's consent."
        if plan.legal_action_needs_survivor_consent
        else "We consult the survivor before taking legal action against the alleged perpetrator."
    )
    yield (
        section,
        "Legal action",
        legal_action,
        ("action_plan.legal_action_needs_survivor_consent",),
    )
    yield from _when_true(
        section,
        (
            (plan.agreed_with_survivor, "action_plan.agreed_with_survivor", "Action plan",
             "We agree the action plan with the survivor and keep them informed."),
            (plan.security_measures_offered, "action_plan.security_measures_offered",
             "Security at home",
             "We offer security measures, such as better locks, alarms and sanctuary "
             "schemes, to a survivor who wants to stay at home."),
            (plan.no_legal_action_that_increases_risk,
             "action_plan.no_legal_action_that_increases_risk", "Legal action and risk",
             "We do not take legal action that is likely to increase the risk to the survivor."),
            (plan.rehousing_risk_assessed, "action_plan.rehousing_risk_assessed", "Moving home",
             "Before arranging a move we assess how it will reduce the risk to the survivor."),
            (plan.joint_tenancy_legal_advice, "action_plan.joint_tenancy_legal_advice",
             "Joint tenancies",
             "Where the survivor and the alleged perpetrator hold a joint tenancy, we advise "
             "the survivor to get independent legal advice."),
        ),
    )  # fmt: skip
    documents = policy.survivor_information.documents
    if documents:
        yield (
            section,
            "Information for survivors",
            f"Everyone who reports abuse is offered a copy of: {and_list(list(documents))}.",
            ("survivor_information.documents",),
        )


def _review_rules(policy: Policy) -> Iterable[Draft]:
    section, marac = SECTIONS[4], policy.marac
    yield (
        section,
        "Case reviews",
        f"We review every open case at least every {count(policy.review_interval_days, 'day')}.",
        ("review_interval_days",),
    )
    yield (
        section,
        "MARAC referrals",
        "We recommend a MARAC referral when the score on the risk checklist calls for one, "
        "when the officer judges the risk to be high, after "
        f"{count(marac.potential_escalation_callouts, 'police call-out')} or more in 12 "
        f"months, or when the survivor was referred in the "
        f"{count(marac.repeat_months, 'month')} before.",
        ("marac.potential_escalation_callouts", "marac.repeat_months"),
    )
    yield (
        section,
        "Reassessing high risk",
        "While a case is at high risk, we assess the risk again at least every "
        f"{count(marac.reassess_high_risk_days, 'day')}.",
        ("marac.reassess_high_risk_days",),
    )


def _closure_rules(policy: Policy) -> Iterable[Draft]:
    section, closure = SECTIONS[5], policy.closure
    reasons = or_list([CLOSURE_REASON_LABELS[reason] for reason in closure.reasons])
    yield section, "When a case can close", f"We close a case when {reasons}.", ("closure.reasons",)
    yield (
        section,
        "The survivor's agreement",
        _agreement_text(policy),
        ("closure.survivor_agreement", "closure.override_role"),
    )
    approvers = roles_named(closure.approver_roles)
    letters_to = and_list([PARTY_LABELS[party] for party in closure.letters_to])
    evaluator = roles_named([closure.evaluation_role] if closure.evaluation_role else [])
    yield from _when_true(
        section,
        (
            (closure.review_meeting_required, "closure.review_meeting_required", "Review meeting",
             "Before closing, we discuss the closure with the survivor at a review meeting."),
            (closure.manager_approval_required,
             ("closure.manager_approval_required", "closure.approver_roles"), "Approval",
             f"A closure takes effect only when {approvers} approves it."),
            (closure.no_open_actions, "closure.no_open_actions", "Open actions",
             "Every action on the plan must be complete before the case closes."),
            (bool(closure.letters_to), "closure.letters_to", "Closure letters",
             f"We confirm the closure in writing to {letters_to}, explaining the reasons."),
            (bool(evaluator), "closure.evaluation_role", "Evaluation",
             f"{evaluator.capitalize()} evaluates every closed case."),
            (policy.feedback.after_closure, "feedback.after_closure", "Feedback",
             "After closing, we ask the survivor for feedback on how the case was handled."),
        ),
    )  # fmt: skip
    yield (
        section,
        "Keeping the record",
        f"We keep a closed case's record for "
        f"{count(policy.retention.years_after_closure, 'year')} after it closes, then erase "
        "everything that could identify anyone in it, unless the law requires us to keep it.",
        ("retention.years_after_closure",),
    )


def _agreement_text(policy: Policy) -> str:
    closure = policy.closure
    if closure.survivor_agreement == "required" or closure.override_role is None:
        return "We close a case only if the survivor agrees."
    overrider = roles_named([closure.override_role])
    return (
        f"We aim to agree the closure with the survivor; only {overrider} can close a case "
        "the survivor has not agreed to close."
    )


def _appeal_rules(policy: Policy) -> Iterable[Draft]:
    section, appeals = SECTIONS[6], policy.appeals
    if appeals.who:
        who = or_list([PARTY_LABELS[party] for party in appeals.who]).capitalize()
        yield (
            section,
            "Who can appeal",
            f"{who} can appeal against how the case was handled or the decision reached. "
            f"{roles_named((appeals.reviewer_role,)).capitalize()} reviews the appeal.",
            ("appeals.who", "appeals.reviewer_role"),
        )
    for number, stage in (("1", appeals.stage_1), ("2", appeals.stage_2)):
        yield (
            section,
            f"Appeal deadlines, stage {number}",
            f"At stage {number} we acknowledge an appeal within "
            f"{count(stage.acknowledge_working_days, 'working day')} and answer it within "
            f"{count(stage.respond_working_days, 'working day')} of acknowledging it.",
            (f"appeals.stage_{number}",),
        )


def _definition_rules(policy: Policy) -> Iterable[Draft]:
    section, definitions = SECTIONS[7], policy.definitions
    labels = [_in_sentence(label) for label in definitions.abuse_types.values()]
    yield (
        section,
        "Kinds of abuse",
        f"We recognise and record {and_list(labels)}.",
        ("definitions.abuse_types",),
    )
    yield (
        section,
        "Age",
        f"This policy covers abuse between people aged {definitions.minimum_age} or over; "
        "a younger person is safeguarded as a child.",
        ("definitions.minimum_age",),
    )


def _monitoring_rules(policy: Policy) -> Iterable[Draft]:
    section, review = SECTIONS[8], policy.policy_review
    figures = and_list([MONITORING_FIELD_LABELS[field] for field in policy.monitoring.fields])
    yield (
        section,
        "What we monitor",
        f"We report {figures} to {policy.monitoring.reported_to}.",
        ("monitoring.fields", "monitoring.reported_to"),
    )
    panel = ", with a panel of survivors" if review.with_survivors_panel else ""
    yield (
        section,
        "Reviewing this policy",
        f"We review this policy every {months(review.every_months)}{panel}. "
        f"The next review is due by {policy.review_date.day} "
        f"{policy.review_date:%B %Y}.",
        ("policy_review", "review_date"),
    )


def _in_sentence(label: str) -> str:
    """ "Physical abuse" reads "physical abuse" mid-sentence; "FGM" stays "FGM"."""
    return label if label[1:2].isupper() else label[0].lower() + label[1:]


def _when_true(
    section: str, candidates: Iterable[tuple[bool, str | tuple[str, ...], str, str]]
) -> Iterable[Draft]:
    """The rules whose setting is switched on; a setting switched off promises nothing."""
    for applies, settings, heading, text in candidates:
        if applies:
            yield section, heading, text, (settings,) if isinstance(settings, str) else settings


def _quotes_for(policy: Policy, settings: tuple[str, ...]) -> tuple[str, ...]:
    """The quotes on these settings, on the tables they sit in, or on their parts."""
    found: list[str] = []
    for key, words in policy.quotes.items():
        related = any(_same_branch(key, setting) for setting in settings)
        if related and words not in found:
            found.append(words)
    return tuple(found)


def _same_branch(key: str, setting: str) -> bool:
    return key == setting or key.startswith(f"{setting}.") or setting.startswith(f"{key}.")


def _within(policy: Policy, target: ResponseTarget) -> str:
    if target.kind == "clock_hours":
        return (
            f"within {count(target.amount, 'hour')} of the report, at any time of day or "
            "night, weekends and bank holidays included"
        )
    close = clock_time(policy.working_hours.end)
    if target.amount == 1:
        return f"within 1 working day: by {close} on the next working day after the report"
    return (
        f"within {target.amount} working days: by {close} on the {ordinal(target.amount)} "
        "working day after the day of the report"
    )
