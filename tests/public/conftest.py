from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from safehold.policy.loader import clear_active_policy
from safehold.public import guard


@pytest.fixture(autouse=True)
def quick_answers(settings: Any) -> None:
    """Answers without the floor on their time, but in the test that checks it."""
    settings.SAFEHOLD_PUBLIC_ANSWER_SECONDS = 0


def form(**answers: Any) -> dict[str, Any]:
    """A form as a person sends it: given out a minute ago, its honeypot empty."""
    sent = {"started": guard.started_token(time.time() - 60), "website": "", **answers}
    return {key: value for key, value in sent.items() if value is not None}


@pytest.fixture
def send() -> Callable[..., Any]:
    def post(client: Client | None = None, **answers: Any) -> Any:
        return (client or Client()).post("/tell-us", form(**answers))

    return post


@pytest.fixture
def use_policy(settings: Any) -> Iterator[Callable[[str], None]]:
    """Runs under another policy (a bundled id or a file's path), and back after."""

    def use(name: str) -> None:
        settings.SAFEHOLD_POLICY = name
        clear_active_policy()

    yield use
    clear_active_policy()
