"""A cross-site request is refused before anything is written (issue 17 §9): an upload
too large to read is checked for its CSRF token before the case is read, so one another
site sends is 403 and leaves no audit entry and nothing stored; the same upload from
Safehold's own form is still 413 with the page's error, unparsed."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.evidence import inspection, views
from safehold.evidence.models import Evidence
from safehold.privacy.models import AuditEntry
from tests.conftest import signed_in
from tests.evidence import files

pytestmark = pytest.mark.django_db
TOO_BIG = files.png() + b"\x00" * (inspection.MAX_BYTES + views.FORM_ROOM)


@pytest.fixture
def strict(officer: Staff) -> Client:
    """The officer's browser, signed in, with Django's CSRF check enforced as in use."""
    client = Client(enforce_csrf_checks=True)
    client.cookies = signed_in(officer).cookies
    return client


@pytest.fixture
def unparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def parsed(*args: object, **kwargs: object) -> None:
        raise AssertionError("the body of an oversized request was parsed")

    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", parsed)


def form_token(client: Client, case: Case) -> str:
    page = client.get(f"/cases/{case.pk}/evidence").content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    "token", [None, "x" * 64, "a" * 32], ids=["no token", "a wrong token", "a short one"]
)
def test_an_oversized_upload_from_another_site_is_403_and_writes_nothing(
    strict: Client, case: Case, unparsed: None, token: str | None
) -> None:
    form_token(strict, case)  # the officer has opened the page: the CSRF cookie is set
    entries = AuditEntry.objects.count()
    body = {"upload": files.upload(TOO_BIG, "photo.png")}
    if token is not None:
        body = {"csrfmiddlewaretoken": token, **body}
    response = strict.post(f"/cases/{case.pk}/evidence", body)
    assert response.status_code == 403
    assert AuditEntry.objects.count() == entries
    assert not Evidence.objects.exists()


def test_an_oversized_upload_from_the_page_itself_is_413_and_its_read_audited(
    strict: Client, officer: Staff, case: Case, unparsed: None
) -> None:
    token = form_token(strict, case)
    entries = AuditEntry.objects.count()
    body = {"csrfmiddlewaretoken": token, "upload": files.upload(TOO_BIG, "photo.png")}
    response = strict.post(f"/cases/{case.pk}/evidence", body)
    assert response.status_code == 413
    assert b"The selected file must be smaller than 10MB" in response.content
    (read,) = AuditEntry.objects.all()[entries:]
    assert (read.actor, read.target_id) == (officer.username, case.pk)
    assert not Evidence.objects.exists()


def test_an_oversized_upload_from_another_site_to_a_hidden_case_is_403_too(
    outsider: Staff, case: Case, unparsed: None
) -> None:
    """Someone who may not see the case: the CSRF check comes first, and writes nothing."""
    client = Client(enforce_csrf_checks=True)
    client.cookies = signed_in(outsider).cookies
    client.get("/")
    entries = AuditEntry.objects.count()
    response = client.post(
        f"/cases/{case.pk}/evidence", {"upload": files.upload(TOO_BIG, "photo.png")}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.count() == entries
