"""What happens after a report, a further incident or a completed risk assessment, in
apps that sit above `cases` and `risk` (docs/architecture.md, "Layers").

`cases` and `risk` may not import the apps built on them, and Safehold uses no signals
(STYLE.md). So the services that write these events call `run` here, by name, inside
their own transaction, and an app above registers what it does in its `AppConfig.ready`
(marac registers its flag-and-tag alerts: safehold/marac/apps.py). The list is short and
visible: `handlers()` says who is listening to what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from safehold.accounts.models import Staff
from safehold.cases.models import Case


class Event(StrEnum):
    REPORT = "report"  # a new case was recorded (staff, API or the public page)
    INCIDENT = "incident"  # a further incident was added to a case
    ASSESSMENT = "assessment"  # a risk assessment of a case was completed


@dataclass(frozen=True)
class Happened:
    event: Event
    case: Case
    by: Staff
    now: datetime


Handler = Callable[[Happened], None]

_handlers: dict[Event, list[Handler]] = {event: [] for event in Event}


def register(event: Event, handler: Handler) -> None:
    """Called from an app's `ready()`; registering the same handler twice is a no-op."""
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def handlers() -> dict[Event, tuple[Handler, ...]]:
    return {event: tuple(found) for event, found in _handlers.items()}


def run(event: Event, *, case: Case, by: Staff, now: datetime) -> None:
    """Runs every handler of `event`, in the caller's transaction: a failure rolls the
    event back with it, so nothing is recorded that its follow-ups did not see."""
    happened = Happened(event=event, case=case, by=by, now=now)
    for handler in _handlers[event]:
        handler(happened)
