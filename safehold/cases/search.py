"""Finding a survivor from what a caller says, over encrypted data (issue 18, "Find the
survivor"; docs/cases.md, "Finding a case").

A case's survivor is findable by keyed blind indexes of normalised tokens (`SearchToken`
rows): each part of her name, a sound key of each part, her date of birth, the postcode
of her address, her phone number's digits, her tenancy reference, and the case's
reference and its number. Each token is an HMAC-SHA-256 under the shared blind-index key
(privacy.vault), with a purpose of its own per kind, so a token never holds the value
and tokens of different kinds never compare equal. No token is ever stored in clear.

A query is cut into terms (a date, a phone number, a postcode, then each remaining
word); a term matches a case when any of its possible meanings is one of the case's
tokens, and a case is found when every term matches (`search_of` in selectors.py).

Two name words side by side also make a term of the pair (issue 19): a survivor has a
`pair` token for every two parts of her name, so "Jane Okafor" is read from the cases
whose survivor is called both, not from every Jane. The pair term is never narrower than
its two words: whatever way each word matches her (`forms`), the pair of those ways is
one of her tokens."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from safehold.cases.models import PersonRole, SearchToken
from safehold.cases.sealing import normalised_name
from safehold.privacy import vault

# The kinds of token, each its own HMAC purpose ("search-" and the kind).
NAME, SOUND, PAIR, BORN, POSTCODE, PHONE, TENANCY, REFERENCE = (
    "name",
    "sound",
    "pair",
    "born",
    "postcode",
    "phone",
    "tenancy",
    "reference",
)
KINDS = (NAME, SOUND, PAIR, BORN, POSTCODE, PHONE, TENANCY, REFERENCE)


def blind(key: bytes, kind: str, normalised: str) -> str:
    """`vault.blind_index(f"search-{kind}", normalised)` with the key in hand: a search
    or a person makes many tokens, and vault reads the key from the database each time."""
    message = f"search-{kind}\x1f{normalised}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- Sound keys ----------------------------------------------------------------------

# Soundex's letter groups: letters that sound alike on the phone share a digit.
SOUND_GROUPS = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}
VOWELS = frozenset("aeiouy")
# English spellings of one sound, rewritten before coding (order matters: longer first).
SPELLINGS_AT_START = (("kn", "n"), ("gn", "n"), ("pn", "n"), ("wr", "r"), ("ps", "s"), ("wh", "w"))
SPELLINGS = (("tch", "ch"), ("sch", "sk"), ("ph", "f"), ("ck", "k"), ("dg", "j"))


def sound_key(word: str) -> str:
    """A sound key for an English name part, Soundex-style with a few English spellings
    first: "Bennett" and "Bennet", "Smith" and "Smyth", "Catherine" and "Kathryn",
    "Stephen" and "Steven", "Leigh" and "Lee" have one key. Unlike Soundex the first
    letter is coded too (so C and K, and S and Z, start alike), a word starting with a
    vowel keeps a mark of it ("0"), and the key is not cut to four, so long names stay
    apart. Letters other than a to z (after `normalised_name`) are ignored; a word with
    none has no key ("")."""
    text = "".join(c for c in normalised_name(word) if "a" <= c <= "z")
    if not text:
        return ""
    for spelling, sound in SPELLINGS_AT_START:
        if text.startswith(spelling):
            text = sound + text[len(spelling) :]
            break
    for spelling, sound in SPELLINGS:
        text = text.replace(spelling, sound)
    # "gh" is silent inside and at the end of a name (Leigh, Hugh, Knight), a "g" first.
    first = 2 if text.startswith("gh") else 0
    text = text[:first] + text[first:].replace("gh", "")
    if not text:
        return ""
    key = "0" if text[0] in VOWELS else ""
    last = ""
    for letter in text:
        if letter in VOWELS:
            last = ""  # a vowel parts two consonants of the same group
            continue
        digit = SOUND_GROUPS.get(letter, "")
        if not digit:
            continue  # h and w: silent, and part nothing
        if digit != last:
            key += digit
        last = digit
    return key


# --- Normalising values --------------------------------------------------------------

UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
DATES = (
    # 12/04/1988, 12-04-1988, 12.04.1988 (day first, as in the UK)
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b"), "dmy"),
    # 1988-04-12
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    # 12 April 1988, 12th Apr 1988
    (
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_WORDS})\.?,?\s+(\d{{4}})\b", re.I),
        "dMy",
    ),
    # April 12 1988, April 12th, 1988
    (
        re.compile(rf"\b({MONTH_WORDS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
        "Mdy",
    ),
)
# A phone number as said or typed: +44 or 0 first, then digits, spaces, brackets, dashes.
PHONE_SPOKEN = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s().-]{7,}\d\b")


def postcode(text: str) -> str:
    """The last UK postcode in `text`, upper case without spaces ("SW1A1AA"), or ""."""
    found = UK_POSTCODE.findall(text or "")
    return "".join(found[-1]).upper() if found else ""


def phone_digits(text: str) -> str:
    """A UK number as one string of digits, 07… and +44 7… (or 0044 7…) alike; a
    number of fewer than seven digits is no number (a phone never has so few)."""
    text = (text or "").replace("(0)", "")  # +44 (0)7700 …: the 0 is said only at home
    digits = "".join(c for c in text if c.isdigit())
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and text.lstrip().startswith("+"):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 7 else ""


def plain_reference(text: str) -> str:
    """A reference with only its letters and digits, upper case: "t-123 45" is "T12345"."""
    return "".join(c for c in normalised_name(text or "") if c.isalnum()).upper()


def reference_number(reference: str) -> str:
    """The number of a case reference ("DA-2026-00201" gives "201"), without leading
    zeros, so "00201" and "201" both find it."""
    tail = reference.rsplit("-", 1)[-1]
    return tail.lstrip("0") or "0" if tail.isdigit() else ""


def name_parts(name: str) -> list[str]:
    """Each part of a name, normalised: "Mary-Ann O'Neill" gives "mary-ann", "mary",
    "ann", "o'neill" and "oneill"."""
    parts: list[str] = []
    for word in normalised_name(name or "").split():
        pieces = [word, *word.split("-")]
        for piece in pieces:
            for form in (piece, piece.replace("'", "")):
                form = form.strip("'-.,")
                if form and form not in parts:
                    parts.append(form)
    return parts


# --- Pairs of name words ------------------------------------------------------------


def form(part: str) -> str:
    """What a name part is paired by: its sound key, which every spelling that matches it
    shares (an exact match has the same key as well), or the part itself after "=" when
    it has no key (a part with a digit, or no letter from a to z)."""
    sound = sound_key(part) if word_is_name(part) else ""
    return sound or f"={part}"


def tenancy_form(plain: str) -> str:
    """A tenancy reference as a pair's other half ("#" and its letters). A word of a
    query can match a tenancy reference of letters alone as well as a name part, and a
    pair must cover every way its words match (a reference with a digit never meets a
    pair: a word with a digit is no name, and makes none)."""
    return f"#{plain}"


def pairs_of(forms: Iterable[str]) -> list[str]:
    """Every two different forms, each pair in one order whichever came first."""
    return [f"{one} {other}" for one, other in itertools.combinations(sorted(set(forms)), 2)]


def word_forms(word: str) -> frozenset[str]:
    """The forms a name word of a query can match a survivor by: each of its parts',
    and a tenancy reference of its letters."""
    forms = {form(part) for part in name_parts(word)}
    plain = plain_reference(word)
    if plain:
        forms.add(tenancy_form(plain))
    return frozenset(forms)


# --- A person's tokens ---------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str
    digest: str


def survivor_tokens(key: bytes, details: dict[str, Any], reference: str = "") -> list[Token]:
    """The tokens of a survivor's sealed details (and her case's reference), without
    repeats."""
    values: list[tuple[str, str]] = []
    parts = name_parts(details.get("name", ""))
    for part in parts:
        values.append((NAME, part))
        sound = sound_key(part) if word_is_name(part) else ""
        if sound:
            values.append((SOUND, sound))
    forms = [form(part) for part in parts]
    tenancy = plain_reference(details.get("tenancy_ref", ""))
    if tenancy and word_is_name(tenancy):
        forms.append(tenancy_form(tenancy))
    values.extend((PAIR, pair) for pair in pairs_of(forms))
    born = details.get("date_of_birth") or ""
    if born:
        values.append((BORN, str(born)))
    code = postcode(details.get("address", ""))
    if code:
        values.append((POSTCODE, code))
    phone = phone_digits(details.get("phone", ""))
    if phone:
        values.append((PHONE, phone))
    if tenancy:
        values.append((TENANCY, tenancy))
    if reference:
        values.append((REFERENCE, plain_reference(reference)))
        number = reference_number(reference)
        if number:
            values.append((REFERENCE, number))
    seen: dict[str, Token] = {}
    for kind, value in values:
        digest = blind(key, kind, value)
        seen.setdefault(digest, Token(kind, digest))
    return list(seen.values())


# --- A query -------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing the caller said: the digests any of its meanings would have, the exact
    ones apart from the sound's; `pair` for two name words together."""

    exact: frozenset[str]
    near: frozenset[str]
    pair: bool = False

    @property
    def digests(self) -> frozenset[str]:
        return self.exact | self.near


def date_of(groups: tuple[str, ...], order: str) -> date | None:
    values = dict(zip(order, groups, strict=True))
    try:
        month = MONTHS[values["M"].lower()] if "M" in values else int(values["m"])
        return date(int(values["y"]), month, int(values["d"]))
    except (ValueError, KeyError):
        return None


def terms_of(key: bytes, q: str) -> list[Term]:
    """The terms of a query: each date, phone number and postcode in it, then each
    remaining word. A word may be a name part, a sound, a tenancy reference, a postcode
    written as one word, a case reference or its number, or a phone number: it matches
    when any of them does."""
    text = " ".join(normalised_name(q).split())
    terms: list[Term] = []

    def taken(match: re.Match[str], term: Term | None) -> str:
        if term is not None:
            terms.append(term)
            return " "
        return match.group(0)

    for pattern, order in DATES:

        def as_date(match: re.Match[str], order: str = order) -> str:
            born = date_of(match.groups(), order)
            exact = frozenset({blind(key, BORN, born.isoformat())}) if born else None
            return taken(match, Term(exact, frozenset()) if exact else None)

        text = pattern.sub(as_date, text)

    def as_phone(match: re.Match[str]) -> str:
        digits = phone_digits(match.group(0))
        if len(digits) < 10:  # a short run of digits is a reference number or the like
            return match.group(0)
        return taken(match, Term(frozenset({blind(key, PHONE, digits)}), frozenset()))

    text = PHONE_SPOKEN.sub(as_phone, text)

    def as_postcode(match: re.Match[str]) -> str:
        code = "".join(match.groups()).upper()
        return taken(match, Term(frozenset({blind(key, POSTCODE, code)}), frozenset()))

    text = UK_POSTCODE.sub(as_postcode, text)
    names: list[str] = []
    for word in text.split():
        term = word_term(key, word)
        if term is not None:
            terms.append(term)
            if word_is_name(word):
                names.append(word)
    return [*pair_terms(key, names), *terms]


def pair_terms(key: bytes, names: list[str]) -> list[Term]:
    """A term for each two name words side by side that cannot match one part of her
    name (their forms are apart: not "Lee Leigh", not "Jane Jane"): a case whose
    survivor matches both words has a pair token of the forms they matched by. Exact,
    so it never changes which cases come first."""
    terms: list[Term] = []
    for one, other in itertools.pairwise(names):
        ones, others = word_forms(one), word_forms(other)
        if ones & others:
            continue
        # Two tenancy references are never one survivor's: no pair of them is made.
        pairs = {
            pair
            for a in ones
            for b in others
            if not (a.startswith("#") and b.startswith("#"))
            for pair in pairs_of((a, b))
        }
        digests = frozenset(blind(key, PAIR, pair) for pair in pairs)
        terms.append(Term(digests, frozenset(), pair=True))
    return terms


def word_term(key: bytes, word: str) -> Term | None:
    exact: set[str] = set()
    for part in name_parts(word):
        exact.add(blind(key, NAME, part))
    plain = plain_reference(word)
    if plain:
        exact.update(blind(key, kind, plain) for kind in (TENANCY, REFERENCE, POSTCODE))
        if plain.isdigit():
            exact.add(blind(key, REFERENCE, plain.lstrip("0") or "0"))
            digits = phone_digits(word)
            if digits:
                exact.add(blind(key, PHONE, digits))
    # A word with a digit in it is no name: it has no sound ("T-123" is not "Tia").
    sounds = {sound_key(part) for part in name_parts(word)} - {""} if word_is_name(word) else set()
    near = {blind(key, SOUND, sound) for sound in sounds}
    if not exact and not near:
        return None
    return Term(frozenset(exact), frozenset(near))


def word_is_name(word: str) -> bool:
    return not any(c.isdigit() for c in word)


def all_digests(terms: Iterable[Term]) -> set[str]:
    return {digest for term in terms for digest in term.digests}


def tokens_write(case: Any, role: str, details: dict[str, Any], *, again: bool = False) -> None:
    """Writes the tokens of the person of `role` on `case` from their details (only a
    survivor's are indexed today; any other role writes none). `again` when the details
    were written before: their old tokens go first, so a changed phone number no longer
    finds her. Two queries: the blind-index key and one insert (three with `again`)."""
    if again:
        SearchToken.objects.filter(case=case, role=role).delete()
    if role != PersonRole.SURVIVOR:
        return
    tokens = survivor_tokens(vault.index_key(), details, case.reference)
    SearchToken.objects.bulk_create(
        [SearchToken(case=case, role=role, kind=t.kind, digest=t.digest) for t in tokens]
    )


def tokens_erase(case: Any) -> None:
    """Erasure: a case whose data key is destroyed can no longer be found by anything
    about its survivor."""
    SearchToken.objects.filter(case=case).delete()
