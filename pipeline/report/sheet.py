"""Workbooks held as plain data, then saved by XlsxWriter: how the large annexes are written.

openpyxl builds an object per cell and hashes its styles; an annex of 50,000 models is
mostly that. Here a sheet is a dict of (value, look) per cell with its merges, sizes and
print setup, which styles.py's helpers fill as they fill an openpyxl sheet, and `Book.save`
hands it to XlsxWriter with one Format per look. Read back, both give the same workbook:
tests/test_golden.py dumps them alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell


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
                ws = wb.add_worksheet(sheet.title)
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
