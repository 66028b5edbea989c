"""Which cells of an .xlsx/.xlsm hold a formula: calamine gives only their cached values."""

from __future__ import annotations

import html
import io
import re
import zipfile
from posixpath import join, normpath

from pipeline.ingest.xml_scan import formula_positions, has_formula

_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


def formula_cells(
    data: bytes, sheets: set[str], free: frozenset[str] = frozenset()
) -> dict[str, set[tuple[int, int]]]:
    """Sheet name -> {(row, column)}, 0-based, of the cells with a formula in those sheets.
    `free`: the parts already known to hold no formula (Arrival.formula_free), not unpacked."""
    if not sheets or not data.startswith(b"PK"):
        return {}
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets |= {rid: target for target, rid in _REL_REVERSED.findall(rels)}
    found = {}
    for name, rid in _SHEET.findall(workbook):
        if _unescape(name.decode("utf-8")) not in sheets:
            continue  # decompressing a sheet costs as much as reading it
        target = targets.get(rid, b"").decode()
        path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        if path in free:
            continue
        try:
            xml = book.read(path)
        except KeyError:
            continue
        if not has_formula(xml):
            continue  # most forms have no formula: skip the slower scan
        cells = formula_positions(xml)  # one pass over the tags: linear, whatever the cells hold
        if cells:
            found[_unescape(name.decode("utf-8"))] = cells
    return found


def _unescape(text: str) -> str:
    # Named entities and character references alike: lxml 6.1 writes "Đ" as "&#272;".
    return html.unescape(text)
