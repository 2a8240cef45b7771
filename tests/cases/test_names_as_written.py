"""Identity is compared as people write it (issue 17 §9): the same name typed with a
zero-width space, full-width letters, other capitals, other spaces or without its
accents is the same person in search, at intake, as a repeat and in the figures; and
migration privacy 0003 computes the indexes stored before again (docs/cases.md, "Names
as people write them")."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import inputs, sealing
from safehold.cases.models import Case, Person, SurvivorIdentity
from safehold.privacy import vault
from tests.casedata import CASE_BODY, PERPETRATOR_NAME, SURVIVOR_NAME

pytestmark = pytest.mark.django_db
NOW = "2026-11-22T12:00:00Z"
MIGRATION = importlib.import_module("safehold.privacy.migrations.0003_names_as_people_write_them")

# "Zephyrine Quattlebaum" as another person types it: a zero-width space inside her
# first name, her surname in full-width capitals, a no-break space and an ideographic
# space between, a soft hyphen and a word joiner, spaces around.
FULL_WIDTH_QUATTLE = "\uff31\uff35\uff21\uff34\uff34\uff2c\uff25"
TYPED_ANOTHER_WAY = f"  zeph\u200byrine\u00a0\u3000{FULL_WIDTH_QUATTLE}\u00adBAUM\u2060 "
PERPETRATOR_ANOTHER_WAY = "BARNABY\u200d  oddsworth\ufeff"


def json_post(client: Client, path: str, body: object) -> Any:
    return client.post(path, body, content_type="application/json")


def report_body(name: str, perpetrator: str = PERPETRATOR_NAME, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(CASE_BODY)
    body["survivor"]["name"] = name
    body["alleged_perpetrators"][0]["name"] = perpetrator
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def found(client: Client, q: str) -> list[str]:
    answer = json_post(client, "/api/v1/cases/search", {"q": q})
    assert answer.status_code == 200, answer.content
    return [item["reference"] for item in answer.json()["items"]]


def test_it_finds_a_survivor_typed_another_way(
    case: Case,
    officer: Staff,
    outsider: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    assert found(api_as(officer), TYPED_ANOTHER_WAY) == [case.reference]
    assert found(api_as(officer), "ZEPHYRINE   quattlebaum") == [case.reference]
    page = as_staff(officer).post("/cases/search", {"q": TYPED_ANOTHER_WAY}).content.decode()
    assert case.reference in page
    # Someone who may not see the case finds nothing, however the name is typed.
    assert found(api_as(outsider), TYPED_ANOTHER_WAY) == []
    assert found(api_as(outsider), SURVIVOR_NAME) == []


def test_it_finds_a_name_written_without_its_accents_and_with_them(
    open_case: Callable[..., Case], officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    """A survivor writes "Zoë Ångström"; the officer types "Zoe Angstrom"."""
    zoe = open_case(
        survivor=inputs.SurvivorDetails(name="Zoë Ångström", date_of_birth=date(1990, 5, 1))
    )
    client = api_as(officer)
    assert found(client, "Zoe Angstrom") == [zoe.reference]
    assert found(client, "ZOË ÅNGSTRÖM") == [zoe.reference]
    assert found(client, "Zoe\u0308 Ångstro\u0308m") == [zoe.reference]  # combining marks
    # Issue 18: a name spelt differently is found by its sound (cases/search.py), so
    # "Angstrem" now finds her too; a name that sounds different still finds no one.
    assert found(client, "Zoe Angstrem") == [zoe.reference]
    assert found(client, "Zoe Bennett") == []


def test_a_search_of_nothing_but_invisible_characters_finds_no_one(
    case: Case, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    """A survivor reported anonymously has no name index: a search that normalises to no
    name must not list her case (nor any case of an erased survivor)."""
    client = api_as(officer)
    anonymous = json_post(client, "/api/v1/cases", {"source": "anonymous", "survivor": {}})
    assert anonymous.status_code == 201
    for q in ("\u3000", "\u200b", " \u200b\u2060 "):
        assert found(client, q) == []


@time_machine.travel(NOW, tick=False)
def test_the_same_survivor_typed_another_way_is_matched_at_intake_as_a_repeat(
    officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(officer)
    first = json_post(client, "/api/v1/cases", report_body(SURVIVOR_NAME)).json()
    again = json_post(
        client,
        "/api/v1/cases",
        report_body(
            TYPED_ANOTHER_WAY, PERPETRATOR_ANOTHER_WAY, reported_at="2026-11-21T09:00:00+00:00"
        ),
    )
    assert again.status_code == 201, again.content
    assert again.json()["repeat"] is True
    assert again.json()["survivor"]["person_id"] == first["survivor"]["person_id"]

    # The monitoring figures count individuals by person_id and alleged perpetrators
    # by their name index: one each, however the names were typed.
    perpetrators = Person.objects.filter(role="alleged_perpetrator")
    assert len(set(perpetrators.values_list("name_index", flat=True))) == 1


def test_the_intake_page_offers_the_open_case_of_a_survivor_typed_another_way(
    case: Case, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    form = {
        "source": "self",
        "abuse_types": ["physical"],
        "summary": "Seen again",
        "name": TYPED_ANOTHER_WAY,
        "date_of_birth_0": "12",
        "date_of_birth_1": "4",
        "date_of_birth_2": "1988",
        "sex": "female",
        "post_ok": "no",
        "perpetrators": "0",
        "children": "0",
        "same_sex_officer": "no",
        "step": "check",
    }
    check = as_staff(officer).post("/cases/new", form).content.decode()
    assert "This survivor already has an open case" in check
    assert f"Add this report to {case.reference}" in check


def old_index(purpose: str, name: str, born: str = "") -> str:
    """The index as stored before privacy 0003: case and spaces folded, nothing else."""
    normalised = MIGRATION.old_rule(name)
    return vault.blind_index(purpose, f"{normalised}|{born}" if born else normalised)


def named(name: str) -> set[str]:
    """The cases whose survivor's stored name index is that of `name`: what search
    matched before search tokens (issue 18), and what these migration tests check."""
    survivors = Person.objects.filter(role="survivor", name_index=sealing.survivor_name_index(name))
    return set(survivors.values_list("case__reference", flat=True))


def as_stored_before(case: Case, name: str, perpetrator: str) -> None:
    Person.objects.filter(case=case, role="survivor").update(
        name_index=old_index("survivor-name", name)
    )
    Person.objects.filter(case=case, role="alleged_perpetrator").update(
        name_index=old_index("perpetrator-name", perpetrator)
    )
    SurvivorIdentity.objects.filter(pk=case.survivor_identity_id).update(
        identity_index=old_index("survivor-identity", name, "1988-04-12")
    )


def test_the_migration_computes_the_stored_indexes_again_and_joins_her_identities(
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    """Two cases of hers stored before: the second typed another way, so it was given an
    identity of its own and indexes no search of her name found."""
    first = open_case()
    second = open_case(
        survivor=inputs.SurvivorDetails(name=TYPED_ANOTHER_WAY, date_of_birth=date(1988, 4, 12)),
        alleged_perpetrators=(
            inputs.PerpetratorDetails(name=PERPETRATOR_ANOTHER_WAY, relationship="partner"),
        ),
    )
    as_stored_before(first, SURVIVOR_NAME, PERPETRATOR_NAME)
    split = SurvivorIdentity.objects.create(id="per_split", identity_index="")
    Case.objects.filter(pk=second.pk).update(survivor_identity=split)
    Person.objects.filter(case=second, role="survivor").update(survivor_identity=split)
    as_stored_before(Case.objects.get(pk=second.pk), TYPED_ANOTHER_WAY, PERPETRATOR_ANOTHER_WAY)
    client = api_as(officer)
    assert named(SURVIVOR_NAME) == {first.reference}  # as it was before

    MIGRATION.names_renormalised(apps, None)

    assert named(SURVIVOR_NAME) == {first.reference, second.reference}
    assert named(TYPED_ANOTHER_WAY) == {first.reference, second.reference}
    assert not SurvivorIdentity.objects.filter(pk="per_split").exists()
    kept = first.survivor_identity_id
    assert set(Case.objects.values_list("survivor_identity_id", flat=True)) == {kept}
    survivors = Person.objects.filter(role="survivor")
    assert set(survivors.values_list("survivor_identity_id", flat=True)) == {kept}
    for person in Person.objects.exclude(role="child"):
        name = sealing.unseal(person.case.data_key, person)["name"]
        expected = (
            sealing.survivor_name_index(name)
            if person.role == "survivor"
            else sealing.perpetrator_name_index(name)
        )
        assert person.name_index == expected
    identity = SurvivorIdentity.objects.get(pk=kept)
    assert identity.identity_index == sealing.identity_index(SURVIVOR_NAME, "1988-04-12")

    # A new report of hers, typed either way, is a repeat of the one identity.
    again = json_post(
        client, "/api/v1/cases", report_body(TYPED_ANOTHER_WAY, reported_at=None)
    ).json()
    assert again["repeat"] is True
    assert Case.objects.get(pk=again["id"]).survivor_identity_id == kept

    # Going back computes the old rule's indexes; her identities stay one.
    MIGRATION.names_as_before(apps, None)
    second_survivor = Person.objects.get(case=second, role="survivor")
    assert second_survivor.name_index == old_index("survivor-name", TYPED_ANOTHER_WAY)
    assert SurvivorIdentity.objects.get().identity_index == old_index(
        "survivor-identity", SURVIVOR_NAME, "1988-04-12"
    )


def test_the_migration_leaves_an_erased_case_and_a_new_database_alone(
    case: Case, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    from safehold.privacy.models import WrappedKey

    Person.objects.filter(case=case).update(name_index="")
    SurvivorIdentity.objects.filter(pk=case.survivor_identity_id).update(identity_index="")
    vault.data_key_destroy(wrapped=case.data_key)

    MIGRATION.names_renormalised(apps, None)  # reads nothing it cannot: no error

    assert set(Person.objects.values_list("name_index", flat=True)) == {""}
    assert named(SURVIVOR_NAME) == set()

    # Before any index was made there is no blind-index key, and nothing to compute.
    WrappedKey.objects.filter(pk=vault.INDEX_KEY_ID).delete()
    MIGRATION.names_renormalised(apps, None)
    assert not WrappedKey.objects.filter(pk=vault.INDEX_KEY_ID).exists()
