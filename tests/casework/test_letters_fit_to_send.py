"""Letters fit to send (issue 18): who they come from (the policy's `[provider]` table, a
detail not set yet printed as such), the alleged perpetrator's own postal address
(sealed, and needed for post), tenancy wording only for a tenant, and a MARAC referral
letter that carries what a MARAC referral form asks for, within the disclosure."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case, Person
from safehold.casework.models import Document
from safehold.policy.loader import active_policy, clear_active_policy
from safehold.privacy.models import AuditEntry
from tests.casedata import (
    CASE_BODY,
    CHILD,
    PERPETRATOR_ADDRESS,
    PERPETRATOR_NAME,
    SURVIVOR_NAME,
    pdf_text,
)
from tests.closure.test_closure_letters import closed, letter_to
from tests.policy.policies import MINIMAL_POLICY
from tests.risk.test_assessments import answers, assess
from tests.risk.test_marac_repeat_oracle import earlier_referred, probe

pytestmark = pytest.mark.django_db

OWN_PROVIDER = """
[provider]
name = "Quillfield Homes"
address = ["Quillfield House", "3 Ledger Row", "Eastfold", "EF1 2QH"]
phone = "01632 960123"
signatory = "Head of Tenancy Services"
"""


@pytest.fixture
def quillfield(settings: Any, tmp_path: Path) -> Iterator[None]:
    """A provider's own policy that gives every detail its letters print."""
    path = tmp_path / "quillfield.toml"
    path.write_text(
        MINIMAL_POLICY.replace('provider = "Test Housing"\n', "")
        + '[closure]\nletters_to = ["survivor", "alleged_perpetrator"]\n'
        + OWN_PROVIDER,
        encoding="utf-8",
    )
    settings.SAFEHOLD_POLICY = str(path)
    clear_active_policy()
    yield
    clear_active_policy()


def letter(client: Client, case: Case, **body: Any):
    return client.post(f"/api/v1/cases/{case.pk}/letters", body, content_type="application/json")


def consent(client: Client, case: Case, **body: Any):
    response = client.post(
        f"/api/v1/cases/{case.pk}/consents", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response


def every_kind_of_letter(
    case: Case, officer: Staff, manager: Staff, client: Client
) -> dict[str, str]:
    """The text of each kind of letter the case can be sent, closure letters last."""
    consent(client, case, purpose="contact_alleged_perpetrator", given=True)
    consent(client, case, purpose="referral", agency="police", given=True)
    texts = {}
    for kind, recipient, extra in (
        ("acknowledgement", "survivor", {}),
        ("action_plan", "survivor", {}),
        ("referral", "agency", {"agency": "police"}),
        ("warning", "alleged_perpetrator", {}),
    ):
        made = letter(client, case, kind=kind, recipient=recipient, **extra)
        assert made.status_code == 201, made.content
        texts[f"{kind} to {recipient}"] = pdf_text(client, made.json()["id"])
    closed(case, officer, manager, active_policy().closure.reasons[0])
    texts["closure to survivor"] = pdf_text(client, letter_to(case, "survivor").pk)
    if Document.objects.filter(case=case, kind="closure", recipient="alleged_perpetrator"):
        texts["closure to him"] = pdf_text(client, letter_to(case, "alleged_perpetrator").pk)
    return texts


def test_every_letter_gives_the_providers_own_details(
    quillfield: None,
    full_case: Case,
    officer: Staff,
    manager: Staff,
    api_as: Callable[..., Client],
) -> None:
    texts = every_kind_of_letter(full_case, officer, manager, api_as(officer))

    assert len(texts) == 6
    for kind, text in texts.items():
        for detail in ("Quillfield Homes", "3 Ledger Row", "EF1 2QH", "01632 960123"):
            assert detail in text, f"{detail!r} is not on the {kind} letter"
        assert "Head of Tenancy Services" in text, kind
        assert "Provider to set" not in text, kind
    # To him, signed for the provider alone; to her and to agencies, by the officer for it.
    assert officer.full_name not in texts["warning to alleged_perpetrator"]
    assert officer.full_name not in texts["closure to him"]
    assert (
        f"{officer.full_name} for Head of Tenancy Services" in texts["acknowledgement to survivor"]
    )


@pytest.mark.parametrize("policy", ["wrekin", "wha"], indirect=True)
def test_a_detail_the_provider_has_not_set_is_marked_on_every_letter(
    policy: str, full_case: Case, officer: Staff, manager: Staff, api_as: Callable[..., Client]
) -> None:
    texts = every_kind_of_letter(full_case, officer, manager, api_as(officer))

    assert len(texts) == (6 if policy == "wha" else 5)  # wha writes to him on closing
    name = "The Wrekin Housing Group" if policy == "wrekin" else "WHA"
    for kind, text in texts.items():
        assert name in text, kind
        assert "[Provider to set: address]" in text, kind
        assert "[Provider to set: signatory]" in text, kind
        if policy == "wrekin":  # [004 How to report] the Group's general number
            assert "Telephone 01952 217100" in text, kind
        else:
            assert "[Provider to set: telephone number]" in text, kind


@pytest.mark.parametrize("policy", ["wrekin", "wha"], indirect=True)
def test_our_policy_page_lists_the_letter_details_the_provider_has_to_set(
    policy: str, officer: Staff, as_staff: Callable[..., Client]
) -> None:
    page = as_staff(officer).get("/policy").content.decode()

    assert "Who our letters come from" in page
    assert "[Provider to set: address]" in page
    assert "[Provider to set: signatory]" in page
    if policy == "wrekin":
        assert "our telephone number (01952 217100)" in page
        assert "does not say the address our letters give or who our letters are signed" in page
        assert "[Provider to set: telephone number]" not in page
    else:
        assert "WHA has not set this yet" in page
        assert "[Provider to set: telephone number]" in page


def test_his_postal_address_is_sealed_and_on_his_letter(
    api_as: Callable[..., Client], officer: Staff
) -> None:
    client = api_as(officer)
    body = copy.deepcopy(CASE_BODY)
    body["alleged_perpetrators"][0].update(address=PERPETRATOR_ADDRESS, is_tenant=True)
    created = client.post("/api/v1/cases", body, content_type="application/json")
    assert created.status_code == 201, created.content
    case = Case.objects.get(pk=created.json()["id"])
    him = Person.objects.get(case=case, role="alleged_perpetrator")

    with connection.cursor() as cursor:
        table = Person._meta.db_table  # the model's own table name, not input
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [him.pk])  # noqa: S608
        row = cursor.fetchone()
    stored = b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for value in row
    )
    assert b"Quillon" not in stored
    assert b"Eastfold" not in stored
    shown = client.get(f"/api/v1/cases/{case.pk}").json()["alleged_perpetrators"][0]
    assert (shown["address"], shown["is_tenant"]) == (PERPETRATOR_ADDRESS, True)

    consent(client, case, purpose="contact_alleged_perpetrator", given=True)
    made = letter(client, case, kind="warning", recipient="alleged_perpetrator")
    assert made.status_code == 201, made.content
    assert PERPETRATOR_ADDRESS in pdf_text(client, made.json()["id"])


def test_a_letter_to_him_by_post_without_his_address_is_refused_writing_nothing(
    open_case: Callable[..., Case], officer: Staff, api_as: Callable[..., Client]
) -> None:
    from safehold.cases import inputs

    case = open_case(alleged_perpetrators=(inputs.PerpetratorDetails(name=PERPETRATOR_NAME),))
    client = api_as(officer)
    consent(client, case, purpose="contact_alleged_perpetrator", given=True)

    refused = letter(client, case, kind="warning", recipient="alleged_perpetrator")

    assert refused.status_code == 422
    assert refused.json()["code"] == "address_required"
    assert refused["Content-Type"] == "application/problem+json"
    assert not Document.objects.filter(case=case).exists()
    assert not AuditEntry.objects.filter(action="letter.created").exists()
    by_hand = letter(
        client, case, kind="warning", recipient="alleged_perpetrator", channel="by_hand"
    )
    assert by_hand.status_code == 201, by_hand.content


def test_the_letter_page_says_his_address_is_needed_for_post(
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[..., Client],
) -> None:
    from safehold.cases import inputs

    case = open_case(alleged_perpetrators=(inputs.PerpetratorDetails(name=PERPETRATOR_NAME),))
    consent(api_as(officer), case, purpose="contact_alleged_perpetrator", given=True)
    web = as_staff(officer)
    form = {"kind_and_recipient": "warning:alleged_perpetrator", "channel": "post"}

    refused = web.post(f"/cases/{case.pk}/letters/new", form)

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "No postal address is recorded for the alleged perpetrator" in page
    assert not Document.objects.exists()
    handed = web.post(f"/cases/{case.pk}/letters/new", {**form, "channel": "by_hand"})
    assert handed.status_code == 302
    assert Document.objects.get().channel == "by_hand"


def test_the_intake_page_records_his_address_and_whether_he_is_a_tenant(
    officer: Staff, as_staff: Callable[..., Client]
) -> None:
    from safehold.cases import sealing
    from tests.cases.test_pages import FORM, record

    web = as_staff(officer)
    page = web.get("/cases/new").content.decode()
    assert "Their postal address" in page
    assert "Are they one of our tenants?" in page

    saved = record(web, {**FORM, "p0_address": PERPETRATOR_ADDRESS, "p0_is_tenant": "yes"})

    assert saved.status_code == 302, saved.content.decode()[:2000]
    him = Person.objects.select_related("case__data_key").get(role="alleged_perpetrator")
    details = sealing.unseal(him.case.data_key, him)
    assert (details["address"], details["is_tenant"]) == (PERPETRATOR_ADDRESS, True)


def test_the_case_page_shows_his_address_and_tenancy_to_the_cases_officer(
    officer: Staff, outsider: Staff, as_staff: Callable[..., Client]
) -> None:
    from tests.cases.test_pages import FORM, record

    web = as_staff(officer)
    saved = record(web, {**FORM, "p0_address": PERPETRATOR_ADDRESS, "p0_is_tenant": "yes"})
    case_url = saved["Location"]

    page = web.get(case_url).content.decode()
    assert "One of our tenants" in page
    assert PERPETRATOR_ADDRESS in page
    assert as_staff(outsider).get(case_url).status_code == 404


def test_the_case_page_says_letters_to_him_go_by_hand_without_his_address(
    officer: Staff, as_staff: Callable[..., Client]
) -> None:
    from tests.cases.test_pages import FORM, record

    web = as_staff(officer)
    saved = record(web, {**FORM, "p0_address": "", "p0_is_tenant": "yes"})

    page = web.get(saved["Location"]).content.decode()
    assert "Not known: letters to them go by hand" in page


@pytest.mark.parametrize(
    ("is_tenant", "tenancy_wording"), [(True, True), (False, False), (None, False)]
)
def test_a_warning_mentions_his_tenancy_only_when_he_is_a_tenant(
    is_tenant: bool | None,
    tenancy_wording: bool,
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
) -> None:
    from safehold.cases import inputs

    case = open_case(
        alleged_perpetrators=(
            inputs.PerpetratorDetails(
                name=PERPETRATOR_NAME, address=PERPETRATOR_ADDRESS, is_tenant=is_tenant
            ),
        )
    )
    client = api_as(officer)
    consent(client, case, purpose="contact_alleged_perpetrator", given=True)

    made = letter(client, case, kind="warning", recipient="alleged_perpetrator")

    assert made.status_code == 201, made.content
    text = pdf_text(client, made.json()["id"])
    assert ("tenancy agreement" in text) is tenancy_wording
    assert ("end a tenancy" in text) is tenancy_wording
    assert "Domestic abuse is not acceptable" in text


def marac_letter(client: Client, case: Case) -> str:
    made = letter(client, case, kind="referral", recipient="agency", agency="marac")
    assert made.status_code == 201, made.content
    return pdf_text(client, made.json()["id"])


def test_the_marac_referral_letter_carries_what_the_referral_form_asks_for(
    full_case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    assessed = assess(client, full_case, answers=answers(16)).json()
    consent(client, full_case, purpose="referral", agency="marac", given=True)
    completed = timezone.localtime(timezone.now())

    text = marac_letter(client, full_case)

    assert assessed["level"] == "high"
    assert "High risk" in text
    assert "Risk checklist score 16" in text
    assert f"{completed.day} {completed:%B %Y}" in text  # in words: 12 April 1988
    assert "high-risk threshold" in text  # the MARAC reason, in words
    assert CHILD in text
    assert "aged 6" in text
    assert PERPETRATOR_NAME in text
    assert PERPETRATOR_ADDRESS in text
    assert "Partner" in text  # his relationship to her
    assert officer.full_name in text  # the referrer, with her role
    assert "Housing officer" in text
    assert SURVIVOR_NAME in text
    assert "repeat" not in text.lower()


def test_a_marac_letter_without_her_consent_shares_the_risk_not_the_family(
    full_case: Case,
    officer: Staff,
    director: Staff,
    api_as: Callable[..., Client],
) -> None:
    client = api_as(officer)
    assess(client, full_case, answers=answers(16))
    asked = client.post(
        f"/api/v1/cases/{full_case.pk}/referrals",
        {
            "agency": "marac",
            "reason": "High risk: the checklist scores 16.",
            "without_consent": {"ground": "risk_of_serious_harm", "explanation": "High risk."},
        },
        content_type="application/json",
    )
    assert asked.status_code == 201, asked.content
    decided = api_as(director).post(
        f"/api/v1/referrals/{asked.json()['id']}/approve",
        {"note": "Serious harm is likely."},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content

    text = marac_letter(client, full_case)

    assert "High risk" in text
    assert "Risk checklist score 16" in text
    assert CHILD not in text
    assert PERPETRATOR_NAME not in text
    assert PERPETRATOR_ADDRESS not in text
    assert "has not agreed" in text


def test_a_marac_letter_tells_the_repeat_reason_only_to_who_may_see_the_earlier_case(
    officer: Staff, teammate: Staff, api_as: Callable[..., Client]
) -> None:
    earlier_referred(api_as(officer), officer, restricted=True)
    prober = api_as(teammate)
    new = probe(prober)
    assess(prober, new, answers=answers(16))
    consent(prober, new, purpose="referral", agency="marac", given=True)

    hidden = marac_letter(prober, new)

    assert "High risk" in hidden
    assert "repeat" not in hidden.lower()
    assert "referred to MARAC in the" not in hidden


def test_a_marac_letter_tells_the_repeat_reason_to_who_may_see_the_earlier_case(
    officer: Staff, api_as: Callable[..., Client]
) -> None:
    earlier_referred(api_as(officer), officer, restricted=False)
    client = api_as(officer)
    own = probe(client)
    assert assess(client, own).json()["marac_reasons"] == ["repeat"]
    consent(client, own, purpose="referral", agency="marac", given=True)

    text = marac_letter(client, own)

    assert "repeat referral" in text


def test_dates_on_letters_are_in_words(
    full_case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    made = letter(client, full_case, kind="acknowledgement", recipient="survivor")
    today = timezone.localtime(timezone.now())

    text = pdf_text(client, made.json()["id"])

    assert f"{today.day} {today:%B %Y}" in text
    assert today.strftime("%Y-%m-%d") not in text


def test_the_openapi_document_describes_his_address_and_the_refusal(db: None) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    perpetrator = document["components"]["schemas"]["PerpetratorIn"]["properties"]
    letters = document["paths"]["/api/v1/cases/{case_id}/letters"]["post"]

    assert "address_required" in perpetrator["address"]["description"]
    assert "tenancy" in perpetrator["is_tenant"]["description"]
    assert "address_required" in letters["summary"]
    assert "422" in letters["responses"]


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
@pytest.mark.parametrize(("address", "channel"), [(PERPETRATOR_ADDRESS, "post"), ("", "by_hand")])
def test_his_closure_letter_goes_by_post_only_to_his_address(
    policy: str,
    address: str,
    channel: str,
    open_case: Callable[..., Case],
    officer: Staff,
    manager: Staff,
    api_as: Callable[..., Client],
) -> None:
    from safehold.cases import inputs

    case = open_case(
        alleged_perpetrators=(inputs.PerpetratorDetails(name=PERPETRATOR_NAME, address=address),)
    )
    consent(api_as(officer), case, purpose="contact_alleged_perpetrator", given=True)

    closed(case, officer, manager, active_policy().closure.reasons[0])

    assert letter_to(case, "alleged_perpetrator").channel == channel
