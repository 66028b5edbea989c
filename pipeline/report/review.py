"""The review workbook: links a person must decide, and every change to a unit's own tick."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline import forms, vocab
from pipeline.consolidate import RunResult
from pipeline.link import DECIDED_NEW, DECIDED_OLD, REVIEW, model_key
from pipeline.report.styles import table_sheet

CHANGES_SHEET = "Khác với đơn vị ghi"
ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")  # the one column to fill in
_ANSWERS = {REVIEW: "", DECIDED_OLD: "Có", DECIDED_NEW: "Không"}

_REVIEW_COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 24),
    ("Trang", 10),
    ("Tên mô hình năm nay", 36),
    ("Đơn vị ghi", 14),
    ("Mô hình năm trước gần nhất", 36),
    ("Điểm giống (0-100)", 10),
    ("Các mô hình gần giống", 30),
    (forms.REVIEW_ANSWER, 14),
    *((key, 12) for key in forms.REVIEW_KEYS),
)
_CHANGE_COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 24),
    ("Tệp", 28),
    ("Trang", 10),
    ("Dòng", 7),
    ("Tên mô hình", 36),
    ("Đơn vị ghi", 16),
    ("Đã xếp vào", 16),
    ("Căn cứ", 36),
)


def review_rows(result: RunResult) -> pd.DataFrame:
    """One row per model a person must (or did) decide on; a model in both sheets once."""
    history = result.history
    frames = []
    for sheet, rows in (
        (forms.REGISTRATION.name, result.registrations),
        (forms.RESULTS.name, result.results),
    ):
        if rows.empty or "link" not in rows:
            continue
        chosen = rows[rows["link"].isin(list(_ANSWERS))].copy()
        chosen["sheet"] = sheet
        frames.append(chosen)
    if not frames:
        return pd.DataFrame(columns=["unit", "name", "sheet", "unit_key", "name_key"])
    listed = pd.concat(frames, ignore_index=True)
    listed["unit_key"] = listed["unit"].map(history.canonical_unit)
    listed["name_key"] = listed["name"].map(model_key)
    return listed.drop_duplicates(["unit_key", "name_key"]).reset_index(drop=True)


def changed_rows(result: RunResult) -> list[tuple]:
    """Every model put in another section than its unit ticked, and why."""
    lines = []
    for spec, rows in ((forms.REGISTRATION, result.registrations), (forms.RESULTS, result.results)):
        if rows.empty or "status_ticked" not in rows:
            continue
        labels = vocab.STATUSES if spec is forms.REGISTRATION else vocab.RESULT_STATUSES
        moved = rows[rows["status_ticked"].ne(rows["status"]) & rows["status_ticked"].ne("")]
        for row in moved.to_dict("records"):
            if row["link"] in (DECIDED_OLD, DECIDED_NEW):
                why = "Văn phòng quyết định (tệp Cần xem xét)"
            elif row["status"] == "DUY_TRI":
                why = f"Đã có ở năm trước: “{row['match']}”"
            else:
                why = "Không có trong dữ liệu các năm trước"
            lines.append(
                (
                    len(lines) + 1,
                    row["unit"],
                    row["_file"],
                    spec.name,
                    int(row["_row"]),
                    row["name"],
                    labels[row["status_ticked"]],
                    labels[row["status"]],
                    why,
                )
            )
    return lines


def write_review(path: Path, result: RunResult, office_name: str) -> None:
    listed = review_rows(result)
    wb = Workbook()
    ws = wb.active
    ws.title = forms.REVIEW_SHEET
    rows = [
        (
            n,
            row["unit"],
            row["sheet"],
            row["name"],
            _label(row["sheet"], row["status_ticked"]),
            row["match"],
            round(float(row["score"])) if row["match"] else "",
            row["candidates"],
            _ANSWERS[row["link"]],
            row["unit_key"],
            row["name_key"],
            "" if pd.isna(row["candidate_id"]) else int(row["candidate_id"]),
        )
        for n, row in enumerate(listed.to_dict("records"), start=1)
    ]
    title = (
        f"CÁC MÔ HÌNH CHƯA CHẮC LÀ CŨ HAY MỚI, NĂM {result.year} "
        "(ghi Có hoặc Không ở cột “Là mô hình cũ” rồi chạy lại dvk consolidate)"
    )
    table_sheet(ws, office_name, title, _REVIEW_COLUMNS, rows)
    _answer_column(ws, len(rows))
    changes = wb.create_sheet(CHANGES_SHEET)
    title = f"CÁC MÔ HÌNH ĐƯỢC XẾP KHÁC VỚI ĐƠN VỊ GHI, NĂM {result.year}"
    table_sheet(changes, office_name, title, _CHANGE_COLUMNS, changed_rows(result))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _label(sheet: str, status: str) -> str:
    labels = vocab.STATUSES if sheet == forms.REGISTRATION.name else vocab.RESULT_STATUSES
    return labels.get(status, "")


def _answer_column(ws, count: int) -> None:
    """The answer cells: a Có/Không dropdown, shaded; the key columns hidden but kept."""
    answer = [h for h, _ in _REVIEW_COLUMNS].index(forms.REVIEW_ANSWER) + 1
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
