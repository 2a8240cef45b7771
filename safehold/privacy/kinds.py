"""The kinds of action an audit trail can be filtered by, and the entries of each.

A fixed set, named by the first part of the action (`case.opened` is of kind `case`);
break glass and legal holds are kinds of their own. The trail (`privacy/trail.py`)
filters by them and the pages (`web/words.py`) show their words: they live here, in the
domain's base, so that `privacy` imports nothing from the pages above it
(docs/architecture.md, "Layers").
"""

from __future__ import annotations

from django.db.models import Q

AUDIT_KINDS = {
    "case": "Opening, reading and closing the case",
    "break_glass": "Break glass",
    "contacts": "Contacts and further reports",
    "risk": "Risk assessments",
    "sharing": "Consent, referrals and disclosure",
    "plan": "Actions, reviews and interviews",
    "letters": "Letters and evidence",
    "closure": "Closure, feedback and appeals",
    "records": "Records and subject access",
    "refused": "Refused requests",
}
_KIND_OF_PREFIX = {
    "case": "case",
    "same_sex_officer": "case",
    "incident": "contacts",
    "person": "contacts",
    "contact": "contacts",
    "contact_interval": "contacts",
    "risk": "risk",
    "consent": "sharing",
    "disclosure": "sharing",
    "partner": "sharing",
    "marac": "sharing",
    "action": "plan",
    "review": "plan",
    "perpetrator_interview": "plan",
    "letter": "letters",
    "document": "letters",
    "evidence": "letters",
    "closure": "closure",
    "feedback": "closure",
    "appeal": "closure",
    "subject_access": "records",
    "request": "refused",
    "break_glass": "refused",
}
_BREAK_GLASS: tuple[str, ...] = (
    "case.break_glass",
    "case.break_glass_requested",
    "case.break_glass_approved",
    "case.break_glass_declined",
)
_RECORDS: tuple[str, ...] = ("case.legal_hold_placed", "case.legal_hold_lifted", "case.erased")


def audit_kind_query(kind: str) -> Q:
    """The audit entries of a kind of action (AUDIT_KINDS), as a query: the actions
    named for it, and those whose first part is of it (`case.` less break glass and
    records, which are kinds of their own)."""
    special = {"break_glass": _BREAK_GLASS, "records": _RECORDS}
    query = Q(action__in=special.get(kind, ()))
    for prefix, of_kind in _KIND_OF_PREFIX.items():
        if of_kind == kind:
            prefixed = Q(action__startswith=f"{prefix}.")
            if prefix == "case":
                prefixed &= ~Q(action__in=_BREAK_GLASS + _RECORDS)
            query |= prefixed
    return query
