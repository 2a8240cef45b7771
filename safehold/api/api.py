"""The JSON API of API.md: thin handlers over services and selectors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from safehold.api.auth import BearerToken
from safehold.api.break_glass import router as break_glass_router
from safehold.api.cases import router as cases_router
from safehold.api.casework import (
    actions_router,
    documents_router,
    interviews_router,
    referrals_router,
)
from safehold.api.casework import cases_router as casework_router
from safehold.api.closure import appeals_router
from safehold.api.closure import cases_router as closure_router
from safehold.api.limits import RateLimited
from safehold.api.marac import router as marac_router
from safehold.api.openapi import with_problems
from safehold.api.partners import router as partners_router
from safehold.api.policy import router as policy_router
from safehold.api.problems import problem
from safehold.api.public_reports import router as public_reports_router
from safehold.api.records import router as records_router
from safehold.api.reports import router as reports_router
from safehold.api.risk import router as risk_router
from safehold.errors import Refusal


class SafeholdApi(NinjaAPI):
    """The API, whose OpenAPI document declares its problem+json errors (api/openapi.py)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        with_problems(document)
        return document


api = SafeholdApi(
    title="Safehold API",
    version="1",
    description="Case management for domestic abuse work in social housing. See API.md.",
    auth=BearerToken(),
    openapi_url="/openapi.json",
    docs_url=None,
    urls_namespace="api-v1",
)
api.add_router("/cases", cases_router)
api.add_router("/break-glass", break_glass_router)
api.add_router("/cases", risk_router)
api.add_router("/cases", casework_router)
api.add_router("/cases", closure_router)
api.add_router("/appeals", appeals_router)
api.add_router("/referrals", referrals_router)
api.add_router("/actions", actions_router)
api.add_router("/documents", documents_router)
api.add_router("/perpetrator-interviews", interviews_router)
api.add_router("/policy", policy_router)
api.add_router("/reports", reports_router)
api.add_router("/marac", marac_router)
api.add_router("/public-reports", public_reports_router)
api.add_router("/partner", partners_router)
api.add_router("/", records_router)


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [".".join(str(part) for part in error.get("loc", ())) for error in exc.errors]
    detail = "The body is not valid JSON or not the right shape"
    if fields:
        detail += ": check " + ", ".join(sorted(set(fields)))
    return problem(400, detail=detail, errors=exc.errors)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, detail="Send a valid API token as 'Authorization: Bearer TOKEN'")


@api.exception_handler(Refusal)
def refused(request: HttpRequest, exc: Refusal) -> HttpResponse:
    return problem(exc.status, code=exc.code, detail=exc.message, policy_rule=exc.policy_rule)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, detail="No such object, or not one you may see")


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(403, detail="Your role may not do this")


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = problem(
        429,
        code="rate_limited",
        detail=f"Too many requests. Try again in {exc.retry_after} seconds.",
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, detail=str(exc))
