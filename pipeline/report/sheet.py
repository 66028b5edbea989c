"""Workbooks held as plain data, then saved by XlsxWriter: how the large annexes are written.

openpyxl builds an object per cell and hashes its styles; an annex of 50,000 models is
mostly that. Here a sheet is a dict of (value, look) per cell with its merges, sizes and
print setup, which styles.py's helpers fill as they fill an openpyxl sheet, and `Book.save`
hands it to XlsxWriter with one Format per look. Read back, both give the same workbook:
tests/test_golden.py dumps them alike.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet


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
    """One worksheet's content, 1-based like openpyxl. A cell whose look is None is unstyled."""

    title: str
    cells: dict[tuple[int, int], tuple[object, Look | None]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows, cols
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    print_setup: PrintSetup | None = None
    freeze: tuple[int, int] | None = None  # the first cell that scrolls
    filter: str | None = None  # "A4:F20"
    hidden: bool = False
    protected: bool = False
    charts: list[Chart] = field(default_factory=list)


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
        value, look = sheet.cells.get((first_row, first_col), ("", None))
        ws.merge_range(first_row - 1, first_col - 1, last_row - 1, last_col - 1, "", formats(look))
    if isinstance(ws, _RowsWorksheet):
        ws.rows_xml = _rows_xml(ws, sheet, formats)
    else:
        for (row, col), (value, look) in sheet.cells.items():
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
    cells = sheet.cells
    by_row: dict[int, list] = defaultdict(list)
    for (row, col), (value, look) in cells.items():
        if look is not None or (value is not None and value != ""):
            by_row[row].append((col, value, look))
    blanks: dict[tuple[int, int], Look | None] = {}
    for first_row, first_col, last_row, last_col in sheet.merges:
        look = cells.get((first_row, first_col), ("", None))[1]
        for row in range(first_row, last_row + 1):
            blanks.update(((row, col), look) for col in range(first_col, last_col + 1))
    for (row, col), look in blanks.items():
        if look is not None and _unwritten(cells.get((row, col), ("", None))):
            by_row[row].append((col, "", look))
    if not by_row:
        return {}
    columns = {col for items in by_row.values() for col, _, _ in items}
    # The extent XlsxWriter records, from the cells it writes.
    for row, col in ((min(by_row), min(columns)), (max(by_row), max(columns))):
        if ws._check_dimensions(row - 1, col - 1):
            raise ValueError(f"ô ngoài giới hạn của Excel: {cell_name(row, col)}")
    letters = {col: xl_col_to_name(col - 1) for col in columns}
    string_index = ws.str_table._get_shared_string_index
    # By the look's identity: a look is one shared object per kind of cell (styles._look), and
    # hashing its eight fields for each of 700,000 cells was a fifth of this function's time.
    # Every look keyed here is held by `cells` until the end, so no id is reused meanwhile.
    styles: dict[int, str] = {}
    longest = MAX_CELL_UNITS // 2
    found: dict[int, str] = {}
    for row, items in by_row.items():
        items.sort(key=_first)
        parts = []
        at = str(row)
        for col, value, look in items:
            if (shown := styles.get(id(look))) is None:
                shown = styles[id(look)] = _style(formats(look))
            kind = type(value)
            if kind is str and value:
                index = string_index(value if len(value) <= longest else _cell_text(value))
                parts.append(f'<c r="{letters[col]}{at}"{shown} t="s"><v>{index}</v></c>')
            elif kind is int or kind is float:
                if not math.isfinite(value):
                    raise TypeError("NAN/INF not supported in write_number()")
                parts.append(f'<c r="{letters[col]}{at}"{shown}><v>{value:.16G}</v></c>')
            elif value is None or kind is str:
                parts.append(f'<c r="{letters[col]}{at}"{shown}/>')
            else:
                ref = f"{letters[col]}{at}"
                parts.append(_other_cell(ws, ref, value, look, formats, string_index))
        found[row - 1] = "".join(parts)
    return found


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


def _unwritten(cell: tuple[object, Look | None]) -> bool:
    return cell[1] is None and (cell[0] is None or cell[0] == "")


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
