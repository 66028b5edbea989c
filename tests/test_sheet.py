"""The same helper calls give the same workbook, whether openpyxl or XlsxWriter (sheet.Book)
writes it: what the golden dump compares cannot tell them apart."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from pipeline.report.layout import Column, table_sheet, write_meta_sheet
from pipeline.report.sheet import Book
from pipeline.report.styles import (
    add_filter,
    box_range,
    freeze,
    merge,
    put,
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


def _fill(wb, cells, merges, widths, heights, landscape) -> None:
    ws = wb.active
    for (row, col), (value, look) in cells.items():
        put(ws, row, col, value, **look)
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
)
def test_both_libraries_write_the_same_workbook(
    tmp_path, cells, merges, widths, heights, landscape
):
    # Merged blocks must not overlap (Excel refuses the file): keep the first of each row.
    merges = list({row: (row, first, span) for row, first, span in merges}.values())
    by_openpyxl, by_xlsxwriter = tmp_path / "openpyxl.xlsx", tmp_path / "xlsxwriter.xlsx"
    wb = _openpyxl_book()
    _fill(wb, cells, merges, widths, heights, landscape)
    wb.save(by_openpyxl)
    book = Book("Phụ lục")
    _fill(book, cells, merges, widths, heights, landscape)
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
