"""The API's rate limits: each token may make SAFEHOLD_API_RATE_PER_TOKEN requests, and
each client address SAFEHOLD_API_RATE_PER_ADDRESS requests without a valid token, in a
window of the rate's period. Past the limit the API answers 429 `rate_limited` with a
Retry-After header (api.py). django-ratelimit keeps the counts in the database
(safehold/limits/counters.py), shared by every server process."""

from __future__ import annotations

from django.http import HttpRequest
from django_ratelimit.core import get_usage


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests: try again in {retry_after} seconds")
        self.retry_after = retry_after


def request_count(request: HttpRequest, *, group: str, key: str, rate: str | None) -> None:
    """Counts this request against `key`'s limit in `group`; raises RateLimited past it."""
    if rate is None:
        return
    usage = get_usage(
        request, group=group, key=lambda _group, _request: key, rate=rate, increment=True
    )
    if usage is not None and usage["should_limit"]:
        # The window takes in its last whole second too: the next one starts a second
        # after `time_left` runs out.
        raise RateLimited(retry_after=max(1, int(usage["time_left"]) + 1))
