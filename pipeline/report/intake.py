"""The intake workbook: every inbox file with its status, and every problem in plain words."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.issues import Severity, issues_by_file
from pipeline.report.layout import NUMBER, Column, numbered, table_sheet
from pipeline.report.sheet import Book

FILES_SHEET = "Tiếp nhận"
ISSUES_SHEET = "Vấn đề"
UNITS_SHEET = "Đơn vị cần sửa"

_FILE_COLUMNS = (
    NUMBER,
    Column("file", "Tệp", 34),
    Column("unit", "Đơn vị", 24),
    Column("sender", "Người gửi", 22),
    Column("sent", "Thời gian gửi", 12),
    Column("status", "Trạng thái", 13),
    Column("reason", "Lý do", 46),
    Column("registrations", "Số mô hình đăng ký", 11),
    Column("results", "Số mô hình kết quả", 11),
    Column("held_back", "Số dòng bị giữ lại", 11),
    Column("scored", "Số mô hình chấm điểm", 11),
)
_ISSUE_COLUMNS = (
    NUMBER,
    Column("file", "Tệp", 30),
    Column("sheet", "Trang", 11),
    Column("row", "Dòng", 7),
    Column("column", "Cột", 20),
    Column("severity", "Mức độ", 10),
    Column("message", "Nội dung", 45),
    Column("hint", "Cách sửa", 40),
)
_UNIT_COLUMNS = (
    NUMBER,
    Column("unit", "Đơn vị", 30),
    Column("file", "Tệp", 34),
    Column("sender", "Người gửi", 26),
    Column("status", "Trạng thái", 14),
    Column("errors", "Số lỗi", 8),
    Column("warnings", "Số cảnh báo", 10),
    Column("returned", "Tệp trả lại", 34),
)


def write_intake(
    path: Path, result: RunResult, cfg: Config, returned: dict[str, Path] | None = None
) -> None:
    office_name = cfg.office_name
    wb = Book(FILES_SHEET)
    files = wb.active
    # A file's account holds plain values only: copied as they are (asdict deep-copies each).
    rows = numbered(vars(f) | {"status": f.status.label} for f in result.files)
    table_sheet(
        files, office_name, f"DANH SÁCH TỆP TIẾP NHẬN NĂM {cfg.title_year}", _FILE_COLUMNS, rows
    )
    problems = wb.create_sheet(ISSUES_SHEET)
    rows = numbered(i.to_dict() | {"row": i.row or "", "hint": i.hint} for i in result.issues)
    title = f"CÁC VẤN ĐỀ CẦN ĐƠN VỊ SỬA, NĂM {cfg.title_year}"
    table_sheet(problems, office_name, title, _ISSUE_COLUMNS, rows)
    units = wb.create_sheet(UNITS_SHEET)
    title = f"DANH SÁCH ĐƠN VỊ CẦN SỬA, GỬI LẠI BIỂU MẪU, NĂM {cfg.title_year}"
    table_sheet(units, office_name, title, _UNIT_COLUMNS, _units_to_contact(result, returned or {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _units_to_contact(result: RunResult, returned: dict[str, Path]) -> list[dict]:
    """Files whose sender has something to fix (errors, or a form that could not be read)."""
    rows = []
    by_file = issues_by_file(result.issues)  # not every issue looked through for each file
    for account in result.files:
        own = by_file.get(account.file, [])
        errors = sum(i.severity is Severity.ERROR for i in own)
        if not errors:
            continue
        back = returned[account.file].name if account.file in returned else ""
        rows.append(
            {
                "unit": account.unit,
                "file": account.file,
                "sender": account.sender,
                "status": account.status.label,
                "errors": errors,
                "warnings": len(own) - errors,
                "returned": back,
            }
        )
    return numbered(rows)
