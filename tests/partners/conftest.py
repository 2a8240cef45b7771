"""A case shared with the IDVA service: the survivor's consent, a referral sent with it
and the referral letter; and partners at the IDVA service and at the police."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import letters, services
from safehold.casework.models import Document, Referral

REASON = "Survivor asks for an IDVA; high risk after the incident of 3 December."


@pytest.fixture
def partner(make_staff: Callable[..., Staff]) -> Staff:
    """A named IDVA at the IDVA service."""
    return make_staff(
        "ida.idva", role="partner", agency="idva", full_name="Ida Advocate", team="Partners"
    )


@pytest.fixture
def police_partner(make_staff: Callable[..., Staff]) -> Staff:
    """A police domestic abuse officer: another agency."""
    return make_staff(
        "pat.police", role="partner", agency="police", full_name="Pat Constable", team="Partners"
    )


def share(case: Case, by: Staff, agency: str = "idva") -> tuple[Referral, Document]:
    services.consent_record(case=case, by=by, agency=agency, purpose="referral", given=True)
    referral = services.referral_make(case=case, by=by, agency=agency, reason=REASON)
    letter = letters.letter_create(
        case=case, by=by, kind="referral", recipient="agency", agency=agency
    )
    return referral, letter


@pytest.fixture
def shared(full_case: Case, officer: Staff) -> Case:
    """A case with every survivor detail a leak could carry, referred to the IDVA
    service with consent, with its referral letter."""
    share(full_case, officer)
    return full_case
