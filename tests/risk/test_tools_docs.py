"""docs/risk-tools.md keeps up with the file format, and its example is a valid tool."""

from __future__ import annotations

import re
from pathlib import Path

from safehold.policy.setting_paths import iter_settings
from safehold.risk.tools import RiskTool, level_for, max_score, parse_tool, question_ids

DOCS = Path(__file__).resolve().parents[2] / "docs" / "risk-tools.md"
PROVIDER_TOOL = Path(__file__).resolve().parent / "tool_files" / "provider"


def test_the_reference_describes_every_key() -> None:
    documented = set(re.findall(r"`([a-z_0-9.<>]+)`", DOCS.read_text(encoding="utf-8")))

    undocumented = [info.path for info in iter_settings(RiskTool) if info.path not in documented]

    assert undocumented == []
    assert {"answers.<id>.label", "answers.<id>.points"} <= documented


def test_the_worked_example_is_a_valid_tool_and_the_providers_fixture() -> None:
    example = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)[0]

    tool = parse_tool(example, source="northgate-screen.toml")
    fixture = (PROVIDER_TOOL / "northgate-screen.toml").read_text(encoding="utf-8")

    assert tool.model_dump() == parse_tool(fixture).model_dump()
    assert len(question_ids(tool)) == 6
    assert max_score(tool) == 12
    assert level_for(tool, 8) == "high"
