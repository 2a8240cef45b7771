from __future__ import annotations

from typing import Literal

from ninja import Field, Schema


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    policy_rule: str | None = None


class Health(Schema):
    status: str


class CaseSummary(Schema):
    id: str
    reference: str
    status: str


class CasePage(Schema):
    items: list[CaseSummary]
    next: str | None


class CaseSearch(Schema):
    q: str = Field(min_length=1, max_length=200)
    status: Literal["open", "closing", "closed"] | None = None
    risk_level: Literal["standard", "medium", "high"] | None = None
