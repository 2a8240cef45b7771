"""Template filters that show codes in plain words (issue 18): a builtin of every
template (settings.TEMPLATES), so no page needs `{% load %}`. The words themselves are
in safehold/web/words.py.

    {{ person.date_of_birth|day }}          12 April 1988
    {{ contact.at|moment }}                 12 April 2026, 2:36pm
    {{ entry.at|moment_short }}             12 Apr 2026, 2:36pm
    {{ entry.at|clock }}                    2:36pm
    {{ case.abuse_types|abuse_types }}      Physical abuse, Sexual abuse
    {{ referral.agency|agency }}            the policy's name of the agency
    {{ referral.without_consent_ground|ground }}
    {{ staff.role|role }}                   Domestic abuse lead
    {{ policy.disclosure.approver_roles|roles_or }}   a manager or a director
    {{ assessment.marac_reasons|marac_reasons }}
    {{ assessment.tool_id|tool_name }}      DASH Risk Identification Checklist
    {{ person.sex|sex }}  {{ case.risk_level|risk_level }}  {{ contact.channel|channel }}
    {{ entry.action|audit_action }}         Opened the case
    {{ case.policy_id|policy_name }}        the policy's title
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from safehold.web import words

register = template.Library()


@register.filter
def day(value: Any) -> str:
    return words.day(value)


@register.filter
def day_short(value: Any) -> str:
    return words.day(value, short=True)


@register.filter
def clock(value: Any) -> str:
    return words.clock(value)


@register.filter
def moment(value: Any) -> str:
    return words.moment(value)


@register.filter
def moment_short(value: Any) -> str:
    return words.moment(value, short=True)


@register.filter
def abuse_type(code: str) -> str:
    return words.abuse_type(code)


@register.filter
def abuse_types(codes: Iterable[str]) -> str:
    return words.abuse_types(codes or ())


@register.filter
def agency(code: str) -> str:
    return words.agency(code or "")


@register.filter
def ground(code: str) -> str:
    return words.ground(code) if code else ""


@register.filter
def closure_reason_words(code: str) -> str:
    return words.closure_reason(code) if code else ""


@register.filter
def role(code: str) -> str:
    return words.role(code or "")


@register.filter
def roles_or(codes: Iterable[str]) -> str:
    return words.roles_or(codes or ())


@register.filter
def marac_reason(code: str) -> str:
    return words.marac_reason(code)


@register.filter
def marac_reasons(codes: Iterable[str]) -> str:
    return words.marac_reasons(codes or ())


@register.filter
def tool_name(tool_id: str) -> str:
    return words.tool_name(tool_id) if tool_id else ""


@register.filter
def sex(code: str) -> str:
    return words.sex(code or "")


@register.filter
def risk_level(code: str | None) -> str:
    return words.risk_level(code) if code else ""


@register.filter
def channel(code: str) -> str:
    return words.channel(code) if code else ""


@register.filter
def audit_action(action: str) -> str:
    return words.audit_action(action)


@register.filter
def policy_name(policy_id: str) -> str:
    return words.policy_name(policy_id) if policy_id else ""


@register.filter
def plain(value: Any) -> Any:
    """A value of a table of figures as people read it: an ISO date as 12 April 2026, a
    flag as Yes or No; anything else as it is."""
    return words.plain(value)


@register.filter
def audit_detail(detail: dict[str, Any]) -> list[tuple[str, str]]:
    return words.audit_detail(detail or {})
