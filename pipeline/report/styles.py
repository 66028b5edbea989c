"""The official look shared by every workbook we write: fonts, borders, safe text, print setup.

Each helper fills an openpyxl worksheet or a sheet.Sheet (saved by XlsxWriter) alike.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from copy import copy

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.report.sheet import Look, PrintSetup, Sheet

FONT_NAME = "Times New Roman"
BODY_SIZE = 12
TITLE_SIZE = 14
LINE_HEIGHT = 16.5  # points per wrapped line of 12 pt Times New Roman, with leading
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
_NO_BORDER = Border()

# Nghị định 30/2020/NĐ-CP, phụ lục I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MM_PER_INCH = 25.4
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15, "header": 8, "footer": 8}
MAX_CELL_TEXT = 32_767  # Excel keeps no more in one cell
MAX_ROW_HEIGHT = 408.75  # points: Excel's tallest row, in whole pixels
SHOWN_FOR_CONTROL = "\ufffd"  # a control character a unit's file held, made visible


def safe_text(value: object) -> object:
    """Text any workbook can hold: control characters (Excel's _x0002_) shown as �, a file
    name's undecodable bytes replaced, and no more than a cell keeps."""
    if not isinstance(value, str):
        return value
    if value.isprintable() and len(value) <= MAX_CELL_TEXT:
        return value  # most text: no control character, no surrogate (neither is printable)
    text = ILLEGAL_CHARACTERS_RE.sub(SHOWN_FOR_CONTROL, value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: a file name's bytes that were not UTF-8
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


@functools.cache
def font(*, bold: bool = False, italic: bool = False, size: int = BODY_SIZE) -> Font:
    """One Font per look, shared by every cell that has it (openpyxl copies none of them)."""
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


@functools.cache
def _alignment(align: str, wrap: bool) -> Alignment:
    return Alignment(horizontal=align, vertical="center", wrap_text=wrap)


def put(
    ws: Worksheet | Sheet,
    row: int,
    col: int,
    value: object,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = BODY_SIZE,
    align: str = "left",
    border: bool = False,
    wrap: bool = True,
):
    """Write one cell. Text is always text: a unit's "=…" never becomes a formula."""
    value = safe_text(value)
    if isinstance(ws, Sheet):
        ws.set_cell(row, col, value, _look(bold, italic, size, align, border, wrap))
        return None
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    # openpyxl hashes a Font and an Alignment each time one is assigned (most of the time of
    # writing an annex): a look is styled once per workbook, then a fresh cell copies its
    # style ids, as openpyxl's own worksheet copier does. A cell styled before keeps its own.
    looks = ws.parent.__dict__.setdefault("_dvk_looks", {})
    look = (bold, italic, size, align, border, wrap)
    if look in looks and not cell.has_style:
        cell._style = copy(looks[look])
        return cell
    cell.font = font(bold=bold, italic=italic, size=size)
    cell.alignment = _alignment(align, wrap)
    # A cell written again takes the new look whole, border or none, as a Sheet's does.
    cell.border = BOX if border else _NO_BORDER
    looks.setdefault(look, copy(cell._style))
    return cell


def put_row(
    ws: Worksheet | Sheet,
    row: int,
    values: Sequence[object],
    aligns: Sequence[str],
    *,
    bold: bool = False,
    border: bool = False,
) -> None:
    """put() each value of a row from column 1, each aligned as `aligns` says: a table's body,
    where a province has half a million cells."""
    if not isinstance(ws, Sheet):
        for col, (value, align) in enumerate(zip(values, aligns, strict=True), start=1):
            put(ws, row, col, value, bold=bold, border=border, align=align)
        return
    looks = _row_looks(bold, border, tuple(aligns))
    if len(values) != len(looks):
        raise ValueError(f"row {row}: {len(values)} values for {len(looks)} alignments")
    # safe_text's usual case inline, without a call per cell
    ws.set_row(
        row,
        tuple(
            value
            if type(value) is str and value.isprintable() and len(value) <= MAX_CELL_TEXT
            else safe_text(value)
            for value in values
        ),
        looks,
    )


@functools.cache
def _row_looks(bold: bool, border: bool, aligns: tuple[str, ...]) -> tuple[Look, ...]:
    return tuple(_look(bold, False, BODY_SIZE, align, border, True) for align in aligns)


@functools.cache
def _look(bold: bool, italic: bool, size: int, align: str, border: bool, wrap: bool) -> Look:
    return Look(FONT_NAME, size, bold, italic, align, border, wrap)


def plain(ws: Worksheet | Sheet, row: int, col: int, value: object) -> None:
    """Write one cell with no style at all (a hidden sheet's data)."""
    if isinstance(ws, Sheet):
        ws.set_cell(row, col, value, None)
    else:
        ws.cell(row, col, value)


def merge(ws, row: int, first_col: int, last_col: int, last_row: int | None = None):
    if isinstance(ws, Sheet):
        if last_col > first_col or (last_row or row) > row:
            ws.merges.append((row, first_col, last_row or row, last_col))
    elif last_col > first_col or (last_row or row) > row:
        ws.merge_cells(
            start_row=row, start_column=first_col, end_row=last_row or row, end_column=last_col
        )


def box_range(ws: Worksheet, first_row: int, last_row: int, first_col: int, last_col: int):
    """Borders on every cell of a block, merged cells included (Excel draws each cell's own)."""
    if isinstance(ws, Sheet):
        blank = ("", Look(FONT_NAME, BODY_SIZE, False, False, "left", True, True))
        for row in range(first_row, last_row + 1):
            for col in range(first_col, last_col + 1):
                value, look = ws.cell(row, col) or blank
                ws.set_cell(row, col, value, (look or blank[1])._replace(border=True))
        return
    for row in ws.iter_rows(
        min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col
    ):
        for cell in row:
            cell.border = BOX


def wrapped_height(
    texts_and_widths: Iterable[tuple[object, float]], size: int = BODY_SIZE
) -> float:
    """A row height that shows every wrapped line, since Excel does not re-fit rows on open.
    Each value (text, or what str() makes of it) with its column's width: a table row gives
    `zip(values, widths)`."""
    lines = 1
    for value, width in texts_and_widths:
        text = value if type(value) is str else str(value)
        lines = max(lines, _lines(text, _per_line(width, size)))
    return _height(lines, size)


def row_heights(widths: Sequence[float], size: int = BODY_SIZE) -> Callable[[Sequence], float]:
    """wrapped_height for the rows of one table, whose columns are `widths` wide: each
    column's line length is worked out once, not once per cell (a province's annex has
    50,000 rows)."""
    per_line = [_per_line(width, size) for width in widths]
    one_line = _height(1, size)

    def height(values: Sequence) -> float:
        lines = 1
        for value, room in zip(values, per_line, strict=True):
            text = value if type(value) is str else str(value)
            if len(text) > room or "\n" in text:
                lines = max(lines, _lines(text, room))
        return one_line if lines == 1 else _height(lines, size)

    return height


def _per_line(width: float, size: int) -> float:
    # A width unit is about one digit; 12 pt Times New Roman fits ~1.2 characters per unit.
    return max(1.0, (width - 1) * 1.2 * BODY_SIZE / size)


def _lines(text: str, per_line: float) -> int:
    if len(text) <= per_line and "\n" not in text:
        return 1  # one line, as most cells are
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _height(lines: int, size: int) -> float:
    return whole_pixels(min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT * size / BODY_SIZE + 4))


PIXEL = 0.75  # points: Excel keeps a row's height in whole pixels (XlsxWriter rounds to them)


def whole_pixels(height: float) -> float:
    """A height Excel keeps as it is, rounded up so that no wrapped line is cut."""
    return math.ceil(round(height / PIXEL, 6)) * PIXEL


def set_width(ws: Worksheet | Sheet, col: int, width: float) -> None:
    if isinstance(ws, Sheet):
        ws.widths[col] = width
    else:
        ws.column_dimensions[get_column_letter(col)].width = width


def set_height(ws: Worksheet | Sheet, row: int, height: float) -> None:
    if isinstance(ws, Sheet):
        ws.heights[row] = height
    else:
        ws.row_dimensions[row].height = height


def freeze(ws: Worksheet | Sheet, row: int, col: int = 1) -> None:
    """Rows above `row` (and columns left of `col`) stay in view while the rest scrolls."""
    if isinstance(ws, Sheet):
        ws.freeze = (row, col)
    else:
        ws.freeze_panes = ws.cell(row, col)


def add_filter(ws: Worksheet | Sheet, ref: str) -> None:
    if isinstance(ws, Sheet):
        ws.filter = ref
    else:
        ws.auto_filter.ref = ref


FOOTER = "Trang &P/&N"
FOOTER_SIZE = 11


def set_print_setup(
    ws: Worksheet | Sheet, title_rows: str | None, *, landscape: bool = True
) -> None:
    """A4, official margins, every column on one page width, header rows on every page."""
    if isinstance(ws, Sheet):
        inches = {side: round(mm / MM_PER_INCH, 3) for side, mm in MARGINS_MM.items()}
        footer = f'&C&"{FONT_NAME},Regular"&{FOOTER_SIZE}{FOOTER}'
        ws.print_setup = PrintSetup(title_rows, landscape, inches, footer)
        return
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for side, mm in MARGINS_MM.items():
        setattr(ws.page_margins, side, round(mm / MM_PER_INCH, 3))
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.font = f"{FONT_NAME},Regular"
    ws.oddFooter.center.size = FOOTER_SIZE
