"""The review workbook: links a person must decide, and every change to a unit's own tick."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from rapidfuzz import fuzz

from pipeline import forms, vocab
from pipeline.analysis import review_rows
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.frames import records
from pipeline.link import DECIDED_NEW, DECIDED_OLD, REVIEW, evidence_text
from pipeline.normalize import comparison_key
from pipeline.report.layout import NUMBER, Column, numbered, table_sheet

CHANGES_SHEET = "Khác với đơn vị ghi"
ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")  # the one column to fill in
_ANSWERS = {REVIEW: "", DECIDED_OLD: "Có", DECIDED_NEW: "Không"}
_KEYS = ("unit_key", "name_key", "candidate_id")

_REVIEW_COLUMNS = (
    NUMBER,
    Column("unit", "Đơn vị", 24),
    Column("sheet", "Trang", 10),
    Column("name", "Tên mô hình năm nay", 36),
    Column("ticked", "Đơn vị ghi", 14),
    Column("placed", "Tạm xếp vào", 14),
    Column("reason", "Lý do cần xem xét", 34),
    Column("match", "Mô hình năm trước gần nhất", 36),
    Column("score", "Điểm giống (0-100)", 10),
    Column("candidates", "Các mô hình gần giống", 30),
    Column("answer", forms.REVIEW_ANSWER, 14),
    # Hidden keys the answers are read back by (ingest.decisions), in forms.REVIEW_KEYS' order.
    *(Column(key, header, 12) for key, header in zip(_KEYS, forms.REVIEW_KEYS, strict=True)),
)
_CHANGE_COLUMNS = (
    NUMBER,
    Column("unit", "Đơn vị", 24),
    Column("_file", "Tệp", 28),
    Column("sheet", "Trang", 10),
    Column("_row", "Dòng", 7),
    Column("name", "Tên mô hình", 36),
    Column("ticked", "Đơn vị ghi", 16),
    Column("placed", "Đã xếp vào", 16),
    Column("why", "Căn cứ", 36),
)


def changed_rows(result: RunResult) -> list[dict]:
    """Every model put in another section than its unit ticked, and why."""
    lines = []
    for spec, rows in ((forms.REGISTRATION, result.registrations), (forms.RESULTS, result.results)):
        if rows.empty or "status_ticked" not in rows:
            continue
        labels = vocab.STATUSES if spec is forms.REGISTRATION else vocab.RESULT_STATUSES
        moved = rows[rows["status_ticked"].ne(rows["status"]) & rows["status_ticked"].ne("")]
        for row in records(moved):
            why = evidence_text(row, result.history.years if result.history else ())
            ticked, placed = labels[row["status_ticked"]], labels[row["status"]]
            lines.append(
                row
                | {"sheet": spec.name, "_row": int(row["_row"]), "why": why}
                | {"ticked": ticked, "placed": placed}
            )
    return numbered(lines)


def write_review(path: Path, result: RunResult, cfg: Config) -> None:
    office_name = cfg.office_name
    wb = Workbook()
    ws = wb.active
    ws.title = forms.REVIEW_SHEET
    title = (
        f"CÁC MÔ HÌNH CHƯA CHẮC LÀ CŨ HAY MỚI, NĂM {cfg.title_year} "
        "(ghi Có hoặc Không ở cột “Là mô hình cũ” rồi chạy lại dvk consolidate)"
    )
    _review_sheet(ws, office_name, title, review_rows(result))
    changes = wb.create_sheet(CHANGES_SHEET)
    title = f"CÁC MÔ HÌNH ĐƯỢC XẾP KHÁC VỚI ĐƠN VỊ GHI, NĂM {cfg.title_year}"
    table_sheet(changes, office_name, title, _CHANGE_COLUMNS, changed_rows(result))
    claimed = wb.create_sheet(forms.REVIEW_CLAIMED_SHEET)
    title = (
        f"CÁC MÔ HÌNH CÓ MÔ HÌNH NĂM TRƯỚC GẦN GIỐNG ĐÃ ĐƯỢC TÍNH CHO MÔ HÌNH KHÁC, NĂM "
        f"{cfg.title_year} (đã xếp theo đơn vị ghi; ghi Có hoặc Không nếu cần sửa)"
    )
    _review_sheet(claimed, office_name, title, review_rows(result, claimed=True))
    if not result.unmapped.empty:
        _units_sheet(wb.create_sheet(forms.REVIEW_UNITS_SHEET), result, cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


_UNIT_COLUMNS = (
    NUMBER,
    Column("name", forms.REVIEW_UNIT_NAME, 30),
    Column("files", "Tệp", 30),
    Column("models", "Số mô hình chờ tổng hợp", 12),
    Column("near", "Đơn vị gần giống trong danh mục (mã – tên)", 40),
    Column("answer", forms.REVIEW_UNIT_ANSWER, 18),
)


def unmapped_units(result: RunResult) -> list[dict]:
    """One line per unit name the roster does not know: its files, models, nearest units."""
    rows = result.unmapped
    lines = []
    for _, group in rows.groupby(rows["unit"].map(comparison_key), sort=True):
        name = group["unit"].iloc[0]
        near = near_units(name, result.roster)
        files = ", ".join(sorted(set(group["_file"])))
        lines.append({"name": name, "files": files, "models": len(group), "near": near})
    return numbered(lines)


def _units_sheet(ws, result: RunResult, cfg: Config) -> None:
    title = (
        f"ĐƠN VỊ CHƯA CÓ TRONG DANH MỤC, NĂM {cfg.title_year} (ghi mã đơn vị nếu là tên cũ của "
        "đơn vị đó, hoặc “Mới” nếu là đơn vị mới; mô hình của đơn vị chờ đến khi có câu trả lời)"
    )
    lines = unmapped_units(result)
    table_sheet(ws, cfg.office_name, title, _UNIT_COLUMNS, lines)
    answer = len(_UNIT_COLUMNS)
    for r in range(5, 5 + len(lines)):
        ws.cell(r, answer).fill = ANSWER_FILL


def near_units(name: str, roster) -> str:
    """The roster's two names nearest a name it does not know, as "code – name"."""
    key = comparison_key(name)
    scored = sorted(
        ((fuzz.token_sort_ratio(key, comparison_key(u.name)), u) for u in roster.units.values()),
        key=lambda pair: -pair[0],
    )
    return "; ".join(f"{u.code} – {u.name}" for score, u in scored[:2] if score >= 60)


def _review_sheet(ws, office_name: str, title: str, listed: pd.DataFrame) -> None:
    rows = numbered(
        row
        | {
            "ticked": _label(row["sheet"], row["status_ticked"]),
            "placed": _label(row["sheet"], row["status"]),
            "reason": _reason(row),
            "score": round(float(row["score"])) if row["match"] else "",
            "answer": _ANSWERS.get(row["link"], ""),
            "candidate_id": "" if pd.isna(row["candidate_id"]) else int(row["candidate_id"]),
        }
        for row in records(listed)
    )
    table_sheet(ws, office_name, title, _REVIEW_COLUMNS, rows)
    _answer_column(ws, len(rows))


def _reason(row: dict) -> str:
    """Why a person is asked, and what the closest earlier model has in common with this one."""
    if row["link"] in (DECIDED_OLD, DECIDED_NEW):
        return vocab.LINK_DECIDED
    reason = vocab.REVIEW_REASONS.get(row.get("review_reason") or "", "").format(**row)
    shown = row["match"] and row.get("evidence") not in ("close", "")  # "close" says no more
    evidence = vocab.LINK_EVIDENCE.get(row.get("evidence") or "", "") if shown else ""
    return f"{reason}. {evidence}." if evidence else f"{reason}."


def _label(sheet: str, status: str) -> str:
    labels = vocab.STATUSES if sheet == forms.REGISTRATION.name else vocab.RESULT_STATUSES
    return labels.get(status, "")


def _answer_column(ws, count: int) -> None:
    """The answer cells: a Có/Không dropdown, shaded; the key columns hidden but kept."""
    answer = [c.key for c in _REVIEW_COLUMNS].index("answer") + 1
    letter = get_column_letter(answer)
    if count:
        check = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True)
        check.error, check.errorTitle = "Chọn “Có” hoặc “Không”.", "Giá trị không hợp lệ"
        check.showErrorMessage = True
        ws.add_data_validation(check)
        check.add(f"{letter}5:{letter}{4 + count}")
        for row in range(5, 5 + count):
            ws.cell(row, answer).fill = ANSWER_FILL
    for col in range(answer + 1, len(_REVIEW_COLUMNS) + 1):
        ws.column_dimensions[get_column_letter(col)].hidden = True
