"""Taking other people out of free text before it goes to the person who asked.

A survivor's records mention the alleged perpetrator, her children, other household
members and witnesses. She is entitled to what is about her, not to their names,
contact details or addresses, so every free-text value in her export passes through a
`Redactor` built from the sealed details of every other person on her cases.

Text is compared as people write it: both the text and the terms are folded (Unicode
NFKD with the combining marks dropped, a few letters that do not decompose spelled
out, zero-width characters removed, case folded), so "Zoë Ångström" is found written
"Zoe Angstrom", "ZOE" or "Zoë", and the replacement is made in the original text.
It replaces with `[redacted]`:

- each other person's full name, and each part of it of three letters or more, as a
  whole word ("Barnaby", "ODDSWORTH", "barnaby oddsworth"; not "Barnabys");
- their phone numbers however they are spaced or punctuated, with 0, +44, 0044 or no
  prefix; their email addresses, addresses (whole, each line, and any postcode in them)
  and tenancy references;
- any other phone number, email address or postcode in the text: Safehold cannot tell
  whose it is, so it goes unless it is one of the requester's own.

A term that is also one of the requester's own (a surname the survivor shares with her
ex-partner, an address they shared) is left: it is hers too, and removing it would
garble her own record without protecting anyone.

The requester's own contact details from a case other than the one the request was made
on, where they differ from that case's, are replaced with `WITHHELD` instead (section 4
of issue 17: they are never sent to contact details she did not give as safe).

What cannot be found this way (a nickname, a name part of one or two letters, a name in
an uploaded file) is listed for the handler by `review_words`.

Staff names are not redacted: staff acted in their professional capacity, and knowing
who did what with her case is part of what she is entitled to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

REDACTED = "[redacted]"
WITHHELD = "[withheld]"  # her contact details from another case: see the module docstring
MIN_NAME_PART = 3  # "Al" or "Jo" alone would blank ordinary words: listed for review instead
MIN_ADDRESS_LINE = 5
MIN_PHONE_DIGITS = 6
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
PHONE_SEPARATORS = r"[\s\-().]*"
# Letters NFKD leaves whole, and apostrophes typed in other ways.
SPELLED_OUT = str.maketrans(
    {
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
        "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "\u0131": "i",
        "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'",
    }
)  # fmt: skip
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# Any UK phone number: +44, 0044 or 0, then nine or ten digits in any grouping.
ANY_PHONE = (
    r"(?<![\w+])(?:(?:\+|00)\s*44\s*(?:\(0\)\s*)?|\(?0)"
    r"\d(?:[\s\-.()]{0,2}\d){8,9}(?!\d)"
)
ANY_EMAIL = r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
ANY_POSTCODE = r"(?<!\w)[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}(?!\w)"
GENERIC = {"phone": ANY_PHONE, "email": ANY_EMAIL, "postcode": ANY_POSTCODE}


def fold(text: str) -> tuple[str, list[int]]:
    """The text as it is compared, and for each of its characters the index of the
    original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in INVISIBLE:
            continue
        for part in unicodedata.normalize("NFKD", char.translate(SPELLED_OUT)):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                out.append(folded)
                origin.append(index)
    return "".join(out), origin


def folded(text: str) -> str:
    return " ".join(fold(text)[0].split())


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # name, phone, email, address, reference


def name_parts(name: str) -> list[str]:
    return [p.strip("'") for p in re.split(r"[^\w']+", folded(name)) if p.strip("'")]


def name_terms(name: str) -> list[Term]:
    name = folded(name)
    if not name:
        return []
    parts = [part for part in name_parts(name) if len(part) >= MIN_NAME_PART]
    return [Term(name, "name"), *(Term(part, "name") for part in parts)]


def address_terms(address: str) -> list[Term]:
    address = " ".join(address.split())
    if not address:
        return []
    lines = [line.strip() for line in re.split(r"[,\n]", address)]
    terms = [Term(folded(address), "address")]
    terms += [Term(folded(line), "address") for line in lines if len(line) >= MIN_ADDRESS_LINE]
    terms += [Term(folded(code), "address") for code in POSTCODE.findall(address)]
    return terms


CONTACT_KINDS = (("phone", "phone"), ("email", "email"), ("tenancy_ref", "reference"))


def contact_terms(details: Mapping[str, Any]) -> list[Term]:
    """Everything in one person's sealed details that reaches them or says where they
    live: address, phone, email and tenancy reference."""
    terms = address_terms(str(details.get("address") or ""))
    for key, kind in CONTACT_KINDS:
        value = str(details.get(key) or "").strip()
        if value:
            terms.append(Term(value if kind == "phone" else folded(value), kind))
    return terms


def person_terms(details: Mapping[str, Any]) -> list[Term]:
    """Everything in one person's sealed details that identifies or reaches them."""
    return name_terms(str(details.get("name") or "")) + contact_terms(details)


def phone_key(text: str) -> str:
    """A phone number's digits in national form: 07700900123 for +44 7700 900123."""
    digits = re.sub(r"\D", "", text)
    for prefix in ("0044", "44"):
        if digits.startswith(prefix) and len(digits) > len(prefix) + 8:
            digits = digits[len(prefix) :]
            break
    digits = digits.removeprefix("0")
    return "0" + digits if digits else ""


def comparable(term: Term) -> str:
    if term.kind == "phone":
        return phone_key(term.text)
    return folded(term.text)


def generic_key(kind: str, text: str) -> str:
    if kind == "phone":
        return phone_key(text)
    if kind == "postcode":
        return re.sub(r"\s+", "", folded(text))
    return folded(text)


def phone_pattern(phone: str) -> str:
    key = phone_key(phone)
    if len(key) < MIN_PHONE_DIGITS:
        return r"(?<!\w)" + re.escape(folded(phone)) + r"(?!\w)"
    rest = PHONE_SEPARATORS.join(key[1:])
    prefix = (
        r"(?:(?:\+|00)" + PHONE_SEPARATORS + "44" + PHONE_SEPARATORS
        + r"(?:\(0\)" + PHONE_SEPARATORS + r")?|\(?0" + PHONE_SEPARATORS + r"|)"
    )  # fmt: skip
    return r"(?<![\d+])" + prefix + rest + r"(?!\d)"


def pattern_for(term: Term) -> str:
    if term.kind == "phone":
        return phone_pattern(term.text)
    words = r"\s+".join(re.escape(word) for word in term.text.split())
    return r"(?<!\w)" + words + r"(?!\w)"


@dataclass(frozen=True)
class Redactor:
    """Replaces every term in `markers` (one per group of `pattern`, in order) and any
    other phone, email or postcode not in `keep`."""

    pattern: re.Pattern[str] | None
    markers: tuple[str, ...] = ()
    keep: frozenset[str] = frozenset()
    withheld: frozenset[str] = frozenset()

    def replacement(self, match: re.Match[str]) -> str | None:
        index = match.lastindex or 0
        if index <= len(self.markers):
            return self.markers[index - 1]
        kind = list(GENERIC)[index - len(self.markers) - 1]
        key = generic_key(kind, match.group(index))
        if key in self.withheld:
            return WITHHELD
        return None if key in self.keep else REDACTED

    def __call__(self, text: object) -> str:
        value = "" if text is None else str(text)
        if self.pattern is None or not value:
            return value
        compared, origin = fold(value)
        pieces: list[str] = []
        at = 0
        for match in self.pattern.finditer(compared):
            marker = self.replacement(match)
            if marker is None:
                continue
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            gap = value[at:start]
            if pieces and pieces[-1] == marker and not gap.strip(" -"):
                at = end  # "Zoe Angstrom" is one name, not two: one marker
                continue
            pieces += [gap, marker]
            at = end
        return "".join(pieces) + value[at:]


def redactor_for(
    *,
    others: Iterable[Mapping[str, Any]],
    own: Iterable[Mapping[str, Any]],
    withheld: Iterable[Mapping[str, Any]] = (),
) -> Redactor:
    """A redactor of every other person's terms that are not also the requester's own
    (`own`: her names, and the contact details she gave as safe), and of her contact
    details in `withheld` that are not among those."""
    own_terms = [term for details in own for term in person_terms(details)]
    keep = {comparable(term) for term in own_terms}
    keep_generic = {generic_key(t.kind, t.text) for t in own_terms if t.kind in ("phone", "email")}
    keep_generic |= {
        generic_key("postcode", t.text) for t in own_terms if POSTCODE.fullmatch(t.text)
    }
    found: dict[str, tuple[Term, str]] = {}
    held: set[str] = set()
    for details in withheld:
        for term in contact_terms(details):
            key = comparable(term)
            if key and key not in keep:
                found.setdefault(key, (term, WITHHELD))
                held.add(generic_key(term.kind, term.text))
                if POSTCODE.fullmatch(term.text):
                    held.add(generic_key("postcode", term.text))
    for details in others:
        for term in person_terms(details):
            key = comparable(term)
            if key and key not in keep:
                found.setdefault(key, (term, REDACTED))
    # Longest first: a full name goes as one "[redacted]" rather than in parts.
    terms = sorted(found.values(), key=lambda pair: len(pair[0].text), reverse=True)
    alternatives = [f"({pattern_for(term)})" for term, _ in terms]
    alternatives += [f"({pattern})" for pattern in GENERIC.values()]
    return Redactor(
        re.compile("|".join(alternatives)),
        tuple(marker for _, marker in terms),
        frozenset(keep_generic),
        frozenset(held - keep_generic),
    )


# What a person has to look at -----------------------------------------------------

# Words written with a capital that are seldom anyone's name.
NOT_NAMES_TEXT = """
    i mr mrs ms miss mx dr sir madam monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november
    december christmas easter police council court gp nhs school hospital idva isva marac
    mash refuge social services housing officer manager director lead team safehold
    english welsh scottish british irish polish
"""
NOT_NAMES = frozenset(NOT_NAMES_TEXT.split())
APOSTROPHES = "'\u2019-"
WORD = re.compile(r"\b[^\W\d_][\w" + APOSTROPHES + "]*")
SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|\[redacted\]\s*)$")


def looks_like_a_name(word: str) -> bool:
    """Capitalised ("Baz"), or in capitals and longer than an acronym ("BARNABY")."""
    if word.isupper():
        return len(word) > 4
    return word[0].isupper()


@dataclass
class Reviewer:
    """Finds in text that has been redacted what may still name someone: a word written
    with a capital (not at the start of a sentence) that is neither the requester's
    name, nor a member of staff's, nor a common word; and the short parts of other
    people's names, which are not redacted automatically."""

    own_words: set[str] = field(default_factory=set)
    short_parts: set[str] = field(default_factory=set)

    def words(self, text: str) -> list[str]:
        flagged: list[str] = []
        for match in WORD.finditer(text):
            word = match.group(0).strip(APOSTROPHES)
            key = folded(word)
            if not word or key in self.own_words or key in NOT_NAMES:
                continue
            if not word[0].isupper():
                continue
            at_start = SENTENCE_START.search(text[: match.start()]) is not None
            if key in self.short_parts or (looks_like_a_name(word) and not at_start):
                flagged.append(word)
        return list(dict.fromkeys(flagged))


def reviewer_for(
    *, others: Iterable[Mapping[str, Any]], own: Iterable[Mapping[str, Any]], staff: Iterable[str]
) -> Reviewer:
    own_words = {part for details in own for part in name_parts(str(details.get("name") or ""))}
    own_words |= {part for name in staff for part in name_parts(name)}
    short = {
        part
        for details in others
        for part in name_parts(str(details.get("name") or ""))
        if len(part) < MIN_NAME_PART and part not in own_words
    }
    return Reviewer(own_words, short)
