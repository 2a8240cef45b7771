"""Every way a case is reached that the audit trail records (`via=` in safehold/) is
said in words on the trail's page (web/words.py VIA), never as a view's name such as
"Risk finish" (issue 18, plain words)."""

from __future__ import annotations

import re
from pathlib import Path

from safehold.web import words

SAFEHOLD = Path(__file__).resolve().parents[2] / "safehold"
VIA_LITERAL = re.compile(r'via="([a-z_]+)"|"via": "([a-z_]+)"')


def vias_written_in_code() -> set[str]:
    found = set()
    for path in SAFEHOLD.rglob("*.py"):
        for match in VIA_LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_via_in_the_code_has_words() -> None:
    vias = vias_written_in_code()
    assert {"web", "api", "risk_finish", "review_new"} <= vias  # the scan finds them
    assert sorted(vias - words.VIA.keys()) == []


def test_a_via_reads_as_words_on_the_trail() -> None:
    assert words.detail_value("via", "risk_finish") == "finishing a risk assessment"
    assert words.detail_value("via", "review_new") == "recording a review"


def test_a_partners_read_reads_as_words_on_the_trail() -> None:
    # The partner door names its way in by a constant (partners/views.py, api/partners.py).
    assert words.detail_value("via", "partner") == (
        "the partner pages of an agency it was shared with"
    )
    assert words.detail_value("via", "partner_api") == (
        "the partner API of an agency it was shared with"
    )
