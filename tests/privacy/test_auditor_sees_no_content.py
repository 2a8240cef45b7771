"""Auditors see the trail, not the case (issue 17 §9): of each entry of a case's audit
trail, an auditor, who may not see the case, is shown only ids, how it was reached,
counts, who, when and the address it was written from (safehold/privacy/trail.py), on
the page and through the API, restricted cases above all. Whoever may see the case is
shown the entries whole, as before."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from safehold.privacy.trail import KEYS_WITHOUT_CASE_CONTENT
from safehold.web.words import audit_action
from tests.casedata import SURVIVOR_NAME

pytestmark = pytest.mark.django_db
ANSWERS = {f"q{n}": "yes" if n <= 14 else "no" for n in range(1, 25)}  # 14 yes: high risk
EXPLANATION = "Her son Pip, 6, saw the attack"

# What the case holds, each of which today's trail showed an auditor.
CASE_CONTENT = (
    "high",
    "visible_high_risk",
    "child_at_risk",
    "without consent",
    "alleged_perpetrator",
)


def post(client: Client, path: str, body: dict[str, Any]):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def casework(client: Client, case: Case) -> None:
    """A high risk assessment, a referral without consent on the ground "child at risk",
    and a contact with the alleged perpetrator, each recorded in the trail."""
    assessed = post(
        client, f"/cases/{case.pk}/risk-assessments", {"tool": "dash-ric", "answers": ANSWERS}
    )
    assert assessed.status_code == 201
    assert assessed.json()["level"] == "high"
    referral = {
        "agency": "idva",
        "reason": "Support and safety planning",
        "without_consent": {"ground": "child_at_risk", "explanation": EXPLANATION},
    }
    assert post(client, f"/cases/{case.pk}/referrals", referral).status_code == 201
    permission = {"purpose": "contact_alleged_perpetrator", "given": True}
    assert post(client, f"/cases/{case.pk}/consents", permission).status_code == 201
    contact = {
        "at": timezone.now().isoformat(),
        "channel": "phone",
        "direction": "outbound",
        "with": "alleged_perpetrator",
        "notes": "Told him the repair date",
    }
    assert post(client, f"/cases/{case.pk}/contacts", contact).status_code == 201


def details_shown(api: Client, page: Client, case: Case) -> tuple[list[dict[str, Any]], str]:
    answer = api.get(f"/api/v1/cases/{case.pk}/audit")
    assert answer.status_code == 200
    trail = page.get(f"/cases/{case.pk}/audit")
    assert trail.status_code == 200
    return [item["detail"] for item in answer.json()["items"]], trail.content.decode()


def detail_cells(page: str) -> str:
    """The trail page's detail column only (the page also names the case's reference)."""
    cells = page.split('<tbody class="govuk-table__body">', 1)[1]
    return " ".join(row.rsplit('data-label="Detail">', 1)[1] for row in cells.split("</tr>")[:-1])


def assert_no_case_content(details: list[dict[str, Any]], page: str) -> None:
    for detail in details:
        assert set(detail) <= KEYS_WITHOUT_CASE_CONTENT, detail
    shown = " ".join(str(detail) for detail in details) + detail_cells(page)
    for content in CASE_CONTENT:
        assert content not in shown
    assert EXPLANATION not in page
    assert SURVIVOR_NAME not in page


def test_an_auditor_reads_who_did_what_and_never_the_risk_level_or_grounds(
    case: Case, officer: Staff, auditor: Staff, api_as, as_staff
) -> None:
    casework(api_as(officer), case)
    details, page = details_shown(api_as(auditor), as_staff(auditor), case)
    assert_no_case_content(details, page)
    # ...but the trail itself is all there: who, what, which record, from where.
    assessed = AuditEntry.objects.get(action="risk.assessed", target_id=case.pk)
    assert {"assessment": assessed.detail["assessment"]} in [
        {"assessment": d.get("assessment")} for d in details
    ]
    read = html.unescape(page)
    for entry in AuditEntry.objects.filter(target_type="case", target_id=case.pk):
        assert audit_action(entry.action) in read  # in words (issue 18)
    assert any("address" in d for d in details)
    assert officer.full_name in read
    assert "but not the case, so each entry" in page


def test_on_a_restricted_case_an_auditor_reads_no_content_and_the_people_on_it_read_it_whole(
    open_case: Callable[..., Case],
    officer: Staff,
    auditor: Staff,
    manager: Staff,
    outsider: Staff,
    api_as,
    as_staff,
) -> None:
    survivor = inputs.SurvivorDetails(
        name=SURVIVOR_NAME, date_of_birth=date(1988, 4, 12), sex="female", is_staff_member=True
    )
    case = open_case(survivor=survivor)
    assert case.restricted
    casework(api_as(officer), case)
    details, page = details_shown(api_as(auditor), as_staff(auditor), case)
    assert_no_case_content(details, page)
    # Her line manager may not see the case, nor its trail; an officer reads no trail.
    assert api_as(manager).get(f"/api/v1/cases/{case.pk}/audit").status_code == 404
    assert as_staff(manager).get(f"/cases/{case.pk}/audit").status_code == 404
    assert api_as(outsider).get(f"/api/v1/cases/{case.pk}/audit").status_code == 403


def test_whoever_may_see_the_case_still_reads_each_entry_whole(
    case: Case, officer: Staff, manager: Staff, da_lead: Staff, api_as, as_staff
) -> None:
    casework(api_as(officer), case)
    for reader in (manager, da_lead):
        details, page = details_shown(api_as(reader), as_staff(reader), case)
        completed = next(d for d in details if "level" in d)
        assert completed["level"] == "high"
        assert "visible_high_risk" in completed["marac_reasons"]
        assert any("child_at_risk" in str(d.get("basis", "")) for d in details)
        assert "Without consent: A child is at risk" in page  # in words (issue 18)
        assert "but not the case, so each entry" not in page


def test_an_auditor_reads_who_asked_to_break_the_glass_and_who_approved_never_why(
    open_case: Callable[..., Case],
    da_lead: Staff,
    make_staff: Callable[..., Staff],
    auditor: Staff,
    api_as,
) -> None:
    survivor = inputs.SurvivorDetails(
        name=SURVIVOR_NAME, date_of_birth=date(1988, 4, 12), sex="female", is_staff_member=True
    )
    case = open_case(survivor=survivor)
    second = make_staff("sam.second", role="da_lead")
    reason = "The survivor rang the out-of-hours line about a threat tonight"
    asked = post(api_as(da_lead), f"/cases/{case.pk}/break-glass", {"reason": reason})
    assert asked.status_code == 202
    decided = post(
        api_as(second),
        f"/break-glass/{asked.json()['id']}/approve",
        {"reason": "An emergency the DA lead must act on tonight"},
    )
    assert decided.status_code == 200
    items = api_as(auditor).get(f"/api/v1/cases/{case.pk}/audit").json()["items"]
    (approved,) = [i for i in items if i["action"] == "case.break_glass_approved"]
    assert approved["actor"] == second.username
    assert approved["detail"]["requested_by"] == da_lead.username
    assert "expires_at" in approved["detail"]
    assert "out-of-hours" not in json.dumps(items)
    assert "emergency" not in json.dumps(items)
