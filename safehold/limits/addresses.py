"""The address a request came from, as sign-in lock-out (django-axes) and the API's rate
limits count it.

Behind a load balancer, the peer address (REMOTE_ADDR) is the balancer's, the same for
everyone. With SAFEHOLD_PROXY_COUNT set to the number of proxies in front of Safehold,
each appending the address it received the request from to X-Forwarded-For, the client
is the entry that many places from the right. Entries further left came from the client
itself and are never trusted. With 0 (the default) the header is ignored, so a client
that reaches Safehold directly cannot choose its address."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ipware import get_client_ip

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def client_address(request: HttpRequest) -> str:
    proxies: int = settings.SAFEHOLD_PROXY_COUNT
    if proxies > 0:
        # python-ipware counts the proxies *after* the client in the header; the last
        # proxy is the peer and is not in it. strict=False: entries the client added on
        # the left are skipped rather than making the whole header be ignored.
        address, _ = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=[FORWARDED_FOR],
            strict=False,
        )
        if address:
            return address
    return str(request.META.get("REMOTE_ADDR") or "")


# The address of the request being answered, for the audit entries it writes
# (privacy/audit.py `record` adds it to each entry's detail as `address`). Set by
# ClientAddressMiddleware for the length of one request; "" outside a request (the
# command line, the worker).
REQUEST_ADDRESS: ContextVar[str] = ContextVar("safehold_request_address", default="")


def request_address() -> str:
    return REQUEST_ADDRESS.get()


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = REQUEST_ADDRESS.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            REQUEST_ADDRESS.reset(token)
