"""The policy's own labels for closure reasons and parties, for the pages."""

from __future__ import annotations

from django import template

from safehold.policy.vocabulary import CLOSURE_REASON_LABELS, PARTY_LABELS
from safehold.policy.wording import roles_named

register = template.Library()


@register.filter
def closure_reason(reason: str) -> str:
    """ "The case has been resolved" for `resolved`; an unknown reason as it is."""
    label = CLOSURE_REASON_LABELS.get(reason, reason)  # type: ignore[call-overload]
    return str(label).capitalize()


@register.filter
def party(party: str) -> str:
    """ "the survivor" for `survivor`."""
    return str(PARTY_LABELS.get(party, party))  # type: ignore[call-overload]


@register.filter
def role_named(role: str) -> str:
    """A role in words: `director` is "a director", `da_lead` "a domestic abuse lead"."""
    return roles_named([role]) if role else ""  # type: ignore[list-item]
