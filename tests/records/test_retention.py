"""Retention: a closed case past the policy's period is crypto-shredded. Reports still
count it; nobody can read it; a legal hold keeps it; the audit chain records it.

The period is default.toml's `retention.years_after_closure` (6, the schema's default)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases import sealing
from safehold.cases.models import BreakGlass, Case, Person, SurvivorIdentity
from safehold.casework.models import Action
from safehold.errors import Refusal
from safehold.evidence.models import Evidence
from safehold.policy import vocabulary
from safehold.policy.loader import active_policy
from safehold.privacy import audit, vault
from safehold.privacy.models import AuditEntry, WrappedKey
from safehold.records import services
from safehold.records.dates import calendar_years_before
from safehold.reports.period import Period
from safehold.reports.report import monitoring_report
from safehold.reports.scope import Scope
from tests.records.conftest import close

pytestmark = pytest.mark.django_db
NOW = datetime(2033, 3, 1, 3, 0, tzinfo=UTC)
YEARS = 6  # default.toml: retention.years_after_closure


def monitoring_figures(case: Case) -> dict[str, Any]:
    year = case.reported_at.year
    return monitoring_report(
        period=Period(date(year, 1, 1), date(year, 12, 31)),
        scope=Scope(None),
        now=NOW,
        policy=active_policy(),
    )


@pytest.fixture
def old_case(full_case: Case) -> Case:
    """The full case, closed a day more than the retention period ago."""
    close(full_case, calendar_years_before(NOW, YEARS) - timedelta(days=1))
    full_case.refresh_from_db()
    return full_case


def test_the_period_is_the_policys() -> None:
    assert active_policy().retention.years_after_closure == YEARS


def test_due_cases_are_closed_past_the_period_and_not_held(
    open_case: Callable[..., Case],
) -> None:
    cutoff = calendar_years_before(NOW, YEARS)
    due, on_the_day, recent, still_open, held = (open_case() for _ in range(5))
    close(due, cutoff - timedelta(seconds=1))
    close(on_the_day, cutoff)
    close(recent, cutoff + timedelta(seconds=1))
    close(held, cutoff - timedelta(days=400))
    Case.objects.filter(pk=held.pk).update(legal_hold=True)
    Case.objects.filter(pk=still_open.pk).update(closed_at=cutoff - timedelta(days=400))
    found = set(services.retention_due(now=NOW).values_list("pk", flat=True))
    assert found == {due.pk, on_the_day.pk}


def test_the_period_counts_calendar_years(open_case: Callable[..., Case]) -> None:
    """Six years before 29 February 2032 is 28 February 2026, the same time of day."""
    leap_day = datetime(2032, 2, 29, 12, 0, tzinfo=UTC)
    case = open_case()
    close(case, datetime(2026, 2, 28, 12, 0, tzinfo=UTC))
    assert services.retention_due(now=leap_day).filter(pk=case.pk).exists()
    assert not services.retention_due(now=leap_day - timedelta(minutes=1)).exists()


def test_an_erased_case_is_still_counted_but_read_by_nobody(
    old_case: Case, director: Staff, as_staff: Callable[[Staff], Client], api_as
) -> None:
    evidence_before = Evidence.objects.get(case=old_case)
    reported = old_case.reported_at.date()
    figures_before = monitoring_figures(old_case)
    services.case_erase(case=old_case, now=NOW)
    case = Case.objects.get(pk=old_case.pk)
    # Reports still count it, with its statistical columns: the monitoring report over
    # its year is the same, figure by figure, after erasure as before.
    assert figures_before["reports"] == 1
    assert monitoring_figures(old_case) == figures_before
    assert reported == case.reported_at.date()
    assert Case.objects.filter(status="closed", closed_at__isnull=False).count() == 1
    assert Case.objects.filter(risk_level="standard", team=old_case.team).count() == 1
    assert case.abuse_types == old_case.abuse_types
    assert case.risk_level == "standard"
    assert case.closure_reason == vocabulary.CLOSURE_REASONS[0]
    assert (case.source, case.team_id, case.reported_at) == (
        old_case.source,
        old_case.team_id,
        old_case.reported_at,
    )
    assert Action.objects.filter(case=case).count() == 1
    assert case.erased_at == NOW
    # Nobody reads it.
    with pytest.raises(vault.KeyDestroyed):
        sealing.unseal(case.data_key, case)
    assert WrappedKey.objects.get(pk=case.data_key_id).wrapped in (b"", memoryview(b""))
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/records"):
        assert as_staff(director).get(url).status_code == 404
    assert api_as(director).get(f"/api/v1/cases/{case.pk}").status_code == 404
    # Its indexes and files go.
    assert set(Person.objects.filter(case=case).values_list("name_index", flat=True)) == {""}
    assert SurvivorIdentity.objects.get(pk=case.survivor_identity_id).identity_index == ""
    evidence = Evidence.objects.get(case=case)
    assert bytes(evidence.content) == b""
    assert (evidence.size, evidence.content_type) == (
        evidence_before.size,
        evidence_before.content_type,
    )


def test_erasure_is_audited_and_the_chain_holds(old_case: Case) -> None:
    services.case_erase(case=old_case, now=NOW, actor="")
    entry = AuditEntry.objects.get(action="case.erased")
    assert (entry.actor, entry.target_type, entry.target_id) == ("", "case", old_case.pk)
    assert entry.detail == {"reference": old_case.reference}
    assert audit.verify().intact


def test_erasing_twice_changes_nothing(old_case: Case) -> None:
    services.case_erase(case=old_case, now=NOW)
    entries = AuditEntry.objects.count()
    again = services.case_erase(case=old_case, now=NOW + timedelta(days=1))
    assert again.erased_at == NOW
    assert AuditEntry.objects.count() == entries


def test_a_case_not_due_is_not_erased(full_case: Case) -> None:
    with pytest.raises(Refusal) as refused:
        services.case_erase(case=full_case, now=NOW)
    assert refused.value.code == "case_not_closed"
    close(full_case, NOW - timedelta(days=30))
    with pytest.raises(Refusal) as refused:
        services.case_erase(case=full_case, now=NOW)
    assert refused.value.code == "retention_not_ended"
    assert refused.value.policy_rule == "retention.years_after_closure"
    full_case.refresh_from_db()
    assert full_case.erased_at is None
    assert sealing.unseal(full_case.data_key, full_case)["summary"]


def test_a_shared_identity_keeps_its_index_while_another_case_lives(
    open_case: Callable[..., Case],
) -> None:
    first, second = open_case(), open_case()
    assert first.survivor_identity_id == second.survivor_identity_id
    index = first.survivor_identity.identity_index
    assert index
    for case in (first, second):
        close(case, calendar_years_before(NOW, YEARS) - timedelta(days=1))
    services.case_erase(case=first, now=NOW)
    assert SurvivorIdentity.objects.get(pk=first.survivor_identity_id).identity_index == index
    services.case_erase(case=second, now=NOW)
    assert SurvivorIdentity.objects.get(pk=first.survivor_identity_id).identity_index == ""


def test_break_glass_reasons_go_with_the_case(
    old_case: Case, teammate: Staff, da_lead: Staff
) -> None:
    from safehold.cases import services as case_services

    case_services.break_glass(case=old_case, by=teammate, reason="Zephyrine rang the office")
    services.case_erase(case=old_case, now=NOW)
    assert bytes(BreakGlass.objects.get(case=old_case).sealed) == b""
    assert "Zephyrine" not in " ".join(a.message for a in da_lead.alerts.all())


def test_a_legal_hold_stops_erasure_until_it_is_lifted(old_case: Case, da_lead: Staff) -> None:
    services.legal_hold_place(case=old_case, by=da_lead, reason="Civil claim pending, solicitor")
    assert not services.retention_due(now=NOW).exists()
    assert services.retention_erase_due(now=NOW) == []
    with pytest.raises(Refusal) as refused:
        services.case_erase(case=old_case, now=NOW)
    assert refused.value.code == "legal_hold"
    services.legal_hold_lift(case=old_case, by=da_lead, reason="Claim settled in March")
    [erasure] = services.retention_erase_due(now=NOW)
    assert (erasure.reference, erasure.erased) == (old_case.reference, True)
    assert Case.objects.get(pk=old_case.pk).erased_at == NOW
    actions = list(
        AuditEntry.objects.filter(target_id=old_case.pk, action__startswith="case.")
        .exclude(action="case.opened")
        .values_list("action", flat=True)
    )
    assert actions == ["case.legal_hold_placed", "case.legal_hold_lifted", "case.erased"]
    assert audit.verify().intact


def test_an_open_subject_access_request_keeps_the_case_until_it_is_answered(
    old_case: Case, da_lead: Staff
) -> None:
    sar = services.subject_access_log(
        case=old_case,
        by=da_lead,
        person_role="survivor",
        received_at=NOW - timedelta(days=3),
        now=NOW,
    )
    assert not services.retention_due(now=NOW).exists()
    with pytest.raises(Refusal) as refused:
        services.case_erase(case=old_case, now=NOW)
    assert refused.value.code == "subject_access_open"
    # Closed without release (issue 17: an answered request need not be a released one).
    services.subject_access_close(request=sar, by=da_lead, reason="Withdrawn by the requester")
    assert list(services.retention_due(now=NOW)) == [old_case]
