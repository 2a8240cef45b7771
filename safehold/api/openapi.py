"""The error answers in the OpenAPI document: every one is problem+json (API.md §2).

django-ninja documents what a handler returns. The errors it documents come from two
places: an operation's own `response={..., 409: Problem}` declarations (the refusals its
services make, see `schemas.problems`), and the ones every operation of a kind gives
through the framework, added here:

- 401 where a token is required (with its `WWW-Authenticate` challenge), and 429 past
  the rate limit that every request is counted against (with its `Retry-After`);
- 400 where a body or query is read and may not fit its schema;
- 413 where a body is read and may be over the size limit;
- 404 where a path names an object, which may not exist or not be the caller's to see.

Each is given the Problem schema and the `application/problem+json` media type that
`problems.problem()` answers with, so that clients and the fuzz test
(tests/test_fuzz_api.py) hold the API to it.
"""

from __future__ import annotations

from typing import Any

from safehold.api.problems import PROBLEM_CONTENT_TYPE
from safehold.api.schemas import Problem

PROBLEM_REF = "#/components/schemas/Problem"

WHEN = {
    400: "The body or query is not valid JSON or not the right shape",
    401: "No valid API token",
    403: "The caller's role may never do this",
    404: "The object does not exist, or the caller may not know that it exists",
    409: "The object is not in a state that allows this",
    413: "The request body is over the size limit",
    422: "Well-formed but refused by a validation or policy rule, named by `code`",
    429: "Past the rate limit of the token, or of the client address without one",
}

HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "The authentication scheme to use: Bearer",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds until the rate limit's window ends",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every operation's error answers declared as problem+json."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation["responses"]
            declared = {int(status) for status in list(responses) if str(status).isdigit()}
            for status in sorted(declared | framework_errors(operation)):
                if status >= 400:
                    responses.pop(str(status), None)
                    responses[status] = problem_response(status)
    return document


def framework_errors(operation: dict[str, Any]) -> set[int]:
    """The errors an operation gives by its shape alone, whatever its handler does."""
    places = {parameter["in"] for parameter in operation.get("parameters", [])}
    errors = set()
    if operation.get("security"):
        errors |= {401, 429}
    if "requestBody" in operation or "query" in places:
        errors.add(400)
    if "requestBody" in operation:
        errors.add(413)
    if "path" in places:
        errors.add(404)
    return errors


def problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": WHEN.get(status, "An error"),
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


FILE_SCHEMAS = {
    "application/pdf": {"type": "string", "format": "binary"},
    "application/json": {"type": "object"},
}


def file_answer(*media_types: str) -> dict[str, Any]:
    """`openapi_extra` for an operation whose 200 is a file to download, in one of
    `media_types`, rather than a body django-ninja renders from a schema."""
    content = {media_type: {"schema": FILE_SCHEMAS[media_type]} for media_type in media_types}
    return {"responses": {200: {"description": "The file, as an attachment", "content": content}}}
