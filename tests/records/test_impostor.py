"""Subject access for the person, not for a name (issue 17, section 4).

A perpetrator who knows his ex-partner's full name and date of birth gets a report
recorded "as her" in another team, then asks for "her" records. Nothing is gathered
until another handler has checked and recorded who is asking; the handler then sees the
cases of that name and date of birth and confirms each; her contact details from her
real case never go to the contact details he gave; releasing is a disclosure audited on
every case in it, and the officer of each is told."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Alert, Case
from safehold.privacy.models import AuditEntry
from safehold.records.models import SubjectAccessCase, SubjectAccessRequest
from safehold.records.redaction import WITHHELD
from tests.casedata import SURVIVOR_ADDRESS, SURVIVOR_NAME, SURVIVOR_PHONE
from tests.records.conftest import SAFE_TIMES, SURVIVOR_EMAIL, absent
from tests.records.test_subject_access import pdf_text

pytestmark = pytest.mark.django_db

IMPOSTOR_ADDRESS = "99 Decoy Road, Eastby EB9 9ZZ"
IMPOSTOR_PHONE = "07700 900999"
IMPOSTOR_EMAIL = "decoy@example.com"
# Everything of her real case that the impostor must never receive.
HERS = [
    SURVIVOR_ADDRESS,
    "Wistmoor",
    SURVIVOR_PHONE,
    "07700900417",
    SURVIVOR_EMAIL,
    SAFE_TIMES,
    "Tuesday mornings",
    "T-55821",
]
# What her real case says, which stays out until a handler confirms that case.
HER_STORY = ["threatened Zephyrine", "panic alarm", "Barnaby", "Elmhurst", "knife"]


@pytest.fixture
def impostor_case(open_case: Callable[..., Case], outsider: Staff) -> Case:
    """A report recorded in another team (Riverside) with her name and date of birth,
    and the impostor's own address, phone and email as her safe contact details."""
    return open_case(
        by=outsider,
        survivor=inputs.SurvivorDetails(
            name=SURVIVOR_NAME,
            date_of_birth=date(1988, 4, 12),
            sex="female",
            address=IMPOSTOR_ADDRESS,
            safe_contact=inputs.SafeContact(
                phone=IMPOSTOR_PHONE, email=IMPOSTOR_EMAIL, safe_times="Any time", post_ok=True
            ),
        ),
        alleged_perpetrators=(),
        children=(),
        summary="Caller says her ex-partner has been following her",
        reported_at=timezone.now() - timedelta(days=1),
    )


def api(client: Client, method: str, path: str, body: dict[str, Any] | None = None):
    url = f"/api/v1{path}"
    if method == "get":
        return client.get(url)
    return client.post(url, body or {}, content_type="application/json")


def logged(client: Client, case: Case) -> str:
    received = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    body = {"subject": "survivor", "received_at": received, "notes": "Asked by phone"}
    response = api(client, "post", f"/cases/{case.pk}/subject-access-requests", body)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_the_impostors_request_gathers_nothing_of_her_real_case_until_verified_and_confirmed(
    full_case: Case, impostor_case: Case, da_lead: Staff, director: Staff, api_as
) -> None:
    assert impostor_case.survivor_identity_id == full_case.survivor_identity_id  # control
    assert impostor_case.team_id != full_case.team_id
    lead, checker = api_as(da_lead), api_as(director)
    sar = logged(lead, impostor_case)

    # Before anyone has checked who is asking: no export, not even the list of cases.
    refused = api(lead, "get", f"/subject-access-requests/{sar}/export?format=json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "identity_not_verified"
    detail = api(lead, "get", f"/subject-access-requests/{sar}")
    assert detail.status_code == 200
    assert detail.json()["candidates"] is None
    assert full_case.reference not in detail.content.decode()
    assert absent(refused.content.decode() + detail.content.decode(), HERS + HER_STORY) == []

    # The handler who logged it may not also check it.
    own = api(lead, "post", f"/subject-access-requests/{sar}/verification", {"method": "other"})
    assert own.status_code == 403
    assert own.json()["code"] == "own_request"
    vague = api(
        checker, "post", f"/subject-access-requests/{sar}/verification", {"method": "other"}
    )
    assert vague.status_code == 422
    assert vague.json()["code"] == "notes_required"
    checked = api(
        checker,
        "post",
        f"/subject-access-requests/{sar}/verification",
        {"method": "safe_phone_call_back", "notes": "Called back on the number on the case"},
    )
    assert checked.status_code == 200
    assert checked.json()["verified_by"] == director.username
    assert checked.json()["verification_method"] == "safe_phone_call_back"

    # Now the handler sees the cases of that name and date of birth, and whether they
    # share contact details, but nothing is gathered until each is confirmed.
    listed = api(lead, "get", f"/subject-access-requests/{sar}").json()
    candidates = {c["reference"]: c for c in listed["candidates"]}
    assert set(candidates) == {impostor_case.reference, full_case.reference}
    hers = candidates[full_case.reference]
    assert (hers["team"], hers["included"], hers["contact_details_match"]) == (
        "Northgate",
        False,
        False,
    )
    assert candidates[impostor_case.reference]["request_made_on_this_case"] is True
    not_yet = api(lead, "get", f"/subject-access-requests/{sar}/export?format=json")
    assert not_yet.status_code == 409
    assert not_yet.json()["code"] == "cases_not_confirmed"

    confirmed = api(lead, "post", f"/subject-access-requests/{sar}/cases", {"cases": []})
    assert confirmed.status_code == 200
    assert confirmed.json()["included_cases"] == [impostor_case.pk]
    text = api(lead, "get", f"/subject-access-requests/{sar}/export?format=json").content.decode()
    document = json.loads(text)
    assert [c["reference"] for c in document["cases"]] == [impostor_case.reference]
    assert full_case.reference not in text
    assert absent(text, HERS + HER_STORY) == []
    assert document["request"]["status"] == "draft"
    assert document["request"]["identity_checked_by"] == director.full_name


def test_her_contact_details_never_go_to_the_impostors_even_if_her_case_is_included(
    full_case: Case, impostor_case: Case, da_lead: Staff, director: Staff, officer: Staff, api_as
) -> None:
    """A handler who wrongly confirms her real case still sends none of her address,
    phone, email, tenancy or safe times: they differ from the impostor's case, so they
    are withheld and listed for review, and the export goes only to his case's email."""
    lead = api_as(da_lead)
    sar = logged(lead, impostor_case)
    api(api_as(director), "post", f"/subject-access-requests/{sar}/verification",
        {"method": "photo_id_in_person", "notes": "Driving licence seen"})  # fmt: skip
    api(lead, "post", f"/subject-access-requests/{sar}/cases", {"cases": [full_case.pk]})

    for fmt in ("json", "pdf"):
        response = api(lead, "get", f"/subject-access-requests/{sar}/export?format={fmt}")
        assert response.status_code == 200
        text = response.content.decode() if fmt == "json" else pdf_text(response.content)
        assert absent(text, HERS) == [], fmt
        assert IMPOSTOR_ADDRESS in text  # what was given on the case the request came from
    document = json.loads(
        api(lead, "get", f"/subject-access-requests/{sar}/export?format=json").content
    )
    real = next(c for c in document["cases"] if c["reference"] == full_case.reference)
    you = real["you"]
    assert (you["address"], you["phone"], you["email"], you["safe_times"]) == (WITHHELD,) * 4
    assert real["summary"].startswith("[redacted] threatened Zephyrine")  # as she would get it
    review = api(lead, "get", f"/subject-access-requests/{sar}").json()["review"]
    withheld = [i for i in review if i["case"] == full_case.reference and "withheld" in i["what"]]
    assert any("address" in i["where"] and "phone" in i["where"] for i in withheld)

    # Release: only after review, only by a channel safe on the impostor's case.
    early = api(lead, "post", f"/subject-access-requests/{sar}/release", {"channel": "email"})
    assert early.status_code == 409
    assert early.json()["code"] == "not_reviewed"
    assert api(lead, "post", f"/subject-access-requests/{sar}/review").status_code == 200
    released = api(lead, "post", f"/subject-access-requests/{sar}/release", {"channel": "email"})
    assert released.status_code == 200, released.content
    assert released.json()["release_channel"] == "email"
    page = api_as(da_lead)
    request_page = page.get(f"/api/v1/subject-access-requests/{sar}").content.decode()
    assert SURVIVOR_EMAIL not in request_page
    assert absent(json.dumps([e.detail for e in AuditEntry.objects.all()]), HERS) == []
    assert SubjectAccessRequest.objects.get(pk=sar).released_at is not None
    again = api(lead, "post", f"/subject-access-requests/{sar}/cases", {"cases": []})
    assert again.status_code == 409
    assert again.json()["code"] == "already_released"


def test_releasing_is_a_disclosure_audited_on_each_case_and_each_officer_is_told(
    full_case: Case,
    impostor_case: Case,
    da_lead: Staff,
    director: Staff,
    officer: Staff,
    outsider: Staff,
    api_as,
    as_staff,
    django_capture_on_commit_callbacks,
) -> None:
    Staff.objects.filter(pk=officer.pk).update(email="alice.officer@example.org")
    lead = api_as(da_lead)
    sar = logged(lead, impostor_case)
    api(api_as(director), "post", f"/subject-access-requests/{sar}/verification",
        {"method": "photo_id_in_person", "notes": "Passport seen"})  # fmt: skip
    api(lead, "post", f"/subject-access-requests/{sar}/cases", {"cases": [full_case.pk]})
    api(lead, "post", f"/subject-access-requests/{sar}/review")
    assert not AuditEntry.objects.filter(action="disclosure.subject_access").exists()
    before = set(Alert.objects.values_list("pk", flat=True))  # such as the repeat notice

    unsafe = api(lead, "post", f"/subject-access-requests/{sar}/release", {"channel": "fax"})
    assert unsafe.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = api(
            lead, "post", f"/subject-access-requests/{sar}/release", {"channel": "email"}
        )
    assert response.status_code == 200

    entries = AuditEntry.objects.filter(action="disclosure.subject_access")
    assert {e.target_id for e in entries} == {full_case.pk, impostor_case.pk}
    for entry in entries:
        assert entry.actor == da_lead.username
        assert entry.detail["request"] == sar
        assert entry.detail["channel"] == "email"
        assert entry.detail["request_made_on_this_case"] == (entry.target_id == impostor_case.pk)

    alerts = Alert.objects.exclude(pk__in=before).select_related("recipient")
    told = {alert.recipient.username: alert for alert in alerts}
    assert len(told) == alerts.count()
    assert set(told) == {officer.username, outsider.username}
    assert told[officer.username].case_id == full_case.pk
    assert full_case.reference in told[officer.username].message
    assert impostor_case.reference not in told[officer.username].message  # hers alone
    assert told[outsider.username].case_id == impostor_case.pk
    home = as_staff(officer).get("/").content.decode()  # she sees it on her home page
    assert f"the records of {full_case.reference} were released" in home
    [email] = mail.outbox
    assert email.to == ["alice.officer@example.org"]
    assert full_case.reference in email.subject
    assert absent(email.body, [SURVIVOR_NAME, *HERS]) == []


def test_a_case_not_listed_for_the_request_cannot_be_confirmed(
    full_case: Case,
    impostor_case: Case,
    open_case: Callable[..., Case],
    da_lead: Staff,
    director: Staff,
    api_as,
) -> None:
    """Someone else's case, a missing id and a case the handler may not see are refused
    alike: the answer says nothing about which."""
    someone_else = open_case(
        survivor=inputs.SurvivorDetails(name="Ottoline Fennimore", date_of_birth=date(1990, 1, 2))
    )
    lead = api_as(da_lead)
    sar = logged(lead, impostor_case)
    api(api_as(director), "post", f"/subject-access-requests/{sar}/verification",
        {"method": "photo_id_in_person"})  # fmt: skip
    answers = [
        api(lead, "post", f"/subject-access-requests/{sar}/cases", {"cases": [case_id]})
        for case_id in (someone_else.pk, "cas_doesnotexist")
    ]
    assert {(a.status_code, a.json()["code"]) for a in answers} == {(422, "not_a_candidate")}
    assert not SubjectAccessCase.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "outsider", "auditor", "admin"])
def test_only_handlers_check_identity_confirm_review_and_release(
    request: pytest.FixtureRequest, impostor_case: Case, log_request, api_as, persona: str
) -> None:
    sar = log_request(impostor_case, ready=False)
    client = api_as(request.getfixturevalue(persona))
    for path, body in (
        ("verification", {"method": "photo_id_in_person"}),
        ("cases", {"cases": []}),
        ("review", None),
        ("release", {"channel": "email"}),
        ("close", {"reason": "Could not confirm who asked"}),
    ):
        response = api(client, "post", f"/subject-access-requests/{sar.pk}/{path}", body)
        assert response.status_code == 403, path
    assert api(client, "get", f"/subject-access-requests/{sar.pk}").status_code == 403
    sar.refresh_from_db()
    assert (sar.verified_at, sar.completed_at) == (None, None)
