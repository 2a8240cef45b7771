"""`safehold synth` (docs/synth.md): invented cases that look like a provider's, sealed
as the services seal them, numbered so that real intake carries on after them, and
never made in production."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import sealing, search, services
from safehold.cases.models import (
    Case,
    CaseTeamMember,
    Person,
    PersonRole,
    ReferenceCounter,
    SearchToken,
)
from safehold.cli import main
from safehold.closure.models import Appeal
from safehold.policy import clock
from safehold.policy.loader import active_policy
from safehold.privacy import vault
from safehold.privacy.models import AuditEntry
from safehold.reports.period import Period
from safehold.reports.report import monitoring_report
from safehold.reports.scope import Scope
from safehold.synth import SynthRefused, synth_load, teams_for
from tests.casedata import report

pytestmark = pytest.mark.django_db
CASES = 300
# Tables whose columns other than `sealed` must never hold a name, address or phone.
PLAIN_TABLES = (
    "cases_case",
    "cases_person",
    "cases_survivoridentity",
    "cases_contact",
    "cases_caseabusetype",
    "cases_caseteammember",
    "cases_searchtoken",
    "closure_closure",
    "closure_feedback",
    "closure_appeal",
    "casework_review",
    "casework_action",
    "privacy_auditentry",
    "privacy_wrappedkey",
)


@pytest.fixture
def loaded() -> None:
    synth_load(cases=CASES, seed=7, years=3, teams=2)


def unsealed(person: Person) -> dict[str, Any]:
    return sealing.unseal(person.case.data_key, person)


def test_it_makes_the_cases_with_the_distributions_asked_for(loaded: None) -> None:
    cases = Case.objects.all()
    assert cases.count() == CASES
    repeat_share = cases.filter(repeat=True).count() / CASES
    assert 0.2 < repeat_share < 0.45  # about a third
    standard_or_medium = cases.filter(risk_level__in=["standard", "medium"]).count()
    assert standard_or_medium / CASES > 0.6
    assert cases.filter(risk_level="high").exists()
    assert cases.values("source").distinct().count() >= 5
    kinds = Person.objects.filter(role=PersonRole.ALLEGED_PERPETRATOR)
    assert kinds.count() > 0.8 * CASES
    assert cases.filter(status="closed").count() > CASES / 2
    met = cases.filter(first_contact_at__lte=F("response_due_at")).count()
    assert met / CASES > 0.6  # most first contacts in time


def test_repeat_flags_follow_the_twelve_month_rule(loaded: None) -> None:
    policy = active_policy()
    cases = list(Case.objects.order_by("reported_at"))
    seen: dict[str, list[Any]] = {}
    for case in cases:
        earlier = seen.setdefault(case.survivor_identity_id, [])
        since = clock.repeat_window_start(policy, case.reported_at)
        assert case.repeat == any(since <= at < case.reported_at for at in earlier), case
        earlier.append(case.reported_at)
    several = Case.objects.values("survivor_identity").annotate(n=Count("id")).filter(n__gt=1)
    assert several.count() > 20  # the same survivors come back


def test_people_carry_their_cases_columns_as_intake_writes_them(loaded: None) -> None:
    people = Person.objects.all()
    assert people.exclude(case_reported_at=F("case__reported_at")).count() == 0
    assert people.exclude(case_team=F("case__team")).count() == 0
    members = CaseTeamMember.objects.all()
    assert members.count() > 0
    assert members.exclude(case_reported_at=F("case__reported_at")).count() == 0
    survivors = people.filter(role=PersonRole.SURVIVOR)
    assert survivors.exclude(survivor_identity=F("case__survivor_identity")).count() == 0
    assert (
        people.exclude(role=PersonRole.SURVIVOR).filter(survivor_identity__isnull=False).count()
        == 0
    )


def test_sealed_details_open_to_invented_people_with_the_services_indexes(loaded: None) -> None:
    for person in Person.objects.select_related("case__data_key", "case__survivor_identity"):
        details = unsealed(person)
        if person.role == PersonRole.SURVIVOR:
            assert details["name"]
            assert details["address"]
            assert person.name_index == sealing.survivor_name_index(details["name"])
            identity = sealing.identity_index(details["name"], details["date_of_birth"])
            assert person.case.survivor_identity.identity_index == identity
        else:
            assert person.name_index == sealing.perpetrator_name_index(details["name"])
    case = Case.objects.select_related("data_key").first()
    assert case is not None
    assert sealing.unseal(case.data_key, case)["summary"]


def test_each_survivor_has_the_search_tokens_intake_would_write(loaded: None) -> None:
    """Benchmarks of search over synth data search what intake writes (issue 18)."""
    key = vault.index_key()
    survivors = Person.objects.filter(role=PersonRole.SURVIVOR).select_related("case__data_key")
    for person in survivors:
        expected = search.survivor_tokens(key, unsealed(person), person.case.reference)
        stored = SearchToken.objects.filter(case=person.case, role=PersonRole.SURVIVOR)
        assert set(stored.values_list("kind", "digest")) == {(t.kind, t.digest) for t in expected}
    assert SearchToken.objects.values("case").distinct().count() == CASES


def test_no_name_address_or_phone_is_stored_in_the_clear(loaded: None) -> None:
    secrets = set()
    for person in Person.objects.select_related("case__data_key"):
        details = unsealed(person)
        secrets |= {details.get(k, "") for k in ("name", "address", "phone")} - {""}
    assert len(secrets) > CASES
    with connection.cursor() as cursor:
        for table in PLAIN_TABLES:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
            plain = "\n".join(
                str(value)
                for row in cursor.fetchall()
                for value in row
                if not isinstance(value, bytes | memoryview)
            )
            leaked = [secret for secret in secrets if secret in plain]
            assert not leaked, f"{table}: {leaked[:3]}"


def test_references_are_unique_and_intake_carries_on_after_them(
    loaded: None, officer: Staff
) -> None:
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == CASES
    year = timezone.localdate().year
    last = ReferenceCounter.objects.get(year=year).last
    assert Case.objects.filter(reference=f"DA-{year}-{last:05d}").exists()
    case = services.case_open(report=report(), by=officer)
    assert case.reference == f"DA-{year}-{last + 1:05d}"


def test_the_monitoring_report_over_synth_data_matches_plain_counts(loaded: None) -> None:
    today = timezone.localdate()
    period = Period(date(today.year - 2, 1, 1), today - timedelta(days=1))
    now = timezone.now()
    figures = monitoring_report(period=period, scope=Scope(None), now=now, policy=active_policy())
    cases = Case.objects.filter(
        reported_at__gte=period.starts_at, reported_at__lt=period.ends_before
    )
    assert figures["reports"] == cases.count() > 100
    assert figures["repeat_reports"] == cases.filter(repeat=True).count()
    assert figures["individuals"] == cases.values("survivor_identity").distinct().count()
    response = figures["response"]
    assert response["met"] + response["missed"] + response["pending"] == cases.count()
    assert sum(figures["by_source"].values()) == cases.count()
    assert sum(figures["by_risk_level"].values()) == cases.count()
    assert sum(figures["outcomes"].values()) == cases.filter(status="closed").count()
    assert figures["appeals"] == Appeal.objects.filter(case__in=cases).count()
    assert sum(figures["diversity"]["survivors"]["sex"].values()) == figures["individuals"]


def test_one_audit_entry_covers_the_run(loaded: None) -> None:
    entries = AuditEntry.objects.filter(action="synth.loaded")
    assert [(e.actor, e.detail) for e in entries] == [("", {"cases": CASES})]
    assert AuditEntry.objects.count() == 1


def test_the_command_loads_and_prints_its_rate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--cases", "25", "--years", "1", "--teams", "1"]) == 0
    assert "Loaded 25 invented cases" in capsys.readouterr().out
    assert Case.objects.count() == 25


def test_its_staff_grow_with_the_cases_unless_told(capsys: pytest.CaptureFixture[str]) -> None:
    # A team (four officers and a manager) for every 2,500 cases, at least four, so a
    # team holds about as many cases at any size (docs/synth.md).
    assert [teams_for(n) for n in (1, 10_000, 12_499, 100_000, 1_000_000)] == [4, 4, 4, 40, 400]
    assert main(["synth", "--cases", "12", "--years", "1"]) == 0
    managers = Staff.objects.filter(role="manager", username__startswith="synth.")
    assert managers.count() == 4
    teams_used = set(Case.objects.values_list("team__name", flat=True))
    assert teams_used <= set(managers.values_list("team__name", flat=True))
    assert Staff.objects.filter(role="officer").count() == 4 * 4


def test_it_refuses_production(settings: Any) -> None:
    settings.DEVELOPMENT = False
    with pytest.raises(SynthRefused, match="SAFEHOLD_ENV=production"):
        synth_load(cases=10)
    assert not Case.objects.exists()
    assert not Staff.objects.exists()


def test_the_command_refuses_production(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.DEVELOPMENT = False
    assert main(["synth", "--cases", "10"]) == 1
    assert "SAFEHOLD_ENV=production" in capsys.readouterr().err
    assert not Case.objects.exists()
