"""Whose rule each setting is: the provider's own words, Safehold's default, or the
provider's to set.

- `quoted`: the policy file quotes the provider's document for the setting (its own key
  in `[quotes]`, or a part of it such as `agencies.police`). The rule is the provider's.
- `provider_to_set`: the file lists the setting (or its table) in `provider_to_set`. The
  document leaves it open; the value is there so Safehold can run, but the provider
  must decide it.
- `default`: neither. The document is silent and Safehold's default applies.

The provider's own contact details on its letters (`provider.address`, `provider.phone`,
`provider.signatory`) have no Safehold default: one the file leaves empty is the
provider's to set whether or not `provider_to_set` lists it, and letters show it as
"[Provider to set: address]" (safehold.policy.letterhead).

A quote on a table (`perpetrator_interview`) is shown beside the table's rules but does
not make its settings quoted: each setting is the provider's only by its own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from safehold.policy.schema import PROVIDER_DETAILS, Policy, rule_settings
from safehold.policy.setting_paths import quote_on, settings_under

Source = Literal["quoted", "default", "provider_to_set"]
SOURCES: tuple[Source, ...] = ("quoted", "default", "provider_to_set")


@dataclass(frozen=True)
class SettingSource:
    """Where one setting comes from; `quote` is the document's words when `quoted`."""

    source: Source
    quote: str | None = None


def setting_sources(policy: Policy) -> dict[str, SettingSource]:
    """Every setting of `policy` (`rule_settings()`, in the schema's order) and where it
    comes from."""
    to_set = {
        setting
        for path in policy.provider_to_set
        for setting in settings_under(rule_settings(), path)
    }
    to_set.update(detail for detail in PROVIDER_DETAILS if not provider_detail(policy, detail))
    sources: dict[str, SettingSource] = {}
    for setting in rule_settings():
        quote = quote_on(policy.quotes, setting)
        if quote is not None:
            sources[setting] = SettingSource("quoted", quote)
        elif setting in to_set:
            sources[setting] = SettingSource("provider_to_set")
        else:
            sources[setting] = SettingSource("default")
    return sources


def provider_detail(policy: Policy, setting: str) -> str | tuple[str, ...]:
    """The value of one of `PROVIDER_DETAILS` (`provider.phone`), empty when unset."""
    value: str | tuple[str, ...] = getattr(policy.provider, setting.removeprefix("provider."))
    return value


def sources_of(policy: Policy, paths: tuple[str, ...]) -> tuple[tuple[str, SettingSource], ...]:
    """The settings that `paths` name (settings or tables of them), each with its source,
    in the schema's order."""
    every = setting_sources(policy)
    named = {setting for path in paths for setting in settings_under(rule_settings(), path)}
    return tuple((setting, every[setting]) for setting in rule_settings() if setting in named)
