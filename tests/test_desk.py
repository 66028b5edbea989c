"""The control workbook: what each button does on the Python side, the thin Excel boundary,
and the workbook itself (its macros, its buttons, LibreOffice opening it).

xlwings cannot open a book on Linux, so the buttons get a desk of their own (`FakeDesk`), and
`ExcelDesk` is given an object shaped like an xlwings Book."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import olefile
import pytest

from pipeline import desk, forms, opening
from pipeline.office import init_workspace
from tests.helpers import ROOT, convert, needs_office

BUILD = ROOT / "examples" / "build_vba_project.py"


def _builder():
    spec = importlib.util.spec_from_file_location("build_vba_project", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeDesk:
    """What the person typed, and every status, summary and detail the button showed."""

    def __init__(self, workspace: Path, year=None, quarter=None):
        self.values = (workspace, year, quarter)
        self.shown: list[tuple[str, dict, list[str]]] = []

    def typed(self) -> desk.Typed:
        return desk.typed_values(*self.values)

    def show(self, status, summary, details) -> None:
        self.shown.append((status, summary, details))

    @property
    def status(self) -> str:
        return self.shown[-1][0]


def test_tong_hop_consolidates_publishes_and_summarises(sample_workspace):
    typed = FakeDesk(sample_workspace, 2026.0, None)  # Excel gives numbers as floats
    desk.tong_hop(typed)
    status, summary, details = typed.shown[-1]
    assert status.startswith("Đã tổng hợp xong: 23 tệp, 47 mô hình đăng ký")
    assert summary["so_tep"] == 23 and summary["so_mo_hinh_ket_qua"] == 43
    assert summary["chua_gui"].startswith("2 (90% đã gửi): Chi bộ Cơ quan Đảng")
    assert summary["thu_gui"].startswith("2 đề nghị sửa")
    assert (summary["viec"], summary["ky"]) == ("Tổng hợp", "2026")
    assert set(summary) <= {key for key, _ in forms.DESK_SUMMARY}
    assert "Đã đọc 23 tệp: 20 đã tiếp nhận, 2 có lỗi, 1 không đọc được." in details
    assert (sample_workspace / "outbox" / "2026" / "Phu_luc_1_dang_ky_2026.xlsx").exists()


def test_a_quarter_typed_runs_that_quarter(sample_workspace):
    typed = FakeDesk(sample_workspace, 2026, "2")
    desk.tong_hop(typed)
    assert typed.shown[-1][1]["ky"] == "2026, quý 2"
    assert (sample_workspace / "outbox" / "2026" / "Q2" / "Phu_luc_1_dang_ky_2026_Q2.xlsx").exists()


@pytest.mark.parametrize(
    ("year", "quarter", "said"),
    [
        (2026, "Q2", "Ô “Quý” phải là một số"),
        (2026, 5, "Ô “Quý” phải là 1, 2, 3 hoặc 4"),
        (2026, 2.5, "Ô “Quý” phải là số nguyên"),
        (26, None, "Ô “Năm tổng hợp” phải là một năm"),
    ],
)
def test_a_cell_typed_wrong_is_said_and_nothing_runs(sample_workspace, year, quarter, said):
    typed = FakeDesk(sample_workspace, year, quarter)
    desk.tong_hop(typed)
    assert typed.status.startswith(f"Lỗi: {said}")
    assert not (sample_workspace / "outbox" / "2026").exists()


def test_mo_ket_qua_opens_the_last_annexes_or_says_there_are_none(sample_workspace, monkeypatch):
    opened = []
    monkeypatch.setattr(opening, "OPENERS", (("Excel", opened.extend),))
    typed = FakeDesk(sample_workspace)
    desk.mo_ket_qua(typed)
    assert typed.status.startswith("Lỗi: Chưa có kết quả tổng hợp")
    desk.tong_hop(typed)
    summary_before = typed.shown[-1][1]
    desk.mo_ket_qua(typed)
    assert typed.status == "Đã mở Phụ lục 1 và Phụ lục 4 bằng Excel."
    assert [p.name for p in opened] == [
        "Phu_luc_1_dang_ky_2026.xlsx",
        "Phu_luc_4_ket_qua_2026.xlsx",
    ]
    assert typed.shown[-1][1:] == ({}, [])  # the last run's summary stays as it was
    assert summary_before


def test_mo_ket_qua_where_nothing_can_open_says_where_the_files_are(sample_workspace, monkeypatch):
    def cannot(_paths):
        raise opening.CannotOpen("không có")

    monkeypatch.setattr(opening, "OPENERS", (("Excel", cannot),))
    typed = FakeDesk(sample_workspace)
    desk.tong_hop(typed)
    desk.mo_ket_qua(typed)
    assert typed.status.startswith("Không mở tự động được (Excel: không có); các tệp nằm trong ")


def test_tao_bieu_mau_and_kiem_tra(sample_workspace):
    typed = FakeDesk(sample_workspace)
    desk.tao_bieu_mau(typed)
    assert typed.status.startswith("Đã tạo biểu mẫu trong ")
    assert any("Bieu_mau_don_vi_2026.xlsx" in line for line in typed.shown[-1][2])
    desk.kiem_tra(typed)
    status, summary, lines = typed.shown[-1]
    assert re.match(r"Kiểm tra xong: 0 lỗi, \d+ lưu ý", status)
    assert "[ổn] Danh mục đơn vị danh_muc_don_vi.xlsx: 20 đơn vị." in lines
    assert summary["viec"] == "Kiểm tra"


def test_a_workspace_without_config_and_a_fault_of_the_tool(
    tmp_path, sample_workspace, monkeypatch
):
    typed = FakeDesk(tmp_path)
    desk.tong_hop(typed)
    assert typed.status.startswith("Lỗi: Không thấy tệp cấu hình")

    def broken(*_args, **_kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(desk.Office, "consolidate", broken)
    typed = FakeDesk(sample_workspace)
    desk.tong_hop(typed)
    assert typed.status.startswith("Lỗi: công cụ gặp sự cố và đã dừng (RuntimeError: hỏng)")


class _Range:
    def __init__(self, sheet, address):
        self.sheet, self.address = sheet, address

    @property
    def value(self):
        return self.sheet.cells.get(self.address)

    @value.setter
    def value(self, value):
        self.sheet.cells[self.address] = value

    def clear_contents(self):
        self.sheet.cleared.append(self.address)


class _Sheet:
    def __init__(self):
        self.cells, self.cleared = {}, []

    def range(self, *address):
        return _Range(self, address)


class _Name:
    def __init__(self, sheet, address):
        self.refers_to_range = _Range(sheet, address)


class FakeBook:
    """The parts of an xlwings Book that ExcelDesk uses, laid out as desk_workbook writes."""

    def __init__(self, fullname: Path, year, quarter):
        self.fullname = str(fullname)
        control, summary = _Sheet(), _Sheet()
        self.sheets = {forms.DESK_SHEET: control, forms.DESK_SUMMARY_SHEET: summary}
        self.names = {
            forms.DESK_YEAR: _Name(control, "B4"),
            forms.DESK_QUARTER: _Name(control, "B5"),
            forms.DESK_STATUS: _Name(control, "B10"),
        }
        self.names[forms.DESK_YEAR].refers_to_range.value = year
        self.names[forms.DESK_QUARTER].refers_to_range.value = quarter


def test_the_excel_boundary_reads_the_typed_cells_and_writes_the_summary(tmp_path):
    book = FakeBook(tmp_path / forms.DESK_FILENAME, 2026.0, None)
    excel = desk.ExcelDesk(book)
    assert excel.typed() == desk.Typed(tmp_path, 2026, None)
    excel.show("Xong.", {"so_tep": 3, "viec": "Tổng hợp"}, ["dòng 1", "dòng 2"])
    control, summary = book.sheets[forms.DESK_SHEET], book.sheets[forms.DESK_SUMMARY_SHEET]
    assert control.cells["B10"] == "Xong."
    column = summary.cells[((forms.DESK_SUMMARY_FIRST_ROW, 2),)]
    keys = [key for key, _ in forms.DESK_SUMMARY]
    assert column[keys.index("so_tep")] == [3] and column[keys.index("viec")] == ["Tổng hợp"]
    assert summary.cells[((forms.DESK_DETAIL_ROW, 1),)] == [["dòng 1"], ["dòng 2"]]
    assert summary.cleared  # the previous run's lines go first
    excel.show("Đã mở.", {}, [])  # a status only: the summary stays
    assert control.cells["B10"] == "Đã mở." and len(summary.cleared) == 1


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("desk")
    init_workspace(root, 2026, "BAN DÂN VẬN", "Yên Bái")
    return root


def test_init_writes_the_desk_files_once_and_keeps_an_offices_own(workspace):
    for name in (forms.DESK_FILENAME, forms.DESK_MODULE, forms.DESK_LAUNCHER):
        assert (workspace / name).exists(), name
    launcher = (workspace / forms.DESK_LAUNCHER).read_bytes()
    assert b"\r\n" in launcher and b'consolidate -w "%~dp0."' in launcher
    module = workspace / forms.DESK_MODULE
    module.write_text(module.read_text(encoding="utf-8") + "# sửa của văn phòng\n", "utf-8")
    made = dict(init_workspace(workspace))
    assert made[module] is False and "sửa của văn phòng" in module.read_text(encoding="utf-8")


def test_the_workbook_macros_call_the_python_side_of_every_button(workspace):
    book = zipfile.ZipFile(workspace / forms.DESK_FILENAME)
    vml = book.read("xl/drawings/vmlDrawing1.vml").decode()
    assert re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml) == [
        macro for _, macro, _ in forms.DESK_BUTTONS
    ]
    source = _module1(book.read("xl/vbaProject.bin"))
    bas = (ROOT / "pipeline" / "data" / "dvk_dieu_khien.bas").read_text("ascii")
    assert source == bas.replace("\n", "\r\n")
    calls = re.findall(r'Sub (\w+)\(\)\r\n    Chay "(\w+)"', source)
    assert calls == [(macro, function) for _, macro, function in forms.DESK_BUTTONS]
    run = 'Application.Run "xlwings.xlam!RunPython", "import dvk_dieu_khien; dvk_dieu_khien."'
    assert run in source
    assert forms.DESK_FILENAME.removesuffix(".xlsm") == forms.DESK_MODULE.removesuffix(".py")
    module = (workspace / forms.DESK_MODULE).read_text(encoding="utf-8")
    for _, _, function in forms.DESK_BUTTONS:
        assert callable(getattr(desk, function))
        assert f"def {function}():\n    if desk := _desk():\n        desk.{function}()" in module
    names = book.read("xl/workbook.xml").decode()
    for name, cell in (("dvk_nam", "B4"), ("dvk_quy", "B5"), ("dvk_trang_thai", "B10")):
        assert f"<definedName name=\"{name}\">'Điều khiển'!${cell[0]}${cell[1:]}<" in names
    assert 'ThisWorkbook.Names("dvk_thieu_xlwings")' in source


def _module1(project: bytes) -> str:
    ole = olefile.OleFileIO(project)
    return _builder().decompress(ole.openstream("VBA/Module1").read()).decode("ascii")


def test_the_committed_vba_project_is_its_source_without_the_xlwings_reference():
    builder = _builder()
    project = (ROOT / "pipeline" / "data" / "vbaProject.bin").read_bytes()
    assert _module1(project) == builder.SOURCE.read_text("ascii").replace("\n", "\r\n")
    ole = olefile.OleFileIO(project)
    records = builder.dir_records(builder.decompress(ole.openstream("VBA/dir").read()))
    names = [data for rid, data in records if rid == builder.REFERENCENAME]
    assert b"xlwings" not in names and b"Office" in names
    assert all(offset == 0 for _, offset in builder.modules(records))  # no stale p-code
    assert ole.openstream("VBA/_VBA_PROJECT").read() == builder.NO_CACHE


def test_vba_compression_round_trips():
    builder = _builder()
    text = (ROOT / "pipeline" / "data" / "dvk_dieu_khien.bas").read_bytes() * 7  # > 4096
    for data in (b"", b"a", b"abcabcabcabc" * 500, text, bytes(range(256)) * 40):
        assert builder.decompress(builder.compress(data)) == data


@needs_office
def test_libreoffice_opens_the_workbook_with_its_macros_and_buttons(workspace, tmp_path):
    convert([workspace / forms.DESK_FILENAME], "ods", tmp_path, tmp_path)
    ods = zipfile.ZipFile(tmp_path / "dvk_dieu_khien.ods")
    basic = ods.read("Basic/VBAProject/Module1.xml").decode()
    for _, macro, function in forms.DESK_BUTTONS:
        assert f"Sub {macro}()" in basic and f"Chay &quot;{function}&quot;" in basic
    content = ods.read("content.xml").decode()
    wired = re.findall(r'form:label="([^"]+)"', content)
    assert wired == [caption for caption, _, _ in forms.DESK_BUTTONS]
    targets = re.findall(r"vnd\.sun\.star\.script:VBAProject\.Module1\.(\w+)\?", content)
    assert targets == [macro for _, macro, _ in forms.DESK_BUTTONS]
    assert "Điều khiển" in content and "Kết quả lần chạy" in content


def test_without_the_tool_installed_the_module_says_so(workspace, monkeypatch):
    """dvk_dieu_khien.py, run by an xlwings whose Python lacks dvk, writes why in the book."""
    import builtins
    import sys
    import types

    book = FakeBook(workspace / forms.DESK_FILENAME, 2026, None)
    fake = types.SimpleNamespace(Book=types.SimpleNamespace(caller=lambda: book))
    monkeypatch.setitem(sys.modules, "xlwings", fake)
    real_import = builtins.__import__

    def no_dvk(name, *args, **kwargs):
        if name == "pipeline":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    spec = importlib.util.spec_from_file_location("dvk_dieu_khien", workspace / forms.DESK_MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(builtins, "__import__", no_dvk)
    module.tong_hop()
    status = book.sheets[forms.DESK_SHEET].cells["B10"]
    assert status.startswith("Lỗi: máy chưa cài dvk") and "pip install" in status


def test_the_committed_vba_project_is_what_its_script_builds():
    builder = _builder()
    built = builder.build(builder.quickstart_project(), builder.SOURCE.read_text("ascii"))
    assert built == (ROOT / "pipeline" / "data" / "vbaProject.bin").read_bytes()
