"""The stable ids that every Safehold provider shares (API.md §3 and §4).

A policy chooses which ids it uses and the words it shows people for them, but never
renames an id: that is what lets figures compare across providers. Each vocabulary is
a `Literal` type (for type checking and for the policy schema) and a tuple of its ids,
derived from the `Literal` so the two cannot drift apart.

The rest of the application imports roles and vocabularies from here.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

# API.md §4.
Role = Literal["officer", "manager", "director", "da_lead", "auditor", "admin"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)

# The roles that take decisions above an officer's: approving a disclosure without
# consent or a closure, overriding a survivor's disagreement, evaluating closed cases,
# reviewing appeals. Officers are excluded because these decisions check an officer's
# work; auditors and admins because they never see a case's content (API.md §4).
DecisionRole = Literal["manager", "director", "da_lead"]
DECISION_ROLES: Final[tuple[DecisionRole, ...]] = get_args(DecisionRole)

# API.md §3: abuse types. `economic` is what some seeds call "financial" abuse.
AbuseType = Literal[
    "physical",
    "sexual",
    "violent_or_threatening",
    "controlling_or_coercive",
    "economic",
    "psychological",
    "emotional",
    "stalking_harassment",
    "technology_facilitated",
    "honour_based",
    "forced_marriage",
    "fgm",
]
ABUSE_TYPES: Final[tuple[AbuseType, ...]] = get_args(AbuseType)

# API.md §3: the relationship of an alleged perpetrator to the survivor.
Relationship = Literal[
    "partner",
    "ex_partner",
    "spouse",
    "ex_spouse",
    "parent",
    "child",
    "sibling",
    "other_family",
    "household_member",
    "other",
]
RELATIONSHIPS: Final[tuple[Relationship, ...]] = get_args(Relationship)

# API.md §3: how a contact was made, which way, and with whom.
ContactChannel = Literal["phone", "visit", "office", "video", "email", "letter", "sms"]
CONTACT_CHANNELS: Final[tuple[ContactChannel, ...]] = get_args(ContactChannel)
ContactDirection = Literal["inbound", "outbound"]
CONTACT_DIRECTIONS: Final[tuple[ContactDirection, ...]] = get_args(ContactDirection)
ContactWith = Literal["survivor", "alleged_perpetrator", "agency", "other"]
CONTACT_WITH: Final[tuple[ContactWith, ...]] = get_args(ContactWith)

# API.md §3: the agencies every bundled policy lists, plus its local ones.
AgencyId = Literal[
    "police",
    "marac",
    "idva",
    "childrens_services",
    "adult_social_care",
    "victim_support",
    "refuge",
    "local_authority_housing",
    "national_helpline",
    "perpetrator_programme",
]
AGENCY_IDS: Final[tuple[AgencyId, ...]] = get_args(AgencyId)

# API.md §3: why a case closed. A policy allows a subset.
ClosureReason = Literal[
    "resolved",
    "perpetrator_evicted",
    "perpetrator_imprisoned",
    "no_further_action_possible",
    "action_plan_complete",
    "survivor_moved_away",
    "survivor_withdrew",
]
CLOSURE_REASONS: Final[tuple[ClosureReason, ...]] = get_args(ClosureReason)

# API.md §5 "Risk": the level that follows a risk assessment.
RiskLevel = Literal["standard", "medium", "high"]
RISK_LEVELS: Final[tuple[RiskLevel, ...]] = get_args(RiskLevel)

# API.md §5 "Consent, referrals and disclosure": grounds for disclosure without consent.
DisclosureGround = Literal[
    "child_at_risk", "adult_at_risk", "risk_of_serious_harm", "legal_obligation"
]
DISCLOSURE_GROUNDS: Final[tuple[DisclosureGround, ...]] = get_args(DisclosureGround)

# The two people a case is about who may receive letters and appeal (API.md §5).
Party = Literal["survivor", "alleged_perpetrator"]
PARTIES: Final[tuple[Party, ...]] = get_args(Party)

# API.md §5 "Response and contact".
ResponseTargetKind = Literal["clock_hours", "working_days"]
RESPONSE_TARGET_KINDS: Final[tuple[ResponseTargetKind, ...]] = get_args(ResponseTargetKind)

# Whose bank holidays stop the working-day clock. England and Wales share theirs.
Nation = Literal["england", "wales", "scotland", "northern_ireland"]
NATIONS: Final[tuple[Nation, ...]] = get_args(Nation)

# The figures of `GET /reports/monitoring` (API.md §5 "Audit and reports"), and
# `action_taken`: the actions on those cases by kind, done, open or cancelled (the
# Association's [8] "action taken").
MonitoringField = Literal[
    "reports",
    "individuals",
    "repeat_reports",
    "by_abuse_type",
    "by_source",
    "by_risk_level",
    "response",
    "outcomes",
    "satisfaction",
    "diversity",
    "appeals",
    "action_taken",
]
MONITORING_FIELDS: Final[tuple[MonitoringField, ...]] = get_args(MonitoringField)


# The words Safehold shows for each id when a policy gives none of its own.
ROLE_LABELS: Final[dict[Role, str]] = {
    "officer": "housing officer",
    "manager": "manager",
    "director": "director",
    "da_lead": "domestic abuse lead",
    "auditor": "auditor",
    "admin": "administrator",
}

ABUSE_TYPE_LABELS: Final[dict[AbuseType, str]] = {
    "physical": "Physical abuse",
    "sexual": "Sexual abuse",
    "violent_or_threatening": "Violent or threatening behaviour",
    "controlling_or_coercive": "Controlling or coercive behaviour",
    "economic": "Economic abuse",
    "psychological": "Psychological abuse",
    "emotional": "Emotional abuse",
    "stalking_harassment": "Stalking or harassment",
    "technology_facilitated": "Technology-facilitated abuse",
    "honour_based": "So-called 'honour'-based abuse",
    "forced_marriage": "Forced marriage",
    "fgm": "Female genital mutilation (FGM)",
}

AGENCY_NAMES: Final[dict[AgencyId, str]] = {
    "police": "Police",
    "marac": "MARAC (multi-agency risk assessment conference)",
    "idva": "Independent domestic violence adviser (IDVA) service",
    "childrens_services": "Children's services",
    "adult_social_care": "Adult social care",
    "victim_support": "Victim Support",
    "refuge": "Refuge (emergency accommodation)",
    "local_authority_housing": "Local authority housing options",
    "national_helpline": "National Domestic Abuse Helpline",
    "perpetrator_programme": "Perpetrator programme",
}

CLOSURE_REASON_LABELS: Final[dict[ClosureReason, str]] = {
    "resolved": "the case has been resolved",
    "perpetrator_evicted": "the alleged perpetrator has been evicted",
    "perpetrator_imprisoned": "the alleged perpetrator has been sent to prison",
    "no_further_action_possible": "no further action is possible",
    "action_plan_complete": "the action plan is complete",
    "survivor_moved_away": "the survivor has moved away",
    "survivor_withdrew": "the survivor has withdrawn from the case",
}

DISCLOSURE_GROUND_LABELS: Final[dict[DisclosureGround, str]] = {
    "child_at_risk": "a child is at risk",
    "adult_at_risk": "an adult at risk needs safeguarding",
    "risk_of_serious_harm": "there is a risk of serious harm to anyone",
    "legal_obligation": "the law obliges us to disclose",
}

PARTY_LABELS: Final[dict[Party, str]] = {
    "survivor": "the survivor",
    "alleged_perpetrator": "the alleged perpetrator",
}

NATION_LABELS: Final[dict[Nation, str]] = {
    "england": "England and Wales",
    "wales": "England and Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}
