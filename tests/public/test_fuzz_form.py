"""Whatever is sent to the public form, it answers a page (sent, or the form with its
errors, or a refusal) and never fails: arbitrary text in every field, choices outside
their lists, dates that do not exist (issue 20, "bad input gets a clear error")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from safehold.accounts.models import Staff
from tests.public.conftest import form

pytestmark = pytest.mark.django_db

FIELDS = (
    "relation", "how", "sender_name", "organisation", "phone", "voicemail_ok", "safe_times",
    "email", "post_ok", "summary", "abuse_types", "danger_now", "children_in_home",
    "survivor_name", "survivor_date_of_birth_0", "survivor_date_of_birth_1",
    "survivor_date_of_birth_2", "address", "postcode", "harm_name", "harm_relationship",
    "harm_lives_there",
)  # fmt: skip
CHOSEN = {"relation": ["self", "witness", "professional"], "how": ["contact", "anonymous"]}
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


def value(name: str) -> st.SearchStrategy[str]:
    return st.one_of(text, st.sampled_from(CHOSEN[name])) if name in CHOSEN else text


answers = st.fixed_dictionaries({}, optional={name: value(name) for name in FIELDS})


@examples(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sent=answers)
def test_the_form_answers_whatever_is_sent(
    sent: dict[str, Any], da_lead: Staff, settings: Any
) -> None:
    settings.SAFEHOLD_PUBLIC_RATE_PER_ADDRESS = None  # sixty sends from one address
    response = Client().post("/tell-us", form(**sent))

    assert response.status_code in (200, 302)
    assert response.cookies == {}
