"""The schema of a provider's policy file.

A policy file is TOML. Every table below is a model that refuses unknown keys, so a
misspelt setting is an error rather than a silently ignored line. Types are strict: a
number in quotes is text, not a number. Settings other than the five at the top of
`Policy` may be left out; they then take the good-practice baseline shown here, which
is exactly what the bundled `default` policy spells out.

The docstrings of the models and fields are the settings reference in
`docs/policy-files.md`.
"""

from __future__ import annotations

import functools
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)

from safehold.policy.agencies import Agency, default_agencies, every_agency_of_api_listed
from safehold.policy.setting_paths import (
    iter_whole_settings,
    quote_on,
    setting_exists,
    settings_under,
    whole_setting,
)
from safehold.policy.setting_types import (
    AS_TUPLE,
    UNIQUE,
    ClockTime,
    Count,
    DecisionRoles,
    KnownAbuseType,
    KnownClosureReason,
    KnownDecisionRole,
    KnownGround,
    KnownMonitoringField,
    Parties,
    PhoneNumber,
    PolicyModel,
    Quote,
    Slug,
    Text,
    Texts,
    setting_error,
)
from safehold.policy.vocabulary import (
    ABUSE_TYPE_LABELS,
    ABUSE_TYPES,
    CLOSURE_REASONS,
    MONITORING_FIELDS,
    PARTIES,
    AbuseType,
    Nation,
    ResponseTargetKind,
    RiskLevel,
)


class ResponseTarget(PolicyModel):
    """How soon after a report the survivor must be contacted."""

    kind: ResponseTargetKind
    """`clock_hours`: that many hours after the report, day or night, weekends included.
    `working_days`: by close of business (`working_hours.end`) on that many-th working
    day after the day the report was received."""

    amount: Count
    """How many hours or working days."""


class ResponseTargetsByRiskLevel(PolicyModel):
    """Targets by the severity of a report: the severity judged when the report is
    received (the intake's `severity`) sets the deadline, and a later risk assessment
    may bring it forward to its level's target, never later, and never once it has
    passed."""

    standard: ResponseTarget | None = None
    """The target for a case assessed as standard risk. Leave out to keep `response_target`."""

    medium: ResponseTarget | None = None
    """The target for a case assessed as medium risk. Leave out to keep `response_target`."""

    high: ResponseTarget | None = None
    """The target for a case assessed as high risk. Leave out to keep `response_target`."""


class WorkingHours(PolicyModel):
    """The office day, in Europe/London time. Working-day deadlines end at `end`."""

    start: ClockTime = time(9, 0)
    """When the working day starts, such as "09:00"."""

    end: ClockTime = time(17, 0)
    """Close of business, such as "17:00". A working-day deadline falls at this time."""

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> WorkingHours:
        if self.end <= self.start:
            raise setting_error("end", f"must be later than start ({self.start:%H:%M})")
        return self


class Disclosure(PolicyModel):
    """Passing a survivor's information to another agency without their consent."""

    approver_roles: DecisionRoles = ("director", "da_lead")
    """The roles that may approve a disclosure without consent. At least one; never
    `officer`, `auditor` or `admin`."""

    grounds: Annotated[tuple[KnownGround, ...], AS_TUPLE, UNIQUE] = (
        "child_at_risk",
        "risk_of_serious_harm",
        "legal_obligation",
    )
    """The grounds on which a disclosure without consent may be asked for:
    `child_at_risk`, `adult_at_risk`, `risk_of_serious_harm`, `legal_obligation`.
    An empty list means never without consent."""


class Confidentiality(PolicyModel):
    """What the survivor decides about who learns that she reported abuse."""

    permission_before_contacting_perpetrator: bool = True
    """Anything sent to, or asked of, an alleged perpetrator (a warning or closure letter,
    an interview, an outbound contact) tells him a report was made: it needs the
    survivor's permission on record first (consent purpose `contact_alleged_perpetrator`),
    otherwise it is refused with `survivor_permission_required`."""


class RestrictedCases(PolicyModel):
    """Decisions on a restricted case (the survivor is a member of staff), which only
    the people named on it see. A manager never decides one: they may be the survivor's
    own line manager."""

    fallback_roles: DecisionRoles = ("da_lead",)
    """Who takes a decision on a restricted case (disclosure approval, closure approval,
    appeal review, evaluation) when the policy gives that decision only to managers.
    Otherwise the policy's own role for the decision takes it, seeing what the decision
    needs and nothing more. Never `manager`."""

    break_glass_roles: DecisionRoles = ("da_lead",)
    """Who may break the glass on a restricted case they are not named on. Anyone else
    (an officer, a manager, a director) who tries is answered exactly as for a case that
    does not exist. Never `manager`: they may be the survivor's own line manager."""

    break_glass_needs_approval: bool = True
    """Breaking the glass on a restricted case is a request, with its reason, that a
    second person of `break_glass_roles` (never the one who asked) approves or refuses,
    with a reason of their own; access starts only when it is approved."""

    @model_validator(mode="after")
    def _no_manager_falls_back(self) -> RestrictedCases:
        if "manager" in self.fallback_roles:
            raise setting_error(
                "fallback_roles", "a manager never decides on a restricted case: leave it out"
            )
        if "manager" in self.break_glass_roles:
            raise setting_error(
                "break_glass_roles",
                "a manager never breaks the glass on a restricted case: leave it out",
            )
        return self


class Assignment(PolicyModel):
    """Who may be assigned to work with a survivor."""

    same_sex_officer_on_request: bool = True
    """A survivor who asks for an officer of their own sex gets one; assigning an officer
    of another sex is refused (`same_sex_officer_requested`), and so is any assignment
    while the survivor's sex is not recorded (`survivor_sex_unknown`: ask, do not guess)."""

    same_sex_officer_always_offered: bool = False
    """Every survivor is offered an officer of their own sex, not only those who ask: the
    answer (requested or declined) is recorded, and a case whose survivor has not been
    asked shows the offer as a task."""

    same_culture_officer_on_request: bool = True
    """A survivor may ask for an officer who shares their culture; offered, and recorded."""

    trained_officers_only: bool = True
    """Only staff trained in domestic abuse work may be assigned."""

    same_gender_interpreter: bool = True
    """An interpreter, when one is needed, is of the survivor's gender if they ask."""


class SurvivorInterview(PolicyModel):
    """How interviews with the survivor are arranged."""

    venue_of_survivors_choice: bool = True
    """The survivor may choose a safe place for the interview, not only the office."""

    may_be_accompanied: bool = True
    """The survivor may bring someone with them for support."""

    childcare_offered: bool = True
    """Childcare is offered for the length of the interview when children are present."""


class PerpetratorInterview(PolicyModel):
    """When staff may interview an alleged perpetrator. Each condition set to true must
    hold before an interview."""

    needs_officer_and_manager_agreement: bool = True
    """The investigating officer and their manager both consider it appropriate."""

    needs_survivor_agreement: bool = True
    """The survivor agrees to the interview."""

    needs_safety_check: bool = True
    """It has been considered safe to do so."""


class ActionPlan(PolicyModel):
    """What the action plan must respect."""

    agreed_with_survivor: bool = True
    """Actions are agreed with the survivor, who is kept informed of progress."""

    security_measures_offered: bool = True
    """Security measures (target hardening, locks, alarms, sanctuary schemes) are offered
    to a survivor who wants to stay at home."""

    legal_action_needs_survivor_consent: bool = True
    """Legal action against the alleged perpetrator is taken only with the survivor's
    consent."""

    no_legal_action_that_increases_risk: bool = True
    """Legal action is not pursued where it is likely to increase the risk to the survivor."""

    rehousing_risk_assessed: bool = True
    """A move is assessed for how it will reduce the risk before it is arranged."""

    joint_tenancy_legal_advice: bool = True
    """Where survivor and alleged perpetrator hold a joint tenancy, the survivor is advised
    to seek independent legal advice."""


class Recharge(PolicyModel):
    """Who pays for security measures and repairs that follow abuse."""

    survivor_forbidden: bool = True
    """The survivor is never recharged for security measures or repairs; an action with
    `recharge: "survivor"` is refused."""

    perpetrator_may_be_charged: bool = True
    """The alleged perpetrator may be recharged for the damage."""


class Closure(PolicyModel):
    """When and how a case may close."""

    reasons: Annotated[tuple[KnownClosureReason, ...], AS_TUPLE, UNIQUE, Field(min_length=1)] = (
        CLOSURE_REASONS
    )
    """The closure reasons this provider allows (API.md §3)."""

    survivor_agreement: Literal["required", "overridable"] = "required"
    """`required`: a case closes only when the survivor agrees. `overridable`: without
    the survivor's agreement only someone in `override_role` may close it."""

    override_role: KnownDecisionRole | None = None
    """With `survivor_agreement = "overridable"`, the role that may close a case the
    survivor has not agreed to close. Leave out when agreement is required."""

    review_meeting_required: bool = True
    """The closure must have been discussed with the survivor at a review meeting, whose
    date is recorded."""

    manager_approval_required: bool = True
    """A closure waits (status `closing`) until someone in `approver_roles` approves it."""

    approver_roles: DecisionRoles = ("manager", "director", "da_lead")
    """The roles that may approve a closure."""

    no_open_actions: bool = True
    """Every action on the plan must be complete before the case closes."""

    letters_to: Parties = ("survivor",)
    """Who receives a closure letter explaining the reasons: `survivor`,
    `alleged_perpetrator`."""

    evaluation_role: KnownDecisionRole | None = "director"
    """The role that evaluates every closed case. Leave out for no evaluation."""

    @model_validator(mode="after")
    def _override_role_matches_agreement(self) -> Closure:
        if self.survivor_agreement == "overridable" and self.override_role is None:
            raise setting_error(
                "override_role", 'required when survivor_agreement is "overridable"'
            )
        if self.survivor_agreement == "required" and self.override_role is not None:
            raise setting_error(
                "override_role", 'must be left out when survivor_agreement is "required"'
            )
        return self


class Feedback(PolicyModel):
    """Asking the survivor how the case was handled."""

    after_closure: bool = True
    """Ask the survivor for feedback once the case is closed."""


class AppealStage(PolicyModel):
    """The deadlines of one stage of an appeal, in working days."""

    acknowledge_working_days: Count
    """Working days from receiving the appeal to acknowledging it."""

    respond_working_days: Count
    """Working days from acknowledging the appeal to answering it."""


class SecondAppealStage(AppealStage):
    """A second review, for an appellant not satisfied with the first answer."""

    reviewer_role: KnownDecisionRole
    """The role that reviews a stage 2 appeal. It must differ from `appeals.reviewer_role`,
    so that someone other than the stage 1 reviewer can always decide it: with the same
    role and one person in it, a stage 2 appeal would wait for ever."""


class Appeals(PolicyModel):
    """Appeals against how a case was handled or the decision reached. Deadline defaults
    follow the Housing Ombudsman's Complaint Handling Code."""

    who: Parties = PARTIES
    """Who may appeal: `survivor`, `alleged_perpetrator`."""

    reviewer_role: KnownDecisionRole = "director"
    """The role that reviews an appeal."""

    stage_1: AppealStage = AppealStage(acknowledge_working_days=5, respond_working_days=10)
    """Stage 1 deadlines."""

    stage_2: SecondAppealStage | None = None
    """A second stage, only where the provider's policy describes one: its deadlines and
    its own `reviewer_role`, such as `stage_2 = { acknowledge_working_days = 5,
    respond_working_days = 20, reviewer_role = "da_lead" }`. Leave out for one review:
    the stage 1 answer is then final (escalating is refused, `no_second_stage`)."""

    @model_validator(mode="after")
    def _stage_2_has_another_reviewer(self) -> Appeals:
        if self.stage_2 is not None and self.stage_2.reviewer_role == self.reviewer_role:
            raise setting_error(
                "stage_2.reviewer_role",
                f"must differ from appeals.reviewer_role ({self.reviewer_role!r}): stage 2 "
                "is decided by someone other than the stage 1 reviewer, and another role "
                "makes sure someone can",
            )
        return self


class Retention(PolicyModel):
    """How long a closed case's record is kept before it is erased."""

    years_after_closure: Annotated[int, Field(ge=1, le=100)] = 6
    """Years after a case closes until its identifying record is erased (crypto-shredded:
    its data key is destroyed). Only the unencrypted statistical fields stay, for the
    monitoring figures. A legal hold on the case stops the erasure."""


class MaracConference(PolicyModel):
    """A local MARAC the provider attends (docs/marac.md)."""

    name: Text
    """The conference's name, as the provider's staff know it."""

    area: Text
    """The area it covers, in plain words."""

    meets: Text
    """When it meets, in plain words ("Every other Thursday")."""


def default_conferences() -> dict[str, MaracConference]:
    """Safehold's default: one local MARAC. The seeds name none and no meeting pattern."""
    return {
        "local": MaracConference(
            name="Local MARAC", area="The provider's area", meets="Every month"
        )
    }


class Marac(PolicyModel):
    """When to refer a case to MARAC, and how often to reassess a high-risk case.

    The scores at which each risk level starts belong to the risk tool, not the policy:
    each tool's file sets them, with the level at which its score alone recommends a
    MARAC referral (`visible_high_risk`; docs/risk-tools.md)."""

    potential_escalation_callouts: Count = 3
    """Police call-outs in the last 12 months at or above which a MARAC referral is
    recommended for potential escalation."""

    repeat_months: Count = 12
    """A MARAC referral within this many months before makes a new referral a repeat."""

    reassess_high_risk_days: Count = 14
    """Days a high-risk case may go without a new risk assessment before it shows as due
    for reassessment."""

    conferences: Annotated[dict[Slug, MaracConference], Field(min_length=1)] = Field(
        default_factory=default_conferences
    )
    """The local MARACs the provider attends, keyed by id: each with its name, area and
    meeting pattern. A MARAC referral goes onto the list of the next meeting of the
    first one (docs/marac.md)."""

    flag_months: Count = 12
    """Months a case heard at a MARAC carries the MARAC flag (SafeLives' flag and tag)."""

    provider_actions_after_survivor_discussion: bool = False
    """The provider's own actions agreed at a MARAC go onto the case's action plan only
    once a discussion with the survivor about them is recorded."""


class Definitions(PolicyModel):
    """What the provider counts as domestic abuse."""

    abuse_types: Annotated[dict[KnownAbuseType, Text], Field(min_length=1)] = Field(
        default_factory=lambda: dict(ABUSE_TYPE_LABELS)
    )
    """The abuse types this provider records (ids from API.md §3), each with the
    provider's own label, such as `economic = "Financial abuse"`."""

    minimum_age: Annotated[int, Field(ge=1, le=25)] = 16
    """Abuse between people of at least this age is domestic abuse; younger people are
    safeguarded as children. A younger survivor's report is still recorded, never
    refused: the case is flagged and routed to `under_age_referral_agency`."""

    under_age_referral_agency: Slug = "childrens_services"
    """The agency (an id in `agencies`) that a survivor under `minimum_age` is referred to
    for safeguarding as a child: the case shows the referral as a task."""

    repeat_months: Count = 12
    """A report is a repeat when the same survivor had a case reported this many months
    before."""


class SurvivorInformation(PolicyModel):
    """What every survivor is offered when they report."""

    documents: Texts = ("Women's Aid Survivor's Handbook",)
    """Publications offered to each person reporting abuse."""


class Monitoring(PolicyModel):
    """What is measured, and to whom it is reported."""

    fields: Annotated[tuple[KnownMonitoringField, ...], AS_TUPLE, UNIQUE, Field(min_length=1)] = (
        MONITORING_FIELDS
    )
    """The figures of the monitoring report (API.md §5 "Audit and reports")."""

    reported_to: Text = "the board"
    """Who the figures are reported to, read as "We report these figures to ..."."""


# A postcode's area or district, such as "TF" or "TF3": the routing table's keys.
PostcodePrefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}([0-9][0-9A-Z]?)?$")]
SafeAddress = Annotated[str, StringConstraints(pattern=r"^https://[^\s\"'<>]+$", max_length=200)]


class PublicPage(PolicyModel):
    """The public pages (`/tell-us` and `/tell-us/our-policy`, docs/public-pages.md):
    where a resident, a witness or a professional tells the provider about abuse."""

    title: Text = "Contact us"
    """The title the browser's tab and history show for the public pages: something
    discreet, since a person who harms may look at the device. The page itself still
    says what it is for."""

    exit_to: SafeAddress = "https://www.bbc.co.uk/weather"
    """Where "Exit this page" (and pressing Shift three times) leaves to: a neutral site
    that reveals nothing, replacing the page in the browser's history. GOV.UK's own
    default, the BBC weather page."""

    routing: dict[PostcodePrefix, Text] = Field(default_factory=dict)
    """Which team triages a report sent from the public page, by the postcode given:
    a postcode area or district (`"TF"`, `"TF3"`) to a team's name, the longest match
    first. A report with no postcode, or one no entry names, or naming a team that does
    not exist, is triaged by the domestic abuse leads."""


class PolicyReview(PolicyModel):
    """How the policy itself is kept up to date."""

    every_months: Count = 12
    """How often the policy is reviewed."""

    with_survivors_panel: bool = True
    """Whether survivors are consulted on each review."""


def _name_alone(value: object) -> object:
    # `provider = "WHA"`, as policy files said before the [provider] table: the name alone.
    return {"name": value} if isinstance(value, str) else value


class Provider(PolicyModel):
    """The housing provider whose policy it is, as its letters name it. Every letter
    Safehold writes (to the survivor, to an alleged perpetrator, to an agency) carries the
    name, address and telephone number, and is signed for `signatory`.

    Written as a table, `[provider]`, or as the name alone (`provider = "WHA"`), which
    leaves the rest to set. Safehold has no default for a provider's address, telephone
    number or signatory: one left empty is the provider's to set (`provider_to_set`, so
    listed on the "Our policy" page), and each letter shows it as "[Provider to set:
    address]" until it is set, never an invented one."""

    name: Text
    """The provider's name, such as "The Wrekin Housing Group". Required."""

    address: Texts = ()
    """The provider's postal address for letters, one line each, such as `["Colliers Way",
    "Old Park", "Telford", "TF3 4AW"]`. Empty: the provider's to set."""

    phone: PhoneNumber | Literal[""] = ""
    """The telephone number letters give, such as "01952 217100". Empty: the provider's
    to set."""

    signatory: Annotated[str, StringConstraints(max_length=200)] = ""
    """Who letters are signed for, such as "Neighbourhood Services Manager": a letter to an
    alleged perpetrator is signed in this name alone (never the officer's); the
    survivor's and agencies' letters are signed by the officer "for" it. Empty: the
    provider's to set."""

    def __str__(self) -> str:
        return self.name


# The provider's contact details that letters print: Safehold has no default for any.
PROVIDER_DETAILS = ("provider.address", "provider.phone", "provider.signatory")


class Policy(PolicyModel):
    """A provider's domestic abuse policy, as Safehold enforces it.

    `version` (a hash of the file) and `source` (its path) are set by the loader; they
    are not settings.
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
    """A short id for the policy, such as `wrekin`. Required."""

    name: Text
    """The policy's title. Required."""

    provider: Annotated[Provider, BeforeValidator(_name_alone)]
    """The housing provider whose policy it is, and what its letters give: a `[provider]`
    table (`name`, `address`, `phone`, `signatory`), or its name alone. Required."""

    source_document: Text | None = None
    """The published document this file encodes."""

    review_date: date
    """When the policy itself is next due for review, such as 2027-04-01. Required."""

    response_target: ResponseTarget
    """How soon the survivor is contacted after a report, before risk is known.
    Required."""

    response_target_by_risk_level: ResponseTargetsByRiskLevel = ResponseTargetsByRiskLevel()
    """Optional targets per level of severity: the severity judged at receipt sets the
    deadline; a later risk assessment may only bring it forward."""

    working_hours: WorkingHours = WorkingHours()
    """The office day; working-day deadlines end at its close."""

    nation: Nation = "england"
    """Whose bank holidays are not working days: `england` or `wales` (the same
    holidays), `scotland`, `northern_ireland`."""

    emergency_repair_hours: Count = 24
    """Clock hours within which an emergency repair after abuse is done."""

    review_interval_days: Count = 14
    """Days between reviews of an open case."""

    disclosure: Disclosure = Disclosure()
    confidentiality: Confidentiality = Confidentiality()
    restricted_cases: RestrictedCases = RestrictedCases()
    assignment: Assignment = Assignment()
    survivor_interview: SurvivorInterview = SurvivorInterview()
    perpetrator_interview: PerpetratorInterview = PerpetratorInterview()
    action_plan: ActionPlan = ActionPlan()
    recharge: Recharge = Recharge()
    closure: Closure = Closure()
    feedback: Feedback = Feedback()
    appeals: Appeals = Appeals()
    retention: Retention = Retention()
    marac: Marac = Marac()
    definitions: Definitions = Definitions()
    agencies: Annotated[dict[Slug, Agency], AfterValidator(every_agency_of_api_listed)] = Field(
        default_factory=default_agencies
    )
    """The agencies directory, keyed by id. It must include API.md §3's agency ids and
    may add local ones, such as `shropshire_womens_aid`."""

    survivor_information: SurvivorInformation = SurvivorInformation()
    monitoring: Monitoring = Monitoring()
    policy_review: PolicyReview = PolicyReview()
    public_page: PublicPage = PublicPage()
    quotes: dict[str, Quote] = Field(default_factory=dict)
    """The source document's own words for a setting, keyed by the setting's path, such
    as `"closure.survivor_agreement" = "We will not normally close a case ..."`. Shown
    beside the rule on the "Our policy" page, and makes the setting the provider's own
    (`source` `quoted`). A quote on a part of a setting (`"agencies.police"`) quotes the
    setting; a quote on a table (`"perpetrator_interview"`) is shown beside the table's
    rules but quotes none of its settings: each needs its own words."""

    provider_to_set: Annotated[tuple[str, ...], AS_TUPLE, UNIQUE] = ()
    """Settings the provider must decide: the document leaves them open, so the file
    writes a value for Safehold to run on that is not the provider's own. Each names a
    setting, such as `"retention.years_after_closure"`, or a table of settings, such as
    `"response_target_by_risk_level"`; none may also be quoted. Every other setting
    without a quote is Safehold's default where the document is silent."""

    _version: str = PrivateAttr(default="")
    _source: Path | None = PrivateAttr(default=None)

    @field_validator("quotes")
    @classmethod
    def _quotes_name_settings(cls, quotes: dict[str, str]) -> dict[str, str]:
        for setting in quotes:
            if not setting_exists(Policy, setting):
                raise setting_error(f'"{setting}"', "no such setting to quote")
        return quotes

    @model_validator(mode="after")
    def _under_age_referral_agency_is_listed(self) -> Policy:
        agency = self.definitions.under_age_referral_agency
        if agency not in self.agencies:
            raise setting_error(
                "definitions.under_age_referral_agency",
                f"{agency!r} is not an agency of this policy's [agencies] directory",
            )
        return self

    @model_validator(mode="after")
    def _provider_to_set_names_unquoted_settings(self) -> Policy:
        settings = rule_settings()
        for index, path in enumerate(self.provider_to_set):
            named = settings_under(settings, path)
            if not named:
                raise setting_error(f"provider_to_set[{index}]", _not_a_rule_setting(path))
            quoted = [setting for setting in named if quote_on(self.quotes, setting)]
            if quoted:
                raise setting_error(
                    f"provider_to_set[{index}]",
                    f"{quoted[0]!r} is quoted, so the document decides it: remove it from "
                    "provider_to_set, or remove its quote if the document does not set it",
                )
        return self

    @property
    def version(self) -> str:
        """A hash of the file's bytes; every case records the version it opened under."""
        return self._version

    @property
    def source(self) -> Path | None:
        """The file the policy was loaded from."""
        return self._source

    def response_target_for(self, risk_level: RiskLevel | None) -> ResponseTarget:
        """The target for a case at `risk_level`, or before its risk is known (None)."""
        if risk_level is None:
            return self.response_target
        override: ResponseTarget | None = getattr(self.response_target_by_risk_level, risk_level)
        return override or self.response_target

    def abuse_type_label(self, abuse_type: AbuseType) -> str:
        """The provider's word for an abuse type, falling back to Safehold's."""
        return self.definitions.abuse_types.get(abuse_type, ABUSE_TYPE_LABELS[abuse_type])

    def abuse_type_choices(self) -> list[tuple[AbuseType, str]]:
        """Every abuse type of the shared vocabulary, as a report offers them: the
        provider's own first, in its order and words, then the rest in the vocabulary's
        order with Safehold's words. The provider's list orders and names; it never
        refuses (a report is accepted whatever kind of abuse the survivor describes)."""
        own = list(self.definitions.abuse_types.items())
        rest = [
            (t, ABUSE_TYPE_LABELS[t]) for t in ABUSE_TYPES if t not in self.definitions.abuse_types
        ]
        return own + rest

    def with_identity(self, *, version: str, source: Path | None) -> Policy:
        """This policy marked with the file it came from (used by the loader)."""
        self._version = version
        self._source = source
        return self


# Settings that name the policy rather than set a rule: no source is given for them.
NOT_RULES = ("id", "name", "provider.name", "source_document", "quotes", "provider_to_set")


@functools.cache
def rule_settings() -> tuple[str, ...]:
    """Every setting a policy decides, as a whole (`response_target`, `agencies`,
    `closure.letters_to`), in the order of the schema: the settings `GET /api/v1/policy`
    gives a source for."""
    return tuple(iter_whole_settings(Policy, skip=NOT_RULES))


def _not_a_rule_setting(path: str) -> str:
    whole = whole_setting(rule_settings(), path)
    if whole is not None:
        return f"{path!r} is part of the setting {whole!r}: name the whole setting"
    if path in NOT_RULES:
        return f"{path!r} names the policy, not a rule the provider sets"
    return f"no such setting: {path!r}"
