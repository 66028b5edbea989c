"""Read the office's roster workbook ("Danh mục đơn vị") into plain rows."""

from __future__ import annotations

from pathlib import Path

import python_calamine as calamine

from pipeline import forms
from pipeline.issues import Code, Issue
from pipeline.normalize import clean_text, comparison_key, parse_count

SCAN_ROWS = 15


def read_roster(path: Path) -> tuple[list[dict], list[Issue]]:
    """One dict per filled row (column key -> value, and _row); no file means no roster."""
    if not path.exists():
        return [], []
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        cells = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    except Exception:  # a damaged roster: say so, and work without it
        return [], [Issue(file=path.name, code=Code.FILE_UNREADABLE, detail="danh mục đơn vị")]
    wanted = {comparison_key(c.header): c.key for c in forms.ROSTER_COLUMNS}
    for r in range(min(SCAN_ROWS, len(cells))):
        found = {wanted[k]: i for i, v in enumerate(cells[r]) if (k := comparison_key(v)) in wanted}
        if {"code", "name"} <= found.keys():
            return _rows(cells, r, found), []
    return [], [Issue(file=path.name, code=Code.FILE_TEMPLATE_CHANGED, detail=forms.ROSTER_SHEET)]


def _rows(cells: list[list], header: int, columns: dict[str, int]) -> list[dict]:
    rows = []
    for index in range(header + 1, len(cells)):
        row = cells[index]
        values = {key: row[col] if col < len(row) else "" for key, col in columns.items()}
        if not any(clean_text(v) for v in values.values()):
            continue
        values["quota"] = parse_count(values["quota"]) if clean_text(values.get("quota")) else None
        values["_row"] = index + 1
        rows.append(values)
    return rows
