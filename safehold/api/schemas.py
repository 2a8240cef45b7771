"""The shapes of API.md §5, as pydantic models. A body that does not fit is 400."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictInt,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from safehold.policy.clock import FIRST_YEAR, LAST_YEAR
from safehold.policy.vocabulary import (
    AbuseType,
    ContactChannel,
    ContactDirection,
    ContactWith,
    Relationship,
)

Name = Annotated[str, StringConstraints(max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Band = Annotated[str, StringConstraints(max_length=40)]
SourceId = Literal["self", "witness", "police", "agency", "staff", "anonymous"]
SexId = Literal["female", "male", "other", "prefer_not_to_say", ""]

# A time outside the years Safehold works in (clock.FIRST_YEAR to LAST_YEAR) is a
# malformed body (400), before any service has to move it to London or add a deadline.
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)


def in_working_range(moment: datetime) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise PydanticCustomError(
            "moment_out_of_range", f"must be in the years {FIRST_YEAR} to {LAST_YEAR}"
        )
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(in_working_range)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    policy_rule: str | None = None


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """The refusals an operation's services make, for its `response=` declaration: each is
    documented as problem+json (api/openapi.py adds those every operation of a kind gives)."""
    return dict.fromkeys(statuses, Problem)


class DiversityIn(Strict):
    ethnicity: Band = ""
    disability: Band = ""
    sexual_orientation: Band = ""
    gender_identity: Band = ""
    religion: Band = ""


class SafeContactIn(Strict):
    phone: Annotated[str, StringConstraints(max_length=40)] = ""
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    safe_times: ShortText = ""
    voicemail_ok: StrictBool | None = None
    post_ok: StrictBool | None = None


class SurvivorIn(DiversityIn):
    person_id: Annotated[str, StringConstraints(max_length=32)] = ""
    name: Name = ""
    date_of_birth: date | None = None
    sex: SexId = ""
    address: ShortText = ""
    tenancy_ref: Annotated[str, StringConstraints(max_length=60)] = ""
    is_staff_member: StrictBool = False
    safe_contact: SafeContactIn = SafeContactIn()


class PerpetratorIn(DiversityIn):
    name: Name = ""
    sex: SexId = ""
    relationship: Relationship = "other"
    is_resident: StrictBool | None = None
    tenancy_ref: Annotated[str, StringConstraints(max_length=60)] = ""
    address: ShortText = Field(
        default="",
        description="His postal address, when known, sealed like every address. A letter "
        "to him by post needs it: without it, 422 `address_required`.",
    )
    is_tenant: StrictBool | None = Field(
        default=None,
        description="true: a tenant of the provider; false: not; absent or null: not "
        "known. A warning letter mentions action on his tenancy only when true.",
    )


class ChildIn(Strict):
    age: Annotated[StrictInt, Field(ge=0, le=17)] | None = None
    name: Name = ""


class RequestsIn(Strict):
    # true: asked for an officer of their own sex; false: offered one and declined;
    # absent or null: not asked.
    same_sex_officer: StrictBool | None = None
    interpreter_language: Annotated[str, StringConstraints(max_length=20)] = ""
    childcare: StrictBool = False
    interview_venue: ShortText = ""


class CaseIn(Strict):
    reported_at: Moment | None = None
    source: SourceId
    team: Name = ""
    survivor: SurvivorIn
    alleged_perpetrators: Annotated[list[PerpetratorIn], Field(max_length=20)] = []
    children: Annotated[list[ChildIn], Field(max_length=20)] = []
    abuse_types: Annotated[list[AbuseType], Field(max_length=12)] = []
    summary: LongText = ""
    requests: RequestsIn = RequestsIn()
    # The severity judged when the report was received: where the policy sets response
    # targets by risk level, it sets `response_due_at`.
    severity: Literal["standard", "medium", "high"] | None = None


class IncidentIn(Strict):
    reported_at: Moment | None = None
    source: SourceId
    abuse_types: Annotated[list[AbuseType], Field(max_length=12)] = []
    summary: LongText = ""


class ContactIn(Strict):
    at: Moment
    channel: ContactChannel
    direction: ContactDirection
    with_: ContactWith = Field(alias="with")
    notes: LongText = ""


class AssignmentIn(Strict):
    officer: Annotated[str, StringConstraints(min_length=1, max_length=150)]


class BreakGlassIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=2000)]


class CaseSearch(Strict):
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    status: Literal["open", "closing", "closed"] | None = None
    risk_level: Literal["standard", "medium", "high"] | None = None


class Built(BaseModel):
    """An answer the API's own code builds as plain dicts (api/cases.py `summary`,
    `full`), validated by pydantic alone. ninja's Schema reads every field of its input
    through a getter meant for ORM objects: for a search answering 50 cases that was a
    quarter of the request (docs/performance.md)."""

    model_config = ConfigDict(populate_by_name=True)


class PolicyRef(Built):
    id: str
    version: str


class CaseSummary(Built):
    id: str
    reference: str
    status: str
    team: str
    source: str
    reported_at: datetime
    response_due_at: datetime
    response_status: str
    first_contact_at: datetime | None
    risk_level: str | None
    repeat: bool
    restricted: bool
    assigned_officer: str | None
    next_review_due_at: datetime | None
    abuse_types: list[str]
    policy: PolicyRef


class SurvivorOut(Built):
    id: str = Field(
        description="The id of her details on this case: "
        "`PATCH /cases/{case_id}/people/{id}` changes them"
    )
    person_id: str
    name: str
    date_of_birth: str
    sex: str
    address: str
    tenancy_ref: str
    is_staff_member: bool
    safe_contact: dict[str, object]
    ethnicity: str
    disability: str
    sexual_orientation: str
    gender_identity: str
    religion: str


class CaseOut(CaseSummary):
    summary: str
    survivor: SurvivorOut
    alleged_perpetrators: list[dict[str, object]]
    children: list[dict[str, object]]
    requests: dict[str, object]
    incidents: list[dict[str, object]]
    severity: str | None = None
    under_minimum_age: bool = False
    under_age_referral_agency: str | None = None
    letters_outstanding: list[dict[str, object]] = []


class PersonPatchIn(Strict):
    """Some of a person's details, changed after the report: only the fields sent change
    (a partial update). The survivor has name, date_of_birth, sex, address, tenancy_ref,
    phone, email, safe_times, voicemail_ok and post_ok; an alleged perpetrator has name,
    sex, relationship, is_resident, tenancy_ref, is_tenant and address. A field the
    person does not have is refused (422 `unknown_detail`)."""

    name: Name = ""
    date_of_birth: date | None = Field(
        default=None, description="null clears it; a date in the future is 422"
    )
    sex: SexId = ""
    address: ShortText = Field(default="", description="Sealed like every address")
    tenancy_ref: Annotated[str, StringConstraints(max_length=60)] = ""
    phone: Annotated[str, StringConstraints(max_length=40)] = ""
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    safe_times: ShortText = ""
    voicemail_ok: StrictBool | None = None
    post_ok: StrictBool | None = None
    relationship: Relationship | Literal[""] = Field(default="", description="empty: not known")
    is_resident: StrictBool | None = None
    is_tenant: StrictBool | None = None


class PersonOut(Built):
    """What a change did: the details it changed, by name (never their values: read them
    with `GET /cases/{id}`, which is audited as a read)."""

    id: str
    role: Literal["survivor", "alleged_perpetrator"]
    changed: list[str] = Field(description="The details this request changed; empty: none")


class CasePage(Built):
    items: list[CaseSummary]
    next: str | None


class ContactOut(Schema):
    id: str
    at: datetime
    channel: str
    direction: str
    with_: str = Field(alias="with")
    first_contact_at: datetime | None
    response_status: str


class BreakGlassOut(Schema):
    id: str
    case: str
    expires_at: datetime


class BreakGlassRequestOut(Schema):
    """Break glass on a restricted case: a request waiting for a second person's decision
    (202); its page is `GET /break-glass/{id}`."""

    id: str
    case: str
    status: str
    requested_at: datetime


class BreakGlassDecisionIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=2000)]


class BreakGlassWaiting(Schema):
    id: str
    status: str
    requested_by: str
    requested_at: datetime


class BreakGlassWaitingList(Schema):
    items: list[BreakGlassWaiting]


class BreakGlassDetail(Schema):
    id: str
    case: str
    reference: str
    restricted: bool
    status: str
    requested_by: str
    requested_at: datetime
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    granted_at: datetime | None
    expires_at: datetime | None


class AuditItem(Schema):
    at: datetime
    actor: str
    action: str
    detail: dict[str, object]


class AuditOut(Schema):
    items: list[AuditItem]
    next: str | None = None


class RiskAssessmentIn(Strict):
    tool: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    answers: Annotated[
        dict[Annotated[str, StringConstraints(max_length=20)], Literal["yes", "no", "unknown"]],
        Field(max_length=200),
    ]
    professional_judgement: StrictBool = False
    police_callouts_last_12_months: Annotated[StrictInt, Field(ge=0, le=1000)] = 0


class RiskAssessmentOut(Schema):
    id: str
    tool: str
    score: int
    level: str
    marac_referral_recommended: bool
    marac_reasons: list[str]
    completed_at: datetime


class ConsentIn(Strict):
    # Needed for `referral` and `information_sharing` (422 `agency_required`); never for
    # `contact_alleged_perpetrator`, the survivor's permission (422 `agency_not_expected`).
    agency: Annotated[str, StringConstraints(max_length=60)] = ""
    purpose: Literal["referral", "information_sharing", "contact_alleged_perpetrator"]
    given: StrictBool


class ConsentOut(Schema):
    id: str
    agency: str
    purpose: str
    given: bool
    recorded_at: datetime
    recorded_by: str


class WithoutConsentIn(Strict):
    ground: Literal["child_at_risk", "adult_at_risk", "risk_of_serious_harm", "legal_obligation"]
    explanation: Annotated[str, StringConstraints(max_length=5000)] = ""


class ReferralIn(Strict):
    agency: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    reason: Annotated[str, StringConstraints(max_length=5000)] = ""
    without_consent: WithoutConsentIn | None = None


class DecisionIn(Strict):
    note: Annotated[str, StringConstraints(max_length=5000)] = ""


class ReferralOut(Schema):
    id: str
    case: str
    agency: str
    status: str
    basis: str
    without_consent_ground: str | None
    created_at: datetime
    sent_at: datetime | None
    decided_by: str | None
    # What an approver reads before deciding (issue 16): the ground in words, what is
    # shared and why, the officer's explanation, the case's risk level and status.
    created_by: str | None = None
    ground_words: str | None = None
    reason: str = ""
    explanation: str = ""
    note: str = ""
    case_risk_level: str | None = None
    case_status: str | None = None


class ActionIn(Strict):
    kind: Literal[
        "security_measure", "emergency_repair", "referral", "rehousing", "legal_action", "support"
    ]
    detail: Annotated[str, StringConstraints(max_length=5000)] = ""
    due_at: Moment | None = None
    agreed_with_survivor: StrictBool = False
    recharge: Literal["none", "survivor", "perpetrator"] = "none"
    measure: Literal[
        "",
        "panic_alarm",
        "door_window_security",
        "safe_letterbox",
        "external_lighting",
        "lock_change",
        "sanctuary_scheme_referral",
    ] = ""
    option: Literal[
        "",
        "management_transfer",
        "temporary_accommodation",
        "homelessness_referral",
        "injunction",
        "possession",
        "perpetrator_programme",
    ] = ""
    risk_assessment: Annotated[str, StringConstraints(max_length=5000)] = ""
    likely_to_increase_risk: StrictBool | None = None
    owner: Annotated[str, StringConstraints(max_length=150)] = ""
    source: Literal["plan", "marac"] = "plan"


class ActionOut(Schema):
    id: str
    case: str
    kind: str
    measure: str
    option: str
    status: str
    due_at: datetime | None
    agreed_with_survivor: bool
    recharge: str
    owner: str
    source: str
    completed_at: datetime | None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    outcome: str | None = Field(None, description="What came of it, once done")
    reopened_at: datetime | None = None
    reopened_by: str | None = None


class ActionCancelIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=5000)] = ""


class ActionCompleteIn(Strict):
    outcome: Annotated[str, StringConstraints(max_length=5000)] = ""


class ActionReopenIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=5000)] = ""


class ReviewIn(Strict):
    at: Moment | None = None
    notes: Annotated[str, StringConstraints(max_length=20_000)] = ""
    survivor_views: Annotated[str, StringConstraints(max_length=20_000)] = ""
    risk_change: Literal["", "increased", "same", "decreased", "not_known"] = ""
    action_progress: dict[
        Annotated[str, StringConstraints(max_length=32)],
        Annotated[str, StringConstraints(max_length=5000)],
    ] = Field(default_factory=dict, description="Progress of each open action, by action id")
    next_review_on: date | None = Field(
        None,
        description="The next review date; by default the policy's review interval after "
        "the review; never in the past, never later than the interval allows",
    )


class ReviewOut(Schema):
    id: str
    case: str
    at: datetime
    next_review_due_at: datetime | None
    next_review_on: date | None = None
    risk_change: str = ""
    survivor_views: str = ""
    action_progress: dict[str, str] = Field(default_factory=dict)


class LetterIn(Strict):
    kind: Literal["acknowledgement", "action_plan", "referral", "warning", "closure"]
    recipient: Literal["survivor", "alleged_perpetrator", "agency"]
    agency: Annotated[str, StringConstraints(max_length=60)] = ""
    channel: Literal["post", "by_hand"] = "post"
    # The person id of the alleged perpetrator a warning or closure letter is to; needed
    # only when the case names more than one.
    alleged_perpetrator: Annotated[str, StringConstraints(max_length=32)] = ""


class DocumentOut(Schema):
    id: str
    kind: str
    recipient: str
    agency: str
    alleged_perpetrator: str | None = None
    reference: str = Field(
        "",
        description="A letter to an alleged perpetrator: the neutral reference it quotes "
        "instead of the case's; empty on other documents",
    )
    channel: str
    created_at: datetime


class DocumentList(Schema):
    items: list[DocumentOut]


class InterviewIn(Strict):
    survivor_agrees: StrictBool = False
    safety_assessment: Annotated[str, StringConstraints(max_length=5000)] = ""


class InterviewOut(Schema):
    id: str
    case: str
    status: str
    requested_by: str
    manager_agreed: str | None
    survivor_agrees: bool
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    safety_assessment: str = ""
    note: str = ""


class InterviewList(Schema):
    items: list[InterviewOut]


class ClosureIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=60)]
    survivor_agrees: StrictBool
    review_meeting_at: Moment | None = None
    explanation: LongText = ""
    override_reason: Annotated[str, StringConstraints(max_length=5000)] = ""
    # Optional: why the case closed, in words for the closure letters to the alleged
    # perpetrators (never the survivor's part in it); `explanation` is for hers.
    perpetrator_explanation: LongText = ""


class OutstandingLetterOut(Schema):
    kind: str
    recipient: str
    alleged_perpetrator: str
    name: str
    reason: str
    detail: str


class EvaluationOut(Schema):
    """The closure's evaluation (issue 18): the judgement of how effective the work was
    (`effective`, `partly_effective`, `not_effective`, `too_early`, or "" when not given)
    and its words, each "" when not written."""

    effectiveness: str
    worked: str
    did_not_work: str
    lessons: str
    notes: str
    evaluated_by: str
    evaluated_at: datetime


class ClosureOut(Schema):
    id: str
    case: str
    status: str
    closure_status: str
    reason: str
    survivor_agrees: bool
    review_meeting_at: datetime | None
    requested_at: datetime
    requested_by: str
    decided_by: str | None
    closed_at: datetime | None
    letters: list[str]
    letters_outstanding: list[OutstandingLetterOut] = []
    evaluation: EvaluationOut | None = None


class ReopenIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=5000)]


class EvaluationIn(Strict):
    """Each optional; the evaluation needs the judgement or some words (422
    `evaluation_empty`). `notes` is the evaluation's one box from before issue 18."""

    effectiveness: Annotated[str, StringConstraints(max_length=20)] = ""
    worked: LongText = ""
    did_not_work: LongText = ""
    lessons: LongText = ""
    notes: LongText = ""


class FeedbackIn(Strict):
    satisfaction: StrictInt | None = None
    comments: LongText = ""
    kind: Annotated[str, StringConstraints(max_length=20)] = "feedback"


class FeedbackOut(Schema):
    id: str
    case: str
    kind: str
    satisfaction: int | None
    recorded_at: datetime
    recorded_by: str


class FeedbackRequestIn(Strict):
    channel: Annotated[str, StringConstraints(max_length=20)]


class FeedbackRequestOut(Schema):
    id: str
    case: str
    channel: str
    requested_at: datetime


class AppealIn(Strict):
    by: Annotated[str, StringConstraints(max_length=40)]
    grounds: LongText
    received_at: Moment | None = None


class AppealDecisionIn(Strict):
    outcome: Annotated[str, StringConstraints(max_length=40)]
    reasons: LongText


class AppealEscalationIn(Strict):
    grounds: LongText


class AppealOut(Schema):
    id: str
    case: str
    by: str
    stage: int
    status: str
    reviewer_role: str
    received_at: datetime
    acknowledge_due_at: datetime
    acknowledged_at: datetime | None
    due_at: datetime
    outcome: str | None
    decided_at: datetime | None
    escalated_from: str | None


class AppealList(Schema):
    items: list[AppealOut]
