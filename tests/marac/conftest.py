"""Shared set-up for the MARAC meeting tests: cases referred to MARAC through the real
services, at chosen times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case, SurvivorIdentity, new_id
from safehold.casework import services as casework
from safehold.casework.models import Referral
from safehold.marac.models import Hearing, Meeting
from safehold.risk import services as risk

QUESTIONS = [f"q{n}" for n in range(1, 25)]  # the DASH RIC's questions


def referred(case: Case, by: Staff, *, sent_at: datetime | None = None) -> Referral:
    """A MARAC referral sent with consent; `sent_at` moves it back in time."""
    casework.consent_record(case=case, by=by, agency="marac", purpose="referral", given=True)
    referral = casework.referral_make(case=case, by=by, agency="marac", reason="High risk.")
    if sent_at is not None:
        Referral.objects.filter(pk=referral.pk).update(sent_at=sent_at, created_at=sent_at)
        referral.refresh_from_db()
    return referral


def heard_long_ago(referral: Referral, by: Staff, held_on: date) -> Hearing:
    """An earlier referral already on an earlier meeting's list (heard then)."""
    meeting = Meeting.objects.create(
        id=new_id("mtg"), conference="local", held_on=held_on, created_by=by
    )
    return Hearing.objects.create(
        id=new_id("hrg"),
        meeting=meeting,
        case=referral.case,
        referral=referral,
        heard_at=referral.sent_at,
    )


def new_survivor(case: Case) -> Case:
    identity = SurvivorIdentity.objects.create(id=new_id("sid"))
    Case.objects.filter(pk=case.pk).update(survivor_identity=identity)
    case.refresh_from_db()
    return case


def same_survivor(case: Case, as_case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(survivor_identity_id=as_case.survivor_identity_id)
    case.refresh_from_db()
    return case


def assessed(case: Case, by: Staff, *, high: bool = True) -> Any:
    return risk.assessment_create(
        case=case,
        by=by,
        tool_id="dash-ric",
        answers=dict.fromkeys(QUESTIONS, "yes" if high else "no"),
    )


def date_parts(name: str, day: date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def today() -> date:
    return timezone.localdate()


def meeting_made(client: Client, on: date | None = None) -> str:
    """Adds a meeting through its page; answers its id."""
    response = client.post(
        "/marac/meetings/new", {"conference": "local", **date_parts("held_on", on or today())}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    location = str(response["Location"])
    return location.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def make_meeting() -> Callable[..., str]:
    return meeting_made
