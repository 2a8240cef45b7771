"""A partner reaches nothing but the partner pages, their own account and signing out:
every other page and API endpoint answers 404 (or 403), walked from the URL patterns
themselves, so a page added later is covered too. Even the case shared with their
agency is 404 on every staff page and staff endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Document, Referral

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")

# What a partner may open: their pages, their own account, signing in and out, and the
# public pages anyone may (they need no sign-in).
OPEN_TO_A_PARTNER = re.compile(
    r"^(partner/|account/|sign-in|sign-out|signed-out|healthz|tell-us|$)"
)


def walk(patterns: list[object], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern).lstrip("^").rstrip("$")


def filled(route: str, ids: dict[str, str]) -> str:
    return "/" + PARAMETER.sub(lambda m: ids.get(m.group(1), "x"), route)


def every_url(shared: Case) -> list[str]:
    referral = Referral.objects.filter(case=shared).first()
    document = Document.objects.filter(case=shared).first()
    ids = {
        "case_id": shared.pk,
        "referral_id": referral.pk if referral else "x",
        "document_id": document.pk if document else "x",
        "username": "ida.idva",
        "slug": "first-contact",
        "fmt": "json",
    }
    return sorted({filled(route, ids) for route in walk(get_resolver().url_patterns)})


def test_every_other_page_is_closed_to_a_partner(
    shared: Case, partner: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(partner)
    opened = []
    for url in every_url(shared):
        if url.startswith("/api/") or OPEN_TO_A_PARTNER.match(url.lstrip("/")):
            continue
        for method in (client.get, client.post):
            status = method(url).status_code
            if status not in (403, 404, 405):
                opened.append((method.__name__, url, status))
    assert opened == []


def test_every_other_endpoint_is_404_to_a_partner(
    shared: Case, partner: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(partner)
    opened = []
    for url in every_url(shared):
        if not url.startswith("/api/v1/") or url.startswith("/api/v1/partner/"):
            continue
        if url in ("/api/v1/", "/api/v1/openapi.json"):
            continue  # the API's description and its root, the same for everyone
        for method in (client.get, client.post):
            response = method(url, content_type="application/json")
            if response.status_code not in (404, 405):
                opened.append((method.__name__, url, response.status_code))
    assert opened == []


def test_the_pages_open_to_a_partner_are_theirs(
    shared: Case, partner: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(partner)
    for url in ("/partner/", f"/partner/cases/{shared.pk}/", "/account/", "/account/sessions"):
        assert client.get(url).status_code == 200, url
    page = client.get("/partner/").content.decode()
    # Their menu offers only what they may open.
    for staff_only in ('href="/cases/"', 'href="/policy"', 'href="/risk"', 'href="/reports/"'):
        assert staff_only not in page
