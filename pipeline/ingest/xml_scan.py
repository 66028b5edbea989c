"""What a workbook's XML really holds, read once in a linear streaming pass (expat).

Readers allocate a sheet by the addresses its cells claim: one cell at XFD1048576 is a grid of
17 billion. These scans count what is there before any reader sees it, stop as soon as a bound
is passed, and never backtrack, so a hostile file costs time in proportion to its size only.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import IO
from xml.parsers import expat

CHUNK = 1 << 16


class TooLarge(Exception):
    "A scan passed its bound: the part is refused without reading the rest"

    def __init__(self, area: int):
        super().__init__(area)
        self.area = area  # the grid found so far: at least this many cells


@dataclass
class SheetScan:
    cells: int = 0  # cells with content
    rows: int = 0  # the last row a cell claims (1-based)
    columns: int = 0  # the last column a cell claims (1-based)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, column)

    @property
    def area(self) -> int:
        """The grid a reader allocates for this sheet."""
        return self.rows * self.columns


def scan_worksheet(stream: IO[bytes], max_area: int) -> SheetScan:
    """One .xlsx worksheet part: its extent, its cells, and where its formulas are."""
    scan = SheetScan()
    state = {"row": 0, "col": 0, "in_cell": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "row":
            state["row"] = int(attrs.get("r") or state["row"] + 1)
            state["col"] = 0
        elif local == "c":
            row, col = _address(attrs.get("r"), state["row"], state["col"] + 1)
            state["row"], state["col"], state["in_cell"] = row, col, True
            scan.cells += 1
            scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, col)
            if scan.area > max_area:
                raise TooLarge(scan.area)
        elif local == "f" and state["in_cell"]:
            scan.formulas.add((state["row"] - 1, state["col"] - 1))

    def end(name: str) -> None:
        if name.rsplit(" ", 1)[-1] == "c":
            state["in_cell"] = False

    _parse(stream, start, end)
    return scan


def scan_ods(stream: IO[bytes], max_area: int) -> list[SheetScan]:
    """An .ods content.xml: per table, the cells with content once rows and columns repeated
    (table:number-rows-repeated, -columns-repeated) are expanded, and their extent."""
    tables: list[SheetScan] = []
    state = {"row": 0, "rows_rep": 1, "col": 0, "cols_rep": 1, "filled": False, "cells": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "table":
            tables.append(SheetScan())
            state["row"] = 0
        elif local == "table-row" and tables:
            state["rows_rep"] = _repeat(attrs, "number-rows-repeated")
            state["col"], state["cells"] = 0, 0
        elif local in ("table-cell", "covered-table-cell") and tables:
            state["cols_rep"] = _repeat(attrs, "number-columns-repeated")
            state["filled"] = any(k.endswith("value-type") for k in attrs)
        elif local == "p" and tables:
            state["filled"] = True

    def end(name: str) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local in ("table-cell", "covered-table-cell") and tables:
            state["col"] += state["cols_rep"]
            if state["filled"]:
                state["cells"] += state["cols_rep"]
                tables[-1].columns = max(tables[-1].columns, state["col"])
            state["filled"] = False
        elif local == "table-row" and tables:
            scan = tables[-1]
            state["row"] += state["rows_rep"]
            if state["cells"]:
                scan.cells += state["cells"] * state["rows_rep"]
                scan.rows = state["row"]
                if scan.area > max_area or scan.cells > max_area:
                    raise TooLarge(max(scan.area, scan.cells))

    _parse(stream, start, end)
    return tables


def _parse(stream: IO[bytes], start, end) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    while block := stream.read(CHUNK):
        parser.Parse(block, False)
    parser.Parse(b"", True)


def _address(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """(row, column), 1-based, of "XFD1048576"; without a reference, the next cell."""
    if not ref:
        return max(row, 1), col
    letters = 0
    column = 0
    for char in ref:
        if "A" <= char.upper() <= "Z":  # calamine reads "z6000" as Z6000
            column = column * 26 + ord(char.upper()) - 64
            letters += 1
        else:
            break
    digits = ref[letters:]
    return (int(digits) if digits.isdigit() else max(row, 1)), (column or col)


def _repeat(attrs: dict[str, str], name: str) -> int:
    for key, value in attrs.items():
        if key.endswith(name):
            return int(value) if value.isdigit() else 1
    return 1


# Every tag is matched from its "<" to its ">" and no further: linear in the size of the part.
# Excel, LibreOffice and openpyxl all write a cell as <c r="B7" …>: its address comes first.
_CELL_START = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")  # every cell's tag, prefixed or not
# calamine reads a lower-case column too ("z6000"): so do these.
_ROW_OF_CELL = re.compile(rb'<c r="[A-Za-z]{1,3}([0-9]{1,7})"')
_COLUMN_OF_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})')
_TOKEN = re.compile(rb"<(?:[\w.-]+:)?(c|f)\b([^>]*)>")
_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')


def worksheet_extent(xml: bytes, max_area: int) -> SheetScan:
    """The extent of a worksheet held in memory. When every cell starts with its address, the
    distinct rows and columns give it at C speed (about 1.5 ms for the template's sheets);
    any other part (cells without an address, prefixed tags) is streamed by expat."""
    addressed = xml.count(b'<c r="')
    if addressed != len(_CELL_START.findall(xml)):  # "<c\nr=", "<x:c …": expat reads them
        return scan_worksheet(io.BytesIO(xml), max_area)
    scan = SheetScan(cells=addressed)
    if addressed:
        rows = _ROW_OF_CELL.findall(xml)
        if len(rows) != addressed:  # an address these cannot read: expat reads them all
            return scan_worksheet(io.BytesIO(xml), max_area)
        scan.rows = max(map(int, set(rows)))
        scan.columns = max(map(_column, set(_COLUMN_OF_CELL.findall(xml))))
    if scan.area > max_area:
        raise TooLarge(scan.area)
    return scan


# A unit's form is 300 rows by 16 columns. When every cell starts with an address within Z999,
# that is the grid at most: two searches, instead of reading every cell's address.
_CELL_NOT_WITHIN_Z999 = re.compile(rb'<c[\s>/](?!r="[A-Z][0-9]{1,3}")')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
Z999 = 26 * 999


def worksheet_area_bound(xml: bytes, max_area: int) -> int:
    """At least the grid a reader allocates for this worksheet, and at most Z999's when its
    cells lie within it; otherwise the grid exactly (worksheet_extent)."""
    if (
        max_area >= Z999
        and not _CELL_NOT_WITHIN_Z999.search(xml)
        and not _PREFIXED_CELL.search(xml)
    ):
        return Z999 if b'<c r="' in xml else 0
    return worksheet_extent(xml, max_area).area


# Not <formula1> of a validation. Two searches, each from a literal, are 3x quicker than one
# for an optional prefix; ":f " in a cell's text only costs the slower scan that follows.
_FORMULA = re.compile(rb"<f[\s>/]")
_PREFIXED_FORMULA = re.compile(rb":f[\s>/]")


def has_formula(xml: bytes) -> bool:
    """Whether a worksheet part may hold a formula tag (most forms have none): never False
    for a part that has one."""
    return bool(_FORMULA.search(xml) or _PREFIXED_FORMULA.search(xml))


def formula_positions(xml: bytes) -> set[tuple[int, int]]:
    """0-based (row, column) of every cell holding a formula, in one pass over the tags."""
    found: set[tuple[int, int]] = set()
    current: tuple[int, int] | None = None
    for match in _TOKEN.finditer(xml):
        if match[1] == b"c":
            ref = _REF.search(b" " + match[2])
            current = (int(ref[2]) - 1, _column(ref[1]) - 1) if ref else None
            if match[2].endswith(b"/"):
                current = None  # <c r="A1"/>: an empty cell, nothing inside it
        elif current is not None:
            found.add(current)
    return found


def _column(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char & ~32) - 64  # upper case: "z" counts as "Z"
    return number
