"""Where the public pages answer (docs/configuration.md): on every host name by default;
with SAFEHOLD_PUBLIC_HOST, only on that one, which then answers nothing but them (and
the static files they use), so a provider's public site never leads to staff pages;
with SAFEHOLD_PUBLIC_PAGES=off, nowhere. What is not served answers 404, like any
missing page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

PUBLIC_PATHS = ("/tell-us",)
ALSO_ON_PUBLIC_HOST = ("/static/", "/healthz")


def is_public_page(path: str) -> bool:
    return path == "/tell-us" or path.startswith("/tell-us/")


class PublicHostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        public = is_public_page(request.path)
        if public and not settings.SAFEHOLD_PUBLIC_PAGES:
            raise Http404("No such page")
        host = settings.SAFEHOLD_PUBLIC_HOST
        if host:
            on_public_host = request.get_host().split(":")[0].lower() == host
            if public and not on_public_host:
                raise Http404("No such page")
            if on_public_host and not public and not request.path.startswith(ALSO_ON_PUBLIC_HOST):
                raise Http404("No such page")
        return self.get_response(request)
