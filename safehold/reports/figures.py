"""What each figure is called and means, and the report as rows (section, item, value)
for the pages, the exports and the board report alike, so every form says the same."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from safehold.cases import diversity
from safehold.cases.models import Source
from safehold.casework.models import ActionKind
from safehold.policy.schema import Policy
from safehold.policy.vocabulary import ABUSE_TYPES, CLOSURE_REASON_LABELS
from safehold.reports.monitoring import NOT_ASSESSED, NOT_RECORDED


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    definition: str


TOTALS = (
    Figure("reports", "Reports", "Cases reported in the period (a further report on an open "
           "case is part of that case, not a new one)."),
    Figure("individuals", "Individuals", "Different survivors among those cases, each counted "
           "once however many times she reported."),
    Figure("repeat_reports", "Repeat reports", "Cases whose survivor had another case reported "
           "in the 12 months before it, one you may see."),
    Figure("appeals", "Appeals", "Appeals made on those cases (an appeal taken to stage 2 "
           "counts once)."),
)  # fmt: skip

BREAKDOWNS = (
    Figure("by_abuse_type", "Kinds of abuse", "Cases reporting each kind of abuse, in the "
           "first report or a further one; a case reporting several kinds counts under each."),
    Figure("by_source", "Who reported", "Cases by who made the first report."),
    Figure("by_risk_level", "Risk", "Cases by the level of their latest risk assessment."),
    Figure("response", "Response within target", "Met: the survivor was first contacted by "
           "the policy's target. Missed: contacted after it, or not yet and the target has "
           "passed. Pending: not yet, and the target has not passed."),
    Figure("outcomes", "Outcomes", "Cases from the period that are now closed, by the "
           "reason they closed."),
    Figure("satisfaction", "Satisfaction", "Scores from 1 (very dissatisfied) to 5 (very "
           "satisfied) given after closure on those cases, with complaints and praise."),
    Figure("appeal_outcomes", "Appeal outcomes", "Each appeal by the outcome of its last "
           "stage."),
)  # fmt: skip

ACTION_TAKEN = Figure(
    "action_taken",
    "Action taken",
    "Actions on those cases (agreed in the plan, or recommended by MARAC), by kind: done, "
    "still open, or cancelled with a reason because they will not be done.",
)

DIVERSITY = Figure(
    "diversity",
    "Diversity",
    "Survivors and alleged perpetrators on those cases, each person counted once, as "
    "recorded on their latest case in the period. Everything is optional to give.",
)

COMPLIANCE = (
    Figure("reviews", "Reviews held on time", "Reviews held in the period, and whether each "
           "was held by the date it was due (the review or report before it, plus the "
           "policy's interval)."),
    Figure("emergency_repairs", "Emergency repairs on time", "Emergency repairs due in the "
           "period: done by the policy's deadline, done late, or not done and overdue."),
    Figure("disclosures_without_consent", "Disclosures without consent", "Disclosures asked "
           "for in the period without the survivor's consent, what became of them, and who "
           "approved those sent."),
    Figure("closures", "Closures", "Cases closed in the period, with and without the "
           "survivor's agreement."),
    Figure("appeals_answered", "Appeals answered on time", "Appeal stages received in the "
           "period and whether they were answered by their due date."),
    Figure("policy_review", "Policy review", "When the policy itself is next due for review."),
)  # fmt: skip

MARAC_HEARD = Figure(
    "marac_heard",
    "Cases heard at MARAC",
    "Cases whose hearing at a MARAC had its decisions recorded in the period, each counted "
    "once, and of them those heard as a repeat (referred again within 12 months of the last "
    "referral of the same survivor).",
)
MARAC_ACTIONS = Figure(
    "marac_actions",
    "MARAC actions",
    "Actions agreed at those hearings, by the agency that owns each: completed on time (on or "
    "before the due date), completed late, still open, or cancelled.",
)

ITEM_LABELS: dict[str, str] = {
    NOT_RECORDED: "Not recorded",
    NOT_ASSESSED: "Not yet assessed",
    "standard": "Standard",
    "medium": "Medium",
    "high": "High",
    "met": "Met",
    "missed": "Missed",
    "pending": "Pending",
    "rate": "Rate (met of met and missed)",
    "responses": "Scores given",
    "mean": "Average score",
    "complaints": "Complaints",
    "praise": "Praise",
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld",
    "undecided": "Not yet decided",
    "done": "Done",
    "open": "Open",
    "cancelled": "Cancelled",
    "held": "Held",
    "on_time": "On time",
    "late": "Late",
    "due": "Due",
    "overdue": "Overdue",
    "asked": "Asked for",
    "sent": "Sent",
    "rejected": "Refused",
    "waiting": "Awaiting approval",
    "closed": "Closed",
    "with_agreement": "With the survivor's agreement",
    "without_agreement": "Without it (overridden)",
    "received": "Received",
    "answered_on_time": "Answered on time",
    "answered_late": "Answered late",
    "unanswered": "Not yet answered",
    "review_date": "Next review",
    "heard": "Cases heard",
    "repeats": "Of them repeats",
    "agreed": "Agreed",
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "prefer_not_to_say": "Prefer not to say",
    **{value: label for value, label in Source.choices},
    **{reason: label.capitalize() for reason, label in CLOSURE_REASON_LABELS.items()},
    **diversity.AGE_BAND_LABELS,
}
FIELD_LABELS = {"sex": "Sex", "age_band": "Age", **diversity.LABELS}


# A figure shown under another monitoring field's name.
MONITORING_FIELD_OF = {"appeal_outcomes": "appeals"}


def reported(key: str, policy: Policy) -> bool:
    """Whether the policy's `monitoring.fields` has the figure shown: the pages, the
    board report and the downloads show only those (the API answers every figure API.md
    names; docs/reports.md). The compliance figures are always shown."""
    return MONITORING_FIELD_OF.get(key, key) in policy.monitoring.fields


# The MARAC actions' counts, labelled as the table reads (ITEM_LABELS' "late" and "on
# time" are said of reviews held; here they are said of completing an action).
MARAC_ACTION_LABELS = {
    "agreed": "Agreed",
    "on_time": "Completed on time",
    "late": "Completed late",
    "open": "Open",
    "cancelled": "Cancelled",
}


def agency_label(agency: str, policy: Policy) -> str:
    """An agency of the MARAC figures by the policy directory's name; the provider's own
    actions as such."""
    if agency == "provider":
        return "Our own actions"
    found = policy.agencies.get(agency)
    return found.name if found is not None else agency


def action_kind_label(kind: str) -> str:
    return str(dict(ActionKind.choices).get(kind, kind)).capitalize()


def item_label(item: str, policy: Policy, field: str = "") -> str:
    if field in diversity.BANDS:
        bands = dict(diversity.BANDS[field])
        if item in bands:
            return bands[item]
    if item in ABUSE_TYPES:
        return policy.abuse_type_label(item)  # type: ignore[arg-type]
    return ITEM_LABELS.get(item, item.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Row:
    section: str
    item: str
    label: str
    value: Any


def rows(report: dict[str, Any], policy: Policy) -> Iterator[Row]:
    """Every figure of a report the policy's `monitoring.fields` has, then compliance,
    as rows, in the order the pages show them."""
    for figure in TOTALS:
        if reported(figure.key, policy):
            yield Row(figure.title, figure.key, figure.title, report[figure.key])
    for figure in BREAKDOWNS:
        if reported(figure.key, policy):
            for item, value in report[figure.key].items():
                yield Row(figure.title, item, item_label(item, policy), value)
    for kind, states in report.get("action_taken", {}).items():
        section = f"{ACTION_TAKEN.title}: {action_kind_label(kind)}"
        for item, value in states.items():
            yield Row(section, item, item_label(item, policy), value)
    groups = (("survivors", "Survivors"), ("alleged_perpetrators", "Perpetrators"))
    for group, title in groups if reported("diversity", policy) else ():
        for field, counts in report["diversity"][group].items():
            section = f"{title}: {FIELD_LABELS.get(field, field)}"
            for item, value in counts.items():
                yield Row(section, item, item_label(item, policy, field), value)
    marac = report.get("marac", {})
    for item in ("heard", "repeats"):
        if item in marac:
            yield Row(MARAC_HEARD.title, item, item_label(item, policy), marac[item])
    for agency, states in marac.get("actions", {}).items():
        section = f"{MARAC_ACTIONS.title}: {agency_label(agency, policy)}"
        for item, value in states.items():
            yield Row(section, item, MARAC_ACTION_LABELS.get(item, item), value)
    for figure in COMPLIANCE:
        for item, value in report["compliance"][figure.key].items():
            if item == "approved_by":
                for approver in value:
                    label = f"Approved by {approver['name']} ({approver['role']})"
                    yield Row(figure.title, "approved_by", label, approver["count"])
            else:
                yield Row(figure.title, item, item_label(item, policy), value)
