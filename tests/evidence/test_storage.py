"""At rest, evidence is ciphertext bound to its row: neither the file nor its name or
description is in the database in clear, and a copy moved to another row does not open."""

from __future__ import annotations

import pytest
from django.db import connection

from safehold.cases.models import Case
from safehold.evidence import storage
from safehold.evidence.models import Evidence
from safehold.privacy import vault
from tests.evidence import files

pytestmark = pytest.mark.django_db

FILENAME = "Ottoline-Fennimore-bruises.pdf"
DESCRIPTION = "Photos taken at 17 Wistmoor Crescent"


def raw_columns(evidence_id: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content, sealed, content_type FROM evidence_evidence WHERE id = %s",
            [evidence_id],
        )
        content, sealed, content_type = cursor.fetchone()
    return bytes(content) + bytes(sealed) + content_type.encode()


def test_stored_bytes_hold_neither_the_content_nor_the_name_in_clear(add_evidence) -> None:
    original = files.pdf()
    evidence = add_evidence(original, FILENAME, description=DESCRIPTION)
    raw = raw_columns(evidence.pk)
    assert b"application/pdf" in raw  # control: the search finds what is in clear
    for needle in (b"%PDF-", original[200:264], b"Ottoline", b"Wistmoor", b"tenancy letter"):
        assert needle not in raw
    assert original[:64] not in raw


def test_the_name_and_description_are_sealed_with_the_row(add_evidence) -> None:
    from safehold.cases import sealing

    evidence = add_evidence(files.pdf(), FILENAME, description=DESCRIPTION)
    found = Evidence.objects.select_related("case__data_key").get(pk=evidence.pk)
    details = sealing.unseal(found.case.data_key, found)
    assert details == {"filename": FILENAME, "description": DESCRIPTION}


def test_content_round_trips_and_is_bound_to_its_row(case: Case) -> None:
    blob = storage.encrypt_content(case.data_key, b"\x00evidence\xff", row_id="evd_1")
    assert storage.decrypt_content(case.data_key, blob, row_id="evd_1") == b"\x00evidence\xff"
    with pytest.raises(vault.DecryptionFailed):
        storage.decrypt_content(case.data_key, blob, row_id="evd_2")
    with pytest.raises(vault.DecryptionFailed):
        storage.decrypt_content(case.data_key, blob[:-1] + bytes([blob[-1] ^ 1]), row_id="evd_1")


def test_content_does_not_open_under_another_cases_key(case: Case, open_case) -> None:
    other = open_case()
    blob = storage.encrypt_content(case.data_key, b"photo", row_id="evd_1")
    with pytest.raises(vault.DecryptionFailed):
        storage.decrypt_content(other.data_key, blob, row_id="evd_1")


def test_destroying_the_case_key_erases_its_evidence(case: Case, add_evidence) -> None:
    evidence = add_evidence()
    vault.data_key_destroy(wrapped=case.data_key)
    found = Evidence.objects.select_related("case__data_key").get(pk=evidence.pk)
    with pytest.raises(vault.KeyDestroyed):
        storage.decrypt_content(found.case.data_key, found.content, row_id=found.pk)
