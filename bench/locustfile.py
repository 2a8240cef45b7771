"""Officers and managers at work, for locust (bench/load.py runs it; docs/performance.md
has figures).

Each simulated officer has an API token and a signed-in web session of their own (from
bench/load.py's fixture file, BENCH_FIXTURE, made by bench/prepare.py) and works as an
officer does: through the API, records a report, reads the cases they hold, logs
contacts with the survivor, raises actions, searches by name and looks at the case list;
and in the browser, opens their home page, their queues, the case list, a case they
recorded and its chronology, the search form, a search for a survivor they recorded, and
the risk page. Each simulated manager (one in five of the users) has a signed-in web
session of a synth team manager and browses: home, their queues (closures to approve
among them), the case list, cases of their team and their chronologies, search, risk.

They think between steps (2 to 6 seconds; BENCH_THINK="low,high" changes it, as
bench/load.py's one-user run does). Each page is named by what it is ("home", "queue:
reviews", "case page"), a manager's with " (manager)" after it; API requests keep their
names. Locust counts every 4xx or 5xx answer as a failure, and a page that answers other
than 200 (a redirect to sign-in is one) as a failure too; the goal is none.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

FIXTURE = json.loads(Path(os.environ["BENCH_FIXTURE"]).read_text())
OFFICERS = itertools.cycle(zip(FIXTURE["officer_tokens"], FIXTURE["officer_sessions"], strict=True))
MANAGERS = itertools.cycle(FIXTURE["managers"])
HEADERS = {"X-Forwarded-Proto": "https"}
THINK = tuple(float(s) for s in os.environ.get("BENCH_THINK", "2,6").split(","))
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browsing(HttpUser):
    """What officers and managers share: pages, with the session cookie as a browser
    sends it (the server's cookies are Secure: a client on plain HTTP behind the TLS
    proxy's header would not send them back, so the cookie is set by hand)."""

    abstract = True
    wait_time = between(*THINK)
    suffix = ""

    def browse_start(
        self, session_cookie: str, queues: dict[str, str], cases: list[str], names: list[str]
    ) -> None:
        """`cases` and `names` are the case ids to open and the survivors' names to search
        for; an officer's grow as they record reports (the same lists)."""
        self.cases, self.names = cases, names
        self.rng = random.Random()  # noqa: S311 - choosing what to click next
        self.cookie = session_cookie
        self.csrf: str | None = None
        origin = "https://" + self.host.split("://", 1)[1]
        self.referer = f"{origin}/cases/search"
        self.origin = origin
        self.pages: list[Callable[[], None]] = [
            lambda: self.page("home", "/"),
            *(lambda n=name, p=path: self.page(n, p) for name, path in queues.items()),
            lambda: self.page("case list", "/cases/"),
            lambda: self.page("case page", f"/cases/{self.a_case()}/"),
            lambda: self.page("chronology", f"/cases/{self.a_case()}/chronology"),
            lambda: self.page("search form", "/cases/search"),
            self.search,
            lambda: self.page("risk", "/risk"),
        ]

    def a_case(self) -> str:
        return self.rng.choice(self.cases)

    def a_name(self) -> str:
        return self.rng.choice(self.names)

    def look_at_a_page(self) -> None:
        self.rng.choice(self.pages)()

    def page(self, name: str, path: str) -> Any:
        # No Authorization header on pages: an officer's browser has no API token.
        headers = {"Cookie": self.cookie, "Authorization": None}
        with self.client.get(
            path,
            name=name + self.suffix,
            headers=headers,  # type: ignore[arg-type]
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(why(name, answer, answer.headers.get("Location", "")))
            return answer

    def search(self) -> None:
        """A search by a survivor's name, as the form posts it (its CSRF token and
        cookie from a first visit to the form)."""
        if self.csrf is None:
            form = self.page("search form", "/cases/search")
            found = CSRF_FIELD.search(form.text or "")
            cookie = form.cookies.get("csrftoken")
            if not found or not cookie:
                return
            self.csrf = found.group(1)
            self.cookie += f"; csrftoken={cookie}"
        headers = {
            "Cookie": self.cookie,
            "Authorization": None,
            "Referer": self.referer,
            "Origin": self.origin,
        }
        with self.client.post(
            "/cases/search",
            data={"q": self.a_name(), "csrfmiddlewaretoken": self.csrf},
            name="search" + self.suffix,
            headers=headers,  # type: ignore[arg-type]
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(why("search", answer, (answer.text or "")[:200]))


def why(name: str, answer: Any, detail: str) -> str:
    """A failed page's status and detail, or, where no answer came (locust's status 0),
    the client's error (a refused or reset connection)."""
    if answer.status_code == 0:
        return f"{name}: no answer: {answer.error!r}"
    return f"{name}: {answer.status_code} {detail}".strip()


class Officer(Browsing):
    weight = 4

    def on_start(self) -> None:
        token, session_cookie = next(OFFICERS)
        self.client.headers.update({**HEADERS, "Authorization": f"Bearer {token}"})
        self.browse_start(session_cookie, FIXTURE["officer_queues"], cases=[], names=[])
        self.record_report()

    @task(12)
    def a_page(self) -> None:
        if self.cases:
            self.look_at_a_page()

    @task(2)
    def record_report(self) -> None:
        name = f"Load Survivor {self.rng.randrange(10**9)}"
        body = {**FIXTURE["intake_body"], "survivor": {**FIXTURE["intake_body"]["survivor"]}}
        body["survivor"]["name"] = name
        with self.client.post(
            "/api/v1/cases", json=body, name="intake", catch_response=True
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"intake: {answer.status_code} {answer.text[:200]}")
                return
            self.cases.append(answer.json()["id"])
            self.names.append(name)

    @task(6)
    def read_a_case(self) -> None:
        if self.cases:
            case_id = self.rng.choice(self.cases)
            self.client.get(f"/api/v1/cases/{case_id}", name="/api/v1/cases/{id}")

    @task(3)
    def log_a_contact(self) -> None:
        if not self.cases:
            return
        case_id = self.rng.choice(self.cases)
        body = {
            "at": datetime.now(UTC).isoformat(),  # not before the report, not in the future
            "channel": "phone",
            "direction": "outbound",
            "with": "survivor",
            "notes": "Called at the safe time; agreed next steps.",
        }
        self.client.post(
            f"/api/v1/cases/{case_id}/contacts", json=body, name="/api/v1/cases/{id}/contacts"
        )

    @task(2)
    def raise_an_action(self) -> None:
        if not self.cases:
            return
        case_id = self.rng.choice(self.cases)
        body = {
            "kind": "security_measure",
            "detail": "Fit a door viewer and a chain.",
            "due_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
            "agreed_with_survivor": True,
            "recharge": "none",
        }
        self.client.post(
            f"/api/v1/cases/{case_id}/actions", json=body, name="/api/v1/cases/{id}/actions"
        )

    @task(2)
    def search_by_name(self) -> None:
        if self.names:
            body = {"q": self.rng.choice(self.names)}
            self.client.post("/api/v1/cases/search", json=body)

    @task(2)
    def look_at_the_list(self) -> None:
        self.client.get("/api/v1/cases", name="case list (API)")


class Manager(Browsing):
    weight = 1
    suffix = " (manager)"

    def on_start(self) -> None:
        self.client.headers.update(HEADERS)
        self.manager = next(MANAGERS)
        self.browse_start(
            self.manager["session_cookie"],
            self.manager["queues"],
            cases=[str(case_id) for case_id in self.manager["case_ids"]],
            names=[str(self.manager["search_name"])],
        )

    @task
    def a_page(self) -> None:
        self.look_at_a_page()
