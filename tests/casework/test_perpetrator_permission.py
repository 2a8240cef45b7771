"""The survivor's permission before anything reaches an alleged perpetrator (issue 16 §1):
a warning or closure letter, an outbound contact or an interview tells him a report was
made. Every bundled policy asks for it (`confidentiality.permission_before_contacting_
perpetrator`); Wrekin says so in words: [004 Confidentiality] "We will always seek their
permission before disclosing information to the perpetrators, their legal
representatives and other interested parties." And WHA's closure letters go to each
alleged perpetrator: [000 Closure of cases] "Formal closure of a case must be in writing
to both the complainant and alleged perpetrators, clearly explaining the reasons."."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Case
from safehold.casework.models import Document
from safehold.policy.loader import active_policy
from tests.casedata import (
    CHILD,
    EMAIL,
    PERPETRATOR_ADDRESS,
    PERPETRATOR_NAME,
    SAFE_TIMES,
    SEEDS,
    SURVIVOR_ADDRESS,
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
    full_survivor,
    pdf_text,
)

pytestmark = pytest.mark.django_db

RULE = "confidentiality.permission_before_contacting_perpetrator"
REFUSED = "survivor_permission_required"
OUTSTANDING = (
    "Closure letter to the alleged perpetrator not sent: the survivor's permission is not on record"
)
SECOND_PERPETRATOR = "Cuthbert Ravensworth"
SECOND_ADDRESS = "9 Marrowgate Lane, Westerby"
HERS = (SURVIVOR_NAME, "Zephyrine", SURVIVOR_ADDRESS, "Wistmoor", SURVIVOR_PHONE, EMAIL)
HERS_TOO = (SAFE_TIMES, CHILD, "T-55821", "1988")

# Where each bundled policy's setting comes from (the comment above it in its toml).
SEED_WORDS = {
    "default": "Safehold's baseline: a letter or contact tells him a report was made",
    "wha": '[000 Confidentiality] "All information however provided by the victim will be '
    'treated with confidence"',
    "whg": "[001 silent] the baseline applies",
    "association": '[002 Action against perpetrators] "Any action taken will be pursued in '
    'consultation with the victim as far as is reasonable"',
    "viridian": '[003 Survivor-centred approach] "Any action taken must be with the '
    "survivor's consent\"",
    "wrekin": '[004 Confidentiality] "We will always seek their permission before disclosing '
    'information to the perpetrators, their legal representatives and other interested parties."',
}


def post(client: Client, path: str, body: dict[str, Any]):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def permission(client: Client, case: Case, *, given: bool):
    body = {"purpose": "contact_alleged_perpetrator", "given": given}
    return post(client, f"/cases/{case.pk}/consents", body)


def assert_refused(answer: Any) -> None:
    assert answer.status_code == 422, answer.content
    assert answer.json()["code"] == REFUSED
    assert answer.json()["policy_rule"] == RULE


@pytest.fixture
def case_in_policy(policy: str, open_case: Callable[..., Case]) -> Case:
    assert active_policy().confidentiality.permission_before_contacting_perpetrator, SEED_WORDS[
        policy
    ]
    return open_case()


@pytest.fixture
def two_perpetrators(policy: str, open_case: Callable[..., Case]) -> Case:
    """Every survivor detail a letter could leak, and two alleged perpetrators."""
    return open_case(
        survivor=full_survivor(),
        alleged_perpetrators=(
            inputs.PerpetratorDetails(
                name=PERPETRATOR_NAME,
                relationship="partner",
                tenancy_ref="T-99001",
                address=PERPETRATOR_ADDRESS,
            ),
            inputs.PerpetratorDetails(
                name=SECOND_PERPETRATOR,
                relationship="other_family",
                tenancy_ref="T-99002",
                address=SECOND_ADDRESS,
            ),
        ),
        children=(inputs.ChildDetails(age=6, name=CHILD),),
    )


def person_ids(client: Client, case: Case) -> dict[str, str]:
    people = client.get(f"/api/v1/cases/{case.pk}").json()["alleged_perpetrators"]
    return {p["name"]: p["person_id"] for p in people}


def closed(client: Client, approver_client: Client, case: Case, **changes: Any) -> Any:
    """Closes the case through the API under the active policy's rules."""
    body = {
        "reason": active_policy().closure.reasons[0],
        "survivor_agrees": True,
        "review_meeting_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "explanation": "Everything agreed at the review has been done.",
        **changes,
    }
    asked = post(client, f"/cases/{case.pk}/closure", body)
    assert asked.status_code == 201, asked.content
    approved = post(approver_client, f"/cases/{case.pk}/closure/approve", {"note": "Agreed"})
    assert approved.status_code == 200, approved.content
    return approved.json()


def approver(request: pytest.FixtureRequest) -> Staff:
    staff: Staff = request.getfixturevalue(active_policy().closure.approver_roles[0])
    return staff


# Recording the permission ---------------------------------------------------------


def test_it_records_the_permission_for_no_agency_and_the_latest_stands(
    case: Case, officer: Staff, manager: Staff, outsider: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)

    given = permission(client, case, given=True)

    assert given.status_code == 201, given.content
    assert given.json()["agency"] == ""
    assert given.json()["purpose"] == "contact_alleged_perpetrator"
    with_agency = post(
        client,
        f"/cases/{case.pk}/consents",
        {"agency": "police", "purpose": "contact_alleged_perpetrator", "given": True},
    )
    assert with_agency.status_code == 422
    assert with_agency.json()["code"] == "agency_not_expected"
    for purpose in ("referral", "information_sharing"):
        without_agency = post(
            client, f"/cases/{case.pk}/consents", {"purpose": purpose, "given": True}
        )
        assert without_agency.status_code == 422
        assert without_agency.json()["code"] == "agency_required"
    assert permission(client, case, given=False).status_code == 201
    assert permission(api_as(outsider), case, given=True).status_code == 404

    trail = api_as(manager).get(f"/api/v1/cases/{case.pk}/audit").json()["items"]
    recorded = [
        (item["action"], item["detail"]["purpose"])
        for item in trail
        if item["action"].startswith("consent.")
    ]
    assert recorded == [
        ("consent.given", "contact_alleged_perpetrator"),
        ("consent.withdrawn", "contact_alleged_perpetrator"),
    ]


# Each way of reaching him, under each bundled policy --------------------------------


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_a_warning_letter_waits_for_her_permission(
    policy: str, case_in_policy: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    warning = {"kind": "warning", "recipient": "alleged_perpetrator"}
    path = f"/cases/{case_in_policy.pk}/letters"

    assert_refused(post(client, path, warning))
    assert not Document.objects.exists()

    permission(client, case_in_policy, given=True)
    made = post(client, path, warning)
    assert made.status_code == 201, made.content
    assert (
        made.json()["alleged_perpetrator"]
        == case_in_policy.people.get(role="alleged_perpetrator").pk
    )

    permission(client, case_in_policy, given=False)
    assert_refused(post(client, path, warning))


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_an_outbound_contact_with_him_waits_for_her_permission(
    policy: str, case_in_policy: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    path = f"/cases/{case_in_policy.pk}/contacts"

    def contact(direction: str) -> Any:
        body = {
            "at": timezone.now().isoformat(),
            "channel": "phone",
            "direction": direction,
            "with": "alleged_perpetrator",
            "notes": "About the repairs",
        }
        return post(client, path, body)

    assert_refused(contact("outbound"))
    assert contact("inbound").status_code == 201  # he called us: that is only recorded

    permission(client, case_in_policy, given=True)
    assert contact("outbound").status_code == 201

    permission(client, case_in_policy, given=False)
    assert_refused(contact("outbound"))


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_an_interview_with_him_waits_for_her_permission(
    policy: str,
    case_in_policy: Case,
    officer: Staff,
    api_as: Callable[..., Client],
) -> None:
    client = api_as(officer)
    path = f"/cases/{case_in_policy.pk}/perpetrator-interviews"
    body = {
        "survivor_agrees": True,
        "safety_assessment": "He is in custody until Friday; meeting at the police station",
    }

    assert_refused(post(client, path, body))

    permission(client, case_in_policy, given=True)
    made = post(client, path, body)
    assert made.status_code == 201, made.content

    permission(client, case_in_policy, given=False)
    assert_refused(post(client, path, body))


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_a_closure_letter_to_him_waits_for_her_permission(
    policy: str,
    case_in_policy: Case,
    officer: Staff,
    api_as: Callable[..., Client],
    request: pytest.FixtureRequest,
) -> None:
    client = api_as(officer)
    answer = closed(client, api_as(approver(request)), case_in_policy)
    path = f"/cases/{case_in_policy.pk}/letters"
    closure_letter = {"kind": "closure", "recipient": "alleged_perpetrator"}

    writes_to_him = "alleged_perpetrator" in active_policy().closure.letters_to  # WHA only
    assert len(answer["letters_outstanding"]) == (1 if writes_to_him else 0)
    assert not Document.objects.filter(recipient="alleged_perpetrator").exists()
    assert_refused(post(client, path, closure_letter))

    permission(client, case_in_policy, given=True)
    assert post(client, path, closure_letter).status_code == 201

    permission(client, case_in_policy, given=False)
    assert_refused(post(client, path, closure_letter))


# Closure with the permission missing (WHA writes to him) ----------------------------


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_the_closure_names_the_letter_outstanding_until_it_is_written(
    policy: str,
    full_case: Case,
    officer: Staff,
    director: Staff,
    manager: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[..., Client],
) -> None:
    client = api_as(officer)
    his_id = person_ids(client, full_case)[PERPETRATOR_NAME]
    outstanding = {
        "kind": "closure",
        "recipient": "alleged_perpetrator",
        "alleged_perpetrator": his_id,
        "name": PERPETRATOR_NAME,
        "reason": REFUSED,
        "detail": OUTSTANDING,
    }

    answer = closed(client, api_as(manager), full_case, reason="perpetrator_evicted")

    assert answer["status"] == "closed"  # the closure does not fail for want of his letter
    assert answer["letters_outstanding"] == [outstanding]
    letters = Document.objects.filter(case=full_case, kind="closure")
    assert [d.recipient for d in letters] == ["survivor"]
    case_answer = client.get(f"/api/v1/cases/{full_case.pk}").json()
    assert case_answer["letters_outstanding"] == [outstanding]
    assert OUTSTANDING in unescape(
        as_staff(officer).get(f"/cases/{full_case.pk}/").content.decode()
    )
    trail = api_as(director).get(f"/api/v1/cases/{full_case.pk}/audit").json()["items"]
    held = [
        {key: i["detail"][key] for key in ("recipient", "person", "reason")}
        for i in trail
        if i["action"] == "closure.letter_outstanding"
    ]
    assert held == [
        {"recipient": "alleged_perpetrator", "person": his_id, "reason": REFUSED},
    ]

    permission(client, full_case, given=True)
    now_permitted = client.get(f"/api/v1/cases/{full_case.pk}").json()["letters_outstanding"]
    assert [letter["reason"] for letter in now_permitted] == ["not_written"]

    made = post(
        client,
        f"/cases/{full_case.pk}/letters",
        {"kind": "closure", "recipient": "alleged_perpetrator"},
    )

    assert made.status_code == 201, made.content
    assert made.json()["alleged_perpetrator"] == his_id
    assert client.get(f"/api/v1/cases/{full_case.pk}").json()["letters_outstanding"] == []
    page = as_staff(officer).get(f"/cases/{full_case.pk}/").content.decode()
    assert "Closure letter to the alleged perpetrator not sent" not in page
    assert "Your tenancy with us has ended." in pdf_text(client, made.json()["id"])


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_wha_writes_one_closure_letter_to_each_alleged_perpetrator(
    policy: str,
    two_perpetrators: Case,
    officer: Staff,
    manager: Staff,
    api_as: Callable[..., Client],
) -> None:
    client = api_as(officer)
    ids = person_ids(client, two_perpetrators)
    permission(client, two_perpetrators, given=True)
    for_him = "Our officers have visited the property and the matter is now closed."
    for_her = "The locks are changed and the injunction is in force."

    answer = closed(
        client,
        api_as(manager),
        two_perpetrators,
        reason="perpetrator_evicted",
        explanation=for_her,
        perpetrator_explanation=for_him,
    )

    assert answer["letters_outstanding"] == []
    to_them = Document.objects.filter(
        case=two_perpetrators, kind="closure", recipient="alleged_perpetrator"
    )
    assert sorted(d.person_id for d in to_them) == sorted(ids.values())
    assert len(answer["letters"]) == 3  # hers, and one to each of them
    for name, other in (
        (PERPETRATOR_NAME, SECOND_PERPETRATOR),
        (SECOND_PERPETRATOR, PERPETRATOR_NAME),
    ):
        text = pdf_text(client, to_them.get(person_id=ids[name]).pk)
        assert name in text
        assert other not in text
        assert "Your tenancy with us has ended." in text  # the reason, in words for him
        assert for_him in text
        assert for_her not in text
        assert [hers for hers in (*HERS, *HERS_TOO) if hers in text] == []


def test_a_warning_names_which_alleged_perpetrator_when_there_are_several(
    policy: str, two_perpetrators: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    ids = person_ids(client, two_perpetrators)
    permission(client, two_perpetrators, given=True)
    path = f"/cases/{two_perpetrators.pk}/letters"
    warning = {"kind": "warning", "recipient": "alleged_perpetrator"}

    unnamed = post(client, path, warning)
    unknown = post(client, path, {**warning, "alleged_perpetrator": "ppl_nobody"})
    to_the_survivor = post(
        client,
        path,
        {
            "kind": "acknowledgement",
            "recipient": "survivor",
            "alleged_perpetrator": ids[PERPETRATOR_NAME],
        },
    )

    assert unnamed.status_code == 422
    assert unnamed.json()["code"] == "alleged_perpetrator_required"
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_alleged_perpetrator"
    assert to_the_survivor.status_code == 422
    assert to_the_survivor.json()["code"] == "alleged_perpetrator_not_expected"
    assert not Document.objects.exists()

    made = post(client, path, {**warning, "alleged_perpetrator": ids[SECOND_PERPETRATOR]})

    assert made.status_code == 201, made.content
    assert made.json()["alleged_perpetrator"] == ids[SECOND_PERPETRATOR]
    text = pdf_text(client, made.json()["id"])
    assert SECOND_PERPETRATOR in text
    assert SECOND_ADDRESS in text
    assert PERPETRATOR_NAME not in text
    assert PERPETRATOR_ADDRESS not in text


# The pages --------------------------------------------------------------------------


def test_the_pages_refuse_without_her_permission_and_the_consent_page_records_it(
    case: Case, officer: Staff, outsider: Staff, as_staff: Callable[..., Client]
) -> None:
    client = as_staff(officer)
    letter = {"kind_and_recipient": "warning:alleged_perpetrator", "channel": "post"}
    contact = {"channel": "phone", "direction": "outbound", "with_whom": "alleged_perpetrator"}
    interview = {
        "survivor_agrees": "on",
        "safety_assessment": "He is in custody until Friday",
    }
    pages = (
        (f"/cases/{case.pk}/letters/new", letter),
        (f"/cases/{case.pk}/contacts/new", contact),
        (f"/cases/{case.pk}/perpetrator-interview/new", interview),
    )
    for path, form in pages:
        refused = client.post(path, form)
        assert refused.status_code == 400, path
        page = refused.content.decode()
        assert "govuk-error-summary" in page
        assert "permission to contact or write to the alleged perpetrator is not on record" in page

    offered = client.get(f"/cases/{case.pk}/consents/new").content.decode()
    assert "Contacting or writing to the alleged perpetrator: the survivor's permission" in (
        unescape(offered)
    )
    with_agency = client.post(
        f"/cases/{case.pk}/consents/new",
        {"agency": "police", "purpose": "contact_alleged_perpetrator", "given": "yes"},
    )
    assert with_agency.status_code == 400
    assert "leave the agency out" in with_agency.content.decode()
    given = {"agency": "", "purpose": "contact_alleged_perpetrator", "given": "yes"}
    assert as_staff(outsider).post(f"/cases/{case.pk}/consents/new", given).status_code == 404
    assert client.post(f"/cases/{case.pk}/consents/new", given).status_code == 302

    shown = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="perpetrator-permission"' in shown
    for path, form in pages:
        assert client.post(path, form).status_code == 302, path


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_the_close_page_asks_for_words_for_him_where_the_policy_writes_to_him(
    policy: str, case: Case, officer: Staff, as_staff: Callable[..., Client]
) -> None:
    page = as_staff(officer).get(f"/cases/{case.pk}/close").content.decode()

    assert "Why the case is closing, in words for the alleged perpetrator (optional)" in page
