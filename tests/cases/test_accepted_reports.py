"""Reports the seeds say to accept are accepted (issue 16, section 4): a report of any
kind of abuse in the shared vocabulary (API.md §3) is recorded under every bundled
policy, through the API, a further report and the web intake. The policy's
`definitions.abuse_types` decides the words and the order, never refusal:

- [000 Definition of domestic violence] "WHA will accept an incident as "domestic
  violence" if any one ... perceives the incident to be domestic violence";
- [001 2.1] and [004 2. Definition] define abuse as "not limited to" their lists;
- [003 Survivor-centred approach] "if a person feels they are experiencing domestic
  violence we will deal with it under this policy".
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.policy.loader import active_policy
from safehold.policy.vocabulary import ABUSE_TYPE_LABELS, ABUSE_TYPES
from tests.casedata import CASE_BODY, SEEDS

pytestmark = pytest.mark.django_db
NOW = "2026-11-20T12:00:00Z"


def every_kind(body: dict[str, Any] = CASE_BODY) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    changed["abuse_types"] = list(ABUSE_TYPES)
    return changed


def open_by_api(client: Client) -> Any:
    return client.post("/api/v1/cases", every_kind(), content_type="application/json")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_accepts_every_kind_of_abuse_under_every_policy(
    policy: str, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(officer)

    opened = open_by_api(client)

    assert opened.status_code == 201, opened.content
    assert opened.json()["abuse_types"] == sorted(ABUSE_TYPES)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_accepts_a_further_report_of_any_kind_under_every_policy(
    policy: str, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(officer)
    body = {**CASE_BODY, "abuse_types": []}
    case_id = client.post("/api/v1/cases", body, content_type="application/json").json()["id"]

    further = client.post(
        f"/api/v1/cases/{case_id}/incidents",
        {"source": "self", "abuse_types": list(ABUSE_TYPES), "summary": "Again."},
        content_type="application/json",
    )

    assert further.status_code == 201, further.content
    assert further.json()["abuse_types"] == sorted(ABUSE_TYPES)
    assert client.get(f"/api/v1/cases/{case_id}").json()["abuse_types"] == sorted(ABUSE_TYPES)


INTAKE = {
    "source": "self",
    "name": "Marigold Pennywhistle",
    "sex": "female",
    "perpetrators": "0",
    "children": "0",
}


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_the_web_intake_offers_and_records_every_kind_in_the_policys_order(
    policy: str, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    rules = active_policy()
    own = list(rules.definitions.abuse_types)
    rest = [kind for kind in ABUSE_TYPES if kind not in own]

    form = client.get("/cases/new").content.decode()
    offered = sorted(ABUSE_TYPES, key=lambda kind: form.index(f'value="{kind}"'))
    form_data = {**INTAKE, "abuse_types": list(ABUSE_TYPES)}
    client.post("/cases/new", {**form_data, "step": "check"})
    saved = client.post("/cases/new", {**form_data, "step": "confirm"})

    assert offered == own + rest  # the provider's own first, then the vocabulary's
    for kind in rest:  # the rest in Safehold's words
        assert html(ABUSE_TYPE_LABELS[kind]) in form
    assert saved.status_code == 302
    assert Case.objects.get().abuse_types == sorted(ABUSE_TYPES)
    page = client.get(saved["Location"]).content.decode()
    shown = [html(rules.abuse_type_label(kind)) for kind in own + rest]
    assert ", ".join(shown) in page  # the case page lists them in the same order


def html(text: str) -> str:
    return text.replace("'", "&#x27;")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("policy", ["association", "wha"], indirect=True)
def test_the_monitoring_report_counts_kinds_the_policy_does_not_name(
    policy: str, officer: Staff, director: Staff, api_as: Callable[[Staff], Client]
) -> None:
    # [002 1] and [000 Definition of domestic violence] list fewer kinds than the
    # vocabulary: a report of another kind still counts, after the policy's own.
    open_by_api(api_as(officer))

    report = api_as(director).get(  # exact counts: suppression is on by default (issue 17 §2)
        "/api/v1/reports/monitoring?from=2026-11-01&to=2026-11-30&suppress=false"
    )

    counts = report.json()["by_abuse_type"]
    own = list(active_policy().definitions.abuse_types)
    assert counts == {kind: 1 for kind in ABUSE_TYPES}
    assert list(counts)[: len(own)] == own
