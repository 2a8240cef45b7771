"""The case records page and the subject access queue: who sees them, the forms on
them, downloads as POSTed attachments, and a fixed number of queries per page."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.records import selectors
from safehold.records.models import LegalHold, SubjectAccessRequest
from tests.casedata import SURVIVOR_NAME
from tests.records.conftest import OTHERS, absent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 403),
        ("teammate", 404),
        ("outsider", 404),
        ("auditor", 404),
        ("admin", 404),
        ("manager", 200),
        ("director", 200),
        ("da_lead", 200),
    ],
)
def test_the_records_page_is_for_handlers_who_see_the_case(
    request: pytest.FixtureRequest,
    case: Case,
    as_staff: Callable[[Staff], Client],
    persona: str,
    status: int,
) -> None:
    response = as_staff(request.getfixturevalue(persona)).get(f"/cases/{case.pk}/records")
    assert response.status_code == status


def test_a_manager_logs_a_request_and_a_director_checks_who_asked_before_anything_is_gathered(
    full_case: Case,
    open_case: Callable[..., Case],
    manager: Staff,
    director: Staff,
    officer: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    earlier = open_case()  # the same survivor, an earlier case in the same team
    client = as_staff(manager)
    page = client.get(f"/cases/{full_case.pk}/records").content.decode()
    assert "Log a subject access request" in page
    assert f"The survivor: {SURVIVOR_NAME}" in page
    assert "Place a legal hold" not in page  # a manager may not
    for part in ("received_0", "received_1", "received_2"):  # day, month, year
        assert f'name="{part}"' in page
    survivor = next(
        v for v, _ in selectors.requester_choices(full_case) if v.startswith("survivor")
    )
    saved = client.post(
        f"/cases/{full_case.pk}/records",
        {
            "requester": survivor,
            "received_0": "31",
            "received_1": "1",
            "received_2": "2026",
            "notes": "Letter received at the office",
        },
    )
    assert saved.status_code == 302
    sar = SubjectAccessRequest.objects.get()
    assert sar.due_at.isoformat() == "2026-02-28"
    page = client.get(f"/cases/{full_case.pk}/records").content.decode()
    assert "Letter received at the office" in page
    assert "28 Feb 2026" in page
    assert "Overdue" in page
    assert f'href="/subject-access/{sar.pk}"' in page

    # Nothing is gathered until someone other than the manager checks who asked.
    url = f"/subject-access/{sar.pk}"
    page = client.get(url).content.decode()
    assert "someone else who handles subject access requests must check" in page
    assert earlier.reference not in page
    refused = client.post(f"{url}/export.json", follow=True)
    assert "Check and record the requester" in refused.content.decode()
    assert refused.redirect_chain[-1][0] == url
    own = client.post(f"{url}/verification", {"method": "photo_id_in_person"})
    assert own.status_code == 400
    assert "Someone other than the person who logged the request" in own.content.decode()
    checked = as_staff(director).post(
        f"{url}/verification", {"method": "photo_id_in_person", "notes": "Passport seen"}
    )
    assert checked.status_code == 302

    # The manager sees her cases and confirms the earlier one too.
    page = client.get(url).content.decode()
    assert "Photo ID seen in person, by" in page
    assert earlier.reference in page
    assert "Northgate team" in page
    assert client.post(f"{url}/cases", {"cases": [earlier.pk]}).status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="review-items"' in page
    assert "file(s) listed but not included" in page  # the evidence on the full case
    draft = client.post(f"{url}/export.json")
    assert draft.status_code == 200
    assert draft["Content-Disposition"].startswith("attachment;")
    document = json.loads(draft.content)
    assert document["request"]["status"] == "draft"
    assert {c["reference"] for c in document["cases"]} == {full_case.reference, earlier.reference}
    pdf = client.post(f"{url}/export.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.post(f"{url}/export.docx").status_code == 404
    assert client.get(f"{url}/export.json").status_code == 405

    assert client.post(f"{url}/review").status_code == 302
    unsafe = client.post(f"{url}/release", {"channel": "fax"})
    assert unsafe.status_code == 400
    released = client.post(f"{url}/release", {"channel": "post"}, follow=True)
    page = released.content.decode()
    assert "Export released" in page
    assert "Reviewed by" in page
    assert "Released by" in page
    home = as_staff(officer).get("/").content.decode()
    assert f"the records of {full_case.reference} were released" in home
    done = client.post(f"{url}/complete", follow=True)
    assert "Request marked complete" in done.content.decode()
    sar.refresh_from_db()
    assert sar.completed_at is not None


def test_bad_input_on_the_page_is_shown_next_to_the_field(
    case: Case, da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(da_lead)
    tomorrow = timezone.localdate() + timedelta(days=2)
    response = client.post(
        f"/cases/{case.pk}/records",
        {
            "requester": selectors.requester_choices(case)[0][0],
            "received_0": str(tomorrow.day),
            "received_1": str(tomorrow.month),
            "received_2": str(tomorrow.year),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be in the future" in page
    assert f'name="received_2" type="text" inputmode="numeric" value="{tomorrow.year}"' in page
    missing = client.post(f"/cases/{case.pk}/records", {"requester": "survivor:ppl_nobody"})
    assert missing.status_code == 400
    assert "There is a problem" in missing.content.decode()
    assert not SubjectAccessRequest.objects.exists()


def test_an_officer_may_not_post_a_request_or_export(
    case: Case, officer: Staff, da_lead: Staff, log_request, as_staff
) -> None:
    client = as_staff(officer)
    posted = client.post(
        f"/cases/{case.pk}/records",
        {
            "requester": selectors.requester_choices(case)[0][0],
            "received_0": "1",
            "received_1": "2",
            "received_2": "2026",
        },
    )
    assert posted.status_code == 403
    sar = log_request(case)
    assert client.get(f"/subject-access/{sar.pk}").status_code == 403
    for path in ("export.json", "complete", "verification", "cases", "review", "release"):
        assert client.post(f"/subject-access/{sar.pk}/{path}").status_code == 403, path
    assert SubjectAccessRequest.objects.count() == 1


def test_a_da_lead_places_and_lifts_a_hold_on_the_page(
    case: Case, da_lead: Staff, manager: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(da_lead)
    url = f"/cases/{case.pk}/records/legal-hold"
    short = client.post(url, {"reason": "because"})
    assert short.status_code == 400
    assert "at least 10 characters" in short.content.decode()
    assert as_staff(manager).post(url, {"reason": "Manager wants it kept"}).status_code == 403
    placed = client.post(url, {"reason": "Inquest announced by the coroner"}, follow=True)
    page = placed.content.decode()
    assert "Legal hold placed" in page
    assert "On legal hold" in page
    assert "Inquest announced by the coroner" in page
    assert "Lift the legal hold" in page
    lifted = client.post(url, {"reason": "Inquest concluded in June"}, follow=True)
    assert "Legal hold lifted" in lifted.content.decode()
    case.refresh_from_db()
    assert case.legal_hold is False
    assert LegalHold.objects.count() == 2


def test_the_queue_lists_open_requests_soonest_due_first(
    open_case: Callable[..., Case],
    make_staff: Callable[..., Staff],
    manager: Staff,
    director: Staff,
    outsider: Staff,  # makes the Riverside team
    log_request,
    as_staff: Callable[[Staff], Client],
) -> None:
    now = timezone.now()
    ours, theirs = open_case(), open_case(team="Riverside")
    later = log_request(ours, received_at=now - timedelta(days=2))
    sooner = log_request(theirs, received_at=now - timedelta(days=10))
    assert [r.pk for r in selectors.subject_access_due(director)] == [sooner.pk, later.pk]
    assert [r.pk for r in selectors.subject_access_due(manager)] == [later.pk]
    page = as_staff(director).get("/subject-access").content.decode()
    assert page.index(theirs.reference) < page.index(ours.reference)
    assert absent(page, [SURVIVOR_NAME, *OTHERS]) == []  # references and dates only
    officer = make_staff("ollie.officer")
    assert selectors.subject_access_due(officer) == []
    assert as_staff(officer).get("/subject-access").status_code == 403


def test_list_pages_make_a_fixed_number_of_queries(
    open_case: Callable[..., Case],
    da_lead: Staff,
    log_request,
    as_staff: Callable[[Staff], Client],
) -> None:
    client = as_staff(da_lead)
    case = open_case()

    def counts() -> list[int]:
        result = []
        for url in ("/subject-access", f"/cases/{case.pk}/records"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    log_request(case)
    client.post(f"/cases/{case.pk}/records/legal-hold", {"reason": "Claim pending here"})
    few = counts()
    for _ in range(4):
        log_request(case)
        log_request(open_case())
    assert counts() == few


def test_handlers_reach_records_from_the_case_and_see_open_requests_at_home(
    case: Case, officer: Staff, da_lead: Staff, log_request, as_staff: Callable[[Staff], Client]
) -> None:
    log_request(case)
    link = f'href="/cases/{case.pk}/records"'

    assert link in as_staff(da_lead).get(f"/cases/{case.pk}/").content.decode()
    assert link not in as_staff(officer).get(f"/cases/{case.pk}/").content.decode()
    home = as_staff(da_lead).get("/").content.decode()
    assert 'href="/subject-access">Subject access requests open</a>' in home
    assert "Subject access requests open" not in as_staff(officer).get("/").content.decode()


def test_home_counts_open_requests_up_to_what_their_queue_page_reads(
    open_case: Callable[..., Case],
    da_lead: Staff,
    log_request,
    as_staff: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The home page's count and the queue page stop at the same number of rows, the
    records app's own QUEUE_LIMIT: a count that reaches it says "or more"."""
    client = as_staff(da_lead)

    def home_count() -> str:
        page = client.get("/").content.decode()
        row = page.split(">Subject access requests open</a>")[1]
        return row.split('govuk-summary-list__value">')[1].split("</dd>")[0]

    first, second = open_case(), open_case()
    log_request(first)
    log_request(second)
    assert home_count() == "2"
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 1)
    assert home_count() == "1 or more"
    listed = client.get("/subject-access").content.decode()
    assert (first.reference in listed) != (second.reference in listed)  # one row of two
