"""What a person sends through the public page is never stored in clear (issue 20): the
sender's and survivor's names, phone numbers, email, address, what happened and the name
of the person causing harm are sealed under the case's key, on any database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from safehold.accounts.models import Staff
from safehold.privacy.models import AuditEntry
from tests.cases.test_no_plaintext_at_rest import files_containing

SENT = {
    "relation": "professional",
    "how": "contact",
    "sender_name": "Quorra Vantablack",
    "organisation": "Umbervale IDVA Service",
    "phone": "07700 900871",
    "email": "quorra@umbervale.example",
    "summary": "Threatened with a kitchen knife in Marlowick",
    "survivor_name": "Ysolde Pembertrix",
    "address": "9 Cindergate Row",
    "postcode": "ZZ9 9ZZ",
    "harm_name": "Thaddeus Grimsworth",
}


@pytest.mark.django_db(transaction=True)
def test_nothing_sent_is_stored_in_clear(
    send: Callable[..., Any], da_lead: Staff, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert send(**SENT).status_code == 302

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(FULL)")
    needles = [v for k, v in SENT.items() if k not in ("relation", "how")]
    assert files_containing(needles) == []
    assert not [n for n in needles if n in caplog.text]
    audit_text = " ".join(str(e.detail) + e.actor + e.target_id for e in AuditEntry.objects.all())
    assert not [n for n in needles if n in audit_text]
