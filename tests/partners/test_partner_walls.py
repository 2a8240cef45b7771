"""A partner reaches nothing but the partner pages, their own account and signing out:
every other page and API endpoint answers 404 (or 403), walked from the URL patterns
themselves, so a page added later is covered too. Even the case shared with their
agency is 404 on every staff page and staff endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import services
from safehold.casework.models import Document, Referral
from safehold.partners.models import PartnerUpdate

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


@pytest.mark.parametrize("situation", ["other_agency", "withdrawn", "restricted", "erased"])
def test_every_partner_page_and_endpoint_is_404_where_sharing_does_not_stand(
    situation: str,
    shared: Case,
    officer: Staff,
    partner: Staff,
    police_partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    """A partner of another agency, a partner after consent is withdrawn, a partner on a
    restricted case no DA lead approved sharing, and on an erased case: every partner
    page and endpoint about the case (and the staff ones, walked above) is 404."""
    reader = police_partner if situation == "other_agency" else partner
    if situation == "withdrawn":
        services.consent_record(
            case=shared, by=officer, agency="idva", purpose="referral", given=False
        )
    if situation == "restricted":
        Case.objects.filter(pk=shared.pk).update(restricted=True)
    if situation == "erased":
        Case.objects.filter(pk=shared.pk).update(erased_at=timezone.now())
    page, api = as_staff(reader), api_as(reader)
    urls = [url for url in every_url(shared) if shared.pk in url and "partner" in url]
    assert len(urls) >= 8  # the partner pages and endpoints about a case
    opened = []
    for url in urls:
        client = api if url.startswith("/api/") else page
        # A well-formed body, so the answer is about the case, not the body (a malformed
        # one is 400 for a missing case as for this one).
        body = {"status": "done"} if "marac-actions" in url else {"text": "An update"}
        for method in (client.get, client.post):
            response = method(url, body, content_type="application/json")
            if response.status_code not in (404, 405):
                opened.append((method.__name__, url, response.status_code))
    assert opened == []
    assert shared.reference not in page.get("/partner/").content.decode()
    assert api.get("/api/v1/partner/cases").json() == {"items": [], "next_page": None}
    assert not PartnerUpdate.objects.exists()
