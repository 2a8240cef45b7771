"""The pair of two name words never narrows a search (issue 19; cases/search.py "Pairs
of name words"; docs/cases.md "Finding a case"): for any survivor and any query, when
every word of the query matches one of her tokens, so does every pair the query makes.
A property over her tokens alone, with hypothesis, so no database is needed: names with
hyphens, apostrophes, accents, other scripts and digits, tenancy references of letters
alone or with digits, and queries made of her own words, words that sound like them,
her tenancy reference and her case's number, and words of no one's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from safehold.cases import search

KEY = b"k" * 32
REFERENCE = "DA-2026-00123"
PARTS = [
    "Chloe", "Khloe", "Bennett", "Bennet", "Mary-Ann", "Mary", "Ann", "O'Neill", "ONeill",
    "Leigh", "Lee", "Zoë", "Zoe", "Smith", "Smyth", "王", "李", "Jo5", "Ann-Marie", "Anne",
    "Okafor", "Ng", "Ó", "d'Arcy", "Darcy", "ABCD", "Abcd",
]  # fmt: skip
TENANCIES = ["", "T-40213", "ABCD", "abcd", "Bennett", "Mary"]


@st.composite
def survivor_and_query(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    name = " ".join(draw(st.lists(st.sampled_from(PARTS), min_size=1, max_size=4)))
    tenancy = draw(st.sampled_from(TENANCIES))
    details = {
        "name": name,
        "tenancy_ref": tenancy,
        "date_of_birth": "1988-04-12",
        "phone": "07700 900321",
        "address": "22 Larkspur Road, NG4 7QT",
    }
    words = [*PARTS, *name.split(), tenancy, "00123", "123", "T-40213", "12/04/1988", "Hugh"]
    query = draw(st.lists(st.sampled_from([w for w in words if w]), min_size=2, max_size=4))
    return details, " ".join(query)


@settings(max_examples=400, deadline=None)
@given(survivor_and_query())
def test_a_query_whose_every_word_matches_her_matches_every_pair_too(
    drawn: tuple[dict[str, str], str],
) -> None:
    details, query = drawn
    tokens = {token.digest for token in search.survivor_tokens(KEY, details, REFERENCE)}
    terms = search.terms_of(KEY, query)
    words = [term for term in terms if not term.pair]
    pairs = [term for term in terms if term.pair]
    if all(term.digests & tokens for term in words):
        for pair in pairs:
            assert pair.digests & tokens, (details, query)


def test_her_own_full_name_makes_a_pair_that_finds_her() -> None:
    """The control: the property above is put to work (a pair is made, and matches)."""
    details = {"name": "Mary-Ann O'Neill", "tenancy_ref": "ABCD"}
    tokens = {token.digest for token in search.survivor_tokens(KEY, details)}
    for query in ("Mary-Ann O'Neill", "Ann ONeill", "Mary ABCD", "Marie Oneil"):
        pairs = [term for term in search.terms_of(KEY, query) if term.pair]
        assert len(pairs) == 1, query
        assert pairs[0].digests & tokens, query
    other = {token.digest for token in search.survivor_tokens(KEY, {"name": "Mary Okafor"})}
    pair = next(term for term in search.terms_of(KEY, "Mary ONeill") if term.pair)
    assert not pair.digests & other
