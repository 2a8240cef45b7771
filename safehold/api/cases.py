from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from safehold.api.schemas import CasePage, CaseSearch

router = Router(tags=["cases"])


@router.get("", response=CasePage, summary="The cases the caller may see, newest first")
def case_list(request: HttpRequest) -> dict[str, object]:
    # Cases arrive with the intake issue; until then there are none to see.
    return {"items": [], "next": None}


@router.post(
    "/search",
    response=CasePage,
    summary="Find cases by reference or survivor's full name (names travel in the body)",
)
def case_search(request: HttpRequest, search: CaseSearch) -> dict[str, object]:
    return {"items": [], "next": None}
