"""Every API error is application/problem+json (RFC 9457) with a stable `code` (API.md §2).

Handlers build them with `problem()`. ProblemMiddleware is the safety net for whatever
answers an /api/ path without going through a handler (unknown paths, wrong methods,
oversized bodies, crashes), so no 4xx or 5xx leaves without a code or with a trace."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"

DEFAULT_CODES = {
    400: "invalid_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "refused",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}

logger = logging.getLogger(__name__)


def problem(
    status: int,
    *,
    code: str | None = None,
    detail: str | None = None,
    title: str | None = None,
    **extra: Any,
) -> HttpResponse:
    phrase = HTTPStatus(status).phrase
    code = code or DEFAULT_CODES.get(status, "error")
    body = {
        "type": f"https://safehold.example/problems/{code}",
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
        "code": code,
        **{key: value for key, value in extra.items() if value is not None},
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="safehold"'
    return response


def too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class ProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if too_large(request):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return problem(413, detail=f"The request body is larger than {limit} bytes")
        response = self.get_response(request)
        if response.status_code >= 400 and response.get("Content-Type") != PROBLEM_CONTENT_TYPE:
            return problem(response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return problem(413, detail="The request body is too large")
        logger.exception("API request failed", exc_info=exception)
        return problem(500, detail="Something went wrong. Nothing you sent was saved.")
