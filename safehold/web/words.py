"""Plain words for the codes Safehold keeps (issue 18, "Plain words").

No machine code reaches a person: an abuse type, agency, ground, role, MARAC reason,
risk tool, channel, audit action, date, time, sex or the policy itself is shown in the
policy's words (its labels of abuse types and agencies), Safehold's (policy/vocabulary.py,
the models' choices) or GOV.UK's (dates as 12 April 1988, times as 2:36pm). The template
filters of `safehold/web/templatetags/words.py` (a builtin of every template) call these;
anything else that writes for a person may too.

A code nobody has given words to is shown as words made from it ("case.legal_hold_placed"
reads "Case: legal hold placed"), never as the code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from safehold.accounts.roles import Role, Sex
from safehold.policy import vocabulary
from safehold.policy.loader import active_policy, bundled_policy_ids, load_policy
from safehold.policy.wording import and_list, clock_time

# The trail's kinds of action live in privacy (the domain's base); the pages read them here.
from safehold.privacy.kinds import AUDIT_KINDS as AUDIT_KINDS

LONDON = ZoneInfo("Europe/London")

RISK_LEVELS = {"standard": "Standard", "medium": "Medium", "high": "High"}

# How a contact was made (vocabulary.CONTACT_CHANNELS), and which way.
CHANNELS = {
    "phone": "Phone call",
    "visit": "Home visit",
    "office": "At the office",
    "video": "Video call",
    "email": "Email",
    "letter": "Letter",
    "sms": "Text message",
}
DIRECTIONS = {"inbound": "from them", "outbound": "to them"}
CONTACT_WITH = {
    "survivor": "The survivor",
    "alleged_perpetrator": "The alleged perpetrator",
    "agency": "An agency",
    "other": "Someone else",
}

# Why an assessment recommends a MARAC referral (risk/services.py), in a few words; the
# risk pages give the whole sentence (risk/selectors.py REASON_TEXT).
MARAC_REASONS = {
    "visible_high_risk": "Score at the high-risk threshold",
    "professional_judgement": "Professional judgement",
    "potential_escalation": "Police call-outs (potential escalation)",
    "repeat": "Repeat referral",
}

# What each audit action did, as the trail says it: "Opened the case".
AUDIT_ACTIONS = {
    "case.opened": "Opened the case",
    "case.viewed": "Read the case",
    "case.triaged": "Triaged a report from the public page",
    "case.audit_viewed": "Read the audit trail",
    "case.assigned": "Assigned the case",
    "case.closed": "Closed the case",
    "case.reopened": "Reopened the case",
    "case.erased": "Erased the case's data",
    "case.under_minimum_age": "Recorded a survivor under the minimum age",
    "case.break_glass": "Broke the glass to open the case",
    "case.break_glass_requested": "Asked to break the glass",
    "case.break_glass_approved": "Approved breaking the glass",
    "case.break_glass_declined": "Declined breaking the glass",
    "case.legal_hold_placed": "Placed a legal hold",
    "case.legal_hold_lifted": "Lifted the legal hold",
    "same_sex_officer.answered": "Recorded whether the survivor wants an officer of their sex",
    "case.listed": "Listed cases",
    "break_glass.refused": "Was refused breaking the glass",
    "incident.added": "Added a further report",
    "person.added": "Added a person",
    "person.updated": "Changed a person's details",
    "contact.recorded": "Recorded a contact",
    "contact_interval.agreed": "Agreed how often to keep in contact",
    "risk.started": "Started a risk assessment",
    "risk.section_saved": "Saved answers of a risk assessment",
    "risk.assessed": "Completed a risk assessment",
    "consent.given": "Recorded consent given",
    "consent.withdrawn": "Recorded consent withdrawn or refused",
    "disclosure.requested": "Asked to share information without consent",
    "disclosure.approved": "Approved sharing information without consent",
    "disclosure.rejected": "Refused sharing information without consent",
    "disclosure.sent": "Sent a referral",
    "disclosure.letter": "Sent a letter sharing information",
    "disclosure.partner_share_requested": "Asked to share a restricted case with partners",
    "disclosure.partner_share_approved": "Approved sharing a restricted case with partners",
    "disclosure.partner_share_refused": "Refused sharing a restricted case with partners",
    "partner.update_added": "Added an update from a partner agency",
    "partner.document_added": "Added a document from a partner agency",
    "partner.marac_action_status": "Set the status of a MARAC action from a partner agency",
    "staff.agency_suspended": "Suspended an agency's partner accounts",
    "disclosure.subject_access": "Released records to the person they are about",
    "disclosure.marac_pack": "Put the case in a MARAC pack",
    "marac.meeting_created": "Added a MARAC meeting",
    "marac.listed": "Put the case on a MARAC meeting's list",
    "marac.unlisted": "Took the case off a MARAC meeting's list",
    "marac.decisions_recorded": "Recorded what the MARAC decided",
    "marac.survivor_discussed": "Recorded the discussion with the survivor about the MARAC",
    "marac.action_status": "Set the status of a MARAC action",
    "action.added": "Added an action",
    "action.completed": "Marked an action done",
    "action.cancelled": "Cancelled an action",
    "review.recorded": "Recorded a review",
    "letter.created": "Wrote a letter",
    "document.downloaded": "Downloaded a letter",
    "evidence.added": "Added evidence",
    "evidence.listed": "Read the list of evidence",
    "evidence.downloaded": "Downloaded evidence",
    "perpetrator_interview.requested": "Asked to interview the alleged perpetrator",
    "perpetrator_interview.agreed": "Agreed to interviewing the alleged perpetrator",
    "perpetrator_interview.declined": "Declined interviewing the alleged perpetrator",
    "closure.requested": "Asked to close the case",
    "closure.approved": "Approved closing the case",
    "closure.declined": "Declined closing the case",
    "closure.evaluated": "Evaluated the closed case",
    "feedback.recorded": "Recorded feedback",
    "feedback.requested": "Asked for feedback",
    "appeal.made": "Recorded an appeal",
    "appeal.acknowledged": "Acknowledged an appeal",
    "appeal.escalated": "Took an appeal to its second stage",
    "appeal.decided": "Decided an appeal",
    "subject_access.logged": "Logged a subject access request",
    "subject_access.identity_verified": "Checked a requester's identity",
    "subject_access.case_included": "Included the case in a subject access request",
    "subject_access.case_excluded": "Left the case out of a subject access request",
    "subject_access.reviewed": "Reviewed a subject access export",
    "subject_access.exported": "Exported records for a subject access request",
    "subject_access.completed": "Completed a subject access request",
    "subject_access.closed_without_release": "Closed a subject access request without release",
    "request.refused": "Was refused a page or request",
    "request.rate_limited": "Was slowed down for too many requests",
    # Entries about people and the service rather than one case.
    "sign_in.succeeded": "Signed in",
    "sign_in.password_refused": "Was refused signing in: wrong password",
    "sign_in.code_refused": "Was refused signing in: wrong code",
    "sign_in.locked_out": "Was locked out after failed sign-ins",
    "sign_out": "Signed out",
    "session.ended": "Ended a session",
    "session.ended_others": "Ended their other sessions",
    "reauth.refused": "Was refused: wrong password",
    "reauth.limited": "Was slowed down after wrong passwords",
    "staff.created": "Created an account",
    "staff.disabled": "Disabled an account",
    "staff.enabled": "Enabled an account",
    "staff.password_changed": "Changed their password",
    "staff.password_set": "Set a temporary password",
    "staff.role_changed": "Changed a role",
    "staff.team_changed": "Changed a team",
    "staff.two_factor_reset": "Reset two-factor sign-in",
    "staff.unlocked": "Unlocked an account",
    "staff.change_requested": "Asked a second administrator to approve a change",
    "staff.change_refused": "Refused a change to an account",
    "team.created": "Created a team",
    "token.created": "Made an API token",
    "token.used": "Used an API token",
    "token.revoked": "Revoked an API token",
    "report.viewed": "Read the monitoring report",
    "report.exported": "Exported the monitoring report",
    "digest.sent": "Sent the daily digest",
    "keys.rotated": "Rotated the encryption keys",
    "audit.sealed": "Sealed the audit trail",
    "audit.checkpoint_made": "Made an audit checkpoint",
    "backup.made": "Made a backup",
    "backup.failed": "A backup failed",
    "backup.restored": "Restored a backup",
    "synth.loaded": "Loaded invented cases",
}


def from_code(code: str) -> str:
    """Words made from a code nobody has worded: "case.legal_hold_placed" is "Case:
    legal hold placed", "child_at_risk" "Child at risk"."""
    head, _, tail = code.partition(".")
    if tail:
        return f"{from_code(head)}: {tail.replace('_', ' ')}"
    return code.replace("_", " ").replace("-", " ").capitalize()


def audit_action(action: str) -> str:
    return AUDIT_ACTIONS.get(action) or from_code(action)


def local(value: datetime) -> datetime:
    return timezone.localtime(value, LONDON) if timezone.is_aware(value) else value


def as_date(value: object) -> date | None:
    """A date from a date, a datetime (in London) or an ISO string; None otherwise."""
    if isinstance(value, datetime):
        return local(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return as_date(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def day(value: object, *, short: bool = False) -> str:
    """GOV.UK's date: 12 April 1988 (12 Apr 1988 where space is short)."""
    found = as_date(value)
    if found is None:
        return "" if value in (None, "") else str(value)
    return found.strftime(f"%-d {'%b' if short else '%B'} %Y")


def clock(value: datetime | time | None) -> str:
    """GOV.UK's time: 2:36pm, 9am, midday, midnight (in London)."""
    if value is None:
        return ""
    moment = local(value).time() if isinstance(value, datetime) else value
    return clock_time(moment.replace(second=0, microsecond=0))


def moment(value: object, *, short: bool = False) -> str:
    """A date and time: 12 April 2026, 2:36pm."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if not isinstance(value, datetime):
        return day(value, short=short)
    return f"{day(value, short=short)}, {clock(value)}"


def abuse_type(code: str) -> str:
    if code in vocabulary.ABUSE_TYPES:
        return active_policy().abuse_type_label(code)  # type: ignore[arg-type]
    return from_code(code)


def abuse_types(codes: Iterable[str]) -> str:
    return ", ".join(abuse_type(code) for code in codes)


def agency(code: str) -> str:
    """The agency's name in the policy's directory."""
    if not code:
        return ""
    found = active_policy().agencies.get(code)
    if found is not None:
        return found.name
    return str(vocabulary.AGENCY_NAMES.get(code, from_code(code)))  # type: ignore[call-overload]


def ground(code: str) -> str:
    """A ground for disclosure without consent: "A child is at risk"."""
    label = vocabulary.DISCLOSURE_GROUND_LABELS.get(code)  # type: ignore[call-overload]
    return str(label).capitalize() if label else from_code(code)


def closure_reason(code: str) -> str:
    label = vocabulary.CLOSURE_REASON_LABELS.get(code)  # type: ignore[call-overload]
    return str(label).capitalize() if label else from_code(code)


def role(code: str) -> str:
    """ "Domestic abuse lead" for `da_lead`."""
    try:
        return str(Role(code).label)
    except ValueError:
        return from_code(code) if code else ""


def roles_or(codes: Iterable[str]) -> str:
    """ "a manager, a director or a domestic abuse lead"."""
    from safehold.policy.wording import roles_named

    return roles_named([code for code in codes if code in vocabulary.ROLES])  # type: ignore[misc]


def marac_reason(code: str) -> str:
    return MARAC_REASONS.get(code) or from_code(code)


def marac_reasons(codes: Iterable[str]) -> str:
    return and_list([marac_reason(code) for code in codes])


def tool_name(tool_id: str) -> str:
    from safehold.risk.tools import UnknownRiskTool, tool_by_id

    try:
        return tool_by_id(tool_id).name
    except UnknownRiskTool:
        return from_code(tool_id)


def sex(code: str) -> str:
    try:
        return str(Sex(code).label)
    except ValueError:
        return from_code(code) if code else ""


def risk_level(code: str | None) -> str:
    return RISK_LEVELS.get(code or "", from_code(code or ""))


def channel(code: str) -> str:
    return CHANNELS.get(code) or from_code(code)


def policy_name(policy_id: str) -> str:
    """The title of the policy with this id: the active one, or a bundled one."""
    active = active_policy()
    if policy_id == active.id:
        return active.name
    return _bundled_policy_name(policy_id)


@functools.cache
def _bundled_policy_name(policy_id: str) -> str:
    """A bundled policy's title, read once (a case recorded under an earlier policy)."""
    if policy_id in bundled_policy_ids():
        return load_policy(policy_id).name
    return from_code(policy_id)


def plain(value: object) -> object:
    """An ISO date ("2027-11-01") as its day, True and False as Yes and No; anything
    else unchanged."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and len(value) == 10 and as_date(value) is not None:
        return day(value)
    return value


# The keys of an audit entry's detail, as the trail page names them.
DETAIL_KEYS = {
    "via": "Through",
    "address": "From address",
    "more_this_minute_not_recorded": "More this minute, not recorded",
    "expires_at": "Access ends",
    "requested_by": "Asked by",
    "risk_level": "Risk level",
    "marac_reasons": "MARAC reasons",
    "tool": "Risk tool",
    "ground": "Ground",
    "basis": "Basis",
    "with_whom": "With",
    "channel": "How",
    "direction": "Which way",
    "kind": "Kind",
    "agency": "Agency",
    "reason": "Reason",
    "role": "Role",
    "officer": "Officer",
    "days": "Days",
    "count": "Count",
    "cases": "Cases",
    "stage": "Stage",
    "status": "Status",
    "outcome": "Outcome",
    "abuse_types": "Abuse types",
    "section": "Section",
    "person": "Person",
    "fields": "Details changed",
}
VIA = {
    "web": "the web pages",
    "api": "the API",
    "decision": "a decision",
    "chronology": "the case's chronology",
    "list": "the case list",
    "search": "search results",
    "home": "the home page",
    "queue": "a work queue",
    "risk": "the risk page",
    "marac": "the MARAC list",
    "person_edit": "changing a person's details",
    "triage": "the triage page",
    "risk_section": "a risk assessment's questions",
    "risk_resume": "resuming a risk assessment",
    "risk_finish": "finishing a risk assessment",
    "risk_result": "a risk assessment's result",
    "review_new": "recording a review",
    "referral_new": "making a referral",
    "break_glass": "break glass",
    "appeal": "an appeal's page",
    "closure_request": "asking to close the case",
    "closure_decision": "deciding on a closure",
    "case_reopen": "reopening the case",
    "closure_evaluation": "evaluating a closure",
    "partner": "the partner pages of an agency it was shared with",
    "partner_api": "the partner API of an agency it was shared with",
    "marac_meeting": "a MARAC meeting's list",
    "marac_hearing": "a case heard at a MARAC meeting",
    "marac_action": "an action agreed at a MARAC meeting",
    "marac_api": "the MARAC meetings API",
}
_ID = re.compile(r"^[a-z]{2,6}_[0-9a-f]{8,}$")


def detail_value(key: str, value: object) -> str:
    """One value of an audit entry's detail in words: ids and references as they are
    (they name records), codes of the vocabularies in the policy's words, times as
    GOV.UK writes them."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        if key == "marac_reasons":
            return marac_reasons(str(v) for v in value) or "None"
        return ", ".join(detail_value(key, v) for v in value) or "None"
    if value is None or value == "":
        return "None"
    text = str(value)
    if _ID.match(text):
        return text
    if key == "via":
        return VIA.get(text, from_code(text))
    if key == "basis":
        code = text.partition(": ")[2]
        return f"Without consent: {ground(code)}" if code else "The survivor's consent"
    if key == "tool":
        return tool_name(text)
    if key == "risk_level":
        return risk_level(text)
    if key == "role":
        return role(text)
    if text in vocabulary.ABUSE_TYPES:
        return abuse_type(text)
    if text in active_policy().agencies:
        return agency(text)
    if text in vocabulary.DISCLOSURE_GROUNDS:
        return ground(text)
    if text in vocabulary.CLOSURE_REASONS:
        return closure_reason(text)
    if text in vocabulary.CONTACT_CHANNELS:
        return channel(text)
    if "T" in text and as_date(text) is not None and len(text) > 10:
        return moment(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return day(text)
    if re.fullmatch(r"[a-z]+(?:[_.-][a-z]+)*", text) and any(c in text for c in "_.-"):
        return from_code(text)
    return text


def audit_detail(detail: dict[str, object]) -> list[tuple[str, str]]:
    """An audit entry's detail as (label, words) pairs."""
    return [
        (DETAIL_KEYS.get(key) or from_code(key), detail_value(key, value))
        for key, value in detail.items()
    ]
