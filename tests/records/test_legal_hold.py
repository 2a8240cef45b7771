"""Legal holds through the API: DA leads and directors only, always with a reason,
which is kept encrypted and out of the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from safehold.accounts.models import Staff
from safehold.cases import inputs, sealing
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from safehold.records.models import LegalHold

pytestmark = pytest.mark.django_db
REASON = "Disrepair claim issued by the survivor's solicitor"


def hold(client, case: Case, reason: object = REASON, *, lift: bool = False):
    url = f"/api/v1/cases/{case.pk}/legal-hold" + ("/lift" if lift else "")
    return client.post(url, {"reason": reason}, content_type="application/json")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 403),
        ("teammate", 403),
        ("outsider", 403),
        ("manager", 403),
        ("auditor", 403),
        ("admin", 403),
        ("director", 201),
        ("da_lead", 201),
    ],
)
def test_only_da_leads_and_directors_place_a_hold(
    request: pytest.FixtureRequest, case: Case, api_as, persona: str, status: int
) -> None:
    response = hold(api_as(request.getfixturevalue(persona)), case)
    assert response.status_code == status
    case.refresh_from_db()
    assert case.legal_hold is (status == 201)
    if status == 403:
        assert response.json()["code"] == "may_not_place_legal_hold"


def test_a_hold_is_placed_and_lifted_with_reasons_kept_sealed(
    case: Case, da_lead: Staff, director: Staff, api_as
) -> None:
    placed = hold(api_as(da_lead), case)
    assert placed.status_code == 201
    body = placed.json()
    assert (body["case"], body["legal_hold"], body["action"], body["by"]) == (
        case.pk,
        True,
        "placed",
        da_lead.username,
    )
    lifted = hold(api_as(director), case, "The claim was withdrawn in writing", lift=True)
    assert lifted.status_code == 200
    assert lifted.json()["legal_hold"] is False
    case.refresh_from_db()
    assert case.legal_hold is False
    rows = list(LegalHold.objects.order_by("at"))
    assert [r.action for r in rows] == ["placed", "lifted"]
    assert sealing.unseal(case.data_key, rows[0]) == {"reason": REASON}
    assert REASON.encode() not in bytes(rows[0].sealed)
    entries = AuditEntry.objects.filter(action__startswith="case.legal_hold")
    assert [e.action for e in entries] == ["case.legal_hold_placed", "case.legal_hold_lifted"]
    assert "solicitor" not in str([e.detail for e in entries])


@pytest.mark.parametrize(
    ("reason", "status", "code"),
    [
        ("too short", 422, "reason_too_short"),  # 9 characters
        ("          too short           ", 422, "reason_too_short"),  # padding ignored
        (None, 400, "invalid_request"),
        (42, 400, "invalid_request"),
        ("x" * 5001, 400, "invalid_request"),
    ],
)
def test_a_hold_needs_a_reason(
    case: Case, da_lead: Staff, api_as, reason: object, status: int, code: str
) -> None:
    response = hold(api_as(da_lead), case, reason)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not LegalHold.objects.exists()


def test_a_hold_cannot_be_placed_twice_or_lifted_when_there_is_none(
    case: Case, da_lead: Staff, api_as
) -> None:
    client = api_as(da_lead)
    assert hold(client, case, lift=True).json()["code"] == "not_on_hold"
    assert hold(client, case).status_code == 201
    again = hold(client, case)
    assert again.status_code == 409
    assert again.json()["code"] == "already_on_hold"
    assert LegalHold.objects.count() == 1


def test_a_case_the_director_may_not_see_is_not_found(
    open_case: Callable[..., Case], director: Staff, api_as
) -> None:
    restricted = open_case(
        survivor=inputs.SurvivorDetails(name="Staff Member", is_staff_member=True)
    )
    assert restricted.restricted  # seen only by the people named on it
    assert hold(api_as(director), restricted).status_code == 404
    malformed = api_as(director).post(
        f"/api/v1/cases/{restricted.pk}/legal-hold", "{", content_type="application/json"
    )
    assert malformed.status_code == 400
