"""A case's chronology (issue 18, "See what is due"): every event of one case in the
order it happened, the record a MARAC or a court asks for.

It composes what the case page reads (cases, risk, casework, closure), each through that
app's own selectors once the reader is let in by `access.case_for` (a missing or hidden
case is the same 404). Reading it is audited as reading the case is: one `case.viewed`
entry with `via` "chronology". It makes one query for each kind of event, never one per
event (tests/test_query_counts.py). The `repeat` flag and a MARAC `repeat` reason are
shown only as the reader may be told them (`repeats_seen_by`, `risk.selectors.seen_by`).

The page is filtered by kind with `?kind=` and one of `KINDS`' fixed codes, never a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from safehold.accounts.models import Staff
from safehold.accounts.selectors import signed_in_staff
from safehold.cases import sealing, selectors, services
from safehold.cases.models import Case
from safehold.casework import selectors as casework_selectors
from safehold.casework.models import Action, Consent, Document, Review
from safehold.closure import selectors as closure_selectors
from safehold.marac import selectors as marac_selectors
from safehold.partners.models import PartnerDocument, PartnerUpdate
from safehold.policy.vocabulary import PARTY_LABELS
from safehold.policy.wording import and_list
from safehold.privacy.models import AuditEntry
from safehold.risk import selectors as risk_selectors
from safehold.web import words

# The kinds of event, in the order the filter offers them, with their names on the page.
KINDS: dict[str, str] = {
    "reports": "Reports and further reports",
    "people": "Changes to people's details",
    "contacts": "Contacts",
    "risk": "Risk assessments",
    "actions": "Actions",
    "consent": "Consent",
    "referrals": "Referrals and disclosures",
    "interviews": "Interviewing the alleged perpetrator",
    "reviews": "Reviews",
    "letters": "Letters",
    "closure": "Closure and feedback",
    "appeals": "Appeals",
    "partners": "From partner agencies",
    "marac": "MARAC",
}


@dataclass
class Event:
    """One thing that happened on the case, in words."""

    at: datetime
    kind: str
    title: str
    by: str = ""
    lines: list[str] = field(default_factory=list)
    link: str = ""
    link_text: str = ""

    @property
    def kind_name(self) -> str:
        return KINDS[self.kind]


@dataclass
class Chronology:
    view: selectors.CaseView
    events: list[Event]
    kind: str  # "" for every kind
    unknown_kind: bool


def name_of(staff: Staff | None) -> str:
    return staff.full_name if staff is not None else ""


def moment_of(value: object) -> datetime | None:
    """A time kept as ISO text in sealed details; None when there is none."""
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def coded(labels: dict[str, str], code: str) -> str:
    """A code in the words `labels` give it, or words made from it."""
    return labels.get(code) or words.from_code(code)


def text(details: dict[str, Any], key: str) -> str:
    return str(details.get(key) or "").strip()


def report_events(view: selectors.CaseView) -> list[Event]:
    case = view.case
    events = [
        Event(
            case.reported_at,
            "reports",
            f"Reported by {case.get_source_display().lower()}",
            lines=[
                line
                for line in (
                    words.abuse_types(case.abuse_types),
                    text(view.details, "summary"),
                )
                if line
            ],
        )
    ]
    for incident, sealed in view.incidents:
        events.append(
            Event(
                incident.reported_at,
                "reports",
                f"Further report by {incident.get_source_display().lower()}",
                lines=[
                    line
                    for line in (
                        words.abuse_types(incident.abuse_types),
                        text(sealed, "summary") or "Nothing recorded",
                    )
                    if line
                ],
            )
        )
    return events


def people_events(view: selectors.CaseView) -> list[Event]:
    """Each change to the survivor's or an alleged perpetrator's details, from the audit
    log's `person.updated` entries (cases.services.person_update): which details changed,
    never their values. One query, the writers' names with it."""
    names = {v.id: v.details.get("name", "") for v in view.alleged_perpetrators}
    writer = Staff.objects.filter(username=OuterRef("actor")).values("full_name")[:1]
    entries = (
        AuditEntry.objects.filter(
            target_type="case", target_id=view.case.pk, action="person.updated"
        )
        .annotate(writer=Subquery(writer))
        .only("at", "detail")
    )
    events = []
    for entry in entries:
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        person = str(detail.get("person", ""))
        if detail.get("role") == "survivor":
            whose = "the survivor's"
        else:
            named = names.get(person, "")
            whose = f"the alleged perpetrator's ({named})" if named else "an alleged perpetrator's"
        fields = [str(f) for f in detail.get("fields") or []]
        changed = and_list([services.DETAIL_WORDS.get(f, words.from_code(f)) for f in fields])
        events.append(
            Event(
                entry.at,
                "people",
                f"Changed {whose} details",
                by=entry.writer or "",  # type: ignore[attr-defined]
                lines=[f"Changed: {changed}"] if changed else [],
            )
        )
    return events


def contact_events(view: selectors.CaseView) -> list[Event]:
    return [
        Event(
            contact.at,
            "contacts",
            f"{words.channel(contact.channel)}, {coded(words.DIRECTIONS, contact.direction)}: "
            f"{coded(words.CONTACT_WITH, contact.with_whom).lower()}",
            by=name_of(contact.recorded_by),
            lines=[text(sealed, "notes")] if text(sealed, "notes") else [],
        )
        for contact, sealed in view.contacts
    ]


def risk_events(user: Staff, case: Case) -> list[Event]:
    assessments = list(risk_selectors.completed(case).select_related("started_by"))
    for assessment in assessments:
        assessment.case = case
    risk_selectors.seen_by(user, assessments)
    events = []
    for a in assessments:
        if a.completed_at is None:
            continue
        marac = words.marac_reasons(a.marac_reasons)
        events.append(
            Event(
                a.completed_at,
                "risk",
                f"Risk assessed: {words.risk_level(a.level).lower()} risk, score {a.score}",
                by=name_of(a.started_by),
                lines=[
                    words.tool_name(a.tool_id),
                    f"MARAC referral recommended: {marac}" if marac else "MARAC not indicated",
                ],
                link=reverse("risk-result", args=[case.pk, a.pk]),
                link_text="The assessment's result",
            )
        )
    return events


def action_name(action: Any) -> str:
    name = action.get_kind_display()
    if action.measure:
        name += f": {action.get_measure_display()}"
    if action.option:
        name += f": {action.get_option_display()}"
    return str(name)


def action_events(case: Case) -> list[Event]:
    events = []
    for action, sealed in casework_selectors.plan_of(case):
        name = action_name(action)
        from_marac = " (from the MARAC)" if action.source == "marac" else ""
        due = f"Due {words.day(action.due_at)}" if action.due_at else ""
        agreed = "Agreed with the survivor" if action.agreed_with_survivor else ""
        events.append(
            Event(
                action.created_at,
                "actions",
                f"Action added{from_marac}: {name}",
                by=name_of(action.owner) and f"Owner: {name_of(action.owner)}",
                lines=[x for x in (text(sealed, "detail"), due, agreed) if x],
            )
        )
        details: dict[str, Any] = dict(sealed)
        for earlier in details.get("reopenings") or []:
            # Each reopening keeps the done it undid (casework/plan.py `action_reopen`).
            done_at = moment_of(earlier.get("completed_at"))
            if done_at is not None:
                outcome = str(earlier.get("outcome") or "").strip()
                events.append(
                    Event(
                        done_at,
                        "actions",
                        f"Action done: {name}",
                        lines=[outcome] if outcome else [],
                    )
                )
            reopened_at = moment_of(earlier.get("at"))
            if reopened_at is not None:
                reason = str(earlier.get("reason") or "").strip()
                events.append(
                    Event(
                        reopened_at,
                        "actions",
                        f"Action reopened: {name}",
                        lines=[reason] if reason else [],
                    )
                )
        if action.completed_at is not None:
            outcome = text(sealed, "outcome")
            events.append(
                Event(
                    action.completed_at,
                    "actions",
                    f"Action done: {name}",
                    lines=[outcome] if outcome else [],
                )
            )
        if action.cancelled_at is not None:
            reason = text(sealed, "cancel_reason")
            events.append(
                Event(
                    action.cancelled_at,
                    "actions",
                    f"Action cancelled: {name}",
                    by=name_of(action.cancelled_by),
                    lines=[reason] if reason else [],
                )
            )
    return events


def consent_events(case: Case) -> list[Event]:
    """Every consent recorded, not only the one standing: the history is the record."""
    rows = Consent.objects.filter(case=case).select_related("recorded_by").order_by("recorded_at")
    events = []
    for consent in rows:
        towards = f" ({words.agency(consent.agency)})" if consent.agency else ""
        answer = "given" if consent.given else "refused or withdrawn"
        events.append(
            Event(
                consent.recorded_at,
                "consent",
                f"Consent {answer}: {consent.get_purpose_display().lower()}{towards}",
                by=name_of(consent.recorded_by),
            )
        )
    return events


def referral_events(case: Case) -> list[Event]:
    events = []
    for referral, sealed in casework_selectors.referrals_of(case):
        basis = (
            f"Without consent: {words.ground(referral.without_consent_ground)}"
            if referral.without_consent_ground
            else "With the survivor's consent"
        )
        events.append(
            Event(
                referral.created_at,
                "referrals",
                f"Referral to {words.agency(referral.agency)}",
                by=name_of(referral.created_by),
                lines=[
                    x
                    for x in (
                        basis,
                        text(sealed, "reason"),
                        text(sealed, "explanation"),
                        f"Status: {referral.get_status_display().lower()}",
                    )
                    if x
                ],
            )
        )
        if referral.decided_at is not None:
            note = text(sealed, "note")
            events.append(
                Event(
                    referral.decided_at,
                    "referrals",
                    f"Disclosure to {words.agency(referral.agency)} decided: "
                    f"{referral.get_status_display().lower()}",
                    by=name_of(referral.decided_by),
                    lines=[note] if note else [],
                )
            )
    return events


def interview_events(case: Case) -> list[Event]:
    events = []
    for found in casework_selectors.interviews_of(case):
        interview = found.interview
        events.append(
            Event(
                interview.created_at,
                "interviews",
                "Asked to interview the alleged perpetrator",
                by=name_of(interview.planned_by),
                lines=[
                    f"The survivor agrees: {'yes' if interview.survivor_agrees else 'no'}",
                    *([found.safety_assessment] if found.safety_assessment else []),
                ],
            )
        )
        if interview.decided_at is not None:
            events.append(
                Event(
                    interview.decided_at,
                    "interviews",
                    f"Interview {interview.get_status_display().lower()}",
                    by=name_of(interview.decided_by),
                    lines=[found.note] if found.note else [],
                )
            )
    return events


REVIEW_WORDS = {"notes": "", "survivor_views": "The survivor's views"}
# casework's RiskChange, in words.
RISK_CHANGES = {
    "increased": "increased",
    "same": "stayed the same",
    "decreased": "decreased",
    "not_known": "not known",
}


def review_lines(review: Review, details: dict[str, Any], actions: dict[str, str]) -> list[str]:
    """A review's words: its notes, the survivor's views, how the risk changed, the
    progress of each action (by the action's name) and the next review date."""
    lines = []
    for key, value in details.items():
        if isinstance(value, dict):
            for action_id, progress in value.items():
                named = actions.get(str(action_id), "an action")
                lines.append(f"Progress on {named}: {str(progress).strip()}")
            continue
        if not isinstance(value, str) or not value.strip():
            continue
        label = REVIEW_WORDS.get(key, words.from_code(key))
        lines.append(f"{label}: {value.strip()}" if label else value.strip())
    change = getattr(review, "risk_change", "")
    if change:
        lines.append(f"Risk since the last review: {coded(RISK_CHANGES, change).lower()}")
    next_on = getattr(review, "next_review_on", None)
    if next_on:
        lines.append(f"Next review by {words.day(next_on)}")
    return lines


def review_events(case: Case) -> list[Event]:
    rows = list(Review.objects.filter(case=case).select_related("reviewed_by").order_by("at"))
    sealed = [sealing.unseal(case.data_key, review) for review in rows]
    actions: dict[str, str] = {}
    if any(isinstance(v, dict) and v for details in sealed for v in details.values()):
        # One query for the names of the actions the reviews speak of, however many.
        actions = {a.pk: action_name(a).lower() for a in Action.objects.filter(case=case)}
    return [
        Event(
            review.at,
            "reviews",
            "Case reviewed",
            by=name_of(review.reviewed_by),
            lines=review_lines(review, details, actions),
        )
        for review, details in zip(rows, sealed, strict=True)
    ]


def letter_events(case: Case) -> list[Event]:
    """The letters, without reading their sealed PDFs (a download of its own)."""
    rows = Document.objects.filter(case=case).defer("sealed").select_related("created_by")
    events = []
    for document in rows.order_by("created_at"):
        agency = f" ({words.agency(document.agency)})" if document.agency else ""
        reference = f", our reference {document.reference}" if document.reference else ""
        events.append(
            Event(
                document.created_at,
                "letters",
                f"Letter written: {document.get_kind_display().lower()} to the "
                f"{document.get_recipient_display().lower()}{agency}{reference}",
                by=name_of(document.created_by),
                link=reverse("document", args=[document.pk]),
                link_text="The letter (PDF)",
            )
        )
    return events


def partner_events(case: Case) -> list[Event]:
    """What partners at other agencies added (partners/services.py), each as from its
    agency: their updates, then their documents (one query each)."""
    rows = PartnerUpdate.objects.filter(case=case).select_related("created_by")
    events = [
        Event(
            row.created_at,
            "partners",
            f"Update from {words.agency(row.agency)}",
            by=name_of(row.created_by),
            lines=[str(sealing.unseal(case.data_key, row).get("text", ""))],
        )
        for row in rows.order_by("created_at", "id")
    ]
    documents = PartnerDocument.objects.filter(case=case).defer("content")
    for document in documents.select_related("created_by").order_by("created_at", "id"):
        details = sealing.unseal(case.data_key, document)
        events.append(
            Event(
                document.created_at,
                "partners",
                f"Document from {words.agency(document.agency)}",
                by=name_of(document.created_by),
                lines=[str(details.get("description", ""))] if details.get("description") else [],
                link=reverse("case-partner-document", args=[case.pk, document.pk]),
                link_text=str(details.get("filename", "")) or "The document",
            )
        )
    return events


def marac_events(case: Case) -> list[Event]:
    """Each MARAC meeting the case was listed for, what the MARAC decided with the actions
    agreed (each with its agency, due date and status), and the discussion of them with
    the survivor. Not whether it was a repeat: that may tell of another case the reader
    may not see (the meeting page shows it only to those who may)."""
    events = []
    for view in marac_selectors.hearings_of_case(case):
        hearing, meeting = view.hearing, view.hearing.meeting
        held = words.day(meeting.held_on)
        conference = marac_selectors.conference_name(meeting.conference)
        events.append(
            Event(meeting.created_at, "marac", f"Listed for {conference}, meeting of {held}")
        )
        if hearing.heard_at is not None:
            actions = [
                f"{a.agency_name}: {a.what}, due {words.day(a.action.due_on)}, "
                f"{a.action.get_status_display().lower()}"
                for a in view.actions
            ]
            events.append(
                Event(
                    hearing.heard_at,
                    "marac",
                    f"Heard at {conference}, meeting of {held}: what it decided",
                    by=name_of(hearing.heard_by),
                    lines=[line for line in (view.notes, *actions) if line],
                )
            )
        if hearing.survivor_discussed_at is not None:
            events.append(
                Event(
                    hearing.survivor_discussed_at,
                    "marac",
                    "The MARAC's actions discussed with the survivor",
                    by=name_of(hearing.survivor_discussed_by),
                    lines=[view.survivor_discussion] if view.survivor_discussion else [],
                )
            )
    return events


def closure_events(after: closure_selectors.AfterClosure) -> list[Event]:
    events = []
    for found in after.closures:
        closure, details = found.closure, found.details
        agrees = "The survivor agrees" if closure.survivor_agrees else "The survivor does not agree"
        events.append(
            Event(
                closure.requested_at,
                "closure",
                f"Closure asked for: {words.closure_reason(closure.reason).lower()}",
                by=name_of(closure.requested_by),
                lines=[
                    x
                    for x in (
                        agrees,
                        text(details, "explanation"),
                        text(details, "override_reason"),
                    )
                    if x
                ],
            )
        )
        if closure.decided_at is not None:
            outcome = "declined" if closure.status == "declined" else "approved: case closed"
            note = text(details, "decision_note")
            events.append(
                Event(
                    closure.decided_at,
                    "closure",
                    f"Closure {outcome}",
                    by=name_of(closure.decided_by),
                    lines=[note] if note else [],
                )
            )
        if closure.evaluated_at is not None:
            judged = closure.get_effectiveness_display() if closure.effectiveness else ""
            said = [
                f"{label}: {text(details, key)}"
                for key, label in (
                    ("worked", "What worked"),
                    ("did_not_work", "What did not work"),
                    ("lessons", "What to do differently"),
                    ("evaluation", "Notes"),
                )
                if text(details, key)
            ]
            events.append(
                Event(
                    closure.evaluated_at,
                    "closure",
                    "Closure evaluated" + (f": {judged.lower()}" if judged else ""),
                    by=name_of(closure.evaluated_by),
                    lines=said,
                )
            )
        if closure.reopened_at is not None:
            reason = text(details, "reopen_reason")
            events.append(
                Event(
                    closure.reopened_at,
                    "closure",
                    "Case reopened",
                    by=name_of(closure.reopened_by),
                    lines=[reason] if reason else [],
                )
            )
    for asked in after.feedback_requests:
        events.append(
            Event(
                asked.requested_at,
                "closure",
                f"Asked the survivor for feedback: {asked.get_channel_display().lower()}",
                by=name_of(asked.requested_by),
            )
        )
    for given, comments in after.feedback:
        score = f"{given.satisfaction} out of 5" if given.satisfaction else "No score"
        events.append(
            Event(
                given.recorded_at,
                "closure",
                f"Feedback recorded: {given.get_kind_display().lower()}",
                by=name_of(given.recorded_by),
                lines=[x for x in (score, comments.strip()) if x],
            )
        )
    return events


def appeal_events(after: closure_selectors.AfterClosure) -> list[Event]:
    events = []
    for found in after.appeals:
        appeal, details = found.appeal, found.details
        party = str(PARTY_LABELS.get(appeal.by, words.from_code(appeal.by)))  # type: ignore[call-overload]
        events.append(
            Event(
                appeal.received_at,
                "appeals",
                f"Appeal received (stage {appeal.stage}), by {party}",
                lines=[text(details, "grounds")] if text(details, "grounds") else [],
                link=reverse("appeal", args=[appeal.pk]),
                link_text="The appeal",
            )
        )
        if appeal.acknowledged_at is not None:
            events.append(
                Event(
                    appeal.acknowledged_at, "appeals", f"Appeal acknowledged (stage {appeal.stage})"
                )
            )
        if appeal.decided_at is not None:
            reasons = text(details, "reasons")
            events.append(
                Event(
                    appeal.decided_at,
                    "appeals",
                    f"Appeal decided (stage {appeal.stage}): "
                    f"{appeal.get_outcome_display().lower()}",
                    by=name_of(appeal.decided_by),
                    lines=[reasons] if reasons else [],
                )
            )
    return events


def chronology(user: Staff, case_id: str, kind: str = "") -> Chronology:
    """The case's events for `user`, oldest first (404 for a missing or hidden case), of
    one kind or, with `kind` empty, of every kind. An unknown kind shows every kind and
    says so."""
    unknown = bool(kind) and kind not in KINDS
    if unknown:
        kind = ""
    view = selectors.case_detail(user, case_id, via="chronology")
    case = view.case
    wanted = [kind] if kind else list(KINDS)
    events: list[Event] = []
    if "reports" in wanted:
        events += report_events(view)
    if "people" in wanted:
        events += people_events(view)
    if "contacts" in wanted:
        events += contact_events(view)
    if "risk" in wanted:
        events += risk_events(user, case)
    if "actions" in wanted:
        events += action_events(case)
    if "consent" in wanted:
        events += consent_events(case)
    if "referrals" in wanted:
        events += referral_events(case)
    if "interviews" in wanted:
        events += interview_events(case)
    if "reviews" in wanted:
        events += review_events(case)
    if "letters" in wanted:
        events += letter_events(case)
    if "partners" in wanted:
        events += partner_events(case)
    if "marac" in wanted:
        events += marac_events(case)
    if "closure" in wanted or "appeals" in wanted:
        after = closure_selectors.after_closure(case)
        if "closure" in wanted:
            events += closure_events(after)
        if "appeals" in wanted:
            events += appeal_events(after)
    order = list(KINDS)
    events.sort(key=lambda e: (e.at, order.index(e.kind)))
    return Chronology(view=view, events=events, kind=kind, unknown_kind=unknown)


def chronology_page(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    found = chronology(user, case_id, request.GET.get("kind", ""))
    return render(
        request,
        "desk/chronology.html",
        {
            "case": found.view.case,
            "view": found.view,
            "events": found.events,
            "kind": found.kind,
            "kind_name": KINDS.get(found.kind, ""),
            "kinds": list(KINDS.items()),
            "unknown_kind": found.unknown_kind,
        },
    )
