"""The one exception type for a refusal: a validation or policy rule said no.

Pages show it as a GOV.UK error summary, the API as problem+json with the same `code`
and, where the provider's policy refused, the `policy_rule` that did (STYLE.md habit 3).
"""

from __future__ import annotations


class Refusal(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        *,
        policy_rule: str | None = None,
        field: str | None = None,
        status: int = 422,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.policy_rule = policy_rule
        self.field = field
        self.status = status
