"""Workbooks held as plain data, then saved by XlsxWriter: how the large annexes are written.

openpyxl builds an object per cell and hashes its styles; an annex of 50,000 models is
mostly that. Here a sheet is a dict of (value, look) per cell with its merges, sizes and
print setup, which styles.py's helpers fill as they fill an openpyxl sheet, and `Book.save`
hands it to XlsxWriter with one Format per look. Read back, both give the same workbook:
tests/test_golden.py dumps them alike.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

# Deflated quickly, as the returned forms are (report.marking): XlsxWriter leaves zipfile at
# zlib's default level and has no option for it, so the ZipFile it makes is given level 1.
# The province's Phụ lục 1 (31 MB of XML) is deflated in 0.21 s instead of 0.76 s here, and
# is a third larger (4.6 MB against 3.4 MB). tests/test_sheet.py checks that it still applies.
DEFLATE_LEVEL = 1
xlsxwriter.workbook.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=DEFLATE_LEVEL)


class Look(NamedTuple):
    """What a cell looks like: styles.put's keywords."""

    font: str
    size: int
    bold: bool
    italic: bool
    align: str
    border: bool
    wrap: bool


@dataclass(frozen=True)
class PrintSetup:
    """A4, fitted to one page wide, centred (styles.set_print_setup says which margins)."""

    title_rows: str | None  # "5:7": rows printed on every page
    landscape: bool
    margins: dict[str, float]  # inches: top, bottom, left, right, header, footer
    footer: str  # in Excel's header codes


@dataclass(frozen=True)
class Chart:
    """A bar chart of a block of its own sheet (1-based): categories in the block's first
    column, one series per further column, named by the block's first row."""

    vertical: bool  # columns standing up, or bars lying down
    title: str
    first_row: int
    last_row: int
    first_col: int
    last_col: int
    anchor: str  # the cell its top left corner sits on
    width_cm: float
    height_cm: float
    value_title: str = ""  # what the values count


@dataclass
class Sheet:
    """One worksheet's content, 1-based like openpyxl. A cell whose look is None is unstyled.

    A table's body is kept by the row (`rows`, from styles.put_row): a province's annex has
    700,000 cells, and a dict entry for each was most of laying one out. The rest is kept by
    the cell (`cells`, from set_cell). Either way the last write to a cell is the one kept."""

    title: str
    cells: dict[tuple[int, int], tuple[object, Look | None]] = field(default_factory=dict)
    # row -> its values from column 1 and their looks; a cell of `cells` is written over it.
    rows: dict[int, tuple[tuple, tuple[Look, ...]]] = field(default_factory=dict)
    cell_rows: set[int] = field(default_factory=set)  # the rows set_cell has written in
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows, cols
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    print_setup: PrintSetup | None = None
    freeze: tuple[int, int] | None = None  # the first cell that scrolls
    filter: str | None = None  # "A4:F20"
    hidden: bool = False
    protected: bool = False
    charts: list[Chart] = field(default_factory=list)

    def set_cell(self, row: int, col: int, value: object, look: Look | None) -> None:
        self.cells[row, col] = (value, look)
        self.cell_rows.add(row)

    def set_row(self, row: int, values: tuple, looks: tuple[Look, ...]) -> None:
        """A row's cells from column 1: kept whole unless a cell of it was written before."""
        if row in self.cell_rows or row in self.rows:
            self._row_to_cells(row)
            for col, (value, look) in enumerate(zip(values, looks, strict=True), start=1):
                self.cells[row, col] = (value, look)
        else:
            self.rows[row] = (values, looks)

    def _row_to_cells(self, row: int) -> None:
        values, looks = self.rows.pop(row, ((), ()))
        for col, content in enumerate(zip(values, looks, strict=True), start=1):
            self.cells.setdefault((row, col), content)  # a cell written later stays
        self.cell_rows.add(row)

    def cell(self, row: int, col: int) -> tuple[object, Look | None] | None:
        """What a cell holds, or None when nothing was written to it."""
        if (found := self.cells.get((row, col))) is not None:
            return found
        values, looks = self.rows.get(row, ((), ()))
        return (values[col - 1], looks[col - 1]) if col <= len(values) else None

    def items(self):
        """Every cell written, as ((row, col), (value, look)), by the row."""
        every = {
            (row, col): content
            for row, (values, looks) in self.rows.items()
            for col, content in enumerate(zip(values, looks, strict=True), start=1)
        }
        every |= self.cells
        return sorted(every.items(), key=_first)


class Book:
    """Sheets in order, the first one shown; `save` writes them with XlsxWriter."""

    def __init__(self, title: str = "Sheet"):
        self.sheets = [Sheet(title)]

    @property
    def active(self) -> Sheet:
        return self.sheets[0]

    def create_sheet(self, title: str) -> Sheet:
        self.sheets.append(Sheet(title))
        return self.sheets[-1]

    def save(self, path: Path) -> None:
        options = {
            # Text is text: a unit's "=…", "http://…" or "0123" stays as typed.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": False,  # merges and borders come back to earlier rows
        }
        with xlsxwriter.Workbook(str(path), options) as wb:
            formats = _Formats(wb)
            for sheet in self.sheets:
                ws = wb.add_worksheet(sheet.title, worksheet_class=worksheet_class(sheet))
                _write_sheet(ws, sheet, formats)
                for chart in sheet.charts:
                    ws.insert_chart(chart.anchor, _chart(wb, sheet.title, chart))


# Excel's units count digits of the default font (7 px) and a column keeps 5 px of padding.
# XlsxWriter adds the padding to the width it is given, openpyxl stores it as given: taking it
# off here makes both store, and print, the same width.
_PADDING = 5 / 7
DATE_FORMAT = "dd/mm/yyyy"


class _Formats:
    """One XlsxWriter Format per look, made the first time a cell has it."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.made: dict[tuple, object] = {}

    def __call__(self, look: Look | None, number_format: str = ""):
        key = (look, number_format)
        if key not in self.made:
            props = {"num_format": number_format} if number_format else {}
            if look is not None:
                props |= {
                    "font_name": look.font,
                    "font_size": look.size,
                    "bold": look.bold,
                    "italic": look.italic,
                    "align": look.align,
                    "valign": "vcenter",
                    "text_wrap": look.wrap,
                    "border": 1 if look.border else 0,
                }
            self.made[key] = self.wb.add_format(props) if props else None
        return self.made[key]


def _write_sheet(ws, sheet: Sheet, formats: _Formats) -> None:
    for col, width in sheet.widths.items():
        ws.set_column(col - 1, col - 1, max(0.0, width - _PADDING))
    for row, height in sheet.heights.items():
        ws.set_row(row - 1, height)
    for first_row, first_col, last_row, last_col in sheet.merges:
        value, look = sheet.cell(first_row, first_col) or ("", None)
        ws.merge_range(first_row - 1, first_col - 1, last_row - 1, last_col - 1, "", formats(look))
    if isinstance(ws, _RowsWorksheet):
        ws.rows_xml = _rows_xml(ws, sheet, formats)
    else:
        for (row, col), (value, look) in sheet.items():
            _write_cell(ws, row - 1, col - 1, value, look, formats)
    _write_print_setup(ws, sheet)
    if sheet.freeze:
        ws.freeze_panes(sheet.freeze[0] - 1, sheet.freeze[1] - 1)
    if sheet.filter:
        ws.autofilter(sheet.filter)
    if sheet.protected:
        ws.protect()
    if sheet.hidden:
        ws.hide()


def _write_cell(ws, row: int, col: int, value, look: Look | None, formats: _Formats) -> None:
    # Each type by its own method: XlsxWriter's write() would guess from the text.
    if isinstance(value, str):
        if value:
            ws.write_string(row, col, value, formats(look))
        else:
            ws.write_blank(row, col, None, formats(look))
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, formats(look))
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, formats(look))
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, formats(look, DATE_FORMAT))
    elif value is None:
        ws.write_blank(row, col, None, formats(look))
    else:
        ws.write_string(row, col, str(value), formats(look))


def worksheet_class(sheet: Sheet) -> type[Worksheet]:
    """XlsxWriter's own worksheet for a sheet with charts, which cache the values they show
    from its cell table; the quicker one otherwise."""
    return Worksheet if sheet.charts else _RowsWorksheet


class _RowsWorksheet(Worksheet):
    """XlsxWriter's worksheet, whose rows of cells are given as their XML, made in one pass.

    XlsxWriter keeps a tuple per cell and writes each through a chain of calls: for the
    province's Phụ lục 1 (700,000 cells) that is most of its saving. Everything else (styles,
    shared strings, merges, sizes, print setup, protection) is still XlsxWriter's own."""

    def __init__(self):
        super().__init__()
        self.rows_xml: dict[int, str] = {}  # 0-based row: its <c> elements

    def _write_rows(self) -> None:
        for row in sorted(self.rows_xml.keys() | self.row_info.keys()):
            info = self.row_info.get(row)
            if cells := self.rows_xml.get(row):
                self._write_row(row, None, info)
                self.fh.write(cells)
                self._xml_end_tag("row")
            else:
                self._write_empty_row(row, None, info)


def _rows_xml(ws: _RowsWorksheet, sheet: Sheet, formats: _Formats) -> dict[int, str]:
    """Each row's cells as XlsxWriter writes them, with what merge_range leaves: every cell of
    a merged range not given a value is blank in the look of the range's first cell."""
    # XlsxWriter writes no blank cell without a look, and one written later keeps no earlier.
    by_row: dict[int, list] = defaultdict(list)  # rows not kept whole: (col, value, look)
    for (row, col), (value, look) in sheet.cells.items():
        if look is not None or (value is not None and value != ""):
            by_row[row].append((col, value, look))
    blanks: dict[tuple[int, int], Look | None] = {}
    for first_row, first_col, last_row, last_col in sheet.merges:
        look = (sheet.cell(first_row, first_col) or ("", None))[1]
        for row in range(first_row, last_row + 1):
            blanks.update(((row, col), look) for col in range(first_col, last_col + 1))
    for (row, col), look in blanks.items():
        if look is not None and _unwritten(sheet.cell(row, col)):
            by_row[row].append((col, "", look))
    whole = {}
    over = {row for row, _ in sheet.cells} | by_row.keys()
    for row, (values, looks) in sheet.rows.items():
        if row in over:  # a cell written over it, or a merge across it: cell by cell
            written = {col for col, _, _ in by_row[row]}
            by_row[row] += [
                (col, value, look)
                for col, (value, look) in enumerate(zip(values, looks, strict=True), start=1)
                if col not in written and (row, col) not in sheet.cells
            ]
        elif values:
            whole[row] = (values, looks)
    by_row = {row: items for row, items in by_row.items() if items}  # a row wholly erased
    if not by_row and not whole:
        return {}
    columns = {col for items in by_row.values() for col, _, _ in items}
    columns.update(range(1, max((len(v) for v, _ in whole.values()), default=0) + 1))
    # The extent XlsxWriter records, from the cells it writes.
    every_row = by_row.keys() | whole.keys()
    for row, col in ((min(every_row), min(columns)), (max(every_row), max(columns))):
        if ws._check_dimensions(row - 1, col - 1):
            raise ValueError(f"ô ngoài giới hạn của Excel: {cell_name(row, col)}")
    cell = _CellXml(ws, formats, {col: xl_col_to_name(col - 1) for col in columns})
    found = {}
    for row in sorted(every_row):  # in order, as XlsxWriter numbers the shared strings
        if row in whole:
            found[row - 1] = cell.whole_row(row, *whole[row])
        else:
            found[row - 1] = cell.row(row, sorted(by_row[row], key=_first))
    return found


class _CellXml:
    """Cells as XlsxWriter writes them, each look's style attribute worked out once."""

    def __init__(self, ws: _RowsWorksheet, formats: _Formats, letters: dict[int, str]):
        self.ws, self.formats, self.letters = ws, formats, letters
        self.string_index = ws.str_table._get_shared_string_index
        # By the look's identity: a look is one shared object per kind of cell (styles._look),
        # and hashing its eight fields for each of 700,000 cells was a fifth of the time.
        # Every look keyed here is held by the sheet until the end, so no id is reused.
        self.styles: dict[int, str] = {}
        # A row's looks are one tuple per kind of row (styles._row_looks): its cells' letters
        # and style attributes, by that tuple's identity.
        self.heads: dict[int, list[tuple[str, str]]] = {}

    def style(self, look: Look | None) -> str:
        if (shown := self.styles.get(id(look))) is None:
            shown = self.styles[id(look)] = _style(self.formats(look))
        return shown

    def row(self, row: int, items: list[tuple]) -> str:
        at = str(row)
        return "".join(
            self.one(f"{self.letters[col]}{at}", value, look) for col, value, look in items
        )

    def whole_row(self, row: int, values: tuple, looks: tuple[Look, ...]) -> str:
        if (heads := self.heads.get(id(looks))) is None:
            letters = self.letters
            heads = self.heads[id(looks)] = [
                (letters[col], self.style(look)) for col, look in enumerate(looks, start=1)
            ]
        at = str(row)
        string_index = self.string_index
        longest = MAX_CELL_UNITS // 2
        parts = []
        for (letter, shown), value, look in zip(heads, values, looks, strict=True):
            kind = type(value)
            if kind is str and value:
                index = string_index(value if len(value) <= longest else _cell_text(value))
                parts.append(f'<c r="{letter}{at}"{shown} t="s"><v>{index}</v></c>')
            elif kind is int:
                parts.append(f'<c r="{letter}{at}"{shown}><v>{value:.16G}</v></c>')
            elif value is None or kind is str:
                parts.append(f'<c r="{letter}{at}"{shown}/>')
            else:  # a float, a date, a flag
                parts.append(self.one(f"{letter}{at}", value, look))
        return "".join(parts)

    def one(self, ref: str, value, look: Look | None) -> str:
        kind = type(value)
        if kind is str and value:
            index = self.string_index(_cell_text(value))
            return f'<c r="{ref}"{self.style(look)} t="s"><v>{index}</v></c>'
        if kind is int or kind is float:
            if not math.isfinite(value):
                raise TypeError("NAN/INF not supported in write_number()")
            return f'<c r="{ref}"{self.style(look)}><v>{value:.16G}</v></c>'
        if value is None or kind is str:
            return f'<c r="{ref}"{self.style(look)}/>'
        return _other_cell(self.ws, ref, value, look, self.formats, self.string_index)


def _other_cell(ws, ref: str, value, look: Look | None, formats: _Formats, string_index) -> str:
    """A cell of any other type, as `_write_cell` gives it to XlsxWriter."""
    if isinstance(value, bool):
        return f'<c r="{ref}"{_style(formats(look))} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise TypeError("NAN/INF not supported in write_number()")
        return f'<c r="{ref}"{_style(formats(look))}><v>{value:.16G}</v></c>'
    if isinstance(value, dt.date):
        serial = ws._convert_date_time(value)
        return f'<c r="{ref}"{_style(formats(look, DATE_FORMAT))}><v>{serial:.16G}</v></c>'
    index = string_index(_cell_text(str(value)))
    return f'<c r="{ref}"{_style(formats(look))} t="s"><v>{index}</v></c>'


def _style(made) -> str:
    return f' s="{made._get_xf_index()}"' if made is not None else ""


def _unwritten(cell: tuple[object, Look | None] | None) -> bool:
    return cell is None or (cell[1] is None and (cell[0] is None or cell[0] == ""))


def _first(item: tuple) -> int:
    return item[0]


def _cell_text(text: str) -> str:
    """No more than a cell holds: 32,767 UTF-16 units, as XlsxWriter's write_string cuts."""
    if len(text) <= MAX_CELL_UNITS // 2:
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * MAX_CELL_UNITS:
        return text
    return units[: 2 * MAX_CELL_UNITS].decode("utf-16-le", "ignore")


MAX_CELL_UNITS = 32_767
CM_PER_INCH, PX_PER_INCH = 2.54, 96


def _chart(wb: xlsxwriter.Workbook, sheet: str, spec: Chart):
    chart = wb.add_chart({"type": "column" if spec.vertical else "bar"})
    top, bottom, first = spec.first_row - 1, spec.last_row - 1, spec.first_col - 1
    for col in range(first + 1, spec.last_col):
        chart.add_series(
            {
                "name": [sheet, top, col],
                "categories": [sheet, top + 1, first, bottom, first],
                "values": [sheet, top + 1, col, bottom, col],
            }
        )
    chart.set_title({"name": spec.title})
    if spec.value_title:
        # A bar chart lies down: its values run along the x axis.
        (chart.set_y_axis if spec.vertical else chart.set_x_axis)({"name": spec.value_title})
    px = PX_PER_INCH / CM_PER_INCH
    chart.set_size({"width": round(spec.width_cm * px), "height": round(spec.height_cm * px)})
    return chart


def _write_print_setup(ws, sheet: Sheet) -> None:
    setup = sheet.print_setup
    if setup is None:
        return
    inches = setup.margins
    ws.set_paper(9)  # A4
    ws.set_landscape() if setup.landscape else ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(
        left=inches["left"], right=inches["right"], top=inches["top"], bottom=inches["bottom"]
    )
    ws.set_header("", {"margin": inches["header"]})
    ws.set_footer(setup.footer, {"margin": inches["footer"]})
    ws.center_horizontally()
    if setup.title_rows:
        first, last = (int(n) for n in setup.title_rows.replace("$", "").split(":"))
        ws.repeat_rows(first - 1, last - 1)


def cell_name(row: int, col: int) -> str:
    """ "A5" for row 5, column 1."""
    return xl_rowcol_to_cell(row - 1, col - 1)
