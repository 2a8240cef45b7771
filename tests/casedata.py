"""Cases made through the real intake service, and API clients for each persona
(a pytest plugin loaded by tests/conftest.py)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from safehold.accounts import services as accounts
from safehold.accounts.models import Staff, Team
from safehold.cases import inputs, services
from safehold.cases.models import Case
from safehold.policy.loader import active_policy, clear_active_policy

SEEDS = ["default", "wha", "whg", "association", "viridian", "wrekin"]

SURVIVOR_NAME = "Zephyrine Quattlebaum"
SURVIVOR_ADDRESS = "17 Wistmoor Crescent, Northgate"
SURVIVOR_PHONE = "07700 900417"
# Midnight in London on 1 April is 23:00 the day before in UTC: a day shown is London's.
LATE_EVENING_UTC = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
PERPETRATOR_NAME = "Barnaby Oddsworth"
# His own postal address: a letter to him by post needs it (address_required without).
PERPETRATOR_ADDRESS = "4 Quillon Terrace, Eastfold"
SAFE_TIMES = "Tuesdays after 10 at the library"
EMAIL = "quattlebaum@example.org"
CHILD = "Peregrine"


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
            inputs.PerpetratorDetails(
                name=PERPETRATOR_NAME, relationship="partner", address=PERPETRATOR_ADDRESS
            ),
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
def policy(settings: Any, request: pytest.FixtureRequest) -> Iterator[str]:
    """The active policy: `default`, or the bundled id given by indirect parametrisation
    (`@pytest.mark.parametrize("policy", SEEDS, indirect=True)`)."""
    settings.SAFEHOLD_POLICY = getattr(request, "param", "default")
    clear_active_policy()
    yield settings.SAFEHOLD_POLICY
    clear_active_policy()


@pytest.fixture
def own_policy(settings: Any, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes the active policy one of the test's own: the minimal valid policy file
    (tests/policy/policies.py) with the lines given appended (tables, such as
    `"[appeals]\\nstage_2 = {...}\\n"`). For a rule no bundled policy has."""
    from tests.policy.policies import MINIMAL_POLICY

    def use(lines: str) -> str:
        path = tmp_path / "own-policy.toml"
        path.write_text(MINIMAL_POLICY + lines, encoding="utf-8")
        settings.SAFEHOLD_POLICY = str(path)
        clear_active_policy()
        return str(path)

    yield use
    clear_active_policy()


@pytest.fixture
def open_case(officer: Staff) -> Callable[..., Case]:
    def make(by: Staff | None = None, **changes: Any) -> Case:
        return services.case_open(report=report(**changes), by=by or officer)

    return make


@pytest.fixture
def case(open_case: Callable[..., Case]) -> Case:
    """A case recorded by the officer, who is therefore on its case team."""
    return open_case()


def full_survivor() -> inputs.SurvivorDetails:
    """A survivor with every detail a leak could carry: phone, email, safe times; post is
    safe."""
    return inputs.SurvivorDetails(
        name=SURVIVOR_NAME,
        date_of_birth=date(1988, 4, 12),
        sex="female",
        address=SURVIVOR_ADDRESS,
        tenancy_ref="T-55821",
        safe_contact=inputs.SafeContact(
            phone=SURVIVOR_PHONE, email=EMAIL, safe_times=SAFE_TIMES, post_ok=True
        ),
    )


@pytest.fixture
def full_case(open_case: Callable[..., Case]) -> Case:
    """A case with every survivor detail a leak could carry: phone, email, safe times,
    a child's name; post is safe."""
    return open_case(
        survivor=full_survivor(),
        alleged_perpetrators=(
            inputs.PerpetratorDetails(
                name=PERPETRATOR_NAME,
                relationship="partner",
                tenancy_ref="T-99001",
                address=PERPETRATOR_ADDRESS,
            ),
        ),
        children=(inputs.ChildDetails(age=6, name=CHILD),),
    )


def pdf_text(client: Client, document_id: str) -> str:
    response = client.get(f"/api/v1/documents/{document_id}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


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


def listed_case(n: int, **shown: object) -> Case:
    """An unsaved open case as a list's row sees it (after `with_survivors`): its team,
    officer and survivor set, for the tests that hold a row-writing template tag to the
    loop it replaced; `shown` sets or overrides any attribute."""
    case = Case(
        id=f"case_{n:020x}",
        reference=f"DA-2026-{n:05d}",
        team=Team(name="Eastfield"),
        assigned_officer=Staff(full_name="Ada Officer"),
        status="open",
        risk_level="high",
        reported_at=datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
    )
    case.survivor_erased = False  # type: ignore[attr-defined]
    case.survivor_name = SURVIVOR_NAME  # type: ignore[attr-defined]
    case.survivor_born = date(1988, 4, 12)  # type: ignore[attr-defined]
    for name, value in shown.items():
        setattr(case, name, value)
    return case
