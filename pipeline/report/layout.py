"""How the workbooks are laid out, declared once: columns by key, the annexes' specs, and the
blocks every official workbook shares (heading, signature, the hidden metadata sheet)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline import forms
from pipeline.config import Config
from pipeline.report.sheet import Book, Sheet
from pipeline.report.styles import (
    BODY_SIZE,
    add_filter,
    box_range,
    freeze,
    merge,
    plain,
    put,
    put_row,
    row_heights,
    set_height,
    set_print_setup,
    set_width,
    wrapped_height,
)

OFFICE_COLUMNS = 3  # the office's name, top left, spans this many columns
LABEL_COLUMNS = 3  # "Phụ lục 1", top right
SIGNATURE_COLUMNS = 6  # the place, date and signer, bottom right, as on paper


@dataclass(frozen=True)
class Column:
    """One column of a table: the key its rows are built by, its header and width (in Excel's
    units), how its cells align, and the heading it shares with its neighbours, if any."""

    key: str
    header: str
    width: float
    align: str = "left"
    group: str = ""  # a two-row header: "Chủ thể" over "Tập thể" and "Cá nhân"


NUMBER = Column("n", "STT", 6, "center")  # every list's first column


def cells(columns: Iterable[Column], values: Mapping[str, object]) -> list[object]:
    """A row built by key, in the columns' order; a key not given is an empty cell."""
    return [values.get(column.key, "") for column in columns]


@dataclass(frozen=True)
class AnnexSpec:
    """An annex of seed 004: its label, title, numbered columns and the notes under it."""

    label: str
    title: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...]

    @property
    def widths(self) -> list[float]:
        return [c.width for c in self.columns]

    def groups(self) -> list[tuple[str, list[Column]]]:
        """Each numbered heading and its columns: a column of its own, or a group of them."""
        runs = [list(run) for _, run in groupby(self.columns, key=lambda c: c.group or c.key)]
        return [(run[0].group or run[0].header, run) for run in runs]


def write_heading(
    ws, cfg: Config, last: int, title: str, label: str = "", title_height: float | None = None
) -> None:
    """Rows 1-3 of an official workbook: the office above it and the office, top left; the
    annex label, top right; the title across the table."""
    if cfg.parent_name:
        put(ws, 1, 1, cfg.parent_name, align="center", wrap=False)
        merge(ws, 1, 1, OFFICE_COLUMNS)
    put(ws, 2, 1, cfg.office_name, bold=True, align="center", wrap=False)
    merge(ws, 2, 1, OFFICE_COLUMNS)
    if label:
        first = last - LABEL_COLUMNS + 1
        put(ws, 1, first, label, bold=True, italic=True, align="right", wrap=False)
        merge(ws, 1, first, last)
    put(ws, 3, 1, title, bold=True, size=14, align="center")
    merge(ws, 3, 1, last)
    if title_height:
        set_height(ws, 3, title_height)


def write_signature(ws, cfg: Config, row: int, last: int) -> None:
    """The place and date, who signs on whose behalf, space to sign, the signer's name."""
    first = last - SIGNATURE_COLUMNS + 1
    when = (
        f"ngày {cfg.sign_date.day} tháng {cfg.sign_date.month} năm {cfg.sign_date.year}"
        if cfg.sign_date
        else f"ngày …… tháng …… năm {cfg.year}"
    )
    lines = [
        (f"{cfg.place}, {when}" if cfg.place else when.capitalize(), False, True),
        (cfg.signer_on_behalf, True, False),
        (cfg.signer_title, True, False),
        ("", False, False),
        ("", False, False),
        ("", False, False),
        (cfg.signer_name, True, False),
    ]
    for text, bold, italic in lines:
        if text:
            put(ws, row, first, text, bold=bold, italic=italic, align="center", wrap=False)
            merge(ws, row, first, last)
        row += 1


def write_meta_sheet(
    wb: Workbook | Book, pairs: Iterable[tuple[str, object]], protect: bool = False
):
    """The hidden sheet a reader checks first: key / value pairs in columns A and B (what the
    file is, its version and year); the caller may add its lists from column D on."""
    ws = wb.create_sheet(forms.META_SHEET)
    for row, (key, value) in enumerate(pairs, start=1):
        plain(ws, row, 1, key)
        plain(ws, row, 2, value)
    if isinstance(ws, Sheet):
        ws.hidden, ws.protected = True, protect
        return ws
    ws.sheet_state = "hidden"
    if protect:
        ws.protection.sheet = True
    return ws


def table_sheet(
    ws, office_name: str, title: str, columns: Sequence[Column], rows: Iterable[Mapping]
) -> None:
    """A titled list: office name, title, one header row (row 4), bordered rows built by key,
    filters."""
    rows = [cells(columns, row) for row in rows]
    last = len(columns)
    put(ws, 1, 1, office_name, bold=True, wrap=False)
    put(ws, 2, 1, title, bold=True, size=14, align="center")
    merge(ws, 2, 1, last)
    # A title longer than the table is wide wraps: its row grows, or it covers the office's name.
    total = sum(column.width for column in columns)
    if len(title) > (total - 1) * 1.2 * BODY_SIZE / 14:
        set_height(ws, 2, wrapped_height([(title, total)], size=14))
    for col, column in enumerate(columns, start=1):
        set_width(ws, col, column.width)
        put(ws, 4, col, column.header, bold=True, align="center", border=True)
    set_height(ws, 4, max(36, wrapped_height([(c.header, c.width) for c in columns])))
    height = row_heights([column.width for column in columns])
    for r, values in enumerate(rows, start=5):
        aligns = [
            "center" if column.align == "center" or isinstance(value, int | float) else "left"
            for column, value in zip(columns, values, strict=True)
        ]
        put_row(ws, r, values, aligns, border=True)
        set_height(ws, r, height(values))
    if not rows:
        put(ws, 5, 1, "Không có.", italic=True)
        merge(ws, 5, 1, last)
        box_range(ws, 5, 5, 1, last)
    set_print_setup(ws, "4:4")
    freeze(ws, 5)
    add_filter(ws, f"A4:{get_column_letter(last)}{max(4, 4 + len(rows))}")


def numbered(rows: Iterable[Mapping]) -> list[dict]:
    """Rows with their STT (the key "n" of NUMBER), from 1."""
    return [{"n": n, **row} for n, row in enumerate(rows, start=1)]
