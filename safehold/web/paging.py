"""Which page of a list a page was asked for (`?page=N`, from 1): the one reading of it
for every list shown a page at a time (queues, the risk lists, a case's audit trail, a
partner's shared cases)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

# Further than any list goes (a million cases at 50 a page is 20,000 pages), and small
# enough that its offset fits every database's integers: a larger number is no page.
LAST_PAGE = 1_000_000


def page_asked(request: HttpRequest) -> int:
    """The page asked for; Http404 for anything but a whole number from 1 to LAST_PAGE,
    before anything is read or recorded."""
    asked = request.GET.get("page", "1")
    if not asked.isascii() or not asked.isdigit() or not 1 <= int(asked) <= LAST_PAGE:
        raise Http404("No such page")
    return int(asked)
