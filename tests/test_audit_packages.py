"""What the pip-audit step of scripts/test (scripts/audit_packages.py) makes of pip-audit's
report: a known vulnerability fails the run; packages that could not be looked up do not,
but are never passed off as audited."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit_packages.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_packages", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


audit_packages = load()
SAFEHOLD = {"name": "safehold", "skip_reason": "distribution marked as editable"}
DJANGO = {"name": "django", "version": "5.2.19", "vulns": []}


def report(*packages: dict[str, Any]) -> dict[str, Any]:
    return {"dependencies": [SAFEHOLD, *packages], "fixes": []}


def test_a_known_vulnerability_fails_naming_the_fix() -> None:
    vulnerable = {
        "name": "pillow",
        "version": "13.0.0",
        "vulns": [{"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fix_versions": ["13.0.1"]}],
    }
    status, lines = audit_packages.verdict(report(DJANGO, vulnerable))
    assert status == 1
    assert lines == [
        "pillow 13.0.0: PYSEC-2099-1, CVE-2099-1; fixed in 13.0.1",
        "Known vulnerabilities in 1 of 2 audited packages",
    ]


def test_a_clean_report_passes_and_counts_what_was_audited() -> None:
    status, lines = audit_packages.verdict(report(DJANGO))
    assert status == 0
    assert lines == ["No known vulnerabilities in 1 audited packages"]


def test_packages_that_could_not_be_looked_up_pass_with_a_warning() -> None:
    unknown = {"name": "segno", "skip_reason": "Dependency not found on PyPI: segno (1.6.6)"}
    status, lines = audit_packages.verdict(report(unknown))
    assert status == 0
    assert lines == [
        "WARNING: 1 of 1 packages could not be audited, for example "
        "Dependency not found on PyPI: segno (1.6.6)",
        "NOTHING WAS AUDITED",
    ]


def test_no_report_at_all_passes_with_a_warning() -> None:
    status, lines = audit_packages.verdict(None)
    assert status == 0
    assert "NOTHING WAS AUDITED" in lines[0]
