"""The evidence list, the upload form and downloads: only for people who may see the
case, downloads always attachments, every read audited."""

from __future__ import annotations

import io
import json
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.evidence.models import Evidence
from safehold.privacy.models import AuditEntry
from tests.evidence import files

pytestmark = pytest.mark.django_db


def test_an_officer_uploads_a_photo_and_sees_it_listed(
    as_staff, officer: Staff, case: Case
) -> None:
    client = as_staff(officer)
    response = client.post(
        f"/cases/{case.pk}/evidence",
        {"upload": files.upload(files.png(), "kitchen door.png"), "description": "Kicked in"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "File added" in page
    assert "kitchen door.png" in page
    assert "Kicked in" in page
    assert "PNG image" in page
    assert officer.full_name in page


def test_the_case_page_links_to_its_evidence(as_staff, officer: Staff, case: Case) -> None:
    response = as_staff(officer).get(f"/cases/{case.pk}/")
    assert f'href="/cases/{case.pk}/evidence"'.encode() in response.content


def test_a_download_is_an_attachment_of_the_detected_type(
    as_staff, officer: Staff, case: Case, add_evidence
) -> None:
    evidence = add_evidence(files.png(), "statement.pdf")  # a PNG, whatever its name says
    response = as_staff(officer).get(f"/cases/{case.pk}/evidence/{evidence.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-{evidence.pk}.png"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert Image.open(io.BytesIO(response.content)).format == "PNG"


def test_every_download_is_audited_without_the_name_or_description(
    as_staff, manager: Staff, case: Case, add_evidence
) -> None:
    evidence = add_evidence(files.pdf(), "Zephyrine letter.pdf", description="From her GP")
    as_staff(manager).get(f"/cases/{case.pk}/evidence/{evidence.pk}")
    as_staff(manager).get(f"/cases/{case.pk}/evidence/{evidence.pk}")
    entries = AuditEntry.objects.filter(action="evidence.downloaded")
    assert [(e.actor, e.target_id) for e in entries] == [(manager.username, case.pk)] * 2
    assert entries[0].detail == {
        "via": "web",
        "evidence": evidence.pk,
        "content_type": "application/pdf",
        "size": evidence.size,
        "address": "127.0.0.1",  # the client's, on every entry of a request (issue 17)
    }
    trail = json.dumps([e.detail for e in AuditEntry.objects.all()])
    assert "Zephyrine" not in trail
    assert "GP" not in trail


def test_the_list_is_audited_as_a_read(as_staff, officer: Staff, case: Case, add_evidence) -> None:
    add_evidence()
    as_staff(officer).get(f"/cases/{case.pk}/evidence")
    entry = AuditEntry.objects.get(action="evidence.listed")
    assert (entry.actor, entry.target_id, entry.detail) == (
        officer.username,
        case.pk,
        {"via": "web", "count": 1, "address": "127.0.0.1"},
    )


@pytest.mark.parametrize("persona", ["outsider", "teammate", "auditor", "admin"])
def test_people_who_may_not_see_the_case_get_404_for_everything(
    request: pytest.FixtureRequest, as_staff, case: Case, add_evidence, persona: str
) -> None:
    """An officer in another team, one in the same team but not on the case, and the
    roles that never see case content: the same answer as for a case that is not there."""
    evidence = add_evidence()
    client = as_staff(request.getfixturevalue(persona))
    listed = client.get(f"/cases/{case.pk}/evidence")
    uploaded = client.post(
        f"/cases/{case.pk}/evidence", {"upload": files.upload(files.png(), "x.png")}
    )
    downloaded = client.get(f"/cases/{case.pk}/evidence/{evidence.pk}")
    missing = client.get("/cases/case_00000000000000000000/evidence")
    assert [r.status_code for r in (listed, uploaded, downloaded, missing)] == [404] * 4
    assert Evidence.objects.count() == 1
    assert not AuditEntry.objects.filter(action__in=["evidence.listed", "evidence.downloaded"])


@pytest.mark.parametrize("persona", ["manager", "director", "da_lead"])
def test_people_who_see_the_case_may_list_and_download(
    request: pytest.FixtureRequest, as_staff, case: Case, add_evidence, persona: str
) -> None:
    evidence = add_evidence()
    client = as_staff(request.getfixturevalue(persona))
    assert client.get(f"/cases/{case.pk}/evidence").status_code == 200
    assert client.get(f"/cases/{case.pk}/evidence/{evidence.pk}").status_code == 200


def test_evidence_of_another_case_is_not_found_through_this_one(
    as_staff, officer: Staff, case: Case, open_case, add_evidence
) -> None:
    evidence = add_evidence()
    other = open_case()
    response = as_staff(officer).get(f"/cases/{other.pk}/evidence/{evidence.pk}")
    assert response.status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, case: Case, add_evidence) -> None:
    evidence = add_evidence()
    for url in (f"/cases/{case.pk}/evidence", f"/cases/{case.pk}/evidence/{evidence.pk}"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/sign-in" in response["Location"]


def test_the_upload_form_needs_its_csrf_token(officer: Staff, case: Case) -> None:
    from django.test import Client

    from tests.conftest import signed_in

    client = signed_in(officer)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post(
        f"/cases/{case.pk}/evidence", {"upload": files.upload(files.png(), "a.png")}
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_the_list_makes_a_fixed_number_of_queries(
    as_staff, officer: Staff, case: Case, add_evidence
) -> None:
    client = as_staff(officer)
    counts = []
    for _ in range(2):
        add_evidence()
        add_evidence()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/cases/{case.pk}/evidence").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_upload_never_passes_through_a_temporary_file(
    upload_as, officer: Staff, settings, tmp_path
) -> None:
    """Django keeps uploads over 2.5MB in a temporary file, in clear; evidence never."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "does-not-exist")
    large = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    out = io.BytesIO()
    large.save(out, format="PNG")
    assert len(out.getvalue()) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    response = upload_as(officer, out.getvalue(), "large.png")
    assert response.status_code == 302
    assert Evidence.objects.get().content_type == "image/png"


def test_a_form_with_only_a_file_is_read(as_staff, officer: Staff, case: Case) -> None:
    response = as_staff(officer).post(
        f"/cases/{case.pk}/evidence", {"upload": files.upload(files.png(), "a.png")}
    )
    assert response.status_code == 302
    assert Evidence.objects.count() == 1
