"""`dvk doctor`: what in a workspace or on this machine would stop or spoil a run, and the fix.

Each check is a function of the workspace giving Findings, in Vietnamese; the CLI prints them
and the control workbook's "Kiểm tra" button shows them. Nothing here changes any file.
"""

from __future__ import annotations

import importlib.metadata
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline import forms
from pipeline.config import ConfigError, Workspace, load_config, placeholders
from pipeline.ingest.roster_reader import read_roster
from pipeline.ingest.workbook_reader import read_meta
from pipeline.letters import addresses
from pipeline.normalize import match_choice
from pipeline.registry import MIGRATIONS
from pipeline.report.template import template_path
from pipeline.roster import build_roster

OK, WARN, PROBLEM = "ổn", "lưu ý", "lỗi"  # a PROBLEM stops `dvk consolidate` or spoils its output
PACKAGES = (
    "pandas", "openpyxl", "pandera", "python-calamine", "click", "rapidfuzz", "psutil",
    "olefile", "xlsxwriter", "lxml",
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    level: str  # OK | WARN | PROBLEM
    what: str  # what was checked, e.g. "Tệp cấu hình dvk.toml"
    said: str  # what was found, and the fix


def check_workspace(root: Path) -> list[Finding]:
    """The folders, the config and its placeholders, the roster, the registry, the template."""
    ws = Workspace(root)
    found = [_folder(ws.inbox)]
    try:
        cfg = load_config(ws.config_path)
    except ConfigError as e:
        return [*found, Finding(PROBLEM, "Tệp cấu hình dvk.toml", str(e))]
    left = placeholders(cfg)
    found.append(
        Finding(WARN, "Tệp cấu hình dvk.toml", f"Còn chỗ chưa sửa: {'; '.join(left)}.")
        if left
        else Finding(OK, "Tệp cấu hình dvk.toml", f"Năm {cfg.year}, đơn vị {cfg.office_name}.")
    )
    unknown = [level for level in cfg.ladder if match_choice("level", level) is None]
    if unknown:
        found.append(
            Finding(
                WARN,
                "Các cấp công nhận",
                f"[cong_nhan] cac_cap có cấp công cụ chưa biết: {', '.join(unknown)}. Đơn vị "
                "chọn cấp này sẽ bị báo lỗi; dùng Cấp cơ sở, Cấp xã, Cấp huyện hoặc Cấp tỉnh.",
            )
        )
    found += [_roster(ws, cfg), _registry(ws.registry), _template(ws, cfg.year)]
    return found


def check_environment(excel: Callable[[], Finding] | None = None) -> list[Finding]:
    """Python, the packages the tool needs, and whether Excel can be driven for --open."""
    found = [
        Finding(OK, "Python", sys.version.split()[0])
        if sys.version_info >= (3, 11)
        else Finding(PROBLEM, "Python", "Cần Python 3.11 trở lên.")
    ]
    missing = []
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(package)
    found.append(
        Finding(PROBLEM, "Thư viện", f"Thiếu {', '.join(missing)}: py -m pip install dvk-pipeline")
        if missing
        else Finding(OK, "Thư viện", ", ".join(versions))
    )
    found.append((excel or excel_finding)())
    return found


def excel_finding() -> Finding:
    """Whether results open in Excel (xlwings and Excel), else in the system's default viewer.
    The one check that looks outside Python; replaced in tests."""
    what = "Excel và xlwings"
    fallback = "kết quả sẽ mở bằng ứng dụng mặc định của máy."
    try:
        version = importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError:
        install = 'py -m pip install "dvk-pipeline[excel]"'
        return Finding(WARN, what, f"Chưa cài xlwings ({install}); {fallback}")
    if sys.platform != "win32":
        return Finding(WARN, what, f"xlwings {version}; máy này không phải Windows: {fallback}")
    try:
        import winreg

        winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, "Excel.Application").Close()
    except OSError:
        return Finding(WARN, what, f"xlwings {version} nhưng máy chưa cài Excel; {fallback}")
    return Finding(OK, what, f"xlwings {version}, có Excel.")


def _folder(path: Path) -> Finding:
    """The inbox must be there (outbox/ is made by the first run)."""
    if path.is_dir():
        return Finding(OK, f"Thư mục {path.name}/", str(path))
    fix = f"Không có {path}. Chạy “dvk init {path.parent}”."
    return Finding(PROBLEM, f"Thư mục {path.name}/", fix)


def _roster(ws: Workspace, cfg) -> Finding:
    what = f"Danh mục đơn vị {forms.ROSTER_FILENAME}"
    path = ws.root / forms.ROSTER_FILENAME
    if not path.exists():
        return Finding(
            WARN,
            what,
            "Chưa có: công cụ không biết đơn vị nào chưa gửi, không nhắc được. Chạy “dvk "
            "templates”, điền danh mục (mỗi đơn vị một dòng, kèm thư điện tử) rồi lưu.",
        )
    rows, issues = read_roster(path)
    roster, problems = build_roster(rows, cfg.quotas, forms.ROSTER_FILENAME)
    issues += problems
    if issues:
        first = issues[0]
        where = f" (dòng {first.row})" if first.row else ""
        return Finding(WARN, what, f"{len(issues)} chỗ cần sửa, ví dụ{where}: {first.message}")
    if not roster:
        return Finding(WARN, what, "Chưa điền đơn vị nào.")
    no_mail = sum(not addresses(u.email) for u in roster.units.values())
    said = f"{len(roster.units)} đơn vị."
    if no_mail:
        said += f" {no_mail} đơn vị chưa có thư điện tử (hoặc ghi sai): không soạn được thư cho họ."
        return Finding(WARN, what, said)
    return Finding(OK, what, said)


def _registry(path: Path) -> Finding:
    what = f"Sổ theo dõi {path.name}"
    if not path.exists():
        return Finding(OK, what, "Chưa có; lần tổng hợp đầu sẽ tạo.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        backup = "luu_tru/dvk_sao_luu.sqlite"
        return Finding(PROBLEM, what, f"Bị hỏng ({e}). Lấy lại bản sao lưu {backup}.")
    if version > len(MIGRATIONS):
        return Finding(PROBLEM, what, "Do phiên bản dvk mới hơn tạo ra. Cập nhật dvk.")
    if version < len(MIGRATIONS):
        return Finding(OK, what, "Phiên bản cũ; lần tổng hợp tới sẽ tự nâng cấp.")
    return Finding(OK, what, "Đúng phiên bản.")


def _template(ws: Workspace, year: int) -> Finding:
    path = template_path(ws.templates, year)
    what = f"Biểu mẫu {path.name}"
    if not path.exists():
        return Finding(WARN, what, "Chưa có. Chạy “dvk templates” để tạo biểu mẫu gửi đơn vị.")
    meta = read_meta(path)
    if meta is None:
        return Finding(PROBLEM, what, "Không mở được. Chạy lại “dvk templates”.")
    if meta.get("template") != forms.TEMPLATE_ID:
        return Finding(WARN, what, "Không phải biểu mẫu do dvk tạo. Chạy lại “dvk templates”.")
    if meta.get("version") != forms.TEMPLATE_VERSION or meta.get("year") != year:
        return Finding(
            WARN,
            what,
            f"Phiên bản {meta.get('version')}, năm {meta.get('year')}: chạy lại “dvk templates” "
            f"để có phiên bản {forms.TEMPLATE_VERSION} năm {year}.",
        )
    return Finding(OK, what, f"Phiên bản {forms.TEMPLATE_VERSION}, năm {year}.")
