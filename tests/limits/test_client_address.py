"""Which address a request is counted under (safehold/limits/addresses.py): the peer's
when Safehold is reached directly, the client's from X-Forwarded-For behind proxies, and
never one that the client wrote into the header itself."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from safehold.limits.addresses import client_address

BALANCER = "10.0.0.2"


def request_from(peer: str, forwarded_for: str | None = None):
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    return RequestFactory().get("/sign-in", REMOTE_ADDR=peer, headers=headers)


def test_without_proxies_it_is_the_peer_and_the_header_is_ignored(
    settings: Settings,
) -> None:
    settings.SAFEHOLD_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the first entry was the client's own
        ("192.168.1.20", "192.168.1.20"),  # staff on the provider's own network
        ("2001:db8::7", "2001:db8::7"),
    ],
)
def test_behind_one_proxy_it_is_the_address_the_proxy_added(
    settings: Settings, forwarded_for: str, client: str
) -> None:
    settings.SAFEHOLD_PROXY_COUNT = 1
    assert client_address(request_from(BALANCER, forwarded_for)) == client


def test_behind_two_proxies_it_is_the_second_entry_from_the_right(
    settings: Settings,
) -> None:
    settings.SAFEHOLD_PROXY_COUNT = 2
    forwarded_for = "198.51.100.1, 203.0.113.7, 192.0.2.50"  # forged, client, first proxy
    assert client_address(request_from(BALANCER, forwarded_for)) == "203.0.113.7"


@pytest.mark.parametrize("forwarded_for", [None, "", "not an address"])
def test_without_a_usable_header_it_is_the_peer(
    settings: Settings, forwarded_for: str | None
) -> None:
    settings.SAFEHOLD_PROXY_COUNT = 1
    assert client_address(request_from(BALANCER, forwarded_for)) == BALANCER
