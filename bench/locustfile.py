"""Officers at work, for locust (bench/load.py runs it; docs/performance.md has figures).

Each simulated officer has an API token of their own (from bench/load.py's fixture file,
BENCH_FIXTURE) and works as an officer does between calls: records a report, reads the
cases they hold, logs contacts with the survivor, raises actions, searches by name, and
looks at the case list. They think between steps (2 to 6 seconds). Locust counts every
4xx or 5xx answer as a failure; the goal is none.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from locust import HttpUser, between, task

FIXTURE = json.loads(Path(os.environ["BENCH_FIXTURE"]).read_text())
TOKENS = itertools.cycle(FIXTURE["officer_tokens"])
HEADERS = {"X-Forwarded-Proto": "https"}


class Officer(HttpUser):
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.client.headers.update({**HEADERS, "Authorization": f"Bearer {next(TOKENS)}"})
        self.cases: list[str] = []
        self.names: list[str] = []
        self.rng = random.Random()  # noqa: S311 - choosing what to click next
        self.record_report()

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
        self.client.get("/api/v1/cases", name="case list")
