"""The public form (issue 20) through HTTP: no sign-in, no cookie, never cached, the
report becoming a case on the policy's clock, and the form's defences."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case, CaseTeamMember, Person, PersonRole
from safehold.policy import clock
from safehold.policy.loader import bundled_policy_ids, load_policy
from safehold.privacy.models import AuditEntry
from safehold.public import guard
from safehold.public.models import PublicReport, Triage
from tests.casedata import PERPETRATOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_NAME
from tests.public.conftest import form

pytestmark = pytest.mark.django_db

SELF = {
    "relation": "self",
    "how": "contact",
    "sender_name": "Sam Survivor",
    "phone": "07700 900123",
    "voicemail_ok": "no",
    "summary": "He shouts and takes my money.",
    "abuse_types": ["economic", "emotional"],
    "postcode": "TF3 4AW",
}


@pytest.mark.parametrize("path", ["/tell-us", "/tell-us/our-policy", "/tell-us/sent"])
def test_it_answers_without_sign_in_never_cached_and_with_no_cookie(path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.cookies == {}
    assert "Exit this page" in response.content.decode()


def test_it_sets_no_cookie_when_sending_either(send: Callable[..., Any]) -> None:
    response = send(**SELF)

    assert response.status_code == 302
    assert response.cookies == {}
    assert response["Cache-Control"] == "no-store"


def test_it_asks_browsers_not_to_fill_in_or_keep_the_answers() -> None:
    page = Client().get("/tell-us").content.decode()

    assert re.search(r'<form method="post"[^>]*autocomplete="off"', page)
    assert "csrfmiddlewaretoken" not in page


def test_it_names_the_provider_and_keeps_a_discreet_title(use_policy: Any) -> None:
    use_policy("wrekin")
    page = Client().get("/tell-us").content.decode()

    assert "<title>Contact us</title>" in page
    assert load_policy("wrekin").provider.name in page
    assert "Tell us about domestic abuse" in page
    assert "0808 2000 247" in page  # the national helpline of the policy's directory
    assert 'href="https://www.bbc.co.uk/weather"' in page


def test_a_report_becomes_a_case_on_the_clock_from_when_it_was_sent(
    send: Callable[..., Any], da_lead: Staff
) -> None:
    before = timezone.now()
    send(**SELF)

    report = PublicReport.objects.get()
    case = report.case
    assert before <= case.reported_at == report.sent_at <= timezone.now()
    assert case.source == "self"
    assert case.team == da_lead.team  # no routing: the DA leads triage it
    assert report.triage == Triage.WAITING
    assert not report.routed
    assert case.abuse_types == ["economic", "emotional"]
    assert case.created_by.username == "public-page"
    assert not case.created_by.is_active
    assert not CaseTeamMember.objects.filter(case=case).exists()
    survivor = case.people.get(role=PersonRole.SURVIVOR)
    assert survivor.voicemail_ok is False


@pytest.mark.parametrize("policy_id", bundled_policy_ids())
def test_a_report_under_each_bundled_policy_gets_its_response_target(
    policy_id: str, use_policy: Any, send: Callable[..., Any], da_lead: Staff
) -> None:
    use_policy(policy_id)
    send(**SELF)

    case = Case.objects.get()
    policy = load_policy(policy_id)
    assert case.policy_id == policy_id
    assert case.response_due_at == clock.response_due_at(policy, case.reported_at, None)


def test_the_sent_page_gives_the_policys_target_and_no_reference(
    send: Callable[..., Any], use_policy: Any, da_lead: Staff
) -> None:
    use_policy("wrekin")
    page = send(Client(), **SELF)
    shown = Client().get(page["Location"]).content.decode()

    case = Case.objects.get()
    assert "within 1 working day" in shown
    assert case.reference not in shown
    assert "DA-" not in shown
    assert "He shouts" not in shown


def test_the_audit_names_the_public_page_and_keeps_no_client_address(
    send: Callable[..., Any], da_lead: Staff
) -> None:
    send(**SELF)

    entry = AuditEntry.objects.get(action="case.opened")
    assert entry.actor == "public-page"
    assert "address" not in entry.detail


@pytest.mark.parametrize(
    ("relation", "source"), [("self", "self"), ("witness", "witness"), ("professional", "agency")]
)
def test_the_senders_relation_is_the_cases_source(
    relation: str, source: str, send: Callable[..., Any], da_lead: Staff
) -> None:
    send(**{**SELF, "relation": relation, "organisation": "Police"})

    assert Case.objects.get().source == source
    assert PublicReport.objects.get().relation == relation


def test_a_professional_gives_their_organisation(send: Callable[..., Any]) -> None:
    response = send(**{**SELF, "relation": "professional"})

    assert response.status_code == 200
    assert "Enter the name of your organisation" in response.content.decode()
    assert not Case.objects.exists()


def test_nothing_is_required_but_a_way_to_contact_or_a_choice_of_anonymity(
    send: Callable[..., Any], da_lead: Staff
) -> None:
    refused = send()
    assert "Choose whether we may contact you" in refused.content.decode()
    no_way = send(how="contact")
    assert "Give a phone number or an email address" in no_way.content.decode()
    assert not Case.objects.exists()

    assert send(how="anonymous").status_code == 302
    report = PublicReport.objects.get()
    assert report.anonymous
    assert report.case.source == "anonymous"


def test_an_anonymous_sender_leaves_no_contact_details(
    send: Callable[..., Any], da_lead: Staff
) -> None:
    send(**{**SELF, "how": "anonymous"})

    survivor = Person.objects.get(role=PersonRole.SURVIVOR)
    assert survivor.voicemail_ok is None
    assert PublicReport.objects.get().anonymous


def test_the_policys_routing_names_the_team_that_triages(
    send: Callable[..., Any], use_policy: Any, make_staff: Callable[..., Staff], tmp_path: Any
) -> None:
    text = (load_policy("default").source.read_text()).replace(  # type: ignore[union-attr]
        "routing = {}", 'routing = { "TF" = "Telford", "TF3" = "Hollinswood" }'
    )
    path = tmp_path / "routed.toml"
    path.write_text(text)
    use_policy(str(path))
    hollinswood = make_staff("hal.manager", role="manager", team="Hollinswood").team
    make_staff("tom.manager", role="manager", team="Telford")
    make_staff("lena.dalead", role="da_lead", team="Leads")

    send(**{**SELF, "postcode": "tf3 4aw"})
    send(**{**SELF, "postcode": "TF1 1AA"})
    send(**{**SELF, "postcode": "SY1 1AA"})

    teams = [r.case.team.name for r in PublicReport.objects.order_by("sent_at", "case__reference")]
    assert teams == ["Hollinswood", "Telford", "Leads"]
    assert hollinswood.name == "Hollinswood"


# The answer does not depend on whether anyone named is known ------------------------


def visible(response: Any) -> str:
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


def test_the_answer_is_the_same_whether_the_person_is_known_or_not(
    send: Callable[..., Any], open_case: Callable[..., Case], da_lead: Staff, settings: Any
) -> None:
    open_case()  # Zephyrine Quattlebaum, born 12 April 1988, harmed by Barnaby Oddsworth
    settings.SAFEHOLD_PUBLIC_ANSWER_SECONDS = 0.4
    named = {
        **SELF,
        "survivor_name": "Nobody Known",
        "harm_name": "Nobody Either",
        "address": "1 Nowhere Lane",
    }
    stranger = named
    known_answers = {
        **SELF,
        "survivor_name": SURVIVOR_NAME,
        "survivor_date_of_birth_0": "12",
        "survivor_date_of_birth_1": "4",
        "survivor_date_of_birth_2": "1988",
        "harm_name": PERPETRATOR_NAME,
        "address": SURVIVOR_ADDRESS,
    }

    timings, answers = [], []
    for answers_sent in (stranger, known_answers):
        started = time.monotonic()
        response = send(**answers_sent)
        timings.append(time.monotonic() - started)
        answers.append((response.status_code, response["Location"], visible(response)))

    assert answers[0] == answers[1]
    assert all(taken >= 0.4 for taken in timings)
    assert abs(timings[0] - timings[1]) < 0.2


# Abuse of the form -------------------------------------------------------------------


def test_it_refuses_a_filled_honeypot_and_says_to_call(send: Callable[..., Any]) -> None:
    response = send(**{**SELF, "website": "http://spam.example"})

    assert response.status_code == 400
    assert "call us instead" in response.content.decode()
    assert "0808 2000 247" in response.content.decode()
    assert not Case.objects.exists()


def test_it_refuses_a_form_sent_quicker_than_a_person_fills_it(settings: Any) -> None:
    settings.SAFEHOLD_PUBLIC_MIN_FILL_SECONDS = 5
    quick = {**form(**SELF), "started": guard.started_token(time.time() - 1)}

    response = Client().post("/tell-us", quick)

    assert response.status_code == 400
    assert "call us instead" in response.content.decode()
    assert not Case.objects.exists()


def test_it_refuses_a_forged_start_time() -> None:
    forged = {**form(**SELF), "started": "1.abc:forged"}

    assert Client().post("/tell-us", forged).status_code == 400
    assert not Case.objects.exists()


def test_it_refuses_a_body_too_large_and_says_to_call(settings: Any) -> None:
    settings.SAFEHOLD_PUBLIC_MAX_BODY = 2000
    response = Client().post("/tell-us", form(**{**SELF, "summary": "x" * 3000}))

    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not Case.objects.exists()


def test_it_refuses_a_summary_over_the_longest(send: Callable[..., Any]) -> None:
    response = send(**{**SELF, "summary": "x" * 10001})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Case.objects.exists()


def test_it_limits_sends_per_address_and_says_to_call(
    send: Callable[..., Any], settings: Any, da_lead: Staff
) -> None:
    settings.SAFEHOLD_PUBLIC_RATE_PER_ADDRESS = "2/h"
    assert [send(**SELF).status_code for _ in range(2)] == [302, 302]

    refused = send(**SELF)
    other = send(Client(REMOTE_ADDR="10.0.0.9"), **SELF)

    assert refused.status_code == 429
    assert "call us instead" in refused.content.decode()
    assert other.status_code == 302
    assert Case.objects.count() == 3


def test_it_limits_the_whole_form_each_day(
    send: Callable[..., Any], settings: Any, da_lead: Staff
) -> None:
    settings.SAFEHOLD_PUBLIC_RATE_DAILY = "1/d"
    assert send(**SELF).status_code == 302

    assert send(Client(REMOTE_ADDR="10.0.0.9"), **SELF).status_code == 429


def test_free_text_is_shown_escaped_to_staff(
    send: Callable[..., Any], da_lead: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    send(**{**SELF, "summary": "<script>alert(1)</script>"})
    report = PublicReport.objects.get()

    page = as_staff(da_lead).get(f"/triage/{report.pk}").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_window_of_a_start_time_ends(settings: Any) -> None:
    stale = {**form(**SELF), "started": guard.started_token(time.time() - guard.TOKEN_LIFETIME - 5)}

    assert Client().post("/tell-us", stale).status_code == 400
    assert timedelta(seconds=guard.TOKEN_LIFETIME) == timedelta(days=1)


def test_the_policy_page_says_what_we_promise_in_plain_english(use_policy: Any) -> None:
    use_policy("wrekin")
    page = Client().get("/tell-us/our-policy").content.decode()

    assert "We contact the survivor within 1 working day" in page
    assert "is never charged for security measures" in page
    assert "0808 2000 247" in page
    assert "Every letter we send" not in page


@pytest.mark.parametrize("path", ["/tell-us", "/tell-us/our-policy", "/tell-us/sent"])
def test_every_asset_is_served_by_safehold(path: str) -> None:
    page = Client().get(path).content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', page)

    outside = [a for a in addresses if a.startswith(("http:", "https:", "//"))]
    assert outside == ["https://www.bbc.co.uk/weather"] * 2  # Exit this page, and its skip link
    assert page.count('rel="nofollow noreferrer"') == 2


def test_the_form_gives_the_national_helpline_and_the_local_agencies(use_policy: Any) -> None:
    use_policy("wrekin")  # 004: the Council, Women's Aid (Shropshire) and others
    page = Client().get("/tell-us").content.decode()

    assert "0808 2000 247" in page
    assert "Telford &amp; Wrekin Council" in page
    assert "01952 385385" in page
    assert "call 999" in page
