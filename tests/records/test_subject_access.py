"""Subject access requests through the API: who may log and export them, when they are
due, and what each export holds, with the alleged perpetrator's tested hardest."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from safehold.accounts.models import Staff
from safehold.cases import sealing
from safehold.cases.models import Case, Person, PersonRole
from safehold.casework import contacts, plan
from safehold.casework.models import Action
from safehold.closure import appeals, feedback
from safehold.closure import services as closure_services
from safehold.privacy.models import AuditEntry
from safehold.records import services
from safehold.records.models import SubjectAccessRequest
from safehold.records.redaction import REDACTED
from tests.casedata import PERPETRATOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_NAME, SURVIVOR_PHONE
from tests.records.conftest import (
    OTHERS,
    PERPETRATOR_EMAIL,
    PERPETRATOR_TENANCY,
    PERPETRATOR_WORDS,
    SURVIVOR_EMAIL,
    SURVIVORS,
    absent,
    add_person,
)

pytestmark = pytest.mark.django_db
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).isoformat()


def log(client: Client, case: Case, **body: Any):
    payload = {"subject": "survivor", "received_at": YESTERDAY, "notes": "ID seen", **body}
    return client.post(
        f"/api/v1/cases/{case.pk}/subject-access-requests", payload, content_type="application/json"
    )


def export(client: Client, request_id: str, fmt: str = "json"):
    return client.get(f"/api/v1/subject-access-requests/{request_id}/export?format={fmt}")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=UTC), tick=False)
def test_a_da_lead_logs_a_request_due_a_calendar_month_later(
    case: Case, da_lead: Staff, api_as
) -> None:
    response = log(api_as(da_lead), case, received_at="2026-01-31T10:00:00+00:00")
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("sar_")
    assert body["subject"] == "survivor"
    assert body["received_at"] == "2026-01-31T10:00:00Z"
    assert body["due_at"] == "2026-02-28"
    assert body["completed_at"] is None
    request = SubjectAccessRequest.objects.get()
    assert request.person.role == PersonRole.SURVIVOR
    assert sealing.unseal(case.data_key, request) == {"notes": "ID seen"}
    entry = AuditEntry.objects.filter(action="subject_access.logged").get()
    assert entry.detail == {
        "request": request.pk, "subject": "survivor", "due_at": "2026-02-28",
        "address": "127.0.0.1",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("received_at", "due_at"),
    [
        ("2026-01-31T10:00:00+00:00", "2026-02-28"),
        ("2028-01-31T10:00:00+00:00", "2028-02-29"),  # a leap year
        ("2026-03-31T10:00:00+01:00", "2026-04-30"),
        ("2026-12-15T10:00:00+00:00", "2027-01-15"),
        # 23:30 on 31 January at UTC-1 is 1 February in London: due 1 March.
        ("2026-01-31T23:30:00-01:00", "2026-03-01"),
    ],
)
def test_due_dates_follow_the_ico_rule(
    case: Case, director: Staff, api_as, received_at: str, due_at: str
) -> None:
    with time_machine.travel(datetime(2028, 6, 1, tzinfo=UTC), tick=False):
        response = log(api_as(director), case, received_at=received_at)
    assert response.status_code == 201, response.content
    assert response.json()["due_at"] == due_at


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("officer", 403, "may_not_handle_subject_access"),  # on the case, but not a handler
        ("teammate", 403, "may_not_handle_subject_access"),
        ("outsider", 403, "may_not_handle_subject_access"),
        ("auditor", 403, "may_not_handle_subject_access"),
        ("admin", 403, "may_not_handle_subject_access"),
        ("other_manager", 404, "not_found"),  # may not know the case exists
        ("manager", 201, None),
        ("director", 201, None),
        ("da_lead", 201, None),
    ],
)
def test_only_handlers_log_requests(
    request: pytest.FixtureRequest,
    case: Case,
    make_staff: Callable[..., Staff],
    api_as,
    persona: str,
    status: int,
    code: str | None,
) -> None:
    if persona == "other_manager":
        staff = make_staff("rita.manager", role="manager", team="Riverside")
    else:
        staff = request.getfixturevalue(persona)
    response = log(api_as(staff), case)
    assert response.status_code == status
    if code:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == code
        assert not SubjectAccessRequest.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "outsider", "auditor", "admin", "other_manager"])
def test_only_handlers_export(
    request: pytest.FixtureRequest,
    case: Case,
    log_request,
    make_staff: Callable[..., Staff],
    api_as,
    persona: str,
) -> None:
    sar = log_request(case)
    if persona == "other_manager":
        staff = make_staff("rita.manager", role="manager", team="Riverside")
    else:
        staff = request.getfixturevalue(persona)
    response = export(api_as(staff), sar.pk)
    assert response.status_code == (404 if persona == "other_manager" else 403)
    assert not AuditEntry.objects.filter(action="subject_access.exported").exists()


@pytest.mark.parametrize(
    ("body", "raw", "status", "code"),
    [
        ({"subject": "neighbour"}, None, 400, "invalid_request"),
        ({"received_at": "2099-01-01T00:00:00+00:00"}, None, 422, "received_at_in_future"),
        ({"received_at": "2026-01-31T10:00:00"}, None, 400, "invalid_request"),  # no offset
        ({"received_at": "last Tuesday"}, None, 400, "invalid_request"),
        ({"reason": "extra"}, None, 400, "invalid_request"),
        ({"notes": "x" * 5001}, None, 400, "invalid_request"),
        (
            {"subject": "alleged_perpetrator", "person_id": "ppl_nobody"},
            None,
            422,
            "unknown_person",
        ),
        ({}, '{"subject": "survivor", "received_at": ', 400, "invalid_request"),
        ({}, "[]", 400, "invalid_request"),
    ],
)
def test_bad_requests_are_refused_clearly(
    case: Case, da_lead: Staff, api_as, body: dict[str, Any], raw: str | None, status, code
) -> None:
    client = api_as(da_lead)
    if raw is None:
        response = log(client, case, **body)
    else:
        url = f"/api/v1/cases/{case.pk}/subject-access-requests"
        response = client.post(url, raw, content_type="application/json")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert problem["detail"]
    assert not SubjectAccessRequest.objects.exists()


def test_an_unknown_export_format_is_refused(case: Case, log_request, da_lead, api_as) -> None:
    response = export(api_as(da_lead), log_request(case).pk, "docx")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_an_unknown_request_is_not_found(da_lead: Staff, api_as) -> None:
    response = export(api_as(da_lead), "sar_doesnotexist")
    assert response.status_code == 404


def test_the_survivor_gets_her_own_record_without_anyone_elses(
    full_case: Case, da_lead: Staff, log_request, api_as
) -> None:
    sar = log_request(full_case)
    client = api_as(da_lead)
    response = export(client, sar.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{full_case.reference}-subject-access-{sar.pk}.json"'
    )
    text = response.content.decode()
    document = json.loads(text)
    [case] = document["cases"]
    you = case["you"]
    assert (you["name"], you["address"], you["phone"], you["email"]) == (
        SURVIVOR_NAME,
        SURVIVOR_ADDRESS,
        SURVIVOR_PHONE,
        SURVIVOR_EMAIL,
    )
    assert you["safe_times"] == f"Tuesday mornings, when {REDACTED} is at the gym"
    assert case["summary"].startswith(f"{REDACTED} threatened Zephyrine at the door.")
    assert f"lives at {REDACTED}" in case["summary"]
    assert f"rang her from {REDACTED}." in case["summary"]
    assert (
        case["incidents"][0]["summary"]
        == f"{REDACTED} came back and shouted; {REDACTED} was at school"
    )
    assert absent(text, OTHERS) == []
    # What she said, and what staff wrote, are hers; the other people's words are not.
    notes = {c["with"]: c for c in case["contacts"]}
    assert notes["survivor"]["notes"].startswith("Zephyrine says")
    assert notes["alleged_perpetrator"]["notes"] is None
    assert "Withheld" in notes["alleged_perpetrator"]["withheld"]
    assert notes["other"]["notes"] is None
    assert case["actions"][0]["detail"].startswith("Monitored panic alarm")
    assert case["risk_assessments"][0]["answers"][0]["note"] == f"{REDACTED} has a knife"
    assert case["letters"][0]["kind"] == "acknowledgement"
    assert [letter["kind"] for letter in case["letters"]] == ["acknowledgement"]
    assert case["referrals"][0]["status"] == "sent"
    assert case["evidence"][0]["file_name"] == f"{REDACTED} door.png"
    assert case["perpetrator_interviews"][0]["details"] is None
    assert "Quattlebaum" in text  # her surname, which her child shares, stays


def test_the_survivors_pdf_holds_the_same_and_no_more(
    full_case: Case, da_lead: Staff, log_request, api_as
) -> None:
    sar = log_request(full_case)
    response = export(api_as(da_lead), sar.pk, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for value in (SURVIVOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_PHONE, "threatened Zephyrine"):
        assert value in text
    assert absent(text, OTHERS) == []


def test_the_export_covers_each_of_her_cases_the_handler_confirmed(
    full_case: Case, open_case: Callable[..., Case], da_lead: Staff, log_request, api_as
) -> None:
    earlier = open_case(summary="An earlier report about Barnaby Oddsworth")
    assert earlier.survivor_identity_id == full_case.survivor_identity_id
    alone = export(api_as(da_lead), log_request(full_case).pk).json()
    assert [c["reference"] for c in alone["cases"]] == [full_case.reference]
    document = export(api_as(da_lead), log_request(full_case, include=(earlier,)).pk).json()
    assert {c["reference"] for c in document["cases"]} == {full_case.reference, earlier.reference}
    assert absent(json.dumps(document), OTHERS) == []


def test_every_export_is_audited_without_personal_data(
    full_case: Case, da_lead: Staff, log_request, api_as
) -> None:
    sar = log_request(full_case)
    client = api_as(da_lead)
    export(client, sar.pk)
    export(client, sar.pk, "pdf")
    entries = AuditEntry.objects.filter(action="subject_access.exported")
    assert entries.count() == 2
    assert {e.target_id for e in entries} == {full_case.pk}
    assert entries.first().detail == {
        "request": sar.pk, "subject": "survivor", "cases": 1, "address": "127.0.0.1",
    }  # fmt: skip
    everything = json.dumps([e.detail for e in AuditEntry.objects.all()])
    assert absent(everything, [*OTHERS, *SURVIVORS]) == []


def test_the_check_for_personal_data_skips_only_safeholds_random_ids() -> None:
    """`absent` failed a run at d068474: an audit detail's random id held "1988", her
    birth year, by chance. Ids are taken out; the year anywhere else is still found."""
    random_id = "sar_5608ff1988f3be31e0aa"
    assert absent(json.dumps({"request": random_id, "token": "shk_a1988b"}), ["1988"]) == []
    for leak in ("1988-04-12", "12/04/1988", "born 1988", "sar_1988", f"{random_id}1988"):
        assert absent(json.dumps({"request": random_id, "x": leak}), ["1988"]) == ["1988"]


def test_a_request_is_completed_after_its_release(
    full_case: Case, da_lead: Staff, log_request, api_as
) -> None:
    """Until issue 17 a request could be completed once exported; now the export must be
    reviewed and released first (section 4), or the request closed without release."""
    sar = log_request(full_case)
    client = api_as(da_lead)
    complete = f"/api/v1/subject-access-requests/{sar.pk}/complete"
    refused = client.post(complete)
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_released"
    assert export(client, sar.pk).status_code == 200
    assert client.post(complete).json()["code"] == "not_released"
    assert client.post(f"/api/v1/subject-access-requests/{sar.pk}/review").status_code == 200
    released = client.post(
        f"/api/v1/subject-access-requests/{sar.pk}/release",
        {"channel": "post"},
        content_type="application/json",
    )
    assert released.status_code == 200, released.content
    done = client.post(complete)
    assert done.status_code == 200
    assert done.json()["completed_at"] is not None
    assert client.post(complete).json()["code"] == "already_completed"
    assert AuditEntry.objects.filter(action="subject_access.completed").count() == 1


def test_a_request_is_closed_without_release_when_identity_cannot_be_confirmed(
    case: Case, da_lead: Staff, log_request, api_as
) -> None:
    sar = log_request(case, ready=False)
    client = api_as(da_lead)
    url = f"/api/v1/subject-access-requests/{sar.pk}/close"
    short = client.post(url, {"reason": "no"}, content_type="application/json")
    assert short.status_code == 422
    assert short.json()["code"] == "reason_too_short"
    closed = client.post(
        url, {"reason": "Did not come to show ID"}, content_type="application/json"
    )
    assert closed.status_code == 200
    assert closed.json()["completed_at"] is not None
    assert closed.json()["released_at"] is None
    entry = AuditEntry.objects.get(action="subject_access.closed_without_release")
    assert entry.detail["request"] == sar.pk
    assert sealing.unseal(case.data_key, SubjectAccessRequest.objects.get())["closed_reason"] == (
        "Did not come to show ID"
    )


def test_a_release_goes_only_by_a_channel_safe_on_the_case(
    case: Case, da_lead: Staff, log_request, api_as
) -> None:
    """The survivor of `case` gave a phone number only, and post is not safe for her:
    the export cannot be released by email or post (docs/records.md)."""
    sar = log_request(case)
    client = api_as(da_lead)
    client.post(f"/api/v1/subject-access-requests/{sar.pk}/review")
    for channel in ("email", "post"):
        refused = client.post(
            f"/api/v1/subject-access-requests/{sar.pk}/release",
            {"channel": channel},
            content_type="application/json",
        )
        assert refused.status_code == 422
        assert refused.json()["code"] == "unsafe_contact_channel"
    assert not AuditEntry.objects.filter(action="disclosure.subject_access").exists()


# The alleged perpetrator -------------------------------------------------------------


@pytest.fixture
def perpetrator_request(full_case: Case, log_request) -> SubjectAccessRequest:
    return log_request(full_case, "alleged_perpetrator")


def test_the_alleged_perpetrator_gets_nothing_of_the_survivor(
    full_case: Case, perpetrator_request: SubjectAccessRequest, da_lead: Staff, api_as
) -> None:
    client = api_as(da_lead)
    response = export(client, perpetrator_request.pk)
    assert response.status_code == 200
    text = response.content.decode()
    document = json.loads(text)
    assert document["you"]["name"] == PERPETRATOR_NAME
    assert document["you"]["tenancy_ref"] == PERPETRATOR_TENANCY
    assert [letter["kind"] for letter in document["letters"]] == ["warning"]
    [contact] = document["contacts"]
    assert contact["channel"] == "phone"
    assert contact["notes"] is None
    assert absent(text, SURVIVORS) == []
    assert absent(text, ["I was at my mother", "Winifred", "shouting", "knife", "Safe to"]) == []
    # Not even the keys of what a survivor's export holds.
    assert set(document) == {
        "request", "scope", "reference", "you", "letters", "contacts", "appeals",
    }  # fmt: skip
    assert set(document["you"]) == {
        "name",
        "tenancy_ref",
        "ethnicity",
        "disability",
        "sexual_orientation",
        "gender_identity",
        "religion",
    }


def test_the_alleged_perpetrators_pdf_has_nothing_of_the_survivor(
    perpetrator_request: SubjectAccessRequest, da_lead: Staff, api_as
) -> None:
    response = export(api_as(da_lead), perpetrator_request.pk, "pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert PERPETRATOR_NAME in text
    assert absent(text, SURVIVORS) == []


def test_the_alleged_perpetrators_export_reads_only_their_own_row(
    full_case: Case,
    perpetrator_request: SubjectAccessRequest,
    da_lead: Staff,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Built from a minimal view, not by removing things: nothing else is even decrypted."""
    opened: list[Any] = []
    real_unseal = sealing.unseal

    def watched(data_key: Any, row: Any) -> dict[str, Any]:
        opened.append(row)
        return real_unseal(data_key, row)

    monkeypatch.setattr(sealing, "unseal", watched)
    services.subject_access_export(request=perpetrator_request, by=da_lead)
    assert [(type(row), row.pk) for row in opened] == [(Person, perpetrator_request.person_id)]


def test_with_two_alleged_perpetrators_the_handler_says_which(
    full_case: Case, da_lead: Staff, prepare, api_as
) -> None:
    second = add_person(full_case, PersonRole.ALLEGED_PERPETRATOR, name="Cuthbert Vane")
    client = api_as(da_lead)
    ambiguous = log(client, full_case, subject="alleged_perpetrator")
    assert ambiguous.status_code == 422
    assert ambiguous.json()["code"] == "person_required"
    logged = log(client, full_case, subject="alleged_perpetrator", person_id=second.pk)
    assert logged.status_code == 201
    prepare(SubjectAccessRequest.objects.get(pk=logged.json()["id"]))
    document = export(client, logged.json()["id"]).json()
    assert document["you"]["name"] == "Cuthbert Vane"
    # Letters and contacts do not say which of them they were with: neither is listed.
    assert document["letters"] == []
    assert document["contacts"] == []
    assert absent(json.dumps(document), [*SURVIVORS, PERPETRATOR_NAME, "Barnaby"]) == []


def test_an_erased_or_unseen_case_has_no_requests(
    case: Case, log_request, make_staff: Callable[..., Staff], api_as
) -> None:
    sar = log_request(case)
    stranger = make_staff("rita.manager", role="manager", team="Riverside")
    assert export(api_as(stranger), sar.pk).status_code == 404
    listing = api_as(stranger).get(f"/api/v1/cases/{case.pk}/subject-access-requests")
    assert listing.status_code == 404


def test_a_case_lists_its_requests(case: Case, log_request, manager: Staff, api_as) -> None:
    sar = log_request(case, received_at=timezone.now() - timedelta(days=40))
    response = api_as(manager).get(f"/api/v1/cases/{case.pk}/subject-access-requests")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == sar.pk
    assert date.fromisoformat(item["due_at"]) < timezone.localdate()


def test_her_export_holds_her_closure_feedback_and_appeals_but_not_his_appeal(
    full_case: Case, officer: Staff, manager: Staff, da_lead: Staff, log_request, api_as
) -> None:
    moment = timezone.now()
    for action in Action.objects.filter(case=full_case, status="open"):
        plan.action_complete(action=action, by=officer)
    closure_services.closure_request(
        case=full_case, by=officer, reason="resolved", survivor_agrees=True,
        review_meeting_at=moment - timedelta(days=1), explanation="Locks fitted for you.",
    )  # fmt: skip
    closure_services.closure_approve(case=full_case, by=manager)
    full_case.refresh_from_db()
    feedback.feedback_record(case=full_case, by=officer, satisfaction=5, comments="Kind staff.")
    appeals.appeal_make(
        case=full_case, by=officer, party="survivor", grounds="Closed before the hearing."
    )
    appeals.appeal_make(
        case=full_case, by=officer, party="alleged_perpetrator", grounds=PERPETRATOR_WORDS
    )

    hers = export(api_as(da_lead), log_request(full_case).pk).content.decode()
    [case] = json.loads(hers)["cases"]
    assert case["closures"][0]["explanation"] == "Locks fitted for you."
    assert case["feedback"][0]["comments"] == "Kind staff."
    assert [a["grounds"] for a in case["appeals"]] == ["Closed before the hearing."]
    assert PERPETRATOR_WORDS not in hers

    his = export(api_as(da_lead), log_request(full_case, "alleged_perpetrator").pk).json()
    [appeal] = his["appeals"]
    assert "grounds" not in appeal
    assert absent(json.dumps(his), [*SURVIVORS, "Locks fitted", "Kind staff", "hearing"]) == []


# Redaction as people write (issue 17, section 9) ----------------------------------------

ACCENTED_WITNESS = "Zoë Ångström-Núñez"
WITNESS_NUMBER = "07700 900666"
NOTE = (
    "Zephyrine says Zoe Angstrom saw him, and ZOË NUNEZ heard it. He now rings from "
    "07911 123456, texts from +44 (0)7911-654321, and mails new.phone@example.net; Zoe "
    "rang us from 0044 7700 900 666. Then Baz came round with Li."
)


@pytest.fixture
def case_with_accents(case: Case, officer: Staff) -> Case:
    """A witness whose name is recorded with accents and written without them, a
    household member with a two-letter name, and phone numbers no one recorded."""
    add_person(case, PersonRole.WITNESS, name=ACCENTED_WITNESS, phone=WITNESS_NUMBER)
    add_person(case, PersonRole.HOUSEHOLD_MEMBER, name="Li Wu")
    contacts.contact_record(
        case=case,
        by=officer,
        at=timezone.now(),
        channel="phone",
        direction="inbound",
        with_whom="survivor",
        notes=NOTE,
    )
    return case


def test_it_redacts_a_name_written_without_its_accents_and_phones_in_free_text(
    case_with_accents: Case, da_lead: Staff, log_request, api_as
) -> None:
    sar = log_request(case_with_accents)
    client = api_as(da_lead)
    text = export(client, sar.pk).content.decode()
    [case] = json.loads(text)["cases"]
    [contact] = case["contacts"]
    assert contact["notes"] == (
        f"Zephyrine says {REDACTED} saw him, and {REDACTED} heard it. He now "
        f"rings from {REDACTED}, texts from {REDACTED}, and mails {REDACTED}; {REDACTED} "
        f"rang us from {REDACTED}. Then Baz came round with Li."
    )
    gone = ["Zoe", "Zoë", "Angstrom", "Nunez", "07911", "654321", "new.phone", "900 666"]
    assert absent(text, gone) == []
    pdf = pdf_text(export(client, sar.pk, "pdf").content)
    assert absent(pdf, gone) == []
    assert "Zephyrine says [redacted] saw him" in pdf


def test_what_cannot_be_redacted_is_listed_for_review_and_the_export_says_it_was_reviewed(
    case_with_accents: Case, da_lead: Staff, director: Staff, log_request, api_as
) -> None:
    sar = log_request(case_with_accents)
    client = api_as(da_lead)
    detail = client.get(f"/api/v1/subject-access-requests/{sar.pk}").json()
    flagged = [item for item in detail["review"] if item["words"]]
    assert [(item["case"], item["where"]) for item in flagged] == [
        (case_with_accents.reference, "Contact 1 (notes)")
    ]
    assert flagged[0]["words"] == ["Baz", "Li"]  # a nickname, and a two-letter name
    assert "Zephyrine" not in flagged[0]["words"]  # hers
    assert export(client, sar.pk).json()["request"]["reviewed_by"] is None

    reviewed = client.post(f"/api/v1/subject-access-requests/{sar.pk}/review")
    assert reviewed.status_code == 200
    assert reviewed.json()["reviewed_by"] == da_lead.username
    header = export(client, sar.pk).json()["request"]
    assert header["status"] == "reviewed"
    assert header["reviewed_by"] == da_lead.full_name
    assert header["reviewed_at"] is not None
    assert header["identity_checked_by"] == director.full_name
    assert header["identity_checked_how"] == "Photo ID seen in person"
    pdf = pdf_text(export(client, sar.pk, "pdf").content)
    assert "Reviewed, for other people's information that could not be removed" in pdf
    assert da_lead.full_name in pdf
    assert "Draft" not in pdf


def test_the_alleged_perpetrators_export_goes_only_to_his_own_contact_details(
    full_case: Case, perpetrator_request: SubjectAccessRequest, da_lead: Staff, api_as
) -> None:
    client = api_as(da_lead)
    url = f"/api/v1/subject-access-requests/{perpetrator_request.pk}"
    assert client.post(f"{url}/review").status_code == 200
    released = client.post(f"{url}/release", {"channel": "email"}, content_type="application/json")
    assert released.status_code == 200, released.content
    sar = SubjectAccessRequest.objects.get(pk=perpetrator_request.pk)
    assert sealing.unseal(full_case.data_key, sar)["released_to"] == PERPETRATOR_EMAIL
    [entry] = AuditEntry.objects.filter(action="disclosure.subject_access")
    assert (entry.target_id, entry.detail["subject"]) == (full_case.pk, "alleged_perpetrator")
