"""Known vulnerabilities in the Python packages installed in .venv: a step of scripts/test.

pip-audit looks up every installed package, at its installed version, in PyPI's JSON
API, which lists the advisories that affect that version. Safehold itself is installed
editable from this checkout and is not on PyPI, so it is skipped (--skip-editable).

- A known vulnerability fails the step (exit 1), naming the package, the advisory and
  the versions that fix it: upgrade the pin in pyproject.toml.
- A package that cannot be looked up (no network; an index that does not serve PyPI's
  per-version JSON; PyPI down) is not a failure: the suite must not depend on an outside
  service being up. The step says loudly how many packages went unchecked, so a run
  that audited nothing never reads as a clean bill of health.

Run it alone: .venv/bin/python scripts/audit_packages.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PIP_AUDIT = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "pip-audit"
EDITABLE = "distribution marked as editable"


def advisory(package: dict[str, Any], vuln: dict[str, Any]) -> str:
    names = ", ".join([vuln["id"], *vuln.get("aliases", [])])
    fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
    return f"{package['name']} {package['version']}: {names}; fixed in {fixed}"


def verdict(report: dict[str, Any] | None) -> tuple[int, list[str]]:
    """The exit status and what to print, from pip-audit's JSON report (None when it
    could not make one)."""
    if report is None:
        return 0, [
            "WARNING: pip-audit could not reach its vulnerability service: NOTHING WAS AUDITED"
        ]
    packages = [p for p in report["dependencies"] if EDITABLE not in p.get("skip_reason", "")]
    skipped = [p for p in packages if "skip_reason" in p]
    vulnerable = [p for p in packages if p.get("vulns")]
    lines = [advisory(p, v) for p in vulnerable for v in p["vulns"]]
    audited = len(packages) - len(skipped)
    if skipped:
        lines.append(
            f"WARNING: {len(skipped)} of {len(packages)} packages could not be audited, "
            f"for example {skipped[0]['skip_reason']}"
        )
    if vulnerable:
        lines.append(f"Known vulnerabilities in {len(vulnerable)} of {audited} audited packages")
        return 1, lines
    if audited == 0:
        lines.append("NOTHING WAS AUDITED")
    else:
        lines.append(f"No known vulnerabilities in {audited} audited packages")
    return 0, lines


def audit() -> tuple[dict[str, Any] | None, str]:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "pip-audit.json"
        result = subprocess.run(  # noqa: S603 - our own venv's pip-audit, fixed arguments
            [
                str(PIP_AUDIT),
                "--skip-editable",
                "--progress-spinner=off",
                "--format=json",
                f"--output={output}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        text = output.read_text(encoding="utf-8") if output.exists() else ""
    return (json.loads(text) if text.strip() else None), result.stderr


def main() -> int:
    report, errors = audit()
    if report is None and errors.strip():
        print(errors.strip().splitlines()[-1], file=sys.stderr)
    status, lines = verdict(report)
    for line in lines:
        print(line)
    return status


if __name__ == "__main__":
    sys.exit(main())
