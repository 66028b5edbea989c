"""A normalized, JSON-ready dump of a workbook: what a reader sees and prints, never raw bytes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter


def dump_workbook(path: Path) -> dict:
    wb = load_workbook(path)
    dump = {ws.title: _dump_sheet(ws) for ws in wb.worksheets}
    locked = bool(wb.security and wb.security.lockStructure)
    names = {name: d.attr_text for name, d in sorted(wb.defined_names.items())}
    return dump | {
        "(workbook)": {"structure_locked": locked, "sheets": wb.sheetnames, "names": names}
    }


def _dump_sheet(ws) -> dict:
    """A sheet's layout; its most common cell style is stated once, as "default_style", and
    a cell of that style is dumped as its value alone (any other style, in full)."""
    cells = {}
    bordered = unlocked = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.border.left is not None and cell.border.left.style:
                bordered += 1
            if not cell.protection.locked:
                unlocked += 1
            marked = cell.comment is not None or cell.fill.fill_type == "solid"
            if cell.value is None and not marked:
                continue
            cells[cell.coordinate] = _dump_cell(cell)
    setup = ws.page_setup
    margins = ws.page_margins
    styles = Counter(tuple(dumped[1:]) for dumped in cells.values())
    default = list(styles.most_common(1)[0][0]) if styles else []
    return {
        "state": ws.sheet_state,
        "default_style": default,
        "cells": {k: d[0] if d[1:] == default else d for k, d in cells.items()},
        "merges": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": _widths(ws),
        "hidden_columns": sorted(k for k, v in ws.column_dimensions.items() if v.hidden),
        "heights": {str(k): v.height for k, v in sorted(ws.row_dimensions.items()) if v.height},
        "bordered_cells": bordered,
        "unlocked_cells": unlocked,
        "print": None
        if ws.sheet_state != "visible"  # never printed; libraries differ in their defaults
        else {
            "orientation": setup.orientation,
            "paper": setup.paperSize,
            "fit_to_width": 1 if setup.fitToWidth is None else setup.fitToWidth,  # the default
            "fit_to_height": setup.fitToHeight,
            "fit_to_page": ws.sheet_properties.pageSetUpPr.fitToPage
            if ws.sheet_properties.pageSetUpPr
            else None,
            "margins": [margins.top, margins.bottom, margins.left, margins.right],
            "title_rows": ws.print_title_rows,
            "footer": ws.oddFooter.center.text,
        },
        "freeze": ws.freeze_panes,
        "protected": bool(ws.protection.sheet),
        "validations": sorted(
            [str(v.sqref), v.type, v.formula1 or "", v.formula2 or ""]
            for v in ws.data_validations.dataValidation
        ),
    }


DIGIT = 7  # pixels: Excel draws a column in whole pixels, a width unit being one digit


def _widths(ws) -> dict[str, float]:
    """Each column's width, by letter, in the whole pixels Excel draws (XlsxWriter rounds to
    them, openpyxl does not) and one entry per column (XlsxWriter stores neighbours of one
    width as one range)."""
    widths = {}
    for key, dim in ws.column_dimensions.items():
        first, last = (dim.min, dim.max) if dim.min and dim.max else (None, None)
        letters = [get_column_letter(i) for i in range(first, last + 1)] if first else [key]
        widths |= {letter: round(round(dim.width * DIGIT) / DIGIT, 2) for letter in letters}
    return dict(sorted(widths.items(), key=lambda kv: (len(kv[0]), kv[0])))


def _dump_cell(cell) -> list:
    font = cell.font
    style = "".join(
        flag
        for flag, on in (("b", font.bold), ("i", font.italic), ("w", cell.alignment.wrap_text))
        if on
    )
    value = cell.value
    if not isinstance(value, str | int | float | bool):
        value = str(value)
    font_text = f"{font.name} {font.sz:g} {style}"
    dumped = [value, cell.data_type, font_text, cell.alignment.horizontal, _border(cell)]
    if cell.fill.fill_type == "solid":
        dumped.append(f"fill {cell.fill.fgColor.rgb}")
    if cell.comment is not None:
        dumped.append(f"comment {cell.comment.text}")
    return dumped


def _border(cell) -> str:
    """The four sides' styles, left top right bottom, e.g. "thin thin thin thin"."""
    sides = (cell.border.left, cell.border.top, cell.border.right, cell.border.bottom)
    return " ".join((side.style if side is not None and side.style else "-") for side in sides)
