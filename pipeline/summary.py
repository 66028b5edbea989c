"""What a run says to a person, in Vietnamese: the lines the terminal prints (and, later, the
control workbook shows), from the same Report that --json gives a machine."""

from __future__ import annotations

from pathlib import Path

from pipeline.office import Written
from pipeline.records import FileStatus

ALWAYS_SHOWN = (FileStatus.ACCEPTED, FileStatus.HAS_ERRORS, FileStatus.UNREADABLE)
ISSUES_SHOWN = 15  # more are in the intake workbook
WARNING = "warning"  # a line to show in the warning colour; every other line is "info"
WRITTEN = {"template": "biểu mẫu", "score_template": "biểu chấm điểm"}


def run_lines(stats: dict, outputs: dict[str, Path]) -> list[tuple[str, str]]:
    """(text, "info" | "warning") for a finished consolidation."""
    lines = [(_files_line(stats), "info")]
    if kept := stats.get("so_tep_doc_tu_bo_dem"):
        line = f"{kept} tệp không thay đổi từ lần chạy trước nên dùng lại kết quả đọc lần trước."
        lines.append((line, "info"))
    lines.append(
        (
            f"Mô hình đăng ký được tổng hợp: {stats['so_mo_hinh_dang_ky']}; "
            f"mô hình báo cáo kết quả: {stats['so_mo_hinh_ket_qua']}.",
            "info",
        )
    )
    if stats["so_mo_hinh_cham_diem"]:
        scored, passed = stats["so_mo_hinh_cham_diem"], stats["so_mo_hinh_dat"]
        lines.append((f"Mô hình được chấm điểm: {scored}; đạt: {passed}.", "info"))
    if "tinh_hinh" in stats:
        state = stats["tinh_hinh"]
        lines.append(
            (
                f"Đơn vị đã gửi đăng ký: {state['da_gui']}/{state['so_don_vi']} "
                f"({percent(state['ty_le_gui'])}); chưa gửi: {len(state['chua_gui'])}; "
                f"chưa đủ chỉ tiêu: {len(state['chua_du_chi_tieu'])} (xem tệp Tinh_hinh_tong_hop).",
                "info",
            )
        )
    lines += _last_year_lines(stats, outputs)
    lines += _letters_lines(stats.get("thu_gui"), outputs)
    if stats["van_de"]:
        errors, warnings = stats["so_loi"], stats["so_canh_bao"]
        lines.append((f"Có {errors} lỗi và {warnings} cảnh báo:", WARNING))
        lines += issue_lines(stats["van_de"], ISSUES_SHOWN)
        if len(stats["van_de"]) > ISSUES_SHOWN:
            where = outputs.get("tiep_nhan", "tệp Tiep_nhan")
            lines.append((f"  … xem đủ {len(stats['van_de'])} vấn đề trong {where}", "info"))
    lines.append(("Kết quả:", "info"))
    lines += [(f"  {path}", "info") for path in outputs.values()]
    return lines


def percent(rate: float) -> str:
    """A rate as Vietnamese writes it: "88,9%", a comma before the decimals."""
    return f"{rate:g}".replace(".", ",") + "%"


def issue_lines(issues: list[dict], limit: int) -> list[tuple[str, str]]:
    """One line per problem: where it is (file, sheet, row, column) and what it is."""
    lines = []
    for issue in issues[:limit]:
        row = f"dòng {issue['row']}" if issue["row"] else ""
        parts = (issue["file"], issue["sheet"], row, issue["column"])
        where = ", ".join(str(part) for part in parts if part)
        lines.append((f"  - [{issue['severity']}] {where}: {issue['message']}", "info"))
    return lines


def _files_line(stats: dict) -> str:
    by_status = stats["so_tep_theo_trang_thai"]
    shown = [s for s in FileStatus if by_status[s] or s in ALWAYS_SHOWN]
    counts = ", ".join(f"{by_status[s]} {s.label}" for s in shown)
    return f"Đã đọc {stats['so_tep']} tệp: {counts}."


def _last_year_lines(stats: dict, outputs: dict[str, Path]) -> list[tuple[str, str]]:
    year = stats["nam"]
    if year - 1 not in stats["nam_truoc_trong_so"]:
        return [
            (
                f"Sổ theo dõi chưa có dữ liệu năm {year - 1}: mục I/II theo đơn vị tự ghi. Để tự "
                f"nhận biết mô hình cũ: dvk history import <Phụ lục 1 năm {year - 1}> "
                f"--year {year - 1}",
                "info",
            )
        ]
    moved, asked = stats["so_mo_hinh_xep_khac_don_vi_ghi"], stats["so_mo_hinh_can_xem_xet"]
    if not (moved or asked):
        return []
    review = outputs["can_xem_xet"].name if "can_xem_xet" in outputs else "Can_xem_xet"
    return [
        (
            f"So với năm {year - 1}: {moved} mô hình được xếp khác với đơn vị ghi; {asked} mô "
            f"hình cần xem xét (tệp {review}).",
            "info",
        )
    ]


def _letters_lines(letters: dict | None, outputs: dict[str, Path]) -> list[tuple[str, str]]:
    if not letters or not letters["de_nghi_sua"] + letters["nhac_gui"]:
        return []
    where = outputs.get("thu_gui", "thu_gui")
    lines = [
        (
            f"Thư soạn sẵn để gửi đơn vị: {letters['de_nghi_sua']} đề nghị sửa tệp, "
            f"{letters['nhac_gui']} nhắc gửi biểu (trong {where}; mở bằng Outlook, xem lại rồi "
            "bấm Gửi).",
            "info",
        )
    ]
    if letters["chua_co_dia_chi"]:
        lines.append(
            (
                f"Chưa có địa chỉ thư của {len(letters['chua_co_dia_chi'])} đơn vị ("
                + ", ".join(letters["chua_co_dia_chi"][:5])
                + ("…" if len(letters["chua_co_dia_chi"]) > 5 else "")
                + "): điền cột “Thư điện tử” trong danh mục đơn vị.",
                WARNING,
            )
        )
    return lines


def init_lines(made: list[tuple[Path, bool]]) -> list[tuple[str, str]]:
    """What `init` made, from office.init_workspace: the config first, then the criteria."""
    (config, config_new), (sheet, sheet_new), *desk = made
    lines = [
        (f"Đã tạo {config}. Hãy mở tệp này, sửa tên đơn vị và người ký.", "info")
        if config_new
        else (f"Đã có tệp cấu hình {config}, giữ nguyên.", "info")
    ]
    if sheet_new:
        text = f"Đã tạo {sheet} (biểu chấm điểm 100 điểm; sửa nếu văn phòng dùng tiêu chí khác)."
        lines.append((text, "info"))
    if any(is_new for _, is_new in desk):
        workbook, *_, launcher = (path for path, _ in desk)
        text = (
            f"Đã tạo bảng điều khiển {workbook.name} (bấm nút trong Excel, cần xlwings) và "
            f"{launcher.name} (bấm đúp để tổng hợp, không cần Excel)."
        )
        lines.append((text, "info"))
    return lines


def written_lines(done: list[Written], year: int) -> list[tuple[str, str]]:
    """What `templates` wrote, and what it kept because someone had filled it in."""
    lines = []
    for written in done:
        if written.what == "roster":
            made = f"Đã tạo danh mục đơn vị (điền một lần): {written.path}"
            kept = f"Đã có danh mục đơn vị {written.path}, giữ nguyên."
            lines.append((made if written.replaced else kept, "info"))
            continue
        listed = (
            f" (đã ghi sẵn {written.listed} mô hình đăng ký năm {year})" if written.listed else ""
        )
        what = WRITTEN[written.what]
        if written.replaced:
            lines.append((f"Đã tạo {what}: {written.written}{listed}", "info"))
        else:
            text = (
                f"{written.path.name} đã có người điền, giữ nguyên. Đã tạo {what} mới: "
                f"{written.written}{listed}"
            )
            lines.append((text, WARNING))
    return lines
