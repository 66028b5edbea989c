"""Returns marked by editing the unit's XML (report.marking) are the workbooks openpyxl would
have made, and files that editor does not handle are still marked, by openpyxl."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from pipeline import forms
from pipeline.consolidate import consolidate
from pipeline.issues import CATALOGUE, Code, Issue, Severity
from pipeline.report import returns
from pipeline.report.marking import CannotMark, Mark, mark_workbook
from pipeline.report.sheet import Sheet
from pipeline.report.template import fill_template
from tests.helpers import SAMPLE
from tests.workbook_dump import dump_workbook

OFFICE = "BAN XÂY DỰNG ĐẢNG XÃ"
SPEC = forms.REGISTRATION
LAYOUT = {SPEC.name: {c.key: i for i, c in enumerate(SPEC.columns)}}
WARNING = next(c for c in Code if CATALOGUE[c].severity is Severity.WARNING)
MODEL = dict(name="Tuyến đường hoa", field="Kinh tế", subject="Tập thể", place="Xóm Bắc Sơn",
             count=1, status="Đăng ký mới")  # fmt: skip


@pytest.fixture(scope="module")
def form(tmp_path_factory, blank_template) -> bytes:
    path = tmp_path_factory.mktemp("form") / "don_vi.xlsx"
    fill_template(blank_template, path, "Chi bộ xóm Bắc Sơn", {SPEC.name: [MODEL, MODEL]})
    return path.read_bytes()


def _both(tmp_path, monkeypatch, data: bytes, issues: list[Issue], file="don_vi.xlsx"):
    """The return as the XML editor makes it, and as openpyxl makes it."""
    args = (file, data, "Chi bộ xóm Bắc Sơn", issues, LAYOUT, OFFICE)
    edited = returns._write_return(*args, tmp_path / "edited.xlsx")
    with monkeypatch.context() as m:

        def cannot(*_args, **_kwargs):
            raise CannotMark("asked to use openpyxl")

        m.setattr(returns, "mark_workbook", cannot)
        by_openpyxl = returns._write_return(*args, tmp_path / "openpyxl.xlsx")
    return edited, by_openpyxl


def _with_part(data: bytes, part: str, change) -> bytes:
    """The workbook `data` with one part's bytes passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, change(content) if name == part else content)
    return out.getvalue()


ISSUES = st.lists(
    st.builds(
        Issue,
        file=st.just("don_vi.xlsx"),
        code=st.sampled_from([Code.REQUIRED, Code.NOT_IN_LIST, WARNING]),
        sheet=st.sampled_from([SPEC.name, forms.RESULTS.name, "Không có trang này"]),
        row=st.one_of(st.none(), st.integers(1, 400)),  # beyond the input area, too
        column=st.sampled_from([c.header for c in SPEC.columns] + ["Cột lạ"]),
        value=st.text(max_size=5),
    ),
    max_size=8,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(issues=ISSUES)
def test_the_xml_editor_makes_what_openpyxl_makes(tmp_path, monkeypatch, form, issues):
    edited, by_openpyxl = _both(tmp_path, monkeypatch, form, issues)
    assert dump_workbook(edited) == dump_workbook(by_openpyxl)


def test_every_return_of_the_sample_is_what_openpyxl_makes(tmp_path, monkeypatch, cfg):
    result = consolidate(SAMPLE / "inbox", cfg.year)
    assert len(result.returned) >= 2
    for file, data in result.returned.items():
        issues = [i for i in result.issues if i.file == file]
        edited, by_openpyxl = _both(tmp_path, monkeypatch, data, issues, file)
        assert dump_workbook(edited) == dump_workbook(by_openpyxl), file
        with zipfile.ZipFile(edited) as book, zipfile.ZipFile(io.BytesIO(data)) as source:
            # It was edited, not saved again by openpyxl, which stamps the time it saves.
            assert book.read("docProps/core.xml") == source.read("docProps/core.xml"), file


def test_excel_namespace_prefixes_survive_the_edit(form):
    """Excel names prefixes in mc:Ignorable that nothing else uses: ElementTree would drop
    their declarations and Excel would refuse the file."""
    declared = (
        b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
        b'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2" '
        b'mc:Ignorable="x14ac xr2" '
    )
    part = "xl/worksheets/sheet2.xml"
    declaring = _with_part(
        form, part, lambda x: x.replace(b"<worksheet ", b"<worksheet " + declared, 1)
    )
    marks = {SPEC.name: {"B7": Mark("FFC7CE", "Thiếu tên")}}
    edited = mark_workbook(declaring, marks, Sheet(returns.PROBLEMS_SHEET), OFFICE)
    sheet = zipfile.ZipFile(io.BytesIO(edited)).read(part)
    for declaration in declared.split():
        assert declaration in sheet
    root = sheet[: sheet.index(b">", sheet.index(b"<worksheet"))]
    assert b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"' in root
    assert load_workbook(io.BytesIO(edited))[SPEC.name]["B7"].comment.text == "Thiếu tên"


def test_a_sheet_whose_prefix_r_names_another_namespace_is_not_edited(form):
    part = "xl/worksheets/sheet2.xml"
    other = _with_part(
        form, part, lambda x: x.replace(b"<worksheet ", b'<worksheet xmlns:r="urn:other" ', 1)
    )
    with pytest.raises(CannotMark):
        mark_workbook(other, {SPEC.name: {"B7": Mark("FFC7CE", "x")}}, Sheet("A"), OFFICE)


def test_a_unit_s_own_comments_are_kept_by_openpyxl_marking_instead(form, tmp_path):
    book = load_workbook(io.BytesIO(form))
    book[SPEC.name]["D7"].comment = Comment("Ghi chú của đơn vị", "Bí thư")
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(CannotMark):
        mark_workbook(buffer.getvalue(), {SPEC.name: {"B7": Mark("FFC7CE", "x")}}, Sheet("A"), "")
    issue = Issue("don_vi.xlsx", Code.REQUIRED, SPEC.name, 7, SPEC.header("name"))
    path = returns._write_return(
        "don_vi.xlsx", buffer.getvalue(), "", [issue], LAYOUT, OFFICE, tmp_path / "r.xlsx"
    )
    marked = load_workbook(path)[SPEC.name]
    assert marked["D7"].comment.text == "Ghi chú của đơn vị"
    assert marked["B7"].comment.text.startswith(issue.message)


def test_a_workbook_with_macros_is_left_to_openpyxl(form):
    def with_macros(types: bytes) -> bytes:
        types = types.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
        return types.replace(b"spreadsheetml.sheet.macroEnabled", b"ms-excel.sheet.macroEnabled")

    with pytest.raises(CannotMark):
        mark_workbook(_with_part(form, "[Content_Types].xml", with_macros), {}, Sheet("A"), "")


def test_a_new_list_of_names_goes_where_the_schema_puts_it(tmp_path):
    """After the sheets and any external links: Excel repairs a workbook with them out of order."""
    book = Workbook()
    book.active.title = SPEC.name
    buffer = io.BytesIO()
    book.save(buffer)
    links = (
        b"<externalReferences><externalReference"
        b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
        b' r:id="rId99"/></externalReferences>'
    )

    def with_links(workbook: bytes) -> bytes:
        workbook = workbook.replace(b"<definedNames/>", b"")  # openpyxl writes it empty
        assert b"<definedNames" not in workbook
        return workbook.replace(b"</sheets>", b"</sheets>" + links)

    first = Sheet(returns.PROBLEMS_SHEET)
    returns._problems_sheet(first, "don_vi.xlsx", "", [], OFFICE)  # its print titles are a name
    edited = mark_workbook(
        _with_part(buffer.getvalue(), "xl/workbook.xml", with_links), {}, first, OFFICE
    )
    workbook = zipfile.ZipFile(io.BytesIO(edited)).read("xl/workbook.xml").decode()
    order = ["<sheets>", "<externalReferences>", "<definedNames>", "<calcPr"]
    assert sorted(order, key=workbook.index) == order
    assert "ns0:" not in workbook  # the new sheet's entry uses the prefix r:, declared once


def test_a_problem_under_a_merged_block_is_listed_not_marked(tmp_path, monkeypatch, form):
    """Found by the test above: openpyxl refuses a comment on a merged cell, and the cell
    shows nothing anyway. The list of problems still names it."""
    issue = Issue("don_vi.xlsx", Code.REQUIRED, SPEC.name, 1, SPEC.header("name"))  # B1: title
    edited, by_openpyxl = _both(tmp_path, monkeypatch, form, [issue])
    for path in (edited, by_openpyxl):
        book = load_workbook(path)
        assert book[SPEC.name]["B1"].comment is None
        assert book[returns.PROBLEMS_SHEET]["E6"].value == issue.message


def test_rows_without_numbers_are_left_to_openpyxl(form):
    """Some writers leave out <row r="…">; the editor does not guess where a row is."""
    unnumbered = _with_part(
        form, "xl/worksheets/sheet2.xml", lambda x: re.sub(rb'<row r="[0-9]+"', b"<row", x)
    )
    with pytest.raises(CannotMark):
        mark_workbook(unnumbered, {SPEC.name: {"B7": Mark("FFC7CE", "x")}}, Sheet("A"), "")
