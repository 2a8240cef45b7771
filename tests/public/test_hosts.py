"""Where the public pages answer (docs/configuration.md): on their own host name, with
staff pages on the others, or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_turns_the_public_pages_off(settings: Any) -> None:
    settings.SAFEHOLD_PUBLIC_PAGES = False

    assert Client().get("/tell-us").status_code == 404
    assert Client().get("/tell-us/our-policy").status_code == 404


def test_on_their_own_host_only_the_public_pages_answer(settings: Any) -> None:
    settings.SAFEHOLD_PUBLIC_HOST = "report.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "report.example.org"]
    public = Client(HTTP_HOST="report.example.org")
    staff = Client(HTTP_HOST="localhost")

    assert public.get("/tell-us").status_code == 200
    assert public.get("/healthz").status_code == 200
    assert public.get("/sign-in").status_code == 404
    assert public.get("/").status_code == 404
    assert staff.get("/tell-us").status_code == 404
    assert staff.get("/sign-in").status_code == 200
