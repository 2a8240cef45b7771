"""Taking other people out of free text before it goes to the person who asked.

A survivor's records mention the alleged perpetrator, her children, other household
members and witnesses. She is entitled to what is about her, not to their names,
contact details or addresses, so every free-text value in her export passes through a
`Redactor` built from the sealed details of every other person on her cases. It replaces:

- each other person's full name, and each part of it of three letters or more, as a
  whole word, in any case ("Barnaby", "ODDSWORTH", "barnaby oddsworth");
- their phone numbers however they are spaced or punctuated, with 0 or +44;
- their email addresses, addresses (whole, each line, and any postcode in them) and
  tenancy references.

A term that is also one of the requester's own (a surname the survivor shares with her
ex-partner, an address they shared) is left: it is hers too, and removing it would
garble her own record without protecting anyone.

Staff names are not redacted: staff acted in their professional capacity, and knowing
who did what with her case is part of what she is entitled to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

REDACTED = "[redacted]"
MIN_NAME_PART = 3  # "Al" or "Jo" alone would blank ordinary words
MIN_ADDRESS_LINE = 5
MIN_PHONE_DIGITS = 6
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
PHONE_SEPARATORS = r"[\s\-().]*"


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # name, phone, email, address, reference


def name_terms(name: str) -> list[Term]:
    name = " ".join(name.split())
    if not name:
        return []
    parts = [p for p in re.split(r"[^\w']+", name) if len(p.strip("'")) >= MIN_NAME_PART]
    return [Term(name, "name"), *(Term(part, "name") for part in parts)]


def address_terms(address: str) -> list[Term]:
    address = " ".join(address.split())
    if not address:
        return []
    lines = [line.strip() for line in re.split(r"[,\n]", address)]
    terms = [Term(address, "address")]
    terms += [Term(line, "address") for line in lines if len(line) >= MIN_ADDRESS_LINE]
    terms += [Term(code, "address") for code in POSTCODE.findall(address)]
    return terms


def person_terms(details: Mapping[str, Any]) -> list[Term]:
    """Everything in one person's sealed details that identifies or reaches them."""
    terms = name_terms(str(details.get("name") or ""))
    terms += address_terms(str(details.get("address") or ""))
    for key, kind in (("phone", "phone"), ("email", "email"), ("tenancy_ref", "reference")):
        value = str(details.get(key) or "").strip()
        if value:
            terms.append(Term(value, kind))
    return terms


def comparable(term: Term) -> str:
    if term.kind == "phone":
        return re.sub(r"\D", "", term.text)
    return " ".join(term.text.split()).casefold()


def phone_pattern(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return re.escape(phone)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    if digits.startswith("0"):
        rest = PHONE_SEPARATORS.join(digits[1:])
        prefix = r"(?:\+?44" + PHONE_SEPARATORS + r"(?:\(0\)" + PHONE_SEPARATORS + r")?|0)"
        return r"(?<!\d)" + prefix + PHONE_SEPARATORS + rest + r"(?!\d)"
    return r"(?<!\d)" + PHONE_SEPARATORS.join(digits) + r"(?!\d)"


def pattern_for(term: Term) -> str:
    if term.kind == "phone":
        return phone_pattern(term.text)
    words = r"\s+".join(re.escape(word) for word in term.text.split())
    return r"(?<!\w)" + words + r"(?!\w)"


@dataclass(frozen=True)
class Redactor:
    pattern: re.Pattern[str] | None

    def __call__(self, text: object) -> str:
        value = "" if text is None else str(text)
        if self.pattern is None or not value:
            return value
        return self.pattern.sub(REDACTED, value)


def redactor_for(
    *, others: Iterable[Mapping[str, Any]], own: Iterable[Mapping[str, Any]]
) -> Redactor:
    """A redactor of every other person's terms that are not also the requester's own."""
    keep = {comparable(term) for details in own for term in person_terms(details)}
    found: dict[str, Term] = {}
    for details in others:
        for term in person_terms(details):
            key = comparable(term)
            if key and key not in keep:
                found.setdefault(key, term)
    if not found:
        return Redactor(None)
    # Longest first, in one pass: a full name goes as one "[redacted]", and the marker
    # itself is never matched again.
    terms = sorted(found.values(), key=lambda term: len(term.text), reverse=True)
    alternatives = "|".join(f"(?:{pattern_for(term)})" for term in terms)
    return Redactor(re.compile(alternatives, re.IGNORECASE))
