"""Finding the survivor from what a caller says (issue 18, "Find the survivor";
docs/cases.md, "Finding a case"): by surname, first name and surname, a name spelt
another way, date of birth, phone number, postcode, tenancy reference and the case
reference or its number, on the page (`POST /cases/search`) and in the API
(`POST /api/v1/cases/search`); only among cases the reader may see, answering a hidden
case exactly as a missing one; over keyed tokens that hold no clear text."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import inputs, search
from safehold.cases.models import Case, SearchToken
from safehold.privacy import vault
from safehold.records import services as records
from safehold.records.dates import calendar_years_before
from tests.records.conftest import close

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("safehold.cases.migrations.0013_search_tokens")

CHLOE = "Chloe Bennett"
BORN = date(1988, 4, 12)
PHONE = "07700 900321"
ADDRESS = "Flat 3, 22 Larkspur Road, Northgate NG4 7QT"
TENANCY = "T-40213"


def survivor(
    name: str = CHLOE,
    *,
    born: date = BORN,
    phone: str = PHONE,
    address: str = ADDRESS,
    tenancy_ref: str = TENANCY,
    staff_member: bool = False,
) -> inputs.SurvivorDetails:
    return inputs.SurvivorDetails(
        name=name,
        date_of_birth=born,
        sex="female",
        address=address,
        tenancy_ref=tenancy_ref,
        is_staff_member=staff_member,
        safe_contact=inputs.SafeContact(phone=phone, post_ok=False),
    )


@pytest.fixture
def chloe(open_case: Callable[..., Case]) -> Case:
    return open_case(survivor=survivor())


def found(client: Client, q: str) -> list[str]:
    """The references the API's search answers, in its order."""
    answer = client.post("/api/v1/cases/search", {"q": q}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    return [item["reference"] for item in answer.json()["items"]]


def page(client: Client, q: str) -> str:
    answer = client.post("/cases/search", {"q": q})
    assert answer.status_code == 200, answer.content
    return answer.content.decode()


def listed_on_page(client: Client, q: str) -> list[str]:
    return re.findall(r"DA-\d{4}-\d{5}", page(client, q).split("<table", 1)[-1])


def without_what_changes(html: str) -> str:
    """A page with what differs on every request taken out: the CSRF token, the
    script nonce, and what was typed into the box."""
    html = re.sub(r'value="[^"]*"', 'value=""', html)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def test_it_finds_a_survivor_by_surname(
    chloe: Case,
    officer: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    assert found(api_as(officer), "Bennett") == [chloe.reference]
    assert found(api_as(officer), "bennett") == [chloe.reference]
    assert listed_on_page(as_staff(officer), "Bennett") == [chloe.reference]


def test_it_finds_a_survivor_by_first_name_and_surname_and_by_first_name(
    chloe: Case,
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    other = open_case(survivor=survivor("Chloe Okafor", phone="07700 900999"))
    client = api_as(officer)
    assert found(client, "Chloe Bennett") == [chloe.reference]
    assert found(client, "Bennett Chloe") == [chloe.reference]  # in either order
    assert set(found(client, "Chloe")) == {chloe.reference, other.reference}
    assert listed_on_page(as_staff(officer), "Chloe Bennett") == [chloe.reference]


def test_it_finds_a_misspelt_name_and_lists_exact_matches_first(
    chloe: Case,
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    client = api_as(officer)
    assert found(client, "Chloe Bennet") == [chloe.reference]
    assert found(client, "Khloe Benet") == [chloe.reference]
    assert listed_on_page(as_staff(officer), "Chloe Bennet") == [chloe.reference]
    # A newer case of a survivor whose name is spelt as typed comes first, then hers.
    bennet = open_case(survivor=survivor("Chloe Bennet", phone="07700 900998"))
    assert found(client, "Chloe Bennet") == [bennet.reference, chloe.reference]
    # Her exact name lists her first, though the other case is newer.
    assert found(client, "Chloe Bennett") == [chloe.reference, bennet.reference]
    # A name that sounds different finds neither.
    assert found(client, "Chloe Okafor") == []


def test_it_finds_a_survivor_by_date_of_birth_as_people_write_it(
    chloe: Case,
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    open_case(survivor=survivor("Chloe Bennett", born=date(1990, 1, 2), phone=""))
    client = api_as(officer)
    for q in ("12/04/1988", "12 April 1988", "1988-04-12", "12 Apr 1988", "12.04.1988"):
        assert found(client, q) == [chloe.reference], q
    # A name and a date of birth together: both must match.
    assert found(client, "Bennett 12/04/1988") == [chloe.reference]
    assert found(client, "Chloe Bennett 13/04/1988") == []
    assert listed_on_page(as_staff(officer), "12 April 1988") == [chloe.reference]


def test_it_finds_a_survivor_by_phone_number_however_it_is_written(
    chloe: Case,
    officer: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    client = api_as(officer)
    for q in (
        "07700 900321",
        "07700900321",
        "+44 7700 900321",
        "+447700900321",
        "0044 7700 900 321",
    ):
        assert found(client, q) == [chloe.reference], q
    assert found(client, "07700 900322") == []
    assert listed_on_page(as_staff(officer), "+44 7700 900321") == [chloe.reference]


def test_it_finds_a_survivor_by_postcode(
    chloe: Case,
    officer: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    client = api_as(officer)
    for q in ("NG4 7QT", "ng47qt", "ng4 7qt"):
        assert found(client, q) == [chloe.reference], q
    assert found(client, "NG4 7QU") == []
    assert listed_on_page(as_staff(officer), "NG4 7QT") == [chloe.reference]


def test_it_finds_a_case_by_its_reference_its_number_and_a_tenancy_reference(
    chloe: Case,
    officer: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    client = api_as(officer)
    number = chloe.reference.rsplit("-", 1)[1]  # "00001"
    assert found(client, chloe.reference) == [chloe.reference]
    assert found(client, number) == [chloe.reference]
    assert found(client, number.lstrip("0")) == [chloe.reference]
    assert found(client, TENANCY) == [chloe.reference]
    assert found(client, "t40213") == [chloe.reference]
    assert listed_on_page(as_staff(officer), number) == [chloe.reference]


def test_the_page_shows_what_confirms_the_right_person(
    chloe: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    html = page(as_staff(officer), "Bennett")
    assert CHLOE in html
    assert "Born 12 April 1988" in html
    assert "Open" in html
    assert "Risk not assessed" in html
    assert "First contact by " in html
    assert "1988-04-12" not in html
    # The list of cases shows the same.
    listing = as_staff(officer).get("/cases/").content.decode()
    assert CHLOE in listing
    assert "Born 12 April 1988" in listing


def test_a_search_that_finds_nothing_says_so_and_offers_break_glass_only_to_who_may(
    chloe: Case,
    officer: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    html = page(as_staff(officer), "Nobody Atall")
    assert "No cases match your search" in html
    assert "Nobody" not in html.split("No cases match", 1)[1]  # nothing typed is echoed
    assert 'href="/cases/break-glass"' in html
    director_page = page(as_staff(director), "Nobody Atall")
    assert "No cases match your search" in director_page
    assert 'href="/cases/break-glass"' not in director_page


@pytest.mark.parametrize("who", ["outsider", "prober"])
def test_a_hidden_case_answers_as_a_name_that_does_not_exist(
    who: str,
    open_case: Callable[..., Case],
    outsider: Staff,
    teammate: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    """An officer of another team searching her ordinary case, and a prober (an officer
    of her own team, not named on her restricted case) searching hers: neither finds it
    by any of her details, and each answer, page and API, is the same as for someone who
    does not exist."""
    reader = outsider if who == "outsider" else teammate
    hidden = open_case(survivor=survivor(staff_member=who == "prober"))
    api, pages = api_as(reader), as_staff(reader)
    missing = without_what_changes(page(pages, "Nobody Atall"))
    number = hidden.reference.rsplit("-", 1)[1]
    for q in (
        "Bennett",
        "Chloe Bennett",
        "Chloe Bennet",
        "12/04/1988",
        PHONE,
        "NG4 7QT",
        TENANCY,
        number,
        hidden.reference,
    ):
        assert found(api, q) == [], q
        assert found(api, "Nobody Atall") == []
        assert without_what_changes(page(pages, q)) == missing, q


def test_a_prober_recording_her_name_finds_only_their_own_case(
    open_case: Callable[..., Case],
    teammate: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    """Someone who records a case with her name and date of birth to find out whether
    she has one finds their own case alone, told it is no repeat."""
    open_case(survivor=survivor(staff_member=True))
    own = open_case(
        by=teammate, survivor=survivor(phone="07700 900111", address="", tenancy_ref="")
    )
    client = api_as(teammate)
    answer = client.post(
        "/api/v1/cases/search", {"q": "Chloe Bennett 12/04/1988"}, content_type="application/json"
    ).json()
    assert [item["reference"] for item in answer["items"]] == [own.reference]
    assert answer["items"][0]["repeat"] is False
    assert found(client, PHONE) == []


def test_a_restricted_case_is_found_only_by_those_named_on_it(
    open_case: Callable[..., Case],
    officer: Staff,
    teammate: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    restricted = open_case(survivor=survivor("Chloe Bennett", staff_member=True))
    assert restricted.restricted
    assert found(api_as(officer), "Bennett") == [restricted.reference]
    for q in ("Bennett", "Chloe Bennet", PHONE, "12/04/1988", "NG4 7QT"):
        assert found(api_as(teammate), q) == [], q


def test_the_tokens_hold_no_name_phone_postcode_or_date_in_clear(chloe: Case) -> None:
    rows = list(SearchToken.objects.filter(case=chloe).values_list("role", "kind", "digest"))
    kinds = {kind for _, kind, _ in rows}
    assert kinds == {"name", "sound", "pair", "born", "postcode", "phone", "tenancy", "reference"}
    secrets = ["chloe", "bennett", "07700900321", "7700900321", "ng47qt", "1988", "40213"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_searchtoken")
        stored = "\n".join(str(value) for row in cursor.fetchall() for value in row).lower()
    assert stored  # the control: the table has rows to look in
    for secret in secrets:
        assert secret not in stored, secret
    for _, _, digest in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", digest)


def test_erasure_removes_the_cases_tokens(
    chloe: Case, open_case: Callable[..., Case], officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    other = open_case(survivor=survivor("Chloe Bennett", phone="07700 900555"))
    now = datetime(2033, 3, 1, 3, 0, tzinfo=UTC)
    close(chloe, calendar_years_before(now, 6) - timedelta(days=1))
    records.case_erase(case=Case.objects.get(pk=chloe.pk), now=now)
    assert not SearchToken.objects.filter(case=chloe).exists()
    assert SearchToken.objects.filter(case=other).exists()
    assert found(api_as(officer), "Chloe Bennett") == [other.reference]
    assert found(api_as(officer), PHONE) == []


def test_the_migration_indexes_the_cases_opened_before(
    chloe: Case, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    made = set(SearchToken.objects.values_list("case_id", "kind", "digest"))
    SearchToken.objects.all().delete()
    assert found(api_as(officer), "Bennett") == []

    editor: Any = SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    MIGRATION.tokens_made(apps, editor)

    assert set(SearchToken.objects.values_list("case_id", "kind", "digest")) == made
    assert found(api_as(officer), "Chloe Bennet") == [chloe.reference]


def test_sound_keys_match_names_spelt_alike_and_keep_others_apart() -> None:
    alike = [
        ("Bennett", "Bennet"),
        ("Smith", "Smyth"),
        ("Catherine", "Kathryn"),
        ("Stephen", "Steven"),
        ("Leigh", "Lee"),
        ("Phillips", "Filips"),
        ("Knight", "Nite"),
        ("Zoë", "Zoe"),
    ]
    for one, other in alike:
        assert search.sound_key(one) == search.sound_key(other), (one, other)
    apart = [("Bennett", "Okafor"), ("Ann", "Nan"), ("Smith", "Smithson"), ("Leigh", "Lear")]
    for one, other in apart:
        assert search.sound_key(one) != search.sound_key(other), (one, other)
    assert search.sound_key("") == search.sound_key("'-") == ""


def test_search_tokens_are_the_vaults_blind_indexes_under_their_own_purpose() -> None:
    key = vault.index_key()
    assert search.blind(key, "name", "chloe") == vault.blind_index("search-name", "chloe")
    assert search.phone_digits("+44 (0)7700 900321") == "07700900321"
    assert search.phone_digits("+44 7700 900321") == search.phone_digits("07700 900321")
    assert search.postcode("1 High St, sw1a 1aa") == "SW1A1AA"


def test_showing_names_in_a_list_is_audited_once_per_page_naming_the_cases(
    chloe: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    from safehold.privacy.models import AuditEntry

    client = as_staff(officer)
    page(client, "Bennett")
    client.get("/cases/")
    listed = list(AuditEntry.objects.filter(action="case.listed").order_by("seq"))
    assert [(e.actor, e.detail["via"], e.detail["cases"]) for e in listed] == [
        (officer.username, "search", [chloe.pk]),
        (officer.username, "list", [chloe.pk]),
    ]
    # Nothing typed is kept in the trail.
    assert not AuditEntry.objects.filter(detail__icontains="Bennett").exists()


def test_details_written_again_replace_their_tokens(
    chloe: Case, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    """For a service that changes her details later (none does yet): her old phone no
    longer finds her, the new one does."""
    details = {"name": CHLOE, "date_of_birth": BORN.isoformat(), "phone": "07700 900777"}
    search.tokens_write(chloe, "survivor", details, again=True)
    assert found(api_as(officer), PHONE) == []
    assert found(api_as(officer), "07700 900777") == [chloe.reference]
    assert found(api_as(officer), "Chloe Bennet") == [chloe.reference]


PAIRS_MIGRATION = importlib.import_module("safehold.cases.migrations.0021_search_pairs")
# Survivors whose names and tenancy references try every way two words can match her:
# spelt as recorded, by sound, one part of a hyphenated name, a name with no sound key, a
# tenancy reference of letters alone (issue 19, "Pairs of name words").
PAIRED = (
    ("Chloe Bennett", "T-40213"),
    ("Chloe Okafor", "ABCD"),
    ("Mary-Ann O'Neill", "T-40214"),
    ("Leigh Lee", ""),
    ("Zoë Smyth", ""),
    ("王 李", ""),
    ("Jane Bennet", "BENNETT"),
)
QUERIES = (
    "Chloe Bennett",
    "Bennett Chloe",
    "Khloe Benet",
    "Chloe Chloe",
    "Chloe Bennett Chloe",
    "Lee Leigh",
    "Leigh Lee",
    "Lee Smith",
    "Mary Ann",
    "Ann Mary O'Neill",
    "Mary-Ann ONeill",
    "Mary Mary-Ann",
    "Chloe ABCD",
    "ABCD Okafor",
    "abcd chloe okafor",
    "Jane Bennett",
    "Bennett Bennet",
    "Zoe Smith",
    "王 李",
    "李 王",
    "王 Smyth",
    "Chloe T-40213",
    "Chloe 12/04/1988",
    "Chloe Okafor 07700 900321",
)


def test_two_name_words_are_read_by_their_pair_and_find_the_same_cases(
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pair term only narrows where the search starts: every query finds the same
    cases, in the same order, as its words alone find them."""
    for number, (name, tenancy) in enumerate(PAIRED):
        phone = f"07700 90{number:04d}"
        open_case(survivor=survivor(name, tenancy_ref=tenancy, phone=phone))
    client = api_as(officer)
    with_pairs = {q: found(client, q) for q in QUERIES}
    monkeypatch.setattr(search, "pair_terms", lambda key, names: [])
    words_alone = {q: found(client, q) for q in QUERIES}
    assert with_pairs == words_alone
    # And they find what an officer would expect of them.
    assert len(with_pairs["Chloe Bennett"]) == 1
    assert with_pairs["Khloe Benet"] == with_pairs["Chloe Bennett"] + with_pairs["Jane Bennett"][1:]
    assert len(with_pairs["Mary Ann"]) == len(with_pairs["Ann Mary O'Neill"]) == 1
    assert len(with_pairs["Lee Leigh"]) == len(with_pairs["王 李"]) == 1
    assert len(with_pairs["Chloe ABCD"]) == len(with_pairs["ABCD Okafor"]) == 1
    assert len(with_pairs["Zoe Smith"]) == 1
    assert with_pairs["王 Smyth"] == []


def test_a_pair_is_one_term_that_only_cases_named_both_have(
    chloe: Case, open_case: Callable[..., Case]
) -> None:
    open_case(survivor=survivor("Chloe Okafor", phone="07700 900999"))
    open_case(survivor=survivor("Jane Bennett", phone="07700 900998"))
    key = vault.index_key()
    terms = search.terms_of(key, "Chloe Bennett")
    assert len(terms) == 3  # the pair, then each word
    pair, *words = terms
    assert not pair.near
    having = SearchToken.objects.filter(role="survivor")
    assert set(having.filter(digest__in=pair.digests).values_list("case_id", flat=True)) == {
        chloe.pk
    }
    for word in words:
        assert having.filter(digest__in=word.digests).values("case_id").distinct().count() == 2
    # No pair of two words that could match one part of her name.
    assert len(search.terms_of(key, "Lee Leigh")) == 2
    assert len(search.terms_of(key, "Chloe chloe")) == 2
    # Nor of a word with a digit, which is no name.
    assert len(search.terms_of(key, "Chloe T-40213")) == 2


def test_the_pairs_migration_indexes_the_cases_opened_before_and_goes_back(
    chloe: Case, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    made = set(SearchToken.objects.values_list("case_id", "kind", "digest"))
    assert SearchToken.objects.filter(case=chloe, kind="pair").count() == 1
    editor: Any = SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    PAIRS_MIGRATION.pairs_deleted(apps, editor)
    assert not SearchToken.objects.filter(kind="pair").exists()
    assert found(api_as(officer), "Chloe Bennett") == []  # why the migration is needed
    assert found(api_as(officer), "Bennett") == [chloe.reference]

    PAIRS_MIGRATION.SEARCH_TOKENS.tokens_made(apps, editor)

    assert set(SearchToken.objects.values_list("case_id", "kind", "digest")) == made
    assert found(api_as(officer), "Chloe Bennett") == [chloe.reference]
