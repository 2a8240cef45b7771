"""Who a letter comes from: the provider's name, address, telephone number and signatory,
from the policy's `[provider]` table, as every letter prints them.

A detail that is the provider's to set (left empty, or listed in `provider_to_set`) is
printed as "[Provider to set: address]", never left out and never invented: a draft
made before the provider has set it shows what is missing, and the "Our policy" page
lists it as the provider's to set (docs/policy-files.md, "[provider]")."""

from __future__ import annotations

from dataclasses import dataclass

from safehold.policy.schema import Policy
from safehold.policy.sources import provider_detail, setting_sources


def to_set(what: str) -> str:
    return f"[Provider to set: {what}]"


@dataclass(frozen=True)
class Letterhead:
    name: str
    address: tuple[str, ...]
    phone: str
    signatory: str

    def __str__(self) -> str:
        return self.name


def letterhead(policy: Policy) -> Letterhead:
    """The provider's details as a letter prints them."""
    sources = setting_sources(policy)

    def shown(setting: str, what: str) -> str | tuple[str, ...]:
        if sources[setting].source == "provider_to_set":
            return to_set(what)
        return provider_detail(policy, setting)

    address = shown("provider.address", "address")
    return Letterhead(
        name=policy.provider.name,
        address=(address,) if isinstance(address, str) else address,
        phone=str(shown("provider.phone", "telephone number")),
        signatory=str(shown("provider.signatory", "signatory")),
    )
