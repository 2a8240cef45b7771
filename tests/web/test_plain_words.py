"""No machine code reaches a person (issue 18, "Plain words").

Each persona signs in and asks for every page Safehold has (each URL pattern of
safehold/urls.py, filled with the ids of a case with content: contacts, a further
report, an assessment, a referral, actions, a review, consent, an interview request, a
letter, evidence, a legal hold, break glass, a closed case with feedback and an appeal,
a subject access request, a restricted case's break-glass request, an API token, a role
change waiting for a second administrator), and the search's results. The visible text
of each page (tags, attributes and scripts stripped: a code in `value=""`, `name=""`, an
href or an id is for the machine) must hold none of the known codes:

- every id with an underscore or a dot (`da_lead`, `child_at_risk`, `case.opened`): no
  English word has one, so anywhere in the text is a leak;
- ISO dates (`2026-04-12`), 24-hour clock times (`14:36`) and `5:00p.m.`: GOV.UK
  writes 12 April 2026, 2:36pm and 5pm;
- the policy's setting names (`assignment.same_sex_officer_on_request`,
  `review_interval_days`, and the tables they sit in such as `perpetrator_interview`):
  a page that refuses because of the policy names the rule in words (the setting's name
  is for the API);
- codes that are also English words (`open`, `high`, `female`, `police`, `officer`):
  these only when an element's whole text is the code or a list of codes, in the code's
  own lower case ("Police" and "the police" are words; a cell reading "police" or
  "physical, sexual" is a code).

A hint that says what to type ("24-hour clock, for example 14:30") is not checked for
24-hour times: it describes the input, not a time shown. A page that fails to render
fails the test too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from safehold.accounts import services as accounts
from safehold.accounts.models import Staff
from safehold.cases import inputs as cases_inputs
from safehold.cases import services as cases
from safehold.cases.models import Case, PersonRole
from safehold.casework import contacts, interviews, letters, plan
from safehold.casework import services as casework
from safehold.closure import appeals, feedback
from safehold.closure import services as closure
from safehold.evidence import services as evidence
from safehold.marac import services as marac
from safehold.policy import vocabulary
from safehold.policy.loader import active_policy
from safehold.policy.schema import rule_settings
from safehold.privacy.models import AuditEntry
from safehold.public import services as public_services
from safehold.records import services as records
from safehold.risk import services as risk
from safehold.risk.selectors import REASON_TEXT
from safehold.risk.tools import tool_by_id
from tests.casedata import SURVIVOR_NAME, report
from tests.evidence import files

pytestmark = pytest.mark.django_db

PERSONAS = ("officer", "manager", "director", "da_lead", "auditor", "admin")

# Pages that are not pages: files, the API, the health check, signing out, and the
# POST-only steps (a GET answers 405).
NOT_PAGES = {
    "healthz",
    "sign-out",
    "report-csv",
    "report-xlsx",
    "report-board",
    "case-evidence-download",
    "document",
    "subject-access-export",
    "partner-document",
    "partner-upload",
    "case-partner-document",
}

# Texts no machine writes for a person.
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DOTTED_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s?[ap]\.m\.")  # Django's "a": 5:00p.m.
CLOCK_24 = re.compile(r"\b([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\b(?!\s*(?:am|pm))")


def choice_codes() -> set[str]:
    """The values of every model field with choices (statuses, kinds, channels …)."""
    codes: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("safehold."):
            continue
        for model_field in model._meta.get_fields():
            for value, _label in getattr(model_field, "flatchoices", None) or ():
                if isinstance(value, str) and value:
                    codes.add(value)
    return codes


def vocabulary_codes() -> set[str]:
    codes: set[str] = set()
    for name in dir(vocabulary):
        value = getattr(vocabulary, name)
        if name.isupper() and isinstance(value, tuple):
            codes |= {v for v in value if isinstance(v, str)}
    policy = active_policy()
    codes |= set(policy.agencies) | set(policy.closure.reasons) | set(policy.disclosure.grounds)
    codes |= set(REASON_TEXT) | {policy.id, "dash-ric"}
    return codes | setting_names()


def setting_names() -> set[str]:
    """Every setting a policy decides, and the tables that hold them: what a refusal's
    `policy_rule` names."""
    names = set(rule_settings())
    return names | {setting.rsplit(".", 1)[0] for setting in names if "." in setting}


def audit_actions() -> set[str]:
    return set(AuditEntry.objects.values_list("action", flat=True))


@dataclass
class Codes:
    anywhere: re.Pattern[str]
    whole: set[str]

    @classmethod
    def known(cls) -> Codes:
        codes = vocabulary_codes() | choice_codes()
        marked = {c for c in codes | audit_actions() if "_" in c or "." in c or "-" in c}
        # the codes no English sentence holds, wherever they are
        marked |= {c for c in codes if c in {"marac", "idva", "fgm", "dash-ric"}}
        marked.discard("image/jpeg")
        words = "|".join(sorted((re.escape(c) for c in marked), key=len, reverse=True))
        return cls(
            anywhere=re.compile(rf"(?<![\w/.@-])(?:{words})(?![\w/@-]|\.\w)"),
            whole={c for c in codes if c.isalpha() and c.islower()},
        )

    def found(self, page: Page) -> list[str]:
        found = [f"code {m.group(0)!r}" for m in self.anywhere.finditer(page.text)]
        found += [f"ISO date {m.group(0)!r}" for m in ISO_DATE.finditer(page.text)]
        found += [f"24-hour time {m.group(0)!r}" for m in CLOCK_24.finditer(page.read)]
        found += [f"time not as GOV.UK {m.group(0)!r}" for m in DOTTED_TIME.finditer(page.text)]
        for text in page.elements:
            parts = [p.strip() for p in re.split(r",|\band\b", text)]
            if parts and all(p in self.whole for p in parts):
                found.append(f"an element reading {text!r}")
        return found


VOID = {"br", "img", "input", "hr", "meta", "link", "source", "wbr"}
VISIBLE_ELEMENTS = {"td", "th", "dd", "dt", "li", "strong", "span", "p", "a", "h1", "h2"}
VISIBLE_ELEMENTS |= {"h3", "caption", "label", "legend", "option", "button", "code", "div"}


@dataclass
class Page(HTMLParser):
    """The visible text of a page, whole and element by element."""

    text: str = ""
    read: str = ""  # the text less the hints that say what to type ("for example 14:30")
    elements: list[str] = field(default_factory=list)
    open: list[tuple[str, list[str]]] = field(default_factory=list)
    hidden: int = 0
    hints: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @classmethod
    def of(cls, html: str) -> Page:
        page = cls()
        page.feed(html)
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self.hidden += 1
        classes = (dict(attrs).get("class") or "").split()
        if tag not in VOID and ("govuk-hint" in classes or self.hints):
            self.hints.append(tag)
        if tag in VISIBLE_ELEMENTS:
            self.open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"}:
            self.hidden -= 1
        if self.hints and self.hints[-1] == tag:
            self.hints.pop()
        if tag in VISIBLE_ELEMENTS:
            while self.open:
                opened, parts = self.open.pop()
                text = " ".join("".join(parts).split())
                if text:
                    self.elements.append(text)
                if self.open:
                    self.open[-1][1].append("".join(parts))
                if opened == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self.text += data + " "
        if not self.hints:
            self.read += data + " "
        if self.open:
            self.open[-1][1].append(data)


@dataclass
class World:
    """A case with content, and the ids each URL pattern takes."""

    ids: dict[str, list[str]]


@pytest.fixture
def world(
    policy: str,
    open_case: Callable[..., Case],
    officer: Staff,
    outsider: Staff,
    manager: Staff,
    director: Staff,
    da_lead: Staff,
    auditor: Staff,
    admin: Staff,
) -> World:
    active = active_policy()
    case = open_case()
    now = timezone.now()
    contacts.contact_record(
        case=case,
        by=officer,
        at=now,
        channel="phone",
        direction="outbound",
        with_whom="survivor",
        notes="Called her back",
    )
    cases.incident_add(
        case=case, by=officer, source="police", abuse_types=("physical",), summary="Again"
    )
    cases.contact_interval_agree(case=case, by=officer, days=7)
    cases.person_create(
        case=case,
        role=PersonRole.ALLEGED_PERPETRATOR,
        relationship="ex_partner",
        details={"name": "Another Person", "tenancy_ref": ""},
    )
    tool = tool_by_id("dash-ric")
    assessment = risk.assessment_create(
        case=case,
        by=officer,
        tool_id="dash-ric",
        answers=dict.fromkeys((q.id for s in tool.sections for q in s.questions), "no"),
        professional_judgement=True,
    )
    started = risk.assessment_start(case=case, by=officer, tool_id="dash-ric")
    agency = next(iter(active.agencies))
    casework.consent_record(case=case, by=officer, agency=agency, purpose="referral", given=True)
    referral = casework.referral_make(case=case, by=officer, agency=agency, reason="She asked")
    without = casework.referral_make(
        case=case,
        by=officer,
        agency="police",
        reason="He has a knife",
        ground=active.disclosure.grounds[0],
        explanation="She cannot be asked safely today",
    )
    # A MARAC meeting held yesterday, with the case on its list and what it decided.
    casework.consent_record(case=case, by=officer, agency="marac", purpose="referral", given=True)
    casework.referral_make(case=case, by=officer, agency="marac", reason="High risk")
    meeting = marac.meeting_create(
        conference=next(iter(active.marac.conferences)),
        held_on=(now - timedelta(days=1)).date(),
        by=manager,
    )
    hearing = meeting.hearings.get()
    marac.hearing_decisions_record(
        hearing=hearing,
        by=manager,
        notes="Agreed at the meeting",
        actions=[
            marac.AgreedAction(marac.PROVIDER, "Fit a safe letterbox", now.date()),
            marac.AgreedAction("police", "Visit her weekly", now.date()),
        ],
    )
    action = plan.action_add(
        case=case,
        by=officer,
        kind="security_measure",
        measure="panic_alarm",
        agreed_with_survivor=True,
        due_at=now + timedelta(days=1),
    )
    plan.action_add(case=case, by=officer, kind="support", detail="Weekly call")
    dropped = plan.action_add(case=case, by=officer, kind="support", detail="A support group")
    plan.action_cancel(action=dropped, by=officer, reason="She chose to stay")
    plan.review_record(case=case, by=officer, notes="Reviewed with her")
    casework.consent_record(
        case=case, by=officer, purpose="contact_alleged_perpetrator", given=True
    )
    interview = interviews.interview_request(
        case=case, by=officer, survivor_agrees=True, safety_assessment="He is away"
    )
    letters.letter_create(
        case=case, by=officer, kind="acknowledgement", recipient="survivor", channel="by_hand"
    )
    grant = cases.break_glass(case=case, by=outsider, reason="Covering the out-of-hours line")
    subject_access = records.subject_access_log(
        case=case,
        by=da_lead,
        person_role="survivor",
        received_at=now - timedelta(days=1),
        notes="",
    )

    records.subject_access_verify(request=subject_access, by=director, method="photo_id_in_person")
    records.legal_hold_place(case=case, by=da_lead, reason="A court asked for the file")
    accounts.token_create(staff=officer, by=officer)
    evidence.evidence_add(
        case=case,
        by=officer,
        upload=SimpleUploadedFile("door.png", files.png(), content_type="image/png"),
        description="The front door",
    )
    # A DA lead asks to break the glass on a restricted case: it waits for a decision.
    restricted = open_case(survivor=replace(report().survivor, is_staff_member=True), by=manager)
    waiting = cases.break_glass(case=restricted, by=da_lead, reason="A threat reported tonight")
    # An administrator makes an officer a DA lead: it waits for a second administrator.
    pending = accounts.account_change_request(staff=officer, kind="role", by=admin, value="da_lead")
    assert pending.status == "pending"

    closed = open_case()
    closure.closure_request(
        case=closed,
        by=officer,
        reason=active.closure.reasons[0],
        survivor_agrees=True,
        review_meeting_at=now - timedelta(days=1),
        explanation="Everything agreed at the review has been done.",
    )
    closure.closure_approve(
        case=closed,
        by={"manager": manager, "director": director, "da_lead": da_lead}[
            active.closure.approver_roles[0]
        ],
    )
    closed.refresh_from_db()
    feedback.feedback_record(case=closed, by=officer, satisfaction=4, comments="Thank you")
    feedback.feedback_request(case=closed, by=officer, channel="phone")
    appeal = appeals.appeal_make(
        case=closed, by=officer, party="survivor", grounds="The case closed too early."
    )
    closing = open_case()
    closure.closure_request(
        case=closing,
        by=officer,
        reason=active.closure.reasons[-1],
        survivor_agrees=True,
        review_meeting_at=now - timedelta(days=1),
        explanation="Done.",
    )
    sent = public_services.Sent(  # a report from the public page, waiting for triage
        anonymous=False, relation="witness", phone="07700 900123", danger_now="yes"
    )
    public_report = public_services.report_send(sent=sent, now=now)
    people = list(case.people.exclude(role=PersonRole.CHILD).values_list("pk", flat=True))
    for person_id in people:  # the trail and chronology name the details changed
        cases.person_update(
            case=case,
            person_id=person_id,
            by=officer,
            changes={"tenancy_ref": "T-1", "address": "1 High Street", "name": "Sam Jones"},
        )
    return World(
        ids={
            "case_id": [case.pk, closed.pk, closing.pk],
            "person_id": people,
            "assessment_id": [assessment.pk, started.pk],
            "section_id": [tool.sections[0].id],
            "referral_id": [referral.pk, without.pk],
            "action_id": [action.pk, *hearing.actions.values_list("pk", flat=True)],
            "appeal_id": [appeal.pk],
            "interview_id": [interview.pk],
            "report_id": [public_report.pk],
            "grant_id": [grant.pk, waiting.pk],
            "request_id": [subject_access.pk],
            "username": [officer.username, manager.username],
            "slug": [
                "first-contact",
                "actions",
                "reviews",
                "contacts",
                "closures-to-approve",
                "closures-to-evaluate",
                "feedback-to-ask",
                "appeals-to-answer",
                "interviews-to-agree",
            ],
            # The risk page's lists (risk/selectors.py RISK_LISTS), each whole.
            "name": ["due", "new-incident", "never-assessed", "high", "medium", "standard"],
            "token_id": [],
            "session_id": [],
            "change_id": [],  # a POST (approve or refuse); the change shows on the staff pages
            "decision": [],
            "action": [],
            "share_id": [],  # a restricted case's request to share with partners
            "meeting_id": [meeting.pk],
            "hearing_id": [hearing.pk],
        }
    )


def routes() -> Iterator[tuple[str, str]]:
    """(name, route) of every page pattern, the API's left out."""
    yield from patterns_of(get_resolver().url_patterns, "")


def patterns_of(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("api/"):
                continue  # the API, a JSON answer read by machines
            yield from patterns_of(pattern.url_patterns, prefix + str(pattern.pattern))
            continue
        assert isinstance(pattern, URLPattern)
        if pattern.name not in NOT_PAGES:
            yield str(pattern.name), prefix + str(pattern.pattern)


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def urls(world: World) -> Iterator[str]:
    for name, route in routes():
        names = PARAMETER.findall(route)
        unknown = [n for n in names if n not in world.ids]
        assert not unknown, f"{name}: the test has no ids for {unknown}: add them to World"
        filled = [route]
        for parameter in names:
            filled = [
                PARAMETER.sub(value, url, count=1)
                for url in filled
                for value in world.ids[parameter]
            ]
        for url in filled:
            yield "/" + url


# Pages that only a POST shows: the search's results (by name and by reference).
POSTS: list[tuple[str, dict[str, str] | None]] = [("/cases/search", {"q": SURVIVOR_NAME})]


def leaks(client: Client, world: World) -> dict[str, list[str]]:
    codes = Codes.known()
    found: dict[str, list[str]] = {}
    asked: list[tuple[str, dict[str, str] | None]] = [(url, None) for url in urls(world)]
    for url, data in asked + POSTS:
        try:
            response = client.get(url) if data is None else client.post(url, data)
        except Exception as error:  # noqa: BLE001 (a page that does not render fails too)
            found[url] = [f"an error: {error!r}"]
            continue
        if response.status_code in (301, 302, 405):
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        page = Page.of(response.content.decode())
        if problems := codes.found(page):
            found[url] = sorted(set(problems))
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_no_code_on_any_page(
    world: World, persona: str, request: pytest.FixtureRequest, as_staff: Any
) -> None:
    client = as_staff(request.getfixturevalue(persona))
    found = leaks(client, world)
    assert not found, "Codes on pages:\n" + "\n".join(f"{u}: {p}" for u, p in found.items())


def test_the_check_finds_a_code_in_a_cell_and_not_in_an_attribute() -> None:
    codes = Codes(
        anywhere=re.compile(r"(?<![\w/.@-])(?:da_lead|case\.opened)(?![\w/@-]|\.\w)"),
        whole={"police", "physical", "sexual"},
    )
    page = Page.of(
        "<td>police</td><td>Police</td><td>Physical abuse</td><p>call the police</p>"
        '<a href="/x?agency=police" id="da_lead">Link</a><input value="2026-04-12">'
        "<td>physical, sexual</td><p>the da_lead at 14:36 on 2026-04-12 case.opened</p>"
        "<p>by 5:00p.m.</p>"
    )
    assert codes.found(page) == [
        "code 'da_lead'",
        "code 'case.opened'",
        "ISO date '2026-04-12'",
        "24-hour time '14:36'",
        "time not as GOV.UK '5:00p.m.'",
        "an element reading 'police'",
        "an element reading 'physical, sexual'",
    ]


def test_the_check_knows_the_policys_setting_names() -> None:
    codes = Codes.known()
    page = Page.of(
        "<p>The policy (setting <code>assignment.same_sex_officer_on_request</code>) does "
        "not allow this.</p><p>See review_interval_days.</p><p>Officer of the same sex</p>"
    )
    assert codes.found(page) == [
        "code 'assignment.same_sex_officer_on_request'",
        "code 'review_interval_days'",
    ]


def test_a_page_refused_by_the_policy_names_the_rule_in_words(
    open_case: Callable[..., Case], manager: Staff, teammate: Staff, as_staff: Any
) -> None:
    asked = open_case(requests=cases_inputs.Requests(same_sex_officer=True))
    response = as_staff(manager).post(f"/cases/{asked.pk}/assign", {"officer": teammate.username})
    assert response.status_code == 422
    page = Page.of(response.content.decode())
    assert Codes.known().found(page) == []
    assert "Officer of the same sex" in page.text
    assert "A survivor who asks for an officer of their own sex gets one." in page.text


@pytest.mark.parametrize("policy", ["viridian"], indirect=True)
def test_a_closure_refused_by_the_policy_names_the_rule_and_whose_it_is(
    policy: str, open_case: Callable[..., Case], officer: Staff, as_staff: Any
) -> None:
    case = open_case()
    day = timezone.localdate() - timedelta(days=1)
    response = as_staff(officer).post(
        f"/cases/{case.pk}/close",
        {
            "reason": active_policy().closure.reasons[0],
            "survivor_agrees": "no",
            "review_meeting_0": str(day.day),
            "review_meeting_1": str(day.month),
            "review_meeting_2": str(day.year),
            "explanation": "She does not agree yet; the officer asked for the case to close.",
        },
    )
    assert response.status_code == 422
    page = Page.of(response.content.decode())
    assert Codes.known().found(page) == []
    assert "The survivor's agreement" in page.text
    quote = active_policy().quotes["closure.survivor_agreement"]
    assert " ".join(quote.split()) in " ".join(page.text.split())  # the provider's words
    assert "own words:" in page.text
