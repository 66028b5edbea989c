"""The office's rules as declared data: linking thresholds, the criteria table, the ladder.

A leaf module without pandas, so that reading dvk.toml (config) does not load the stages.
Each default is declared once, here.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LinkRules:
    """The numbers of linking (0-100), from dvk.toml [lien_ket_nam_truoc]."""

    link_at: float = 90.0  # two earlier models both this close: a person says which one
    review_at: float = 75.0  # from this score a name is partial evidence; below, none
    words_added_score: float = 95.0  # a name that only adds or drops words scores at least this


DEFAULT_RULES = LinkRules()

DEFAULT_SHEET = Path(__file__).parent / "data" / "cham_diem.toml"
SHEET_NAME = "cham_diem.toml"  # the office's own table, in its workspace


class ScoreSheetError(Exception):
    "The declared criteria table is invalid (message in Vietnamese)"


@dataclass(frozen=True)
class Criterion:
    number: int
    section: str  # "I", "II"…
    maximum: float
    text: str = ""  # for a section scored the same for every subject
    collective: str = ""  # II.1: a model carried out by a collective
    individual: str = ""  # II.2: by an individual
    checks_registration: bool = False  # "registered from the start of the year" (criterion 1)

    def text_for(self, subject: str) -> str:
        if self.text:
            return self.text
        return self.individual if subject == "CA_NHAN" else self.collective


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    by_subject: bool = False  # II.1 for a collective, II.2 for an individual


@dataclass(frozen=True)
class ScoreSheet:
    title: str
    pass_line: float
    must_be_full: frozenset[int]
    sections: tuple[Section, ...]
    criteria: tuple[Criterion, ...]

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(c.number for c in self.criteria)

    @property
    def maximum(self) -> float:
        return sum(c.maximum for c in self.criteria)

    def criterion(self, number: int) -> Criterion:
        return next(c for c in self.criteria if c.number == number)

    def in_section(self, code: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.section == code)

    @property
    def signature(self) -> str:
        """What a scoring template was made for: "1:5,2:10,…" (numbers and maxima)."""
        return ",".join(f"{c.number}:{fmt(c.maximum)}" for c in self.criteria)


def load_score_sheet(path: Path | None = None) -> ScoreSheet:
    """The office's criteria table if it has one, else the one of seed 004."""
    path = path or DEFAULT_SHEET
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ScoreSheetError(f"Không đọc được biểu chấm điểm {path.name}: {e}") from e
    try:
        sections = tuple(
            Section(str(m["so"]), str(m["ten"]), bool(m.get("theo_chu_the", False)))
            for m in data["muc"]
        )
        criteria = tuple(
            Criterion(
                number=int(c["so"]),
                section=str(c["muc"]),
                maximum=float(c["diem_toi_da"]),
                text=str(c.get("noi_dung", "")),
                collective=str(c.get("tap_the", "")),
                individual=str(c.get("ca_nhan", "")),
                checks_registration=bool(c.get("kiem_tra_dang_ky", False)),
            )
            for c in data["tieu_chi"]
        )
        sheet = ScoreSheet(
            title=str(data.get("ten", "BIỂU CHẤM ĐIỂM MÔ HÌNH")),
            pass_line=float(data["diem_dat"]),
            must_be_full=frozenset(int(n) for n in data.get("tieu_chi_phai_dat_toi_da", [])),
            sections=sections,
            criteria=criteria,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ScoreSheetError(
            f"Biểu chấm điểm {path.name} thiếu hoặc sai mục {e}: cần ten, diem_dat, [[muc]] "
            "(so, ten) và [[tieu_chi]] (so, muc, diem_toi_da, noi_dung hoặc tap_the/ca_nhan)."
        ) from e
    _check_sheet(sheet, path.name)
    return sheet


def _check_sheet(sheet: ScoreSheet, name: str) -> None:
    numbers = sheet.numbers
    problems = []
    if len(set(numbers)) != len(numbers):
        problems.append("số tiêu chí bị trùng")
    if any(c.maximum <= 0 for c in sheet.criteria):
        problems.append("điểm tối đa phải lớn hơn 0")
    if unknown := sheet.must_be_full - set(numbers):
        problems.append(f"tiêu chí phải đạt tối đa không có trong biểu: {sorted(unknown)}")
    codes = {s.code for s in sheet.sections}
    if stray := {c.section for c in sheet.criteria} - codes:
        problems.append(f"mục không khai báo: {sorted(stray)}")
    by_subject = {s.code for s in sheet.sections if s.by_subject}
    if any(c.section in by_subject and not (c.collective and c.individual) for c in sheet.criteria):
        problems.append("tiêu chí của mục theo chủ thể cần cả tap_the và ca_nhan")
    if not 0 < sheet.pass_line <= sheet.maximum:
        problems.append(f"điểm đạt phải từ 0 đến {fmt(sheet.maximum)}")
    if problems:
        raise ScoreSheetError(f"Biểu chấm điểm {name} chưa đúng: {'; '.join(problems)}.")


def fmt(points: float) -> str:
    """8.0 → "8", 8.5 → "8,5": how points are written on paper."""
    return f"{points:g}".replace(".", ",")


DEFAULT_LADDER = ("Cấp cơ sở", "Cấp huyện", "Cấp tỉnh")


@dataclass(frozen=True)
class ScoringRules:
    """What the office decided: its criteria table, its ladder of levels, its deadline."""

    sheet: ScoreSheet
    ladder: tuple[str, ...] = DEFAULT_LADDER
    registration_deadline: dt.date | None = None
