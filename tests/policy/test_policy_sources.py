"""Whose rule each setting is: quoted from the provider's document, Safehold's default,
or the provider's to set (issue 16, section 5), and the bundled files saying so honestly.

A bundled file's comments say where each setting comes from: `[NNN section] "..."` cites
the seed sentence that states the rule, `[NNN silent]` says the seed does not, and
`PROVIDER TO SET` marks a value the provider must decide. The tests here hold the
`[quotes]` table and the `provider_to_set` list to those comments.
"""

from __future__ import annotations

import re

import pytest

from safehold.policy.loader import PolicyFileError, bundled_policy_path, load_policy, parse_policy
from safehold.policy.schema import rule_settings
from safehold.policy.setting_paths import settings_under, whole_setting
from safehold.policy.sources import setting_sources
from tests.policy.policies import MINIMAL_POLICY
from tests.policy.test_bundled_policies import SEED_FILES

KEY_LINE = re.compile(r'^\s*("[^"]+"|[A-Za-z0-9_-]+)\s*=')
TABLE_LINE = re.compile(r"^\s*\[([A-Za-z0-9_.-]+)\]\s*(#.*)?$")


def cited_settings(text: str) -> list[tuple[int, str, str]]:
    """Each rule setting a policy file writes, with the comment on or just above its line:
    (line number, setting, comment). An entry of an open table (`agencies.police`) or a
    part of a setting counts as its setting; a table written inline (`working_hours = {
    ... }`) as each of its settings; the settings that name the policy are left out."""
    found: list[tuple[int, str, str]] = []
    lines = text.splitlines()
    table, in_array = "", False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if in_array:
            in_array = not stripped.startswith("]")
            continue
        header = TABLE_LINE.match(line)
        if header:
            table = header.group(1)
            continue
        match = KEY_LINE.match(line)
        if match is None or table == "quotes":
            continue
        in_array = stripped.endswith("[")
        key = match.group(1).strip('"')
        path = f"{table}.{key}" if table else key
        comment = line.split("#", 1)[1] if "#" in line else ""
        above = number - 2
        while above >= 0 and lines[above].strip().startswith("#"):
            comment = lines[above] + " " + comment
            above -= 1
        whole = whole_setting(rule_settings(), path)
        for setting in (whole,) if whole else settings_under(rule_settings(), path):
            found.append((number, setting, comment))
    return found


def is_silent(comment: str, seed: str) -> bool:
    return f"[{seed} silent" in comment


@pytest.mark.parametrize("policy_id", sorted(SEED_FILES))
def test_every_setting_the_seed_states_is_quoted_or_the_providers_to_set(policy_id: str) -> None:
    seed = SEED_FILES[policy_id][:3]
    text = bundled_policy_path(policy_id).read_text(encoding="utf-8")
    sources = setting_sources(load_policy(policy_id))

    unquoted = sorted(
        {
            f"{policy_id}.toml:{number} {setting}"
            for number, setting, comment in cited_settings(text)
            if f"[{seed}" in comment
            and not is_silent(comment, seed)
            and sources[setting].source == "default"
        }
    )

    assert unquoted == [], "cite the seed's sentence in [quotes], or mark it PROVIDER TO SET"


@pytest.mark.parametrize("policy_id", sorted(SEED_FILES))
def test_no_setting_the_seed_is_silent_on_is_shown_as_the_providers(policy_id: str) -> None:
    seed = SEED_FILES[policy_id][:3]
    text = bundled_policy_path(policy_id).read_text(encoding="utf-8")
    sources = setting_sources(load_policy(policy_id))
    settings = cited_settings(text)
    # An open table (`agencies`) is quoted as a whole: an entry the seed is silent on is
    # Safehold's addition to the provider's own list, not a setting of its own.
    cited = {setting for _, setting, comment in settings if not is_silent(comment, seed)}

    quoted_but_silent = sorted(
        {
            f"{policy_id}.toml:{number} {setting}"
            for number, setting, comment in settings
            if is_silent(comment, seed)
            and setting not in cited
            and sources[setting].source == "quoted"
        }
    )

    assert quoted_but_silent == []


@pytest.mark.parametrize("policy_id", sorted(SEED_FILES))
def test_the_providers_to_set_are_marked_so_in_the_file(policy_id: str) -> None:
    text = bundled_policy_path(policy_id).read_text(encoding="utf-8")
    sources = setting_sources(load_policy(policy_id))
    marked = {
        setting for _, setting, comment in cited_settings(text) if "PROVIDER TO SET" in comment
    }

    listed = {setting for setting, source in sources.items() if source.source == "provider_to_set"}

    assert listed == marked


def test_the_default_policys_settings_are_safeholds_but_the_providers_details() -> None:
    sources = setting_sources(load_policy("default"))

    # Safehold has no address, telephone number or signatory to give for a provider.
    assert {s: src.source for s, src in sources.items() if src.source != "default"} == {
        "provider.address": "provider_to_set",
        "provider.phone": "provider_to_set",
        "provider.signatory": "provider_to_set",
    }


@pytest.mark.parametrize("policy_id", sorted(SEED_FILES))
def test_the_providers_letter_details_are_quoted_or_the_providers_to_set(policy_id: str) -> None:
    policy = load_policy(policy_id)
    sources = setting_sources(policy)

    for detail in ("provider.address", "provider.phone", "provider.signatory"):
        assert sources[detail].source != "default", detail
        if sources[detail].source == "provider_to_set":
            assert detail in policy.provider_to_set, "the bundled file lists it"
    # [004 How to report] the Group's general number is the only one a seed prints.
    expected = "quoted" if policy_id == "wrekin" else "provider_to_set"
    assert sources["provider.phone"].source == expected


def test_a_provider_named_alone_leaves_its_letter_details_to_set() -> None:
    policy = parse_policy(MINIMAL_POLICY)

    sources = setting_sources(policy)

    assert policy.provider.name == "Test Housing"
    assert str(policy.provider) == "Test Housing"
    assert sources["provider.address"].source == "provider_to_set"
    assert sources["provider.phone"].source == "provider_to_set"
    assert sources["provider.signatory"].source == "provider_to_set"


def test_a_provider_table_with_its_details_makes_them_the_providers_own() -> None:
    policy = parse_policy(
        MINIMAL_POLICY.replace('provider = "Test Housing"\n', "")
        + '[provider]\nname = "Test Housing"\naddress = ["1 High Street", "Telford", "TF1 1AA"]\n'
        'phone = "01952 000000"\nsignatory = "Head of Housing"\n'
        '[quotes]\n"provider.phone" = "Call us on 01952 000000."\n'
    )

    sources = setting_sources(policy)

    assert policy.provider.address == ("1 High Street", "Telford", "TF1 1AA")
    assert sources["provider.phone"].source == "quoted"
    assert sources["provider.address"].source == "default"
    assert sources["provider.signatory"].source == "default"


def test_the_providers_name_is_not_a_rule_and_a_bad_phone_number_is_refused() -> None:
    assert "provider.name" not in rule_settings()
    with pytest.raises(PolicyFileError, match=r"provider\.phone"):
        parse_policy(
            MINIMAL_POLICY.replace('provider = "Test Housing"\n', "")
            + '[provider]\nname = "Test Housing"\nphone = "call us"\n'
        )


def test_a_quote_on_a_part_quotes_the_setting_and_one_on_a_table_quotes_none() -> None:
    wha = setting_sources(load_policy("wha"))
    wrekin = setting_sources(load_policy("wrekin"))

    # [000 Action against perpetrators] each condition is quoted on its own.
    assert wha["perpetrator_interview.needs_survivor_agreement"].source == "quoted"
    # [004 Policy Approach] "a key partner in the MARAC ... process" is quoted on the
    # `marac` table, but says nothing of its call-outs or repeat window.
    assert wrekin["marac.potential_escalation_callouts"].source == "default"
    # [004 How to report] "Domestic Violence helpline: 0808 2000 247 ..." is quoted on one
    # agency, which makes the directory quoted.
    assert wrekin["agencies"].source == "quoted"


def test_a_setting_left_open_is_the_providers_to_set() -> None:
    policy = parse_policy(
        MINIMAL_POLICY.replace(
            "review_date = 2027-01-01\n",
            'review_date = 2027-01-01\nprovider_to_set = ["response_target", "working_hours"]\n',
        )
    )

    sources = setting_sources(policy)

    assert sources["response_target"].source == "provider_to_set"
    assert sources["working_hours.start"].source == "provider_to_set"
    assert sources["working_hours.end"].source == "provider_to_set"
    assert sources["nation"].source == "default"


@pytest.mark.parametrize(
    ("listed", "problem"),
    [
        ('["closure.leters_to"]', "provider_to_set[0]: no such setting: 'closure.leters_to'"),
        (
            '["response_target.amount"]',
            "provider_to_set[0]: 'response_target.amount' is part of the setting "
            "'response_target': name the whole setting",
        ),
        ('["name"]', "provider_to_set[0]: 'name' names the policy, not a rule"),
        ('["nation", "response_target"]', "provider_to_set[1]: 'response_target' is quoted"),
    ],
)
def test_provider_to_set_names_settings_that_are_not_quoted(listed: str, problem: str) -> None:
    text = (
        MINIMAL_POLICY.replace(
            "review_date = 2027-01-01\n", f"review_date = 2027-01-01\nprovider_to_set = {listed}\n"
        )
        + '[quotes]\n"response_target" = "We will call you back within a day."\n'
    )

    with pytest.raises(PolicyFileError) as refused:
        parse_policy(text)

    assert any(found.startswith(problem) for found in refused.value.problems), refused.value
