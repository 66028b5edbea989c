"""The workspace and its config file `dvk.toml`: office name, year, deadlines, signature block."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "dvk.toml"
# Every key the config may hold, so that a misspelt one is reported instead of ignored.
KNOWN_KEYS = {
    "van_phong": {"cap_tren", "ten", "dia_danh"},
    "dot_tong_hop": {"nam", "han_dang_ky", "han_bao_cao"},
    "ky_ten": {"thay_mat", "chuc_vu", "ho_ten", "ngay_ky"},
}


class ConfigError(Exception):
    "The workspace config is missing or invalid (message in Vietnamese)"


@dataclass(frozen=True)
class Config:
    office_name: str  # "TÊN ĐƠN VỊ" printed top-left, e.g. "BAN XÂY DỰNG ĐẢNG"
    parent_name: str  # the line above it, e.g. "ĐẢNG ỦY XÃ DIỄN CHÂU"; may be empty
    place: str  # the place name of the date line, "Diễn Châu, ngày …"
    year: int
    registration_deadline: dt.date | None
    results_deadline: dt.date | None
    signer_on_behalf: str  # "T/M BAN THƯỜNG VỤ"; may be empty
    signer_title: str  # "PHÓ BÍ THƯ"
    signer_name: str
    sign_date: dt.date | None  # None leaves "ngày … tháng … năm" to be filled by hand


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def archive(self) -> Path:
        """luu_tru/<date>/<sha256>/<file>: every file as it arrived, kept before any reading."""
        return self.root / "luu_tru"

    @property
    def templates(self) -> Path:
        return self.root / "templates" / "xlsx"

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME


DEFAULT_CONFIG = """\
# Cấu hình của văn phòng tổng hợp phong trào thi đua “Dân vận khéo”.
# Sửa các dòng dưới đây cho đúng đơn vị mình, lưu lại rồi chạy: dvk consolidate

[van_phong]
# Dòng trên cùng bên trái của các Phụ lục (có thể để trống "").
cap_tren = "{parent_name}"
# Tên đơn vị tổng hợp, in ở góc trên bên trái.
ten = "{office_name}"
# Địa danh ở dòng ngày tháng, ví dụ "Diễn Châu, ngày … tháng … năm …".
dia_danh = "{place}"

[dot_tong_hop]
nam = {year}
# Hạn gửi đăng ký mô hình và hạn báo cáo kết quả (năm-tháng-ngày).
han_dang_ky = {year}-03-05
han_bao_cao = {year}-09-10

[ky_ten]
thay_mat = "T/M BAN THƯỜNG VỤ"
chuc_vu = "PHÓ BÍ THƯ"
ho_ten = ""
# Ngày ký (năm-tháng-ngày). Để trống "" thì in "ngày … tháng … năm" để ghi tay.
ngay_ky = ""
"""


def write_default_config(path: Path, year: int, office_name: str = "", place: str = "") -> None:
    path.write_text(
        DEFAULT_CONFIG.format(
            year=year,
            office_name=office_name or "BAN XÂY DỰNG ĐẢNG",
            parent_name="ĐẢNG ỦY XÃ …",
            place=place or "…",
        ),
        encoding="utf-8",
    )


def load_config(path: Path) -> Config:
    if not path.exists():
        raise ConfigError(
            f"Không thấy tệp cấu hình {path}. Chạy “dvk init” để tạo thư mục làm việc."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        # tomllib explains in English; keep only where, and say how to write it right.
        where = re.search(r"line (\d+), column (\d+)", str(e))
        at = f" ở dòng {where[1]}, cột {where[2]}" if where else ""
        raise ConfigError(
            f"Tệp cấu hình {path.name} viết sai cú pháp{at}. Tên mục viết không dấu (nam, ten…), "
            'chữ đặt trong ngoặc kép "…", ngày viết dạng 2026-03-05; lưu tệp dạng UTF-8.'
        ) from e
    _check_keys(data, path.name)
    office = data.get("van_phong", {})
    run = data.get("dot_tong_hop", {})
    sign = data.get("ky_ten", {})
    year = run.get("nam")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ConfigError(f"Mục [dot_tong_hop] nam phải là một năm, ví dụ 2026 (đang là {year!r}).")
    if not str(office.get("ten", "")).strip():
        raise ConfigError("Mục [van_phong] ten (tên đơn vị tổng hợp) không được để trống.")
    return Config(
        office_name=str(office.get("ten", "")).strip(),
        parent_name=str(office.get("cap_tren", "")).strip(),
        place=str(office.get("dia_danh", "")).strip(),
        year=year,
        registration_deadline=_date(run, "han_dang_ky"),
        results_deadline=_date(run, "han_bao_cao"),
        signer_on_behalf=str(sign.get("thay_mat", "")).strip(),
        signer_title=str(sign.get("chuc_vu", "")).strip(),
        signer_name=str(sign.get("ho_ten", "")).strip(),
        sign_date=_date(sign, "ngay_ky"),
    )


def _check_keys(data: dict, name: str) -> None:
    unknown = [f"[{t}]" for t in data if t not in KNOWN_KEYS] + [
        f"[{t}] {k}"
        for t, keys in KNOWN_KEYS.items()
        if isinstance(data.get(t), dict)
        for k in data[t]
        if k not in keys
    ]
    if unknown:
        raise ConfigError(
            f"Tệp {name} có mục không hiểu: {', '.join(unknown)}. "
            "Kiểm tra chính tả (tên mục viết không dấu, ví dụ nam, ten, dia_danh)."
        )


def _date(table: dict, key: str) -> dt.date | None:
    value = table.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    raise ConfigError(f"Mục {key} phải là ngày dạng năm-tháng-ngày, ví dụ 2026-03-05.")
