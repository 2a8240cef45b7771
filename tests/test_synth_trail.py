"""`safehold synth --audit-entries N` (issue 19, "The audit trail as it grows"): an
invented trail about the loaded cases, chained and sealed as `audit.record` writes
entries, so the verification it is there to measure checks it like any other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from safehold.cases.models import Case
from safehold.cli import main
from safehold.privacy.models import AuditEntry
from safehold.synth.trail import SPAN, moment

pytestmark = pytest.mark.django_db


def test_it_appends_entries_about_the_cases_that_verify(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["synth", "--cases", "30", "--audit-entries", "500", "--years", "2"]) == 0
    assert "Appended 500 invented audit entries" in capsys.readouterr().out
    invented = AuditEntry.objects.exclude(action="synth.loaded")
    assert invented.count() == 500
    cases = set(Case.objects.values_list("id", flat=True))
    about = set(invented.filter(target_type="case").values_list("target_id", flat=True))
    assert about
    assert about <= cases
    assert invented.filter(action="case.viewed").count() > invented.count() // 3
    listed = invented.filter(action="case.listed").first()
    assert listed is not None
    assert set(listed.detail["cases"]) <= cases

    assert main(["audit", "checkpoint"]) == 0
    assert main(["synth", "--audit-entries", "200"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    assert "intact: 702 entries" in capsys.readouterr().out
    assert main(["audit", "verify", "--since-checkpoint"]) == 0
    assert "entries #502 to #702 (201) verified" in capsys.readouterr().out


def test_it_needs_cases_to_be_about(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--audit-entries", "10"]) == 1
    assert "needs cases to be about" in capsys.readouterr().err
    assert not AuditEntry.objects.exists()


def test_it_needs_something_to_make(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth"]) == 1
    assert "give --cases, --audit-entries or both" in capsys.readouterr().err


def test_its_times_run_evenly_over_a_year_at_fifty_million_entries() -> None:
    # Multiplying the year by the entry's number first overflowed a timedelta past
    # about 2.7 million entries (found measuring ten million, issue 19).
    first = datetime(2025, 12, 6, tzinfo=UTC)
    entries = 50_000_000
    assert moment(first, 0, entries) == first
    assert moment(first, entries // 2, entries) == first + SPAN / 2
    assert first + SPAN - timedelta(seconds=1) < moment(first, entries - 1, entries) < first + SPAN
