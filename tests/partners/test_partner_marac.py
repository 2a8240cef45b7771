"""A partner sees the MARAC actions their agency owns on a case shared with it, and sets
their status through the MARAC app's own service (`marac_action_status_set`); another
agency's actions are not shown, and nothing is set once the sharing ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import sealing
from safehold.cases.models import Case, new_id
from safehold.casework import services
from safehold.marac.models import MaracAction
from safehold.privacy.models import AuditEntry
from tests.marac.hearings import listed

IDVA_ACTION = "IDVA to contact her within 48 hours"
POLICE_ACTION = "Police to review bail conditions"


def action(case: Case, by: Staff, agency: str, what: str) -> MaracAction:
    hearing = listed(case, by, heard_at=timezone.now())
    row = MaracAction(
        id=new_id("mac"),
        hearing=hearing,
        case=case,
        agency=agency,
        due_on=timezone.localdate() + timedelta(days=7),
        created_by=by,
    )
    row.sealed = sealing.seal(case.data_key, row, {"what": what, "updates": []})
    row.save(force_insert=True)
    return row


def test_a_partner_sees_and_sets_their_agencys_marac_actions(
    shared: Case,
    officer: Staff,
    partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    own = action(shared, officer, "idva", IDVA_ACTION)
    action(shared, officer, "police", POLICE_ACTION)
    api = api_as(partner)
    body = api.get(f"/api/v1/partner/cases/{shared.pk}").json()
    assert [(a["what"], a["status"]) for a in body["marac_actions"]] == [(IDVA_ACTION, "open")]
    page = as_staff(partner).get(f"/partner/cases/{shared.pk}/").content.decode()
    assert IDVA_ACTION in page
    assert POLICE_ACTION not in page

    done = api.post(
        f"/api/v1/partner/cases/{shared.pk}/marac-actions/{own.pk}",
        {"status": "done", "note": "Contacted on Monday"},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    own.refresh_from_db()
    assert own.status == "done"
    assert AuditEntry.objects.filter(
        actor=partner.username, action="partner.marac_action_status"
    ).exists()

    reopened = as_staff(partner).post(
        f"/partner/cases/{shared.pk}/marac-actions/{own.pk}/status", {"status": "open"}
    )
    assert reopened.status_code == 302
    own.refresh_from_db()
    assert own.status == "open"


def test_no_other_agencys_action_and_nothing_once_sharing_ends(
    shared: Case,
    officer: Staff,
    partner: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    police = action(shared, officer, "police", POLICE_ACTION)
    own = action(shared, officer, "idva", IDVA_ACTION)
    api = api_as(partner)
    other = api.post(
        f"/api/v1/partner/cases/{shared.pk}/marac-actions/{police.pk}",
        {"status": "done"},
        content_type="application/json",
    )
    assert other.status_code == 404
    bad = api.post(
        f"/api/v1/partner/cases/{shared.pk}/marac-actions/{own.pk}",
        {"status": "finished"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    services.consent_record(case=shared, by=officer, agency="idva", purpose="referral", given=False)
    ended = api.post(
        f"/api/v1/partner/cases/{shared.pk}/marac-actions/{own.pk}",
        {"status": "done"},
        content_type="application/json",
    )
    assert ended.status_code == 404
    police.refresh_from_db()
    own.refresh_from_db()
    assert (police.status, own.status) == ("open", "open")
