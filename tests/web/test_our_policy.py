"""The "Our policy" page: every signed-in user can check what the policy asks of them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape

from safehold.accounts.models import Staff
from safehold.policy.loader import active_policy, clear_active_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def wha(settings) -> Iterator[None]:
    settings.SAFEHOLD_POLICY = "wha"
    clear_active_policy()
    yield
    clear_active_policy()


@pytest.mark.parametrize("persona", ["officer", "manager", "director", "auditor", "admin"])
def test_every_signed_in_user_sees_the_policy(
    request: pytest.FixtureRequest, as_staff: Callable[[Staff], Client], wha: None, persona: str
) -> None:
    response = as_staff(request.getfixturevalue(persona)).get("/policy")
    assert response.status_code == 200
    page = response.content.decode()
    policy = active_policy()
    assert policy.name in page
    assert policy.version in page
    assert "First contact with the survivor" in page


def test_rules_stand_beside_the_seeds_own_words(
    officer: Staff, as_staff: Callable[[Staff], Client], wha: None
) -> None:
    page = as_staff(officer).get("/policy").content.decode()
    quotes = list(active_policy().quotes.values())
    assert quotes
    for quote in quotes:
        assert escape(quote) in page


def test_directors_are_warned_when_the_review_date_has_passed(
    director: Staff, officer: Staff, as_staff: Callable[[Staff], Client], wha: None
) -> None:
    review = active_policy().review_date
    with time_machine.travel(f"{review.year + 1}-01-15T12:00:00Z"):
        assert "review-warning" in as_staff(director).get("/policy").content.decode()
        assert "review-warning" not in as_staff(officer).get("/policy").content.decode()
    with time_machine.travel(f"{review.year - 1}-01-15T12:00:00Z"):
        assert "review-warning" not in as_staff(director).get("/policy").content.decode()


def test_the_page_needs_sign_in(db: None) -> None:
    assert Client().get("/policy").status_code == 302


def rule_on_page(page: str, setting: str) -> str:
    """The words of the rule whose main setting is `setting`, tags and notes included."""
    chunks = page.split('<div class="safehold-rule"')
    chunk = next(
        chunk
        for chunk in chunks
        if chunk.startswith(f' data-testid="rule" data-setting="{setting}"')
    )
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", chunk.split("</div>\n</div>")[0]).split()))


@pytest.fixture
def use_policy(settings) -> Iterator[Callable[[str], None]]:
    def use(policy_id: str) -> None:
        settings.SAFEHOLD_POLICY = policy_id
        clear_active_policy()

    yield use
    clear_active_policy()


def test_each_rule_says_whether_it_is_whas_own_safeholds_or_for_wha_to_set(
    officer: Staff, as_staff: Callable[[Staff], Client], use_policy: Callable[[str], None]
) -> None:
    use_policy("wha")
    page = as_staff(officer).get("/policy").content.decode()

    # 000_d48778e071033c63.txt, Confidentiality: the rule is WHA's, in its words.
    approver = rule_on_page(page, "disclosure.approver_roles")
    assert "WHA's words" in approver
    assert (
        "In WHA's words: “The Housing Services Director will approve any disclosure without "
        "the victim\u2019s consent.”"
    ) in approver
    # The guide sets no time to respond: Safehold's default, said so.
    first_contact = rule_on_page(page, "response_target")
    assert "Safehold's default: WHA's policy does not say." in first_contact
    assert "WHA's words" not in first_contact
    # Nor how long a closed case is kept: WHA must decide.
    retention = rule_on_page(page, "retention.years_after_closure")
    assert "For WHA to set" in retention
    assert "WHA has not set this yet: Safehold uses 6 years." in retention
    # Closure of cases: agreement is WHA's words, who overrides it is not.
    agreement = rule_on_page(page, "closure.survivor_agreement")
    assert "In WHA's words: “Ideally, the victim should be satisfied" in agreement
    assert (
        "WHA has not set this yet: its policy does not say who can close a case the survivor "
        "has not agreed to close, so Safehold uses a director."
    ) in agreement


def test_the_associations_invented_times_are_for_it_to_set(
    officer: Staff, as_staff: Callable[[Staff], Client], use_policy: Callable[[str], None]
) -> None:
    use_policy("association")
    page = as_staff(officer).get("/policy").content.decode()

    # 002_855cb3cd2fb93c33.txt, 3: "as promptly as is necessary", no time.
    high = rule_on_page(page, "response_target_by_risk_level.high")
    assert "For the Association to set" in high
    assert "The Association has not set this yet: Safehold uses 24 hours." in high
    assert "In the Association's words: “will contact the resident as promptly as is" in high
    # Silent on closure: the survivor's agreement is Safehold's, not the Association's.
    assert "Safehold's default: the Association's policy does not say." in rule_on_page(
        page, "closure.survivor_agreement"
    )


def test_the_baseline_says_every_rule_is_safeholds_default(
    officer: Staff, as_staff: Callable[[Staff], Client], use_policy: Callable[[str], None]
) -> None:
    use_policy("default")
    page = as_staff(officer).get("/policy").content.decode()

    assert "Safehold's default, from its good-practice baseline." in rule_on_page(
        page, "response_target"
    )
    assert "words" not in rule_on_page(page, "closure.letters_to")
