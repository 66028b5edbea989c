"""The scans that bound a workbook before any reader sees it: the fast path and the streaming
path agree, formulas are found where they are, and a bound stops the scan."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline.ingest import xml_scan
from pipeline.ingest.arrivals import Limits, _oversized_workbook
from pipeline.ingest.formulas import formula_cells

cells = st.lists(
    st.tuples(st.integers(1, 200_000), st.integers(1, 16_384), st.booleans()),
    min_size=0,
    max_size=40,
    unique_by=lambda c: (c[0], c[1]),
)


def _sheet(found, addressed: bool = True, attributes: str = "") -> bytes:
    rows: dict[int, list] = {}
    for row, col, formula in sorted(found):
        rows.setdefault(row, []).append((col, formula))
    body = []
    for row, items in rows.items():
        tags = []
        for col, formula in items:
            ref = f'r="{get_column_letter(col)}{row}" ' if addressed else ""
            inner = "<f>1+1</f><v>2</v>" if formula else "<v>1</v>"
            tags.append(f"<c {ref}{attributes}>{inner}</c>")
        body.append(f'<row r="{row}">{"".join(tags)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<worksheet xmlns="{main}"><sheetData>{"".join(body)}</sheetData></worksheet>'.encode()


@given(found=cells)
def test_the_fast_path_and_the_stream_agree(found):
    xml = _sheet(found)
    fast = xml_scan.worksheet_extent(xml, 10**12)
    slow = xml_scan.scan_worksheet(io.BytesIO(xml), 10**12)
    assert (fast.rows, fast.columns, fast.cells) == (slow.rows, slow.columns, slow.cells)
    assert fast.rows == max((r for r, _, _ in found), default=0)
    assert fast.columns == max((c for _, c, _ in found), default=0)


@given(found=cells)
def test_formulas_are_found_in_their_cells(found):
    xml = _sheet(found, attributes='s="1" x1="a/b" x2="c>"'.replace(">", "&gt;"))
    expected = {(r - 1, c - 1) for r, c, formula in found if formula}
    assert xml_scan.formula_positions(xml) == expected
    assert xml_scan.scan_worksheet(io.BytesIO(xml), 10**12).formulas == expected


def test_cells_without_addresses_are_counted_by_the_stream():
    xml = _sheet([(1, 1, False), (1, 2, False), (1_000_000, 1, False)], addressed=False)
    scan = xml_scan.worksheet_extent(xml, 10**12)
    assert (scan.rows, scan.columns) == (1_000_000, 2)


def test_a_bound_stops_the_scan():
    xml = _sheet([(1, 1, False), (1_048_576, 16_384, False)])
    with pytest.raises(xml_scan.TooLarge) as raised:
        xml_scan.worksheet_extent(xml, 2_000_000)
    assert raised.value.area == 1_048_576 * 16_384
    with pytest.raises(xml_scan.TooLarge):
        xml_scan.scan_worksheet(io.BytesIO(xml), 2_000_000)


# Forms within Z999, as most are, and sheets beyond it.
small_or_not = st.lists(
    st.tuples(
        st.one_of(st.integers(1, 999), st.integers(1, 200_000)),
        st.one_of(st.integers(1, 26), st.integers(1, 16_384)),
        st.booleans(),
    ),
    max_size=40,
    unique_by=lambda c: (c[0], c[1]),
)


@given(found=small_or_not)
def test_a_bound_is_never_below_the_grid(found):
    """What the quick bound says is never less than the grid a reader allocates, and it is
    the grid itself as soon as one address passes Z999."""
    xml = _sheet(found)
    area = xml_scan.worksheet_extent(xml, 10**12).area
    bound = xml_scan.worksheet_area_bound(xml, 10**12)
    assert bound >= area
    beyond = any(r > 999 or c > 26 for r, c, _ in found)
    assert bound == (area if beyond or not found else xml_scan.Z999)


def test_many_small_sheets_are_counted_before_a_workbook_is_refused(tmp_path):
    """Sixty sheets of one cell: their bounds pass the workbook's limit, their cells do not.
    The workbook is read; with a limit below its cells, it is refused."""
    wb = Workbook()
    for i in range(60):
        wb.create_sheet(f"t{i}")["A1"] = i
    wb.save(tmp_path / "many.xlsx")
    data = (tmp_path / "many.xlsx").read_bytes()
    limits = Limits(max_workbook_cells=xml_scan.Z999 * 10)
    assert _oversized_workbook(data, limits)[0] == ""
    assert "ô" in _oversized_workbook(data, Limits(max_workbook_cells=30))[0]


@pytest.mark.parametrize("space", ["\n", "\t", "\r\n", "  "])
def test_a_cell_whose_address_follows_other_whitespace_is_counted(space):
    """XML allows any whitespace before an attribute, and calamine reads such a cell where it
    says: one at XFD1048576 must be refused, not taken for a one-cell sheet."""
    xml = _sheet([(1, 1, False)]).replace(
        b"</sheetData>", f'<row r="1048576"><c{space}r="XFD1048576"/></row></sheetData>'.encode()
    )
    with pytest.raises(xml_scan.TooLarge):
        xml_scan.worksheet_extent(xml, 2_000_000)
    with pytest.raises(xml_scan.TooLarge):
        xml_scan.worksheet_area_bound(xml, 2_000_000)


@pytest.mark.parametrize(
    ("ref", "grid"), [("z6000", (6000, 26)), ("Xfd1048576", (1_048_576, 16_384))]
)
def test_a_lower_case_address_is_counted_as_calamine_reads_it(ref, grid):
    """calamine reads <c r="z6000"> as Z6000: the grid it allocates must be the one counted."""
    row = grid[0]
    xml = _sheet([(1, 1, False)]).replace(
        b"</sheetData>", f'<row r="{row}"><c r="{ref}"/></row></sheetData>'.encode()
    )
    scan = xml_scan.worksheet_extent(xml, 10**12)
    stream = xml_scan.scan_worksheet(io.BytesIO(xml), 10**12)
    assert (scan.rows, scan.columns) == (stream.rows, stream.columns) == grid
    assert xml_scan.worksheet_area_bound(xml, 10**12) == grid[0] * grid[1]


@pytest.mark.parametrize("escape", [str, lambda name: "".join(f"&#{ord(c)};" for c in name)])
def test_formulas_are_found_whichever_way_the_sheet_name_is_escaped(escape):
    """A writer may spell "Đăng ký & kết quả" as UTF-8 or as character references (lxml 6.1's
    serializer writes "&#272;…"): the sheet is the same, and its formulas are still found."""
    wb = Workbook()
    wb.active.title = name = "Đăng ký & kết quả"
    wb.active["B3"] = "=A1&A2"
    plain = io.BytesIO()
    wb.save(plain)
    spelled = escape(name) if escape is not str else name.replace("&", "&amp;")
    rewritten = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(rewritten, "w") as out:
        for item in src.namelist():
            data = src.read(item)
            if item == "xl/workbook.xml":
                data = data.replace(name.replace("&", "&amp;").encode(), spelled.encode())
                assert spelled.encode() in data
            out.writestr(item, data)
    assert formula_cells(rewritten.getvalue(), {name}) == {name: {(2, 1)}}


def _two_sheets() -> bytes:
    wb = Workbook()
    wb.active.title = "Có công thức"
    wb.active["B3"] = "=A1&A2"
    wb.create_sheet("Không có")["A1"] = "chữ"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_bounds_check_tells_which_sheet_parts_hold_no_formula():
    """The formula scan skips the parts found free, and still finds the formula in the other."""
    data = _two_sheets()
    problem, free = _oversized_workbook(data, Limits())
    assert (problem, free) == ("", frozenset({"xl/worksheets/sheet2.xml"}))
    both = {"Có công thức", "Không có"}
    found = {"Có công thức": {(2, 1)}}
    assert formula_cells(data, both, free) == formula_cells(data, both) == found


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_part_named_twice_is_free_only_when_neither_copy_holds_a_formula():
    """A zip may hold two members of one name (a reader takes the last): a formula in either
    one keeps the name from being skipped."""
    data = _two_sheets()
    doubled = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(doubled, "w") as out:
        for item in src.namelist():
            if item == "xl/worksheets/sheet1.xml":
                out.writestr(item, src.read("xl/worksheets/sheet2.xml"))  # no formula first
            out.writestr(item, src.read(item))
    _, free = _oversized_workbook(doubled.getvalue(), Limits())
    assert "xl/worksheets/sheet1.xml" not in free
    assert "xl/worksheets/sheet2.xml" in free


def test_a_part_streamed_for_its_size_is_not_known_free():
    """A part past max_file_bytes is counted by streaming it, not held: its formulas are not
    looked for then, so the formula scan must unpack it itself."""
    data = _two_sheets()
    padded = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(padded, "w", 8) as out:
        for item in src.namelist():
            part = src.read(item)
            if item == "xl/worksheets/sheet2.xml":  # compresses to little, unpacks past the bound
                part = part.replace(b"<sheetData>", b"<sheetData>" + b" " * 300_000)
            out.writestr(item, part)
    assert len(padded.getvalue()) < 100_000
    _, free = _oversized_workbook(padded.getvalue(), Limits(max_file_bytes=100_000))
    assert free == frozenset()


def test_a_formula_tag_is_found_with_or_without_a_namespace_prefix():
    assert xml_scan.has_formula(b'<c r="A1"><f>1+1</f></c>')
    assert xml_scan.has_formula(b'<x:c r="A1"><x:f>1+1</x:f></x:c>')
    assert xml_scan.formula_positions(b'<x:c r="B2"><x:f>1+1</x:f></x:c>') == {(1, 1)}
    assert not xml_scan.has_formula(b'<dataValidation><formula1>"a,b"</formula1></dataValidation>')
    assert not xml_scan.has_formula(b'<c r="A1" t="inlineStr"><is><t>f</t></is></c>')
