"""The control workbook's buttons, the Python side: read what the person typed, run the job
through the run API, and show what happened in the workbook.

xlwings' RunPython imports dvk_dieu_khien.py (beside the workbook), which calls one function
here per button. The Excel boundary is `ExcelDesk`, the only code that touches the workbook;
tests give the functions a desk of their own, since xlwings cannot open a book on Linux.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline import doctor, forms, opening
from pipeline.config import placeholders
from pipeline.office import DvkError, Office
from pipeline.summary import percent, run_lines, written_lines


@dataclass(frozen=True)
class Typed:
    """What the person typed in the control workbook, and where that workbook is."""

    workspace: Path
    year: int | None
    quarter: int | None


class Desk(Protocol):
    def typed(self) -> Typed: ...

    def show(self, status: str, summary: dict[str, object], details: list[str]) -> None: ...


def tong_hop(desk: Desk | None = None) -> None:
    """The "Tổng hợp" button: consolidate the year (and quarter) typed, publish, summarise."""
    desk = desk or excel_desk()

    def job(office: Office, typed: Typed):
        run = office.consolidate(quarter=typed.quarter)
        run.publish()
        report = run.report
        stats = report.stats
        summary = {
            "so_tep": stats["so_tep"],
            "so_mo_hinh_dang_ky": stats["so_mo_hinh_dang_ky"],
            "so_mo_hinh_ket_qua": stats["so_mo_hinh_ket_qua"],
            "so_loi": stats["so_loi"],
            "so_canh_bao": stats["so_canh_bao"],
        }
        if "tinh_hinh" in stats:
            state = stats["tinh_hinh"]
            names = ", ".join(state["chua_gui"]) or "không có"
            summary["chua_gui"] = (
                f"{len(state['chua_gui'])} ({percent(state['ty_le_gui'])} đã gửi): {names}"
            )
        letters = stats["thu_gui"]
        summary["thu_gui"] = f"{letters['de_nghi_sua']} đề nghị sửa, {letters['nhac_gui']} nhắc gửi"
        status = (
            f"Đã tổng hợp xong: {stats['so_tep']} tệp, {stats['so_mo_hinh_dang_ky']} mô hình đăng "
            f"ký, {stats['so_loi']} lỗi. Bấm “Mở kết quả” để xem Phụ lục 1 và Phụ lục 4."
        )
        return status, summary, [text for text, _ in run_lines(stats, report.outputs)]

    _button(desk, "Tổng hợp", job)


def mo_ket_qua(desk: Desk | None = None) -> None:
    """The "Mở kết quả" button: the last run's Phụ lục 1 and 4, in Excel or the system's viewer."""
    desk = desk or excel_desk()

    def job(office: Office, typed: Typed):
        paths = office.latest_annexes(typed.quarter)
        used, failures = opening.open_files(paths)
        if used:
            return f"Đã mở Phụ lục 1 và Phụ lục 4 bằng {used}.", {}, []
        why = "; ".join(failures)
        return f"Không mở tự động được ({why}); các tệp nằm trong {paths[0].parent}.", {}, []

    _button(desk, "Mở kết quả", job, keep_summary=True)


def tao_bieu_mau(desk: Desk | None = None) -> None:
    """The "Tạo biểu mẫu" button: the unit form, the scoring sheet and the roster."""
    desk = desk or excel_desk()

    def job(office: Office, typed: Typed):
        lines = [text for text, _ in written_lines(office.write_templates(), office.config.year)]
        return f"Đã tạo biểu mẫu trong {office.workspace.templates}.", {}, lines

    _button(desk, "Tạo biểu mẫu", job)


def kiem_tra(desk: Desk | None = None) -> None:
    """The "Kiểm tra" button: `dvk doctor`, its findings in the summary sheet."""
    desk = desk or excel_desk()
    try:
        typed = desk.typed()
    except DvkError as e:
        desk.show(f"Lỗi: {e}", {}, [])
        return
    findings = doctor.check_workspace(typed.workspace) + doctor.check_environment()
    problems = sum(f.level == doctor.PROBLEM for f in findings)
    warnings = sum(f.level == doctor.WARN for f in findings)
    lines = [f"[{f.level}] {f.what}: {f.said}" for f in findings]
    status = f"Kiểm tra xong: {problems} lỗi, {warnings} lưu ý (xem trang “Kết quả lần chạy”)."
    desk.show(status, _stamp("Kiểm tra", typed.year, typed.quarter), lines)


def _button(desk: Desk, name: str, job, keep_summary: bool = False) -> None:
    """Run one button's job; whatever happens, the person reads it in the workbook (a
    traceback in xlwings' message box helps nobody at the office)."""
    try:
        typed = desk.typed()
        office = Office.open(typed.workspace, typed.year)
        status, summary, details = job(office, typed)
        if left := placeholders(office.config):
            details = [f"Lưu ý: dvk.toml còn chỗ chưa sửa: {'; '.join(left)}.", *details]
    except DvkError as e:
        desk.show(f"Lỗi: {e}", {}, [])
        return
    except Exception as e:  # a fault of the tool itself, said as the CLI says it
        status = (
            f"Lỗi: công cụ gặp sự cố và đã dừng ({type(e).__name__}: {e}). Tệp trong inbox "
            "không bị thay đổi. Gửi thông báo này cho người phụ trách kỹ thuật."
        )
        desk.show(status, {}, [])
        return
    if keep_summary:
        desk.show(status, {}, [])
        return
    desk.show(status, _stamp(name, office.config.year, typed.quarter) | summary, details)


def _stamp(name: str, year: int | None, quarter: int | None) -> dict[str, object]:
    period = f"{year or 'theo dvk.toml'}" + (f", quý {quarter}" if quarter else "")
    return {"thoi_diem": dt.datetime.now().strftime("%d/%m/%Y %H:%M"), "viec": name, "ky": period}


class ExcelDesk:
    """The workbook that called, through xlwings: its named cells and its summary sheet."""

    def __init__(self, book):
        self.book = book

    def typed(self) -> Typed:
        year = self.book.names[forms.DESK_YEAR].refers_to_range.value
        quarter = self.book.names[forms.DESK_QUARTER].refers_to_range.value
        return typed_values(Path(self.book.fullname).parent, year, quarter)

    def show(self, status: str, summary: dict[str, object], details: list[str]) -> None:
        self.book.names[forms.DESK_STATUS].refers_to_range.value = status
        if not summary and not details:
            return
        sheet = self.book.sheets[forms.DESK_SUMMARY_SHEET]
        first = forms.DESK_SUMMARY_FIRST_ROW
        values = [[summary.get(key, "")] for key, _ in forms.DESK_SUMMARY]
        sheet.range((first, 2)).value = values
        row = forms.DESK_DETAIL_ROW
        sheet.range((row, 1), (row + forms.DESK_DETAIL_ROWS, 2)).clear_contents()
        if details:
            sheet.range((row, 1)).value = [[line] for line in details]


def excel_desk() -> ExcelDesk:
    import xlwings as xw  # only here: the workbook's buttons are the one use of xlwings

    return ExcelDesk(xw.Book.caller())


def typed_values(workspace: Path, year, quarter) -> Typed:
    """The year and quarter cells as Excel gives them (2026.0, "2", None), checked: a value
    that is not one is said, never read as "the whole year"."""
    year, quarter = _whole(year, "Năm tổng hợp"), _whole(quarter, "Quý")
    if year is not None and not 2000 <= year <= 2100:
        raise DvkError(f"Ô “Năm tổng hợp” phải là một năm, ví dụ 2026 (đang là {year}).")
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise DvkError(f"Ô “Quý” phải là 1, 2, 3 hoặc 4, hoặc để trống (đang là {quarter}).")
    return Typed(workspace, year, quarter)


def _whole(value, label: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise DvkError(f"Ô “{label}” phải là một số (đang là “{value}”).") from None
    if not number.is_integer():
        raise DvkError(f"Ô “{label}” phải là số nguyên (đang là {value}).")
    return int(number)
