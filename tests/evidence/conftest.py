from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.evidence import services
from safehold.evidence.models import Evidence
from tests.evidence import files


@pytest.fixture
def add_evidence(case: Case, officer: Staff) -> Callable[..., Evidence]:
    def add(
        content: bytes | None = None, name: str = "bruise.png", description: str = ""
    ) -> Evidence:
        return services.evidence_add(
            case=case,
            by=officer,
            upload=files.upload(files.png() if content is None else content, name),
            description=description,
        )

    return add


@pytest.fixture
def upload_as(as_staff: Callable[[Staff], Client], case: Case) -> Callable[..., object]:
    """Posts the upload form for `case` as `staff`, as the browser does."""

    def post(staff: Staff, content: bytes, name: str, description: str = "") -> object:
        return as_staff(staff).post(
            f"/cases/{case.pk}/evidence",
            {"upload": files.upload(content, name), "description": description},
        )

    return post
