"""Cases made through the real intake service, and API clients for each persona
(a pytest plugin loaded by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.test import Client

from safehold.accounts import services as accounts
from safehold.accounts.models import Staff
from safehold.cases import inputs, services
from safehold.cases.models import Case
from safehold.policy.loader import active_policy

SURVIVOR_NAME = "Zephyrine Quattlebaum"
SURVIVOR_ADDRESS = "17 Wistmoor Crescent, Northgate"
SURVIVOR_PHONE = "07700 900417"
PERPETRATOR_NAME = "Barnaby Oddsworth"


def report(**changes: Any) -> inputs.Report:
    survivor = inputs.SurvivorDetails(
        name=SURVIVOR_NAME,
        date_of_birth=date(1988, 4, 12),
        sex="female",
        address=SURVIVOR_ADDRESS,
        tenancy_ref="T-55821",
        safe_contact=inputs.SafeContact(phone=SURVIVOR_PHONE, post_ok=False),
    )
    base = inputs.Report(
        source="self",
        survivor=survivor,
        alleged_perpetrators=(
            inputs.PerpetratorDetails(name=PERPETRATOR_NAME, relationship="partner"),
        ),
        children=(inputs.ChildDetails(age=6, name="Pip"),),
        abuse_types=tuple(
            kind
            for kind in ("physical", "controlling_or_coercive")
            if kind in active_policy().definitions.abuse_types  # WHA's list differs
        ),
        summary="Reported by phone.",
    )
    return replace(base, **changes)


@pytest.fixture
def open_case(officer: Staff) -> Callable[..., Case]:
    def make(by: Staff | None = None, **changes: Any) -> Case:
        return services.case_open(report=report(**changes), by=by or officer)

    return make


@pytest.fixture
def case(open_case: Callable[..., Case]) -> Case:
    """A case recorded by the officer, who is therefore on its case team."""
    return open_case()


@pytest.fixture
def api_as() -> Callable[[Staff], Client]:
    def make(staff: Staff) -> Client:
        return Client(headers={"Authorization": f"Bearer {accounts.token_create(staff=staff)}"})

    return make


CASE_BODY: dict[str, Any] = {
    "reported_at": "2026-11-20T10:15:00+00:00",
    "source": "police",
    "survivor": {
        "name": SURVIVOR_NAME,
        "date_of_birth": "1988-04-12",
        "sex": "female",
        "address": SURVIVOR_ADDRESS,
        "tenancy_ref": "T-55821",
        "is_staff_member": False,
        "safe_contact": {
            "phone": SURVIVOR_PHONE,
            "email": "",
            "safe_times": "mornings",
            "voicemail_ok": False,
            "post_ok": False,
        },
        "ethnicity": "prefer_not_to_say",
    },
    "alleged_perpetrators": [
        {"name": PERPETRATOR_NAME, "relationship": "ex_partner", "is_resident": False}
    ],
    "children": [{"age": 6, "name": "Pip"}],
    "abuse_types": ["physical"],
    "summary": "<script>alert('x')</script> said he would come back",
    "requests": {
        "same_sex_officer": True,
        "interpreter_language": "pl",
        "childcare": True,
        "interview_venue": "the library",
    },
}
