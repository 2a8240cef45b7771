"""The "Our policy" page: every signed-in user can check what the policy asks of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
