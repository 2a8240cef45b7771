"""The domain apps point down only (docs/architecture.md, "Layers"): read from each
module's own imports, so a new upward import fails here before it tangles the apps."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SAFEHOLD = Path(__file__).resolve().parents[1] / "safehold"
DOMAIN = ("accounts", "privacy", "limits", "policy", "cases", "risk", "casework")
DOMAIN += ("evidence", "closure", "records", "reports", "marac", "partners")
# web is also the pages' shared vocabulary (words.py, languages.py), which the domain
# apps' own pages and forms use; only what composes or runs the apps is above them.
ABOVE = ("desk", "api", "ops", "samples", "public")


def imports_of(app: str) -> set[str]:
    """Every `safehold.<app>` module the app's code imports (migrations aside)."""
    found: set[str] = set()
    for path in (SAFEHOLD / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("safehold.")}


def reaches(imports: set[str], app: str) -> list[str]:
    return sorted(name for name in imports if name.split(".")[1] == app)


@pytest.mark.parametrize("app", DOMAIN)
def test_it_keeps_every_domain_app_below_the_pages_and_operations(app: str) -> None:
    imports = imports_of(app)
    assert [name for above in ABOVE for name in reaches(imports, above)] == []


def test_it_keeps_cases_below_risk_casework_and_closure() -> None:
    imports = imports_of("cases")
    assert [n for app in ("risk", "casework", "closure") for n in reaches(imports, app)] == []


@pytest.mark.parametrize("app", ["privacy", "limits", "policy"])
def test_it_keeps_the_base_below_the_pages_vocabulary(app: str) -> None:
    # The audit trail's kinds of action live in privacy/kinds.py; web/words.py reads them.
    assert reaches(imports_of(app), "web") == []
