"""The monitoring report over a data set built through the services, with known answers,
figure by figure, with and without suppression (API.md §5 "Audit and reports").

The period is October 2026 and the report is asked for at noon on 30 October (the
default policy: a 24-hour response target, reviews every 14 days, emergency repairs in
24 hours). The people:

- A0: Ann, 20 Sep (before the period), self, physical.
- A1: Ann, 5 Oct, self, physical; met; an emergency repair done on time.
- A2: Ann, 20 Oct, police, emotional; missed (no contact yet).
- B1: Bea, 10 Oct, police, physical, economic and psychological; met; high risk; a
  repair done late; a review on time; closed (resolved); satisfaction 4.
- C1: Cat, 12 Oct, agency, physical; missed (contact after 48 hours); medium risk; a
  review late; a disclosure without consent approved by the director; closed (action
  plan complete); satisfaction 2, a complaint, an appeal not upheld.
- E1: Eve, 30 Oct 10:00, self, controlling or coercive; pending.
- F1: Fay, Riverside team, 8 Oct, self, stalking and harassment; met.

All but F1 are the Northgate team's.

Alleged perpetrators: Barnaby on Ann's cases, "Pat Perp" on B1 and C1 (written
differently), none on E1, one with no name on F1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases import services as cases
from safehold.cases.models import Case
from safehold.casework import contacts, plan
from safehold.casework import services as casework
from safehold.closure import appeals, feedback
from safehold.closure import services as closure
from safehold.risk import services as risk
from tests.casedata import report

pytestmark = pytest.mark.django_db
NOW = "2026-10-30T12:00:00Z"
PERIOD = "from=2026-10-01&to=2026-10-31"
NO_ONE = ()


def at(moment: str) -> Any:
    return time_machine.travel(moment, tick=False)


def survivor(name: str, born: date, **diversity: str) -> inputs.SurvivorDetails:
    return inputs.SurvivorDetails(
        name=name,
        date_of_birth=born,
        sex="female",
        safe_contact=inputs.SafeContact(phone="07700 900001"),
        diversity=inputs.Diversity(**diversity),
    )


def pat(spelling: str, ethnicity: str) -> tuple[inputs.PerpetratorDetails, ...]:
    return (
        inputs.PerpetratorDetails(
            name=spelling,
            sex="male",
            relationship="ex_partner",
            diversity=inputs.Diversity(ethnicity=ethnicity),
        ),
    )


def opened(by: Staff, moment: str, **changes: Any) -> Case:
    with at(moment):
        return cases.case_open(report=report(reported_at=None, **changes), by=by)


def contacted(case: Case, by: Staff, moment: str) -> None:
    with at(moment):
        contacts.contact_record(
            case=case, by=by, at=cases.timezone.now(), channel="phone",
            direction="outbound", with_whom="survivor",
        )  # fmt: skip


def assessed(case: Case, by: Staff, yes: int, moment: str) -> None:
    answers = {f"q{n}": "yes" if n <= yes else "no" for n in range(1, 25)}
    with at(moment):
        risk.assessment_create(case=case, by=by, tool_id="dash-ric", answers=answers)


def closed(case: Case, by: Staff, manager: Staff, reason: str, moment: str) -> None:
    with at(moment):
        closure.closure_request(
            case=case, by=by, reason=reason, survivor_agrees=True,
            review_meeting_at=cases.timezone.now(),
        )  # fmt: skip
        closure.closure_approve(case=case, by=manager)
    case.refresh_from_db()


@pytest.fixture
def october(
    officer: Staff, manager: Staff, director: Staff, make_staff: Callable[..., Staff]
) -> Iterator[dict[str, Case]]:
    ann = survivor("Ann Example", date(1980, 1, 1), ethnicity="white", religion="none")
    ann_later = survivor("ann  EXAMPLE", date(1980, 1, 1), ethnicity="white", religion="christian")
    riverside = make_staff("rhys.riverside", team="Riverside")
    made = {
        "A0": opened(officer, "2026-09-20T10:00:00Z", survivor=ann, abuse_types=("physical",)),
        "A1": opened(officer, "2026-10-05T10:00:00Z", survivor=ann, abuse_types=("physical",)),
        "A2": opened(
            officer, "2026-10-20T10:00:00Z", survivor=ann_later, source="police",
            abuse_types=("emotional",),
        ),
        "B1": opened(
            officer, "2026-10-10T09:00:00Z", source="police",
            survivor=survivor("Bea Example", date(1990, 6, 1)),
            abuse_types=("physical", "economic", "psychological"),
            alleged_perpetrators=pat("Pat Perp", "white"),
        ),
        "C1": opened(
            officer, "2026-10-12T09:00:00Z", source="agency",
            survivor=survivor("Cat Example", date(2005, 6, 1)),
            abuse_types=("physical",), alleged_perpetrators=pat("  PAT   perp", "black"),
        ),
        "E1": opened(
            officer, "2026-10-30T10:00:00Z", survivor=survivor("Eve Example", date(1970, 6, 1)),
            abuse_types=("controlling_or_coercive",), alleged_perpetrators=NO_ONE,
        ),
        "F1": opened(
            riverside, "2026-10-08T10:00:00Z", team="Riverside",
            survivor=survivor("Fay Example", date(1990, 6, 1)),
            abuse_types=("stalking_harassment",),
            alleged_perpetrators=(inputs.PerpetratorDetails(name="", relationship="partner"),),
        ),
    }  # fmt: skip
    a1, b1, c1 = made["A1"], made["B1"], made["C1"]
    contacted(a1, officer, "2026-10-05T15:00:00Z")
    contacted(b1, officer, "2026-10-10T12:00:00Z")
    contacted(c1, officer, "2026-10-14T09:00:00Z")  # 48 hours: late
    contacted(made["F1"], riverside, "2026-10-08T11:00:00Z")
    assessed(b1, officer, 15, "2026-10-10T13:00:00Z")
    assessed(c1, officer, 11, "2026-10-14T10:00:00Z")
    with at("2026-10-06T09:00:00Z"):
        repair = plan.action_add(case=a1, by=officer, kind="emergency_repair", detail="Door")
    with at("2026-10-06T20:00:00Z"):
        plan.action_complete(action=repair, by=officer)
    with at("2026-10-11T09:00:00Z"):
        late_repair = plan.action_add(case=b1, by=officer, kind="emergency_repair", detail="Lock")
    with at("2026-10-13T09:00:00Z"):
        plan.action_complete(action=late_repair, by=officer)
    with at("2026-10-20T09:00:00Z"):
        plan.review_record(case=b1, by=officer)  # due 24 October: on time
    with at("2026-10-29T09:00:00Z"):
        plan.review_record(case=c1, by=officer)  # due 26 October: late
    with at("2026-10-15T09:00:00Z"):
        referral = casework.referral_make(
            case=c1, by=officer, agency="police", reason="He has a knife.",
            ground="risk_of_serious_harm", explanation="She is at risk of serious harm.",
        )  # fmt: skip
        casework.referral_decide(
            referral=referral, by=director, approve=True, note="A knife: the police must know."
        )  # an approval needs the approver's note (issue 16)
    closed(b1, officer, manager, "resolved", "2026-10-25T10:00:00Z")
    closed(c1, officer, manager, "action_plan_complete", "2026-10-26T10:00:00Z")
    with at("2026-10-27T10:00:00Z"):
        feedback.feedback_record(case=b1, by=officer, satisfaction=4)
        feedback.feedback_record(case=c1, by=officer, satisfaction=2, comments="Slow.")
        feedback.feedback_record(case=c1, by=officer, kind="complaint", comments="Late call.")
        appeal = appeals.appeal_make(
            case=c1, by=officer, party="survivor", grounds="Closed too soon for me."
        )
    with at("2026-10-29T10:00:00Z"):
        appeals.appeal_decide(
            appeal=appeal, by=director, outcome="not_upheld", reasons="The plan was complete."
        )
    with at(NOW):
        yield made


def monitoring(client: Client, query: str = f"{PERIOD}&suppress=false") -> Any:
    """Exact counts: suppression is on unless the caller turns it off (issue 17 §2)."""
    return client.get(f"/api/v1/reports/monitoring?{query}")


def test_every_figure_over_the_whole_provider(
    policy: str, october: dict[str, Case], director: Staff, api_as: Callable[..., Client]
) -> None:
    answer = monitoring(api_as(director))

    assert answer.status_code == 200, answer.content
    figures = answer.json()
    assert (figures["from"], figures["to"], figures["team"]) == ("2026-10-01", "2026-10-31", None)
    assert figures["reports"] == 6  # A0 was reported before the period
    assert figures["individuals"] == 5  # Ann once, for her two cases
    assert figures["repeat_reports"] == 2  # A1 (A0 was in September) and A2
    assert figures["by_abuse_type"] == {
        **dict.fromkeys(figures["by_abuse_type"], 0),
        "physical": 3, "economic": 1, "psychological": 1, "emotional": 1,
        "controlling_or_coercive": 1, "stalking_harassment": 1,
    }  # fmt: skip
    assert len(figures["by_abuse_type"]) == 12  # every type the default policy records
    assert figures["by_source"] == {
        "self": 3, "witness": 0, "police": 2, "agency": 1, "staff": 0, "anonymous": 0,
    }  # fmt: skip
    assert figures["by_risk_level"] == {"standard": 0, "medium": 1, "high": 1, "not_assessed": 4}
    assert figures["response"] == {"met": 3, "missed": 2, "pending": 1, "rate": 0.6}
    assert figures["outcomes"]["resolved"] == 1
    assert figures["outcomes"]["action_plan_complete"] == 1
    assert sum(figures["outcomes"].values()) == 2
    assert figures["satisfaction"] == {"responses": 2, "mean": 3.0, "complaints": 1, "praise": 0}
    assert figures["appeals"] == 1
    assert figures["appeal_outcomes"] == {
        "upheld": 0, "partly_upheld": 0, "not_upheld": 1, "undecided": 0,
    }  # fmt: skip


def test_each_person_is_counted_once_in_the_diversity_figures(
    policy: str, october: dict[str, Case], director: Staff, api_as: Callable[..., Client]
) -> None:
    diversity = monitoring(api_as(director)).json()["diversity"]

    survivors = diversity["survivors"]
    assert survivors["sex"] == {"female": 5}
    assert survivors["religion"] == {"christian": 1, "not_recorded": 4}  # Ann, as on A2
    assert survivors["ethnicity"] == {"not_recorded": 4, "white": 1}
    # On the day reported: Ann 46, Bea and Fay 36, Cat 21, Eve 56.
    assert survivors["age_band"] == {"16_24": 1, "35_44": 2, "45_54": 1, "55_64": 1}
    perpetrators = diversity["alleged_perpetrators"]
    # Barnaby (Ann's two cases), Pat (B1 and C1, as on C1) and F1's unnamed one.
    assert sum(perpetrators["ethnicity"].values()) == 3
    assert perpetrators["ethnicity"] == {"black": 1, "not_recorded": 2}
    assert perpetrators["sex"] == {"male": 1, "not_recorded": 2}


def test_the_policy_compliance_figures(
    policy: str, october: dict[str, Case], director: Staff, api_as: Callable[..., Client]
) -> None:
    compliance = monitoring(api_as(director)).json()["compliance"]

    assert compliance["reviews"] == {"held": 2, "on_time": 1, "late": 1}
    assert compliance["emergency_repairs"] == {
        "due": 2,
        "on_time": 1,
        "late": 1,
        "overdue": 0,
        "cancelled": 0,
    }
    assert compliance["disclosures_without_consent"] == {
        "asked": 1, "sent": 1, "rejected": 0, "waiting": 0,
        "approved_by": [{"name": director.full_name, "role": "director", "count": 1}],
    }  # fmt: skip
    assert compliance["closures"] == {"closed": 2, "with_agreement": 2, "without_agreement": 0}
    assert compliance["appeals_answered"] == {
        "received": 1, "answered_on_time": 1, "answered_late": 0, "unanswered": 0,
    }  # fmt: skip
    assert compliance["policy_review"]["overdue"] is False


def test_a_team_sees_only_its_cases(
    policy: str, october: dict[str, Case], manager: Staff, api_as: Callable[..., Client]
) -> None:
    figures = monitoring(api_as(manager)).json()  # a manager's own team by default

    assert figures["team"] == "Northgate"
    assert figures["reports"] == 5
    assert figures["individuals"] == 4
    assert figures["by_source"]["self"] == 2
    assert figures["response"] == {"met": 2, "missed": 2, "pending": 1, "rate": 0.5}


def test_suppression_replaces_small_counts_in_breakdowns(
    policy: str, october: dict[str, Case], director: Staff, api_as: Callable[..., Client]
) -> None:
    figures = monitoring(api_as(director), f"{PERIOD}&suppress=true").json()

    assert monitoring(api_as(director), PERIOD).json() == figures  # on by default
    assert figures["suppressed"] is True
    assert (figures["reports"], figures["individuals"], figures["repeat_reports"]) == (6, 5, 2)
    assert figures["by_source"] == {
        "self": "<5", "witness": 0, "police": "<5", "agency": "<5", "staff": 0, "anonymous": 0,
    }  # fmt: skip
    assert figures["by_risk_level"] == {
        "standard": 0, "medium": "<5", "high": "<5", "not_assessed": "<5",
    }  # fmt: skip
    assert figures["response"] == {"met": "<5", "missed": "<5", "pending": "<5", "rate": None}
    assert figures["satisfaction"] == {
        "responses": "<5", "mean": None, "complaints": "<5", "praise": 0,
    }  # fmt: skip
    assert figures["diversity"]["survivors"]["sex"] == {"female": 5}
    assert figures["diversity"]["survivors"]["religion"] == {
        "christian": "<5",
        "not_recorded": "<5",
    }
    assert figures["compliance"]["reviews"] == {"held": "<5", "on_time": "<5", "late": "<5"}
    assert "1" not in str(figures["by_abuse_type"].values())
