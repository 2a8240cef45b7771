"""The API's rate limits: each token may make SAFEHOLD_API_RATE_PER_TOKEN requests, and
each client address SAFEHOLD_API_RATE_PER_ADDRESS requests without a valid token, in a
window of the rate's period. Past the limit the API answers 429 `rate_limited` with a
Retry-After header (api.py). The counts are kept in the database
(safehold/limits/counters.py), shared by every server process."""

from __future__ import annotations

from django.http import HttpRequest

from safehold.accounts.refusals import RATE_LIMIT_KEY
from safehold.limits import counters

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests: try again in {retry_after} seconds")
        self.retry_after = retry_after


def parsed(rate: str) -> tuple[int, int]:
    """ "1200/m" as (1200, 60): settings.rate_limit has checked its form."""
    number, unit = rate.split("/")
    return int(number), PERIODS[unit]


def request_count(request: HttpRequest, *, group: str, key: str, rate: str | None) -> None:
    """Counts this request against `key`'s limit in `group`; raises RateLimited past it."""
    if rate is None:
        return
    limit, period = parsed(rate)
    count = counters.hit(f"{group}:{key}", period)
    if count.value > limit:
        # For the audit entry of the refusal (accounts/refusals.py), itself limited per key.
        setattr(request, RATE_LIMIT_KEY, f"{group}:{key}")
        raise RateLimited(retry_after=count.seconds_left)
