"""The policy in plain English, for the "Our policy" page, `safehold policy show` and
`GET /api/v1/policy`.

Every sentence is generated from the settings, never written beside them, so what the
page says is what the application enforces. Where the policy file quotes its source
document for a setting, the quote travels with the rule, and each rule says whose it is
(`safehold.policy.sources`): the provider's own words, Safehold's default where the
provider's document is silent, or a value the provider has still to set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, time
from typing import Any

from safehold.policy.letterhead import to_set
from safehold.policy.schema import PROVIDER_DETAILS, AppealStage, Policy, ResponseTarget
from safehold.policy.sources import SOURCES, SettingSource, Source, setting_sources, sources_of
from safehold.policy.vocabulary import (
    AGENCY_IDS,
    CLOSURE_REASON_LABELS,
    DISCLOSURE_GROUND_LABELS,
    NATION_LABELS,
    PARTY_LABELS,
    RISK_LEVELS,
    ROLE_LABELS,
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
    "Our letters",
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
    "action_taken": "the action taken on reports",
}


# What a setting decides, read after "does not say": where a rule reads several
# settings and they come from different places, the page names the ones that are not
# the provider's words.
SETTING_QUESTIONS: dict[str, str] = {
    "working_hours.start": "when the working day starts",
    "working_hours.end": "when the working day ends",
    "nation": "whose bank holidays are not working days",
    "perpetrator_interview.needs_officer_and_manager_agreement": (
        "whether the officer and their manager must agree"
    ),
    "perpetrator_interview.needs_survivor_agreement": "whether the survivor must agree",
    "perpetrator_interview.needs_safety_check": "whether it must be safe",
    "closure.survivor_agreement": "whether the survivor must agree to the closure",
    "closure.override_role": "who can close a case the survivor has not agreed to close",
    "closure.manager_approval_required": "whether a closure needs approval",
    "closure.approver_roles": "who approves a closure",
    "appeals.who": "who can appeal",
    "appeals.reviewer_role": "who reviews an appeal",
    "marac.potential_escalation_callouts": "how many police call-outs call for a referral",
    "marac.repeat_months": "how recent an earlier referral makes a repeat",
    "marac.conferences": "which MARACs it attends and when they meet",
    "marac.flag_months": "how long a case heard at a MARAC stays flagged",
    "monitoring.fields": "which figures are reported",
    "monitoring.reported_to": "who the figures are reported to",
    "policy_review.every_months": "how often the policy is reviewed",
    "policy_review.with_survivors_panel": "whether survivors are consulted",
    "review_date": "when the next review is due",
    "definitions.minimum_age": "the age from which abuse is domestic abuse",
    "definitions.under_age_referral_agency": "who a younger survivor is referred to",
    "restricted_cases.break_glass_roles": "who may open such a case in an emergency",
    "restricted_cases.break_glass_needs_approval": "whether another must approve it first",
    "provider.address": "the address our letters give",
    "provider.phone": "the telephone number our letters give",
    "provider.signatory": "who our letters are signed for",
}

# The id of Safehold's own baseline, whose every setting is Safehold's default.
BASELINE_POLICY_ID = "default"


@dataclass(frozen=True)
class SourceNote:
    """What the page says of where a rule, or some of its settings, come from.

    `source` is `quoted`, `default` or `provider_to_set`; `tag` is the short label
    ("WHA's words", "Safehold's default", "For WHA to set") and `text` the sentence
    ("Safehold's default: WHA's policy does not say."). A `quoted` note carries the
    provider's words in `quote`.
    """

    source: Source
    tag: str
    text: str
    quote: str = ""


@dataclass(frozen=True)
class Rule:
    """One rule of the policy: what the page shows, and the settings it comes from.

    `setting` is the rule's main setting, the `policy_rule` a refusal names; `settings`
    are all the settings the sentence reads. `quotes` are the source document's own
    words for them, from the policy file's `quotes` table. `sources` gives each setting
    the rule reads (a table such as `perpetrator_interview` read as its settings) with
    where it comes from; `notes` say so in words (the provider's words first, one note
    per quote) and `tags` in a label for each kind of source among its settings.
    """

    section: str
    heading: str
    text: str
    setting: str
    settings: tuple[str, ...]
    quotes: tuple[str, ...] = ()
    sources: tuple[tuple[str, SettingSource], ...] = ()
    notes: tuple[SourceNote, ...] = ()
    tags: tuple[SourceNote, ...] = ()


def policy_rules(policy: Policy) -> list[Rule]:
    """Every rule of `policy`, in the order of `SECTIONS`, each with its source's words
    and whose rule it is."""
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
        *_letter_rules(policy),
    ]
    rules = []
    for section, heading, text, settings in drafts:
        quotes = _quotes_for(policy, settings)
        sources = sources_of(policy, settings)
        notes = _source_notes(policy, sources, quotes)
        tags = _source_tags(policy, sources)
        rules.append(
            Rule(section, heading, text, settings[0], settings, quotes, sources, notes, tags)
        )
    return rules


def policy_document(policy: Policy) -> dict[str, Any]:
    """The policy as JSON-ready data, as `GET /api/v1/policy` reports it (API.md §5).

    Every setting keeps its value where the file has it; `sources` adds, for each
    setting by its dotted path, where it comes from (`source`) and, when quoted, the
    provider's words (`quote`)."""
    settings = policy.model_dump(mode="json")
    return {
        "id": policy.id,
        "name": policy.name,
        "version": policy.version,
        "disclosure_approver_roles": list(policy.disclosure.approver_roles),
        **settings,
        "sources": {
            setting: {key: value for key, value in asdict(source).items() if value is not None}
            for setting, source in setting_sources(policy).items()
        },
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
            (offers.same_sex_officer_always_offered,
             "assignment.same_sex_officer_always_offered",
             "Offering an officer of the same sex",
             "We ask every survivor whether they would like an officer of their own sex, "
             "and record their answer."),
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
    if policy.confidentiality.permission_before_contacting_perpetrator:
        yield (
            section,
            "Contacting the alleged perpetrator",
            "We write to, interview or contact an alleged perpetrator only with the "
            "survivor's permission, because doing so tells them that a report was made.",
            ("confidentiality.permission_before_contacting_perpetrator",),
        )
    yield (
        section,
        "When the survivor works for us",
        "When the survivor is a member of our staff, only the people who must take a "
        "decision on the case can see it, never their own team or line manager. A decision "
        f"this policy gives only to managers is taken by "
        f"{roles_named(policy.restricted_cases.fallback_roles)}.",
        ("restricted_cases.fallback_roles",),
    )
    restricted = policy.restricted_cases
    approval = (
        ", and only once another of them has approved it with a reason"
        if restricted.break_glass_needs_approval
        else ""
    )
    yield (
        section,
        "Opening a case in an emergency when the survivor works for us",
        "Nobody may open a case they are not named on when the survivor is a member of our "
        f"staff except {roles_named(restricted.break_glass_roles)}{approval}. Each request, "
        "its reason and the decision on it are recorded.",
        ("restricted_cases.break_glass_roles", "restricted_cases.break_glass_needs_approval"),
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
    names = and_list([conference.name for conference in marac.conferences.values()])
    yield (
        section,
        "MARAC meetings",
        f"We take part in {names}. A case heard at a MARAC carries the MARAC flag for "
        f"{count(marac.flag_months, 'month')}.",
        ("marac.conferences", "marac.flag_months"),
    )
    yield (
        section,
        "MARAC actions",
        (
            "Our own actions agreed at a MARAC go onto the case's action plan once we have "
            "discussed them with the survivor."
            if marac.provider_actions_after_survivor_discussion
            else "Our own actions agreed at a MARAC go onto the case's action plan when "
            "the MARAC's decisions are recorded."
        ),
        ("marac.provider_actions_after_survivor_discussion",),
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
    stages = [("1", appeals.stage_1, "")]
    if appeals.stage_2 is not None:  # a second stage only where the policy has one
        reviewer = roles_named((appeals.stage_2.reviewer_role,))
        stages.append(("2", appeals.stage_2, f" {reviewer.capitalize()} reviews stage 2."))
    for number, stage, reviewed_by in stages:
        yield (
            section,
            f"Appeal deadlines, stage {number}",
            f"At stage {number} we acknowledge an appeal within "
            f"{count(stage.acknowledge_working_days, 'working day')} and answer it within "
            f"{count(stage.respond_working_days, 'working day')} of acknowledging it."
            + reviewed_by,
            (f"appeals.stage_{number}",),
        )


def _definition_rules(policy: Policy) -> Iterable[Draft]:
    section, definitions = SECTIONS[7], policy.definitions
    labels = [_in_sentence(label) for label in definitions.abuse_types.values()]
    yield (
        section,
        "Kinds of abuse",
        f"We recognise and record {and_list(labels)}, and any other form of domestic "
        "abuse a survivor describes: we never turn a report away for its kind.",
        ("definitions.abuse_types",),
    )
    agency_id = definitions.under_age_referral_agency
    agency = policy.agencies[agency_id].name
    # A shared agency's name is a common noun ("Children's services"); a local one's may
    # be a proper name ("Telford Children's Services"), kept as written.
    agency = _in_sentence(agency) if agency_id in AGENCY_IDS else agency
    yield (
        section,
        "Age",
        f"This policy covers abuse between people aged {definitions.minimum_age} or over.",
        ("definitions.minimum_age",),
    )
    yield (
        section,
        "Children who report abuse",
        f"We still record the report of someone under {definitions.minimum_age}, and "
        f"safeguard them as a child with a referral to {agency}.",
        ("definitions.under_age_referral_agency",),
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


def _letter_rules(policy: Policy) -> Iterable[Draft]:
    provider = policy.provider
    address = ", ".join(provider.address) or "not set yet"
    signed = provider.signatory or "a signatory not set yet"
    yield (
        SECTIONS[9],
        "Who our letters come from",
        f"Every letter we send gives our name ({provider.name}), our address ({address}) and "
        f"our telephone number ({provider.phone or 'not set yet'}), and is signed for {signed}.",
        PROVIDER_DETAILS,
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


def _source_notes(
    policy: Policy, sources: tuple[tuple[str, SettingSource], ...], quotes: tuple[str, ...]
) -> tuple[SourceNote, ...]:
    """Whose rule it is, in words: the provider's own words (on the rule's settings, or
    on the table they are in), what it has still to set, and Safehold's defaults where
    its document is silent."""
    provider, own = _provider_words(policy)
    grouped = _grouped(sources)
    whole = len(sources)
    notes = [SourceNote("quoted", _tag(policy, "quoted"), f"In {own} words:", q) for q in quotes]
    to_set = grouped["provider_to_set"]
    if to_set:
        uses = and_list([_value_words(policy, setting) for setting in to_set])
        unsaid = "" if len(to_set) == whole else f"its policy does not say {_asked(to_set)}, so "
        notes.append(
            SourceNote(
                "provider_to_set",
                _tag(policy, "provider_to_set"),
                f"{_capitalised(provider)} has not set this yet: {unsaid}Safehold uses {uses}.",
            )
        )
    silent = grouped["default"]
    if silent:
        if policy.id == BASELINE_POLICY_ID:
            text = "Safehold's default, from its good-practice baseline."
        else:
            asked = "" if len(silent) == whole else f" {_asked(silent)}"
            text = f"Safehold's default: {own} policy does not say{asked}."
        notes.append(SourceNote("default", _tag(policy, "default"), text))
    return tuple(notes)


_TAG_ORDER: tuple[Source, ...] = ("quoted", "provider_to_set", "default")


def _tag(policy: Policy, source: Source) -> str:
    if source == "quoted":
        return f"{_capitalised(_provider_words(policy)[1])} words"
    if source == "provider_to_set":
        return f"For {policy.provider} to set"
    return "Safehold's default"


def _source_tags(
    policy: Policy, sources: tuple[tuple[str, SettingSource], ...]
) -> tuple[SourceNote, ...]:
    """A tag for each kind of source among the rule's settings: "WHA's words", "For WHA to
    set", "Safehold's default", in that order."""
    grouped = _grouped(sources)
    return tuple(
        SourceNote(source, _tag(policy, source), "") for source in _TAG_ORDER if grouped[source]
    )


def _grouped(sources: tuple[tuple[str, SettingSource], ...]) -> dict[Source, list[str]]:
    grouped: dict[Source, list[str]] = {source: [] for source in SOURCES}
    for setting, source in sources:
        grouped[source.source].append(setting)
    return grouped


def _provider_words(policy: Policy) -> tuple[str, str]:
    """The provider as a sentence names it ("WHA", "the Association") and its possessive."""
    name = policy.provider.name
    return name, (f"{name}'" if name.endswith("s") else f"{name}'s")


def _capitalised(words: str) -> str:
    """ "the Association" opens a sentence as "The Association"; "whg" stays "whg"."""
    return f"The{words[3:]}" if words.startswith("the ") else words


def _asked(settings: list[str]) -> str:
    return or_list(
        [SETTING_QUESTIONS.get(s, s.rsplit(".", 1)[-1].replace("_", " ")) for s in settings]
    )


def _value_words(policy: Policy, setting: str) -> str:
    """The value Safehold uses for a setting, in words: "24 hours", "a director"."""
    value: Any = policy
    for part in setting.split("."):
        value = getattr(value, part, None) if not isinstance(value, dict) else value.get(part)
    return _words_for(setting, value)


_UNITS = (
    ("_working_days", "working day"),
    ("_days", "day"),
    ("_hours", "hour"),
    ("_months", "month"),
    ("years_after_closure", "year"),
    ("_callouts", "police call-out"),
)


def _words_for(setting: str, value: Any) -> str:
    if setting in PROVIDER_DETAILS:
        what = {"provider.address": "address", "provider.phone": "telephone number"}
        shown = to_set(what.get(setting, "signatory"))
        return f'"{shown}" on every letter' if not value else "the value written in the file"
    if value is None:
        return "none"
    if isinstance(value, ResponseTarget):
        unit = "hour" if value.kind == "clock_hours" else "working day"
        return count(value.amount, unit)
    if isinstance(value, AppealStage):
        return (
            f"{count(value.acknowledge_working_days, 'working day')} to acknowledge and "
            f"{count(value.respond_working_days, 'working day')} to answer"
        )
    if isinstance(value, bool):
        return "the rule above" if value else "none"
    if isinstance(value, time):
        return clock_time(value)
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, int):
        unit = next((unit for end, unit in _UNITS if setting.endswith(end)), "")
        return count(value, unit) if unit else str(value)
    roles: tuple[Any, ...] = (value,) if isinstance(value, str) else value
    if isinstance(roles, tuple) and roles and all(item in ROLE_LABELS for item in roles):
        return roles_named(roles)
    if isinstance(value, str):
        nations = {str(nation): label for nation, label in NATION_LABELS.items()}
        return nations.get(value, value)
    return "the rule above"


def source_key(policy: Policy, rules: list[Rule]) -> tuple[SourceNote, ...]:
    """What each tag on the "Our policy" page means, for the kinds its rules carry."""
    provider, own = _provider_words(policy)
    meanings: dict[Source, str] = {
        "quoted": f"the rule is in {own} policy document, whose own words are quoted",
        "provider_to_set": (
            f"the document leaves it open and {provider} must decide it: Safehold uses "
            "the value shown until it does"
        ),
        "default": (
            "Safehold's own good-practice baseline"
            if policy.id == BASELINE_POLICY_ID
            else "the document does not say, so Safehold uses its good-practice default"
        ),
    }
    present = {tag.source for rule in rules for tag in rule.tags}
    return tuple(
        SourceNote(source, _tag(policy, source), meanings[source])
        for source in _TAG_ORDER
        if source in present
    )


@dataclass(frozen=True)
class Refused:
    """A refusal's policy setting in words, for the page that refuses: the rule it belongs
    to (`heading`, `text`: "" when no rule of the policy reads it) and whose rule it is
    (`notes`: the provider's own words quoted, Safehold's default, or the provider's to
    set). The setting's dotted name is for the API and the logs, never for a person."""

    heading: str
    text: str
    notes: tuple[SourceNote, ...]


def refused_by(policy: Policy, setting: str) -> Refused:
    """What a page shows for a refusal naming `setting` (a `Refusal.policy_rule`): the
    rule that reads that setting, or failing one, the rule that reads its table or a part
    of it; with the notes of whose rule it is, the setting's own quote first."""
    rules = policy_rules(policy)
    rule = next((r for r in rules if setting in r.settings), None) or next(
        (r for r in rules if any(_same_branch(setting, s) for s in r.settings)), None
    )
    own = quote_on_setting(policy, setting)
    if rule is not None:
        quotes = tuple(dict.fromkeys([*([own] if own else []), *rule.quotes]))
        sources = rule.sources
        heading, text = rule.heading, rule.text
    else:
        quotes = _quotes_for(policy, (setting,))
        sources = sources_of(policy, (setting,))
        heading, text = "", ""
    return Refused(heading, text, _source_notes(policy, sources, quotes))


def quote_on_setting(policy: Policy, setting: str) -> str:
    """The policy file's quote on exactly this setting, "" when it has none."""
    return policy.quotes.get(setting, "")
