"""The policy's [public_page] settings (docs/policy-files.md): defaults, and a bad value
refused with a message naming the setting, as every policy setting is."""

from __future__ import annotations

import pytest

from safehold.policy.loader import PolicyFileError, parse_policy
from tests.policy.policies import MINIMAL_POLICY


def test_the_defaults_are_discreet_and_route_to_the_da_leads() -> None:
    page = parse_policy(MINIMAL_POLICY).public_page

    assert page.title == "Contact us"
    assert page.exit_to == "https://www.bbc.co.uk/weather"
    assert page.routing == {}


def test_a_provider_sets_its_own() -> None:
    text = MINIMAL_POLICY + (
        '[public_page]\ntitle = "Northgate Homes"\nexit_to = "https://www.metoffice.gov.uk/"\n'
        'routing = { "NG" = "North", "NG7" = "Radford" }\n'
    )

    page = parse_policy(text).public_page

    assert page.title == "Northgate Homes"
    assert page.routing == {"NG": "North", "NG7": "Radford"}


@pytest.mark.parametrize(
    ("line", "setting"),
    [
        ('exit_to = "http://example.org/"', "public_page.exit_to"),
        ('exit_to = "javascript:alert(1)"', "public_page.exit_to"),
        ('routing = { "ng7 1" = "Radford" }', "public_page.routing"),
        ('title = ""', "public_page.title"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(line: str, setting: str) -> None:
    with pytest.raises(PolicyFileError, match=setting.replace(".", r"\.")):
        parse_policy(MINIMAL_POLICY + f"[public_page]\n{line}\n")
