"""The same helper calls give the same workbook, whether openpyxl or XlsxWriter (sheet.Book)
writes it: what the golden dump compares cannot tell them apart."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from unittest import mock
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from xlsxwriter.worksheet import Worksheet

import pipeline.report.sheet as sheet_module
from pipeline.report.layout import Column, table_sheet, write_meta_sheet
from pipeline.report.sheet import Book, Look, Sheet
from pipeline.report.styles import (
    add_filter,
    box_range,
    freeze,
    merge,
    put,
    put_row,
    row_heights,
    set_height,
    set_print_setup,
    set_width,
    wrapped_height,
)
from tests.workbook_dump import dump_workbook

TEXTS = st.sampled_from(
    ["Mô hình “Dân vận khéo”", "=SUM(A1:A3)", "http://xa.gov.vn", "0123", "", " X ", "a\nb"]
)
VALUES = st.one_of(TEXTS, st.integers(-5, 10**6), st.floats(0, 1000, allow_nan=False))
LOOKS = st.fixed_dictionaries(
    {
        "bold": st.booleans(),
        "italic": st.booleans(),
        "size": st.sampled_from([12, 14]),
        "align": st.sampled_from(["left", "center", "right"]),
        "border": st.booleans(),
        "wrap": st.booleans(),
    }
)
CELLS = st.dictionaries(
    st.tuples(st.integers(1, 12), st.integers(1, 6)), st.tuples(VALUES, LOOKS), max_size=30
)


def _fill(wb, cells, merges, widths, heights, landscape, table=(), table_first=False) -> None:
    ws = wb.active

    def table_rows():  # a table's body, before or after the single cells: the last write wins
        for row, values, bold in table:
            aligns = [("left", "center", "right")[i % 3] for i in range(len(values))]
            put_row(ws, row, values, aligns, bold=bold, border=True)

    if table_first:
        table_rows()
    for (row, col), (value, look) in cells.items():
        put(ws, row, col, value, **look)
    if not table_first:
        table_rows()
    for row, first, span in merges:
        if (row, first) in cells:
            merge(ws, row, first, first + span)
    box_range(ws, 14, 15, 1, 3)
    for col, width in widths.items():
        set_width(ws, col, width)
    for row, lines in heights.items():
        set_height(ws, row, wrapped_height([("x" * 30 * lines, 20)]))
    set_print_setup(ws, "2:3", landscape=landscape)
    freeze(ws, 4)
    add_filter(ws, "A3:F12")
    table_sheet(
        wb.create_sheet("Danh sách"),
        "ĐẢNG ỦY XÃ",
        "DANH SÁCH",
        (Column("n", "STT", 6, "center"), Column("name", "Tên", 40)),
        [{"n": 1, "name": "Tổ tự quản"}, {"n": 2, "name": "=1+1"}],
    )
    write_meta_sheet(wb, [("template", "annex"), ("year", 2026)])


def _openpyxl_book() -> Workbook:
    wb = Workbook()
    wb.active.title = "Phụ lục"
    return wb


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=CELLS,
    merges=st.lists(
        st.tuples(st.integers(1, 12), st.integers(1, 4), st.integers(1, 2)), max_size=3
    ),
    widths=st.dictionaries(st.integers(1, 6), st.sampled_from([6, 8.43, 9, 22, 46.5])),
    heights=st.dictionaries(st.integers(1, 12), st.integers(1, 4)),
    landscape=st.booleans(),
    table=st.lists(
        st.tuples(st.integers(1, 14), st.lists(VALUES, min_size=1, max_size=7), st.booleans()),
        max_size=4,
    ),
    table_first=st.booleans(),
)
def test_both_libraries_write_the_same_workbook(
    tmp_path, cells, merges, widths, heights, landscape, table, table_first
):
    # Merged blocks must not overlap (Excel refuses the file): keep the first of each row.
    merges = list({row: (row, first, span) for row, first, span in merges}.values())
    by_openpyxl, by_xlsxwriter = tmp_path / "openpyxl.xlsx", tmp_path / "xlsxwriter.xlsx"
    wb = _openpyxl_book()
    _fill(wb, cells, merges, widths, heights, landscape, table, table_first)
    wb.save(by_openpyxl)
    book = Book("Phụ lục")
    _fill(book, cells, merges, widths, heights, landscape, table, table_first)
    book.save(by_xlsxwriter)
    assert dump_workbook(by_xlsxwriter) == dump_workbook(by_openpyxl)


def test_text_that_looks_like_a_formula_or_a_link_stays_text(tmp_path):
    book = Book("Phụ lục")
    for row, text in enumerate(["=SUM(A1:A3)", "http://xa.gov.vn", "0123"], start=1):
        put(book.active, row, 1, text)
    book.save(tmp_path / "a.xlsx")
    ws = load_workbook(tmp_path / "a.xlsx").active
    assert [(c.value, c.data_type) for c in ws["A"]] == [
        ("=SUM(A1:A3)", "s"),
        ("http://xa.gov.vn", "s"),
        ("0123", "s"),
    ]
    assert not ws._hyperlinks


# Every type a writer may put in a cell, and text XlsxWriter must cut or escape.
ANY_VALUE = st.one_of(
    TEXTS,
    st.sampled_from(["", None, "<&>\"'", "x" * 33_000, "😀" * 17_000, True, False]),
    st.integers(-(10**20), 10**20),
    st.floats(-1e9, 1e9, allow_nan=False),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2040, 1, 1)),
)
GIVEN_LOOK = st.builds(
    Look,
    font=st.just("Times New Roman"),
    size=st.sampled_from([12, 14]),
    bold=st.booleans(),
    italic=st.booleans(),
    align=st.sampled_from(["left", "center"]),
    border=st.booleans(),
    wrap=st.booleans(),
)
A_LOOK = st.none() | GIVEN_LOOK


@st.composite
def sheets(draw) -> Sheet:
    sheet = Sheet("Phụ lục")
    for row in draw(st.lists(st.integers(1, 32), max_size=8, unique=True)):  # a table's body
        looks = draw(st.lists(GIVEN_LOOK, min_size=1, max_size=9))
        values = draw(st.lists(ANY_VALUE, min_size=len(looks), max_size=len(looks)))
        sheet.set_row(row, tuple(values), tuple(looks))
    cells = draw(
        st.dictionaries(
            st.tuples(st.integers(1, 30), st.integers(1, 8)),
            st.tuples(ANY_VALUE, A_LOOK),
            max_size=40,
        )
    )
    sheet.cells.update(cells)
    for row in range(1, 31, 3):  # ranges that never overlap, their first cell given or not
        if draw(st.booleans()):
            first = draw(st.integers(1, 6))
            sheet.merges.append((row, first, row + draw(st.integers(0, 1)), first + 2))
            if draw(st.booleans()):
                sheet.cells[(row, first)] = ("Tiêu đề", draw(A_LOOK))
    sheet.heights = draw(st.dictionaries(st.integers(1, 40), st.floats(10, 200), max_size=5))
    return sheet


def _sheet_xml(path) -> list:
    """The first sheet's rows as its XML has them, in order: each row's attributes, then each
    cell's address, type, text and look, the look resolved through styles.xml and the text
    through the shared strings, so that only what a reader could see is compared."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as book:
        shared = "xl/sharedStrings.xml"
        items = ElementTree.fromstring(book.read(shared)) if shared in book.namelist() else []
        strings = ["".join(t.text or "" for t in si.iterfind(".//m:t", ns)) for si in items]
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    part = {
        name: [ElementTree.tostring(e) for e in styles.find(f"m:{name}", ns)]
        for name in ("fonts", "borders")
    }
    codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind(".//m:numFmt", ns)}
    looks = [
        (
            part["fonts"][int(xf.get("fontId", 0))],
            part["borders"][int(xf.get("borderId", 0))],
            codes.get(xf.get("numFmtId"), xf.get("numFmtId")),
            [ElementTree.tostring(a) for a in xf],
        )
        for xf in styles.find("m:cellXfs", ns)
    ]
    rows = []
    for row in sheet.find("m:sheetData", ns):
        cells = []
        for c in row:
            v = c.find("m:v", ns)
            text = None if v is None else v.text
            if c.get("t") == "s":
                text = strings[int(text)]
            cells.append((c.get("r"), c.get("t"), text, looks[int(c.get("s", 0))]))
        rows.append(({k: v for k, v in row.attrib.items() if k != "spans"}, cells))
    merges = [m.get("ref") for m in sheet.iterfind(".//m:mergeCell", ns)]
    return [rows, merges, sheet.find("m:dimension", ns).get("ref")]


@settings(max_examples=60, deadline=None)
@given(sheet=sheets())
def test_rows_written_as_xml_read_back_as_xlsxwriter_writes_them(sheet, tmp_path_factory):
    """The quick worksheet against XlsxWriter's own, cell for cell, on the same sheet."""
    folder = tmp_path_factory.mktemp("rows")
    book = Book()
    book.sheets = [sheet]
    book.save(folder / "quick.xlsx")
    with mock.patch.object(sheet_module, "worksheet_class", lambda _sheet: Worksheet):
        book.save(folder / "xlsxwriter.xlsx")
    assert _sheet_xml(folder / "quick.xlsx") == _sheet_xml(folder / "xlsxwriter.xlsx")


_CELL = st.one_of(
    st.text(alphabet="ab \nĐổi", max_size=120), st.integers(), st.none(), st.floats(allow_nan=True)
)


@given(st.lists(st.tuples(_CELL, st.floats(1, 60)), max_size=8), st.sampled_from([11, 12, 14]))
def test_a_tables_row_heights_are_the_heights_of_its_rows_cell_by_cell(cells, size):
    values, widths = [v for v, _ in cells], [w for _, w in cells]
    assert row_heights(widths, size)(values) == wrapped_height(cells, size)


def test_a_workbook_is_deflated_quickly(tmp_path):
    """XlsxWriter is made to deflate at DEFLATE_LEVEL (report.sheet): each part of a saved
    workbook is as long as zlib makes it at that level."""
    book = Book("Danh sách")
    for row in range(1, 400):
        book.active.set_cell(row, 1, f"Mô hình {row} " * 5, None)
    book.save(tmp_path / "a.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        info = z.getinfo("xl/sharedStrings.xml")
        deflate = zlib.compressobj(sheet_module.DEFLATE_LEVEL, zlib.DEFLATED, -15)
        quick = len(deflate.compress(z.read(info)) + deflate.flush())
    assert info.compress_size == quick
