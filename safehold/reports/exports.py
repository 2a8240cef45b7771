"""The report leaving Safehold: CSV, XLSX and the board report PDF.

Every export is suppressed (counts of 1 to 4 in breakdowns read "<5") and audited by
the caller (reports.services). Spreadsheet cells are safe against formula injection: a
text value starting with = + - @ or a control character is written with a leading
apostrophe, so a team called "=HYPERLINK(...)" stays text in Excel and LibreOffice."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.template.loader import render_to_string

from safehold.policy.schema import Policy
from safehold.reports.figures import rows
from safehold.reports.freshness import read_from_words

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER = ("Section", "Figure", "This period", "Previous period")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table(
    current: dict[str, Any], previous: dict[str, Any], policy: Policy
) -> Iterator[tuple[Any, ...]]:
    before = {(row.section, row.label): row.value for row in rows(previous, policy)}
    for row in rows(current, policy):
        yield tuple(
            safe_cell(cell)
            for cell in (row.section, row.label, row.value, before.get((row.section, row.label)))
        )


def unseen_note(report: dict[str, Any]) -> str:
    """What the figures cover (reports/unseen.py), as the page says it."""
    return " ".join(
        render_to_string("reports/unseen.html", {"unseen": report["unseen_cases"]}).split()
    )


def heading(current: dict[str, Any], previous: dict[str, Any]) -> list[tuple[Any, ...]]:
    scope = current["team"] or "Whole provider"
    read_from = read_from_words(current.get("read_from"))
    return [
        ("Monitoring report", safe_cell(scope), "", ""),
        (
            "Period",
            "",
            f"{current['from']} to {current['to']}",
            f"{previous['from']} to {previous['to']}",
        ),
        ("Counts from 1 to 4 in a breakdown are shown as <5", "", "", ""),
        (unseen_note(current), "", "", ""),
        *([(read_from, "", "", "")] if read_from else []),
        HEADER,
    ]


def as_csv(current: dict[str, Any], previous: dict[str, Any], policy: Policy) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(heading(current, previous))
    writer.writerows(table(current, previous, policy))
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def as_xlsx(current: dict[str, Any], previous: dict[str, Any], policy: Policy) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.create_sheet("Monitoring", 0)
    book.remove(book.worksheets[1])  # the empty sheet a new workbook starts with
    for line in [*heading(current, previous), *table(current, previous, policy)]:
        sheet.append(list(line))
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_board_pdf(context: dict[str, Any]) -> bytes:
    from safehold.casework.letters import pdf_from_html

    return pdf_from_html(render_to_string("reports/board.html", context))
