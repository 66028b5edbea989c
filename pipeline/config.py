"""The workspace and its config file `dvk.toml`: office name, year, deadlines, signature block."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline import vocab
from pipeline.rules import (
    DEFAULT_LADDER,
    DEFAULT_RULES,
    SHEET_NAME,
    LinkRules,
    ScoreSheet,
    ScoringRules,
    load_score_sheet,
)

CONFIG_NAME = "dvk.toml"
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
# Every key the config may hold, so that a misspelt one is reported instead of ignored.
KNOWN_KEYS = {
    "van_phong": {"cap_tren", "ten", "dia_danh"},
    "dot_tong_hop": {"nam", "han_dang_ky", "han_bao_cao", "mui_gio"},
    "ky_ten": {"thay_mat", "chuc_vu", "ho_ten", "ngay_ky"},
    "lien_ket_nam_truoc": {"lien_ket_tu", "xem_xet_tu", "diem_them_bot_tu"},
    "doi_ten_don_vi": None,  # any key: a unit's former name
    "cong_nhan": {"cac_cap"},
    "chi_tieu": {code.lower() for code in vocab.UNIT_KINDS},
    "muc_tieu": {"tong_so_mo_hinh", "ty_le_chi_bo_co_mo_hinh"},
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
    link_rules: LinkRules = DEFAULT_RULES
    # (former name, name now) of units renamed or merged, as the office declared them
    unit_renames: tuple[tuple[str, str], ...] = ()
    # The ladder of recognition, lowest first: a model proposed at a level must have been
    # recognised at the one below it (seed 002, step 5).
    ladder: tuple[str, ...] = DEFAULT_LADDER
    # Models each kind of unit registers at least (roster kind code -> number).
    quotas: dict[str, int] = field(default_factory=lambda: dict(vocab.DEFAULT_QUOTAS))
    target_models: int | None = None  # the office's own target: models in all, e.g. 42
    target_chi_bo_share: float | None = None  # % of chi bộ with at least one model, e.g. 100
    # The office's time zone: e-mail dates and file times are shown and judged in it.
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_ZONE))
    period: int | None = None  # the quarter of a quarter's run (--period), else None

    @property
    def title_year(self) -> str:
        """The year as titles print it after "NĂM": "2026", or, for a quarter's run, "2026
        (TÍNH ĐẾN HẾT QUÝ II)", since a quarter's annex carries the year so far."""
        if not self.period:
            return str(self.year)
        return f"{self.year} (TÍNH ĐẾN HẾT QUÝ {['I', 'II', 'III', 'IV'][self.period - 1]})"

    def scoring_rules(self, sheet: ScoreSheet | None = None) -> ScoringRules:
        """The criteria table (seed 004's unless given), this office's ladder and deadline."""
        return ScoringRules(sheet or load_score_sheet(), self.ladder, self.registration_deadline)

    def renamed_units(self) -> dict[str, str]:
        """A unit's former name -> its present name ([doi_ten_don_vi]), as the office typed them."""
        return dict(self.unit_renames)


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
    def read_cache(self) -> Path:
        """Each inbox file's reading, kept by its content (ingest/cache.py): safe to delete."""
        return self.root / ".dvk_bo_dem"

    @property
    def registry(self) -> Path:
        """The SQLite registry of units, models and years (see pipeline/registry.py)."""
        return self.root / "dvk.sqlite"

    @property
    def score_sheet(self) -> Path:
        """The office's own criteria table, if it has one (else seed 004's is used)."""
        return self.root / SHEET_NAME

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
# Múi giờ để tính ngày giờ gửi thư so với hạn (Việt Nam: "Asia/Ho_Chi_Minh").
mui_gio = "Asia/Ho_Chi_Minh"

[ky_ten]
thay_mat = "T/M BAN THƯỜNG VỤ"
chuc_vu = "PHÓ BÍ THƯ"
ho_ten = ""
# Ngày ký (năm-tháng-ngày). Để trống "" thì in "ngày … tháng … năm" để ghi tay.
ngay_ky = ""

[lien_ket_nam_truoc]
# Mỗi mô hình năm nay được so với các mô hình năm trước của cùng đơn vị. Công cụ chỉ xếp khác ô
# đơn vị đã chọn khi chắc chắn: tên trùng hẳn (không kể chữ hoa/thường, dấu câu, “Mô hình”, viết
# tắt, năm) thì là mô hình cũ; không có tên nào gần giống thì là mô hình mới. Tên gần giống (điểm
# giống 0-100 từ xem_xet_tu trở lên, hoặc thêm/bớt vài từ, thêm/bớt tên thôn) thì theo đơn vị nếu
# đơn vị ghi “Duy trì”, và đưa vào tệp Can_xem_xet nếu đơn vị ghi “Đăng ký mới”. Hai mô hình năm
# trước cùng giống từ lien_ket_tu trở lên: đưa vào Can_xem_xet để người chọn.
lien_ket_tu = {link_at:g}
xem_xet_tu = {review_at:g}
# Tên chỉ thêm hoặc bớt từ so với tên năm trước được tính điểm giống ít nhất bằng số này.
diem_them_bot_tu = {words_added_score:g}

[cong_nhan]
# Các cấp công nhận mô hình, từ thấp lên cao. Mô hình đề nghị công nhận ở một cấp phải đã được
# công nhận ở cấp liền dưới. Ví dụ hệ thống hai cấp: ["Cấp xã", "Cấp tỉnh"].
cac_cap = {ladder}

[chi_tieu]
# Số mô hình tối thiểu mỗi loại đơn vị đăng ký (dùng khi danh mục đơn vị để trống cột chỉ tiêu).
chi_bo = {quotas[CHI_BO]}
dang_bo_co_so = {quotas[DANG_BO_CO_SO]}
doan_the = {quotas[DOAN_THE]}

[muc_tieu]
# Mục tiêu của cả văn phòng: tổng số mô hình, và tỷ lệ (%) chi bộ có ít nhất một mô hình.
tong_so_mo_hinh = 42
ty_le_chi_bo_co_mo_hinh = 100

[doi_ten_don_vi]
# Đơn vị đã đổi tên hoặc sáp nhập: "tên cũ" = "tên mới", mỗi tên cũ một dòng. Ví dụ:
# "Chi bộ xóm 3" = "Chi bộ xóm Đông"
"""


# What each printed setting is called in dvk.toml, and whether it may be left empty: "…" (the
# ellipsis `dvk init` writes) is never an answer, and an empty required one prints a blank on
# the signed annex.
PRINTED_SETTINGS = (
    ("parent_name", "[van_phong] cap_tren", True),
    ("office_name", "[van_phong] ten", False),
    ("place", "[van_phong] dia_danh", False),
    ("signer_title", "[ky_ten] chuc_vu", False),
    ("signer_name", "[ky_ten] ho_ten", False),
)
PLACEHOLDER = "…"


def placeholders(cfg: Config) -> list[str]:
    """The settings printed on the signed annexes that still hold `dvk init`'s placeholder
    ("ĐẢNG ỦY XÃ …") or are empty, each as "[mục] khóa" with what it holds."""
    left = []
    for attr, name, may_be_empty in PRINTED_SETTINGS:
        value = getattr(cfg, attr)
        if PLACEHOLDER in value or "..." in value:
            left.append(f"{name} = “{value}”")
        elif not value and not may_be_empty:
            left.append(f"{name} còn để trống")
    return left


def write_default_config(path: Path, year: int, office_name: str = "", place: str = "") -> None:
    path.write_text(
        DEFAULT_CONFIG.format(
            year=year,
            link_at=DEFAULT_RULES.link_at,
            review_at=DEFAULT_RULES.review_at,
            words_added_score=DEFAULT_RULES.words_added_score,
            ladder=json.dumps(list(DEFAULT_LADDER), ensure_ascii=False),
            quotas=vocab.DEFAULT_QUOTAS,
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
        # utf-8-sig: Notepad saves "UTF-8" with a byte-order mark, which tomllib refuses.
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
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
        link_rules=_link_rules(data.get("lien_ket_nam_truoc", {})),
        unit_renames=_renames(data.get("doi_ten_don_vi", {})),
        ladder=_ladder(data.get("cong_nhan", {})),
        quotas=_quotas(data.get("chi_tieu", {})),
        target_models=_number(data.get("muc_tieu", {}), "tong_so_mo_hinh"),
        target_chi_bo_share=_number(data.get("muc_tieu", {}), "ty_le_chi_bo_co_mo_hinh"),
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
        zone=_zone(run),
    )


def _zone(run: dict) -> ZoneInfo:
    name = run.get("mui_gio", DEFAULT_ZONE)
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(
            f'Mục [dot_tong_hop] mui_gio phải là tên múi giờ, ví dụ "{DEFAULT_ZONE}" '
            f"(đang là {name!r})."
        ) from e


def _link_rules(table: dict) -> LinkRules:
    given = {
        "link_at": table.get("lien_ket_tu", DEFAULT_RULES.link_at),
        "review_at": table.get("xem_xet_tu", DEFAULT_RULES.review_at),
        "words_added_score": table.get("diem_them_bot_tu", DEFAULT_RULES.words_added_score),
    }
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in given.values())
    if not numbers or not 0 <= given["review_at"] <= given["link_at"] <= 100:
        raise ConfigError(
            "Mục [lien_ket_nam_truoc]: lien_ket_tu và xem_xet_tu là số từ 0 đến 100, "
            f"xem_xet_tu không lớn hơn lien_ket_tu (đang là {given['link_at']!r} và "
            f"{given['review_at']!r})."
        )
    if not 0 <= given["words_added_score"] <= 100:
        raise ConfigError(
            "Mục [lien_ket_nam_truoc]: diem_them_bot_tu là số từ 0 đến 100 "
            f"(đang là {given['words_added_score']!r})."
        )
    return LinkRules(**{k: float(v) for k, v in given.items()})


def _quotas(table: dict) -> dict[str, int]:
    quotas = dict(vocab.DEFAULT_QUOTAS)
    for key, value in table.items():
        if type(value) is not int or value < 0:
            raise ConfigError(
                f"Mục [chi_tieu] {key} phải là số nguyên không âm (đang là {value!r})."
            )
        quotas[key.upper()] = value
    return quotas


def _number(table: dict, key: str):
    value = table.get(key)
    if value is None or value == "":
        return None
    if type(value) not in (int, float) or value < 0:
        raise ConfigError(f"Mục [muc_tieu] {key} phải là một số (đang là {value!r}).")
    return value


def _ladder(table: dict) -> tuple[str, ...]:
    levels = table.get("cac_cap", list(DEFAULT_LADDER))
    if (
        not isinstance(levels, list)
        or not levels
        or not all(isinstance(v, str) and v.strip() for v in levels)
    ):
        raise ConfigError(
            'Mục [cong_nhan] cac_cap là danh sách các cấp, ví dụ ["Cấp cơ sở", "Cấp huyện", '
            '"Cấp tỉnh"].'
        )
    return tuple(v.strip() for v in levels)


def _renames(table: dict) -> tuple[tuple[str, str], ...]:
    bad = [k for k, v in table.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ConfigError(
            f"Mục [doi_ten_don_vi]: “{bad[0]}” phải gán bằng tên mới trong ngoặc kép, "
            'ví dụ "Chi bộ xóm 3" = "Chi bộ xóm Đông".'
        )
    return tuple((str(k).strip(), v.strip()) for k, v in table.items())


def _check_keys(data: dict, name: str) -> None:
    unknown = [f"[{t}]" for t in data if t not in KNOWN_KEYS] + [
        f"[{t}] {k}"
        for t, keys in KNOWN_KEYS.items()
        if isinstance(data.get(t), dict) and keys is not None
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


def parse_period(text: str) -> tuple[int, int]:
    """ "2026-Q1" (or "2026-q1", "Q1-2026") -> (2026, 1); a ConfigError in Vietnamese otherwise."""
    found = re.fullmatch(r"\s*(?:(\d{4})\s*-\s*[qQ]([1-4])|[qQ]([1-4])\s*-\s*(\d{4}))\s*", text)
    if not found:
        raise ConfigError(
            f"Kỳ “{text}” chưa đúng: ghi năm và quý, ví dụ 2026-Q1 (quý 1 đến quý 4)."
        )
    year, quarter = (found[1], found[2]) if found[1] else (found[4], found[3])
    return int(year), int(quarter)
