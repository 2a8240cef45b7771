"""A case's chronology tells its MARAC story (issue 21): listed for a meeting, what the
MARAC decided with the actions agreed, and the discussion with the survivor; never
whether it was a repeat, which may tell of a case the reader may not see."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.marac.models import Hearing
from tests.marac.conftest import meeting_made
from tests.marac.test_meetings import decisions_body, listed  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def text_of(client: Client, url: str) -> str:
    return " ".join(html.unescape(client.get(url).content.decode()).split())


def test_the_chronology_holds_the_hearing_and_its_actions(
    listed: dict[str, Case],  # noqa: F811
    officer: Staff,
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    client = as_staff(officer)
    meeting_id = meeting_made(client)
    case = listed["repeat"]
    hearing = Hearing.objects.get(meeting_id=meeting_id, case=case)
    before = text_of(client, f"/cases/{case.pk}/chronology?kind=marac")
    assert "Listed for" in before
    assert "what it decided" not in before

    response = client.post(f"/marac/hearings/{hearing.pk}/decisions", decisions_body())
    assert response.status_code == 302

    page = text_of(client, f"/cases/{case.pk}/chronology?kind=marac")
    assert "what it decided" in page
    assert "Agreed: safety planning, target hardening." in page
    assert "Police: Flag the address for a priority response" in page
    assert "Fit a door chain and a safe letterbox" in page
    assert "epeat" not in page  # not the hearing's repeat flag
    assert as_staff(outsider).get(f"/cases/{case.pk}/chronology?kind=marac").status_code == 404
