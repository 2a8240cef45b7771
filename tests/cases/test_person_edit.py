"""Changing a person's details after the report (issue 18, "Letters fit to send"): the
survivor's or an alleged perpetrator's, by `PATCH /api/v1/cases/{id}/people/{person_id}`
and by the page reached from the case page. Sealed again, search tokens written again,
audited by the names of the details (never their values); a hidden case is a missing one."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Case, Person, PersonRole
from safehold.casework.models import Document
from safehold.privacy.models import AuditEntry
from tests.casedata import (
    PERPETRATOR_NAME,
    SURVIVOR_ADDRESS,
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
    pdf_text,
)

NEW_ADDRESS = "9 Marrowdale Court, Eastfold EF4 2QT"
NEW_PHONE = "07700 900982"


def patch(client: Client, case: Case, person_id: str, body: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.patch(
        f"/api/v1/cases/{case.pk}/people/{person_id}", raw, content_type="application/json"
    )


def survivor_of(case: Case) -> Person:
    return case.people.get(role=PersonRole.SURVIVOR)


def perpetrator_of(case: Case) -> Person:
    return case.people.get(role=PersonRole.ALLEGED_PERPETRATOR)


def letter(client: Client, case: Case, **body: Any) -> Any:
    return client.post(f"/api/v1/cases/{case.pk}/letters", body, content_type="application/json")


def consent_to_contact_him(client: Client, case: Case) -> None:
    given_ = client.post(
        f"/api/v1/cases/{case.pk}/consents",
        {"purpose": "contact_alleged_perpetrator", "given": True},
        content_type="application/json",
    )
    assert given_.status_code == 201, given_.content


def row_bytes(person: Person) -> bytes:
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [person.pk])  # noqa: S608
        row = cursor.fetchone()
    return b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for value in row
    )


def updates() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="person.updated"))


@pytest.fixture
def case_without_his_address(open_case: Callable[..., Case]) -> Case:
    return open_case(
        alleged_perpetrators=(
            inputs.PerpetratorDetails(name=PERPETRATOR_NAME, relationship="ex_partner"),
        )
    )


def test_it_takes_his_address_added_later_so_a_warning_letter_by_post_is_accepted(
    case_without_his_address: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    case = case_without_his_address
    client = api_as(officer)
    consent_to_contact_him(client, case)
    refused = letter(client, case, kind="warning", recipient="alleged_perpetrator")
    assert refused.status_code == 422
    assert refused.json()["code"] == "address_required"
    him = client.get(f"/api/v1/cases/{case.pk}").json()["alleged_perpetrators"][0]

    changed = patch(client, case, him["id"], {"address": NEW_ADDRESS, "is_tenant": True})

    assert changed.status_code == 200, changed.content
    assert changed.json() == {
        "id": him["id"],
        "role": "alleged_perpetrator",
        "changed": ["is_tenant", "address"],
    }
    stored = row_bytes(perpetrator_of(case))
    assert b"Marrowdale" not in stored  # sealed like every address
    shown = client.get(f"/api/v1/cases/{case.pk}").json()["alleged_perpetrators"][0]
    assert (shown["address"], shown["is_tenant"], shown["name"]) == (
        NEW_ADDRESS,
        True,
        PERPETRATOR_NAME,
    )
    made = letter(client, case, kind="warning", recipient="alleged_perpetrator")
    assert made.status_code == 201, made.content
    text = pdf_text(client, made.json()["id"])
    assert "Marrowdale" in text
    # A document to him never carries her details.
    for hers in (SURVIVOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_PHONE, "Zephyrine", "Wistmoor"):
        assert hers not in text


def test_the_audit_names_the_details_changed_never_their_values(
    case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    her = survivor_of(case)

    answer = patch(client, case, her.pk, {"phone": NEW_PHONE, "address": NEW_ADDRESS})

    assert answer.status_code == 200, answer.content
    assert answer.json()["changed"] == ["address", "phone"]
    (entry,) = updates()
    assert entry.actor == officer.username
    assert entry.target_id == case.pk
    assert entry.detail | {"address": ""} == {
        "person": her.pk,
        "role": "survivor",
        "fields": ["address", "phone"],
        "address": "",  # the network address the request came from
    }
    every_detail = json.dumps([e.detail for e in AuditEntry.objects.all()])
    for value in ("Marrowdale", "900982", "EF4"):
        assert value not in every_detail


def test_search_finds_her_by_her_new_details_and_no_longer_by_the_old(
    case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)

    def found(q: str) -> list[str]:
        answer = client.post("/api/v1/cases/search", {"q": q}, content_type="application/json")
        assert answer.status_code == 200, answer.content
        return [item["id"] for item in answer.json()["items"]]

    assert found(SURVIVOR_PHONE) == [case.pk]
    body = {"name": "Zephyrine Hollowbrook", "phone": NEW_PHONE, "date_of_birth": "1988-05-02"}

    assert patch(client, case, survivor_of(case).pk, body).status_code == 200

    assert found(SURVIVOR_PHONE) == []
    assert found("Quattlebaum") == []
    assert found("12/04/1988") == []
    assert found(NEW_PHONE) == [case.pk]
    assert found("Hollowbrook") == [case.pk]
    assert found("2 May 1988") == [case.pk]
    assert found(case.reference) == [case.pk]  # the case's own tokens are kept
    assert found("EF4 2QT") == []  # her address did not change
    stored = row_bytes(survivor_of(case))
    assert b"Hollowbrook" not in stored
    assert b"900982" not in stored


def test_a_later_report_with_her_corrected_name_is_recognised_as_a_repeat(
    case: Case, officer: Staff, api_as: Callable[..., Client], open_case: Callable[..., Case]
) -> None:
    patch(api_as(officer), case, survivor_of(case).pk, {"name": "Zephyrine Hollowbrook"})
    survivor = inputs.SurvivorDetails(name="Zephyrine Hollowbrook", date_of_birth=date(1988, 4, 12))

    later = open_case(survivor=survivor)

    assert later.survivor_identity_id == case.survivor_identity_id
    assert later.repeat


def test_a_corrected_date_of_birth_under_the_minimum_age_flags_the_case(
    case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    assert not case.under_minimum_age
    born = (case.reported_at - timedelta(days=365 * 14)).date().isoformat()

    answer = patch(api_as(officer), case, survivor_of(case).pk, {"date_of_birth": born})

    assert answer.status_code == 200, answer.content
    case.refresh_from_db()
    assert case.under_minimum_age
    assert (
        AuditEntry.objects.filter(action="case.under_minimum_age", target_id=case.pk).count() == 1
    )
    assert survivor_of(case).age_band != "25_34"


@pytest.mark.parametrize("who", ["officer", "manager", "director", "da_lead"])
def test_whoever_may_act_on_the_case_may_change_details(
    who: str, case: Case, request: pytest.FixtureRequest, api_as: Callable[..., Client]
) -> None:
    staff: Staff = request.getfixturevalue(who)

    answer = patch(api_as(staff), case, perpetrator_of(case).pk, {"relationship": "spouse"})

    assert answer.status_code == 200, answer.content
    assert perpetrator_of(case).relationship == "spouse"


@pytest.mark.parametrize("who", ["outsider", "teammate", "auditor", "admin"])
def test_a_hidden_case_answers_as_a_missing_one_and_nothing_changes(
    who: str, case: Case, request: pytest.FixtureRequest, api_as: Callable[..., Client]
) -> None:
    staff: Staff = request.getfixturevalue(who)
    client = api_as(staff)
    him = perpetrator_of(case)
    before = bytes(him.sealed)

    hidden = patch(client, case, him.pk, {"address": NEW_ADDRESS})
    missing = client.patch(
        f"/api/v1/cases/case_00000000000000000000/people/{him.pk}",
        json.dumps({"address": NEW_ADDRESS}),
        content_type="application/json",
    )

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert bytes(perpetrator_of(case).sealed) == before
    assert updates() == []


def test_a_person_not_of_this_case_or_a_child_is_not_found(
    case: Case, open_case: Callable[..., Case], officer: Staff, api_as: Callable[..., Client]
) -> None:
    other = open_case()
    client = api_as(officer)
    child = case.people.get(role=PersonRole.CHILD)

    assert patch(client, case, perpetrator_of(other).pk, {"name": "X"}).status_code == 404
    assert patch(client, case, child.pk, {"name": "X"}).status_code == 404
    assert patch(client, case, "ppl_nothing", {"name": "X"}).status_code == 404
    assert updates() == []


BAD_BODIES = [
    ({"colour": "red"}, 400, "invalid_request"),
    ({"name": 5}, 400, "invalid_request"),
    ({"name": None}, 400, "invalid_request"),
    ({"is_tenant": "yes"}, 400, "invalid_request"),
    ({"relationship": "boss"}, 400, "invalid_request"),
    ({"sex": "f"}, 400, "invalid_request"),
    ({"name": "x" * 201}, 400, "invalid_request"),
    ({"address": "x" * 501}, 400, "invalid_request"),
    ({"date_of_birth": "12 April 1988"}, 400, "invalid_request"),
    ([{"name": "A list"}], 400, "invalid_request"),
    ("{not json", 400, "invalid_request"),
    ({"date_of_birth": "2999-01-01"}, 422, "date_of_birth_in_future"),
    ({"phone": NEW_PHONE, "is_resident": True}, 422, "unknown_detail"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_BODIES)
def test_a_bad_body_is_refused_clearly_and_writes_nothing(
    body: Any, status: int, code: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    her = survivor_of(case)
    before = row_bytes(her)

    answer = patch(api_as(officer), case, her.pk, body)

    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code
    assert answer.json()["detail"]
    assert row_bytes(survivor_of(case)) == before
    assert updates() == []


def test_a_date_of_birth_tomorrow_is_refused_and_today_is_not(
    case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    today = timezone.localdate()
    her = survivor_of(case).pk

    tomorrow = patch(client, case, her, {"date_of_birth": (today + timedelta(days=1)).isoformat()})
    assert tomorrow.status_code == 422
    assert "future" in tomorrow.json()["detail"]
    assert patch(client, case, her, {"date_of_birth": today.isoformat()}).status_code == 200


def test_a_field_the_perpetrator_does_not_have_is_refused_by_name(
    case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = patch(api_as(officer), case, perpetrator_of(case).pk, {"date_of_birth": "1980-01-01"})

    assert answer.status_code == 422
    assert answer.json()["code"] == "unknown_detail"
    assert "date_of_birth" in answer.json()["detail"]


def test_script_is_kept_as_text_and_never_runs(
    case: Case, officer: Staff, api_as: Callable[..., Client], as_staff: Callable[..., Client]
) -> None:
    script = "<script>alert(1)</script>"

    answer = patch(api_as(officer), case, perpetrator_of(case).pk, {"name": script})

    assert answer.status_code == 200
    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sending_what_is_kept_changes_nothing_and_records_nothing(
    case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = patch(api_as(officer), case, perpetrator_of(case).pk, {"name": PERPETRATOR_NAME})

    assert answer.status_code == 200
    assert answer.json()["changed"] == []
    assert updates() == []


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=5,
)
FIELDS = st.sampled_from(
    ["name", "date_of_birth", "sex", "address", "phone", "email", "is_tenant", "relationship"]
) | st.text(max_size=10)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.dictionaries(FIELDS, JSON_VALUES | st.dates().map(str), max_size=4))
def test_any_body_is_taken_or_refused_never_a_crash(
    body: dict[str, Any], case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    for person in (survivor_of(case), perpetrator_of(case)):
        before = row_bytes(person)
        answer = patch(client, case, person.pk, body)
        assert answer.status_code in (200, 400, 422), answer.content
        if answer.status_code != 200:
            assert answer["Content-Type"] == "application/problem+json"
            assert row_bytes(Person.objects.get(pk=person.pk)) == before


# --- The pages ------------------------------------------------------------------------


def test_the_case_page_offers_change_next_to_each_persons_details_by_id(
    case: Case, officer: Staff, as_staff: Callable[..., Client]
) -> None:
    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()

    her, him = survivor_of(case), perpetrator_of(case)
    assert f"/cases/{case.pk}/people/{her.pk}/edit#id_address" in page
    assert f"/cases/{case.pk}/people/{her.pk}/edit#id_date_of_birth_0" in page
    assert f"/cases/{case.pk}/people/{him.pk}/edit#id_address" in page
    assert 'Change<span class="govuk-visually-hidden"> the survivor\'s name' in page


def test_the_form_shows_what_is_kept_and_its_read_is_audited(
    case: Case, officer: Staff, as_staff: Callable[..., Client]
) -> None:
    her = survivor_of(case)

    page = as_staff(officer).get(f"/cases/{case.pk}/people/{her.pk}/edit")

    assert page.status_code == 200
    text = page.content.decode()
    assert f'value="{SURVIVOR_NAME}"' in text
    assert SURVIVOR_ADDRESS in text
    assert 'name="date_of_birth_0" type="text" inputmode="numeric" value="12"' in text
    assert 'value="1988"' in text
    viewed = AuditEntry.objects.filter(action="case.viewed", target_id=case.pk).last()
    assert viewed is not None
    assert viewed.detail["via"] == "person_edit"


def test_on_the_page_an_officer_adds_his_address_checks_it_and_saves_it(
    case_without_his_address: Case,
    officer: Staff,
    as_staff: Callable[..., Client],
    api_as: Callable[..., Client],
) -> None:
    case = case_without_his_address
    consent_to_contact_him(api_as(officer), case)
    web = as_staff(officer)
    letter_form = {"kind_and_recipient": "warning:alleged_perpetrator", "channel": "post"}
    assert web.post(f"/cases/{case.pk}/letters/new", letter_form).status_code == 400
    him = perpetrator_of(case)
    url = f"/cases/{case.pk}/people/{him.pk}/edit"
    form = {
        "name": PERPETRATOR_NAME,
        "relationship": "ex_partner",
        "address": NEW_ADDRESS,
        "is_tenant": "no",
    }

    check = web.post(url, {**form, "step": "check"})

    assert check.status_code == 200
    text = check.content.decode()
    assert "Check your changes" in text
    assert 'data-testid="new-address"' in text
    assert "Not asked" not in text  # only what changes is shown
    assert not AuditEntry.objects.filter(action="person.updated").exists()
    assert "Marrowdale" not in row_bytes(perpetrator_of(case)).decode(errors="replace")

    saved = web.post(url, {**form, "step": "save"})

    assert saved.status_code == 302
    assert saved["Location"] == f"/cases/{case.pk}/"
    assert PERPETRATOR_NAME not in saved["Location"]
    (entry,) = updates()
    assert entry.detail["fields"] == ["is_tenant", "address"]
    assert web.post(f"/cases/{case.pk}/letters/new", letter_form).status_code == 302
    assert Document.objects.filter(case=case, channel="post").count() == 1
    chronology = web.get(f"/cases/{case.pk}/chronology?kind=people").content.decode()
    assert f"Changed the alleged perpetrator&#x27;s ({PERPETRATOR_NAME}) details" in chronology
    assert "Changed: whether they are one of our tenants and address" in chronology
    assert "Alice Officer" in chronology


def test_a_date_of_birth_in_the_future_is_an_error_on_the_page_linked_to_its_day_box(
    case: Case, officer: Staff, as_staff: Callable[..., Client]
) -> None:
    her = survivor_of(case)
    year = timezone.localdate().year + 1
    form = {"name": SURVIVOR_NAME, "date_of_birth_0": "1", "date_of_birth_1": "2"}

    answer = as_staff(officer).post(
        f"/cases/{case.pk}/people/{her.pk}/edit",
        {**form, "date_of_birth_2": str(year), "step": "check"},
    )

    assert answer.status_code == 400
    text = answer.content.decode()
    assert "govuk-error-summary" in text
    assert (
        '<a href="#id_date_of_birth_0">The date of birth must be today or in the past</a>' in text
    )
    assert "<title>Error: " in text
    assert updates() == []


def test_changing_nothing_on_the_page_says_so_and_records_nothing(
    case: Case, officer: Staff, as_staff: Callable[..., Client]
) -> None:
    him = perpetrator_of(case)
    web = as_staff(officer)
    url = f"/cases/{case.pk}/people/{him.pk}/edit"
    form = {
        "name": PERPETRATOR_NAME,
        "relationship": "partner",
        "address": "4 Quillon Terrace, Eastfold",
    }

    answer = web.post(url, {**form, "step": "check"}, follow=True)

    assert "Nothing was changed" in answer.content.decode()
    assert updates() == []


@pytest.mark.parametrize("who", ["outsider", "teammate", "auditor"])
def test_the_page_is_not_found_for_those_who_may_not_see_the_case(
    who: str, case: Case, request: pytest.FixtureRequest, as_staff: Callable[..., Client]
) -> None:
    staff: Staff = request.getfixturevalue(who)
    web = as_staff(staff)
    url = f"/cases/{case.pk}/people/{survivor_of(case).pk}/edit"

    assert web.get(url).status_code == 404
    assert web.post(url, {"name": "X", "step": "save"}).status_code == 404
    assert updates() == []
    assert not AuditEntry.objects.filter(action="case.viewed", actor=staff.username).exists()
