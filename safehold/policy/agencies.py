"""The agencies directory: who survivors can be referred to, national and local.

Every policy lists at least API.md §3's agencies (referrals and figures name them by
id) and may add its own local ones, each with the areas it serves and a phone number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from safehold.policy.setting_types import PhoneNumber, PolicyModel, Text, Texts, setting_error
from safehold.policy.vocabulary import AGENCY_IDS, AGENCY_NAMES


class Agency(PolicyModel):
    """One entry of the agencies directory."""

    name: Text
    """The agency's name as staff and survivors know it."""

    scope: Literal["national", "local"]
    """`national`, or `local` to the `areas` named."""

    areas: Texts = ()
    """For a local agency, the areas it serves; empty means every area the provider
    works in. A national agency has none."""

    phone: PhoneNumber | None = None
    """Its phone number, digits and spaces, such as "0808 2000 247"."""

    website: Text | None = None
    """Its website."""

    notes: Text | None = None
    """Anything staff should know, such as opening hours."""

    @model_validator(mode="after")
    def _national_has_no_areas(self) -> Agency:
        if self.scope == "national" and self.areas:
            raise setting_error("areas", "a national agency serves everywhere; leave out areas")
        return self


def default_agencies() -> dict[str, Agency]:
    """API.md §3's agencies, with the national numbers the seeds give."""
    directory: dict[str, Agency] = {
        agency_id: Agency(name=name, scope="local") for agency_id, name in AGENCY_NAMES.items()
    }
    directory["police"] = Agency(
        name="Police", scope="national", phone="999", notes="999 in an emergency"
    )
    directory["national_helpline"] = Agency(
        name="National Domestic Abuse Helpline",
        scope="national",
        phone="0808 2000 247",
        notes="24 hours, free; run by Refuge, for women and men",
    )
    directory["victim_support"] = Agency(name="Victim Support", scope="national")
    return directory


def every_agency_of_api_listed(directory: dict[str, Agency]) -> dict[str, Agency]:
    """Refuse a directory without API.md §3's agencies: referrals name them by id."""
    missing = [agency_id for agency_id in AGENCY_IDS if agency_id not in directory]
    if missing:
        raise PydanticCustomError(
            "missing_agency",
            "must list every agency of API.md §3; missing: {missing}",
            {"missing": ", ".join(missing)},
        )
    return directory


def agencies_by_area(directory: Mapping[str, Agency]) -> dict[str, list[tuple[str, Agency]]]:
    """The directory grouped as a page shows it: "National", each named area, then
    "Every area" for local services whose areas the policy does not name."""
    groups: dict[str, list[tuple[str, Agency]]] = {"National": []}
    for agency_id, agency in directory.items():
        if agency.scope == "national":
            groups["National"].append((agency_id, agency))
            continue
        for area in agency.areas or ("Every area",):
            groups.setdefault(area, []).append((agency_id, agency))
    every_area = groups.pop("Every area", [])
    return {**groups, "Every area": every_area} if every_area else groups
