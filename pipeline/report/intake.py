"""The intake workbook: every inbox file with its status, and every problem in plain words."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.issues import Severity
from pipeline.report.styles import table_sheet

FILES_SHEET = "Tiếp nhận"
ISSUES_SHEET = "Vấn đề"
UNITS_SHEET = "Đơn vị cần sửa"

_FILE_COLUMNS = (
    ("STT", 6),
    ("Tệp", 34),
    ("Đơn vị", 24),
    ("Người gửi", 22),
    ("Thời gian gửi", 12),
    ("Trạng thái", 13),
    ("Lý do", 46),
    ("Số mô hình đăng ký", 11),
    ("Số mô hình kết quả", 11),
    ("Số dòng bị giữ lại", 11),
    ("Số mô hình chấm điểm", 11),
)
_ISSUE_COLUMNS = (
    ("STT", 6),
    ("Tệp", 30),
    ("Trang", 11),
    ("Dòng", 7),
    ("Cột", 20),
    ("Mức độ", 10),
    ("Nội dung", 45),
    ("Cách sửa", 40),
)


_UNIT_COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 30),
    ("Tệp", 34),
    ("Người gửi", 26),
    ("Trạng thái", 14),
    ("Số lỗi", 8),
    ("Số cảnh báo", 10),
    ("Tệp trả lại", 34),
)


def write_intake(
    path: Path, result: RunResult, cfg: Config, returned: dict[str, Path] | None = None
) -> None:
    office_name = cfg.office_name
    wb = Workbook()
    files = wb.active
    files.title = FILES_SHEET
    rows = [
        (
            n,
            f.file,
            f.unit,
            f.sender,
            f.sent,
            f.status.label,
            f.reason,
            f.registrations,
            f.results,
            f.held_back,
            f.scored,
        )
        for n, f in enumerate(result.files, start=1)
    ]
    table_sheet(
        files, office_name, f"DANH SÁCH TỆP TIẾP NHẬN NĂM {cfg.title_year}", _FILE_COLUMNS, rows
    )
    problems = wb.create_sheet(ISSUES_SHEET)
    rows = [
        (n, i.file, i.sheet, i.row or "", i.column, str(i.severity), i.message, i.hint)
        for n, i in enumerate(result.issues, start=1)
    ]
    title = f"CÁC VẤN ĐỀ CẦN ĐƠN VỊ SỬA, NĂM {cfg.title_year}"
    table_sheet(problems, office_name, title, _ISSUE_COLUMNS, rows)
    units = wb.create_sheet(UNITS_SHEET)
    title = f"DANH SÁCH ĐƠN VỊ CẦN SỬA, GỬI LẠI BIỂU MẪU, NĂM {cfg.title_year}"
    table_sheet(units, office_name, title, _UNIT_COLUMNS, _units_to_contact(result, returned or {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _units_to_contact(result: RunResult, returned: dict[str, Path]) -> list[tuple]:
    """Files whose sender has something to fix (errors, or a form that could not be read)."""
    rows = []
    for account in result.files:
        own = [i for i in result.issues if i.file == account.file]
        errors = sum(i.severity is Severity.ERROR for i in own)
        if not errors:
            continue
        back = returned[account.file].name if account.file in returned else ""
        rows.append(
            (
                len(rows) + 1,
                account.unit,
                account.file,
                account.sender,
                account.status.label,
                errors,
                len(own) - errors,
                back,
            )
        )
    return rows
