"""The "Kết quả chấm điểm" workbook: every scored model by unit, and the proposals per level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline import vocab
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.normalize import comparison_key, sort_key
from pipeline.records import Outcome
from pipeline.report.layout import (
    NUMBER,
    Column,
    numbered,
    table_sheet,
    write_heading,
    write_signature,
)
from pipeline.report.styles import (
    box_range,
    merge,
    put,
    set_print_setup,
    wrapped_height,
)
from pipeline.rules import ScoringRules, fmt
from pipeline.scoring import FAILED, NOT_JUDGED, PASSED

SHEET = "Kết quả chấm điểm"
PROPOSALS_SHEET = "Đề nghị công nhận"
HEADER_ROW = 5


def _columns(rules: ScoringRules) -> list[tuple[str, float]]:
    sheet = rules.sheet
    return [
        ("STT", 5),
        ("Đơn vị / Tên mô hình", 34),
        ("Chủ thể", 9),
        *((f"TC {c.number}\n({fmt(c.maximum)})", 5.5) for c in sheet.criteria),
        *((f"Mục {s.code}", 7) for s in sheet.sections),
        ("Tổng điểm", 7),
        ("Tự đánh giá", 9),
        ("Đề nghị cấp", 11),
        ("Kết quả", 9),
        ("Lý do", 34),
    ]


def score_lines(scores: pd.DataFrame, rules: ScoringRules) -> list[tuple[str, tuple]]:
    """("unit" | "model", cells) for the table body: units in order, their models by name."""
    sheet = rules.sheet
    lines = []
    groups = scores.groupby(scores["unit"].map(comparison_key), sort=False)
    units = sorted(((g["unit"].iloc[0], g) for _, g in groups), key=lambda u: sort_key(u[0]))
    width = len(_columns(rules))
    for number, (unit, group) in enumerate(units, start=1):
        passed = int((group["verdict"] == PASSED).sum())
        label = f"{unit} ({len(group)} mô hình, {passed} đạt)"
        lines.append(("unit", (number, label, *[""] * (width - 2))))
        for row in group.sort_values("name", key=lambda s: s.map(sort_key)).to_dict("records"):
            name = row["name"] + (f" ({row['person']})" if row.get("person") else "")
            judged = row["verdict"] != NOT_JUDGED
            cells = (
                "-",
                name,
                vocab.SUBJECTS.get(row["subject"], ""),
                *(_points(row.get(f"c{n}")) for n in sheet.numbers),
                *(fmt(row[f"section_{s.code}"]) if judged else "" for s in sheet.sections),
                fmt(row["total"]) if judged else "",
                row["self_assessment"],
                row["level"],
                Outcome(row["verdict"]).label,
                "; ".join(filter(None, (row["reasons"], _note(row)))),
            )
            lines.append(("model", cells))
    return lines


def _points(value) -> str:
    return "" if value is None or pd.isna(value) else fmt(float(value))


def _note(row: dict) -> str:
    note = row.get("ladder_note")
    return "" if note is None or pd.isna(note) else str(note)


def write_scores(path: Path, result: RunResult, cfg: Config, rules: ScoringRules) -> None:
    scores = result.scores
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    columns = _columns(rules)
    last = len(columns)
    for col, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    title = f"KẾT QUẢ CHẤM ĐIỂM MÔ HÌNH “DÂN VẬN KHÉO” NĂM {cfg.title_year}"
    write_heading(ws, cfg, last, title)
    counts = scores["verdict"].value_counts()
    summary = (
        f"Tổng số {len(scores)} mô hình được chấm: {counts.get(PASSED, 0)} đạt, "
        f"{counts.get(FAILED, 0)} không đạt, {counts.get(NOT_JUDGED, 0)} chưa xét được. "
        f"Mô hình đạt khi tổng điểm từ {fmt(rules.sheet.pass_line)} trở lên"
        + (
            f", các tiêu chí {', '.join(map(str, sorted(rules.sheet.must_be_full)))} đạt tối đa."
            if rules.sheet.must_be_full
            else "."
        )
    )
    put(ws, 4, 1, summary, italic=True, align="center")
    merge(ws, 4, 1, last)
    for col, (header, _) in enumerate(columns, start=1):
        put(ws, HEADER_ROW, col, header, bold=True, align="center", border=True)
    ws.row_dimensions[HEADER_ROW].height = 36
    row = HEADER_ROW + 1
    widths = [w for _, w in columns]
    for kind, cells in score_lines(scores, rules):
        for col, value in enumerate(cells, start=1):
            left = col in (2, last)
            put(
                ws,
                row,
                col,
                value,
                bold=kind == "unit",
                border=True,
                align="left" if left else "center",
            )
        if kind == "unit":
            merge(ws, row, 2, last)
        ws.row_dimensions[row].height = wrapped_height(
            [(str(v), w) for v, w in zip(cells, widths, strict=True)] if kind == "model" else []
        )
        row += 1
    box_range(ws, HEADER_ROW, row - 1, 1, last)
    write_signature(ws, cfg, row + 1, last)
    set_print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")
    ws.freeze_panes = f"C{HEADER_ROW + 1}"  # a string: the first unit row is merged there
    _proposals(wb.create_sheet(PROPOSALS_SHEET), scores, cfg, rules)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _proposals(ws, scores: pd.DataFrame, cfg: Config, rules: ScoringRules) -> None:
    """Models that passed, by the level they are proposed for, lowest level first."""
    passed = scores[(scores["verdict"] == PASSED) & scores["level"].ne("")]
    order = passed.assign(
        _rung=passed["rung"].fillna(len(rules.ladder)), _unit=passed["unit"].map(sort_key)
    ).sort_values(["_rung", "_unit"], kind="stable")
    rows = numbered(
        row
        | {
            "subject": vocab.SUBJECTS.get(row["subject"], ""),
            "total": fmt(row["total"]),
            "note": _note(row) or "Đủ điều kiện",
        }
        for row in order.to_dict("records")
    )
    columns = (
        NUMBER,
        Column("level", "Cấp đề nghị công nhận", 16),
        Column("unit", "Đơn vị", 26),
        Column("name", "Tên mô hình", 44),
        Column("subject", "Chủ thể", 10),
        Column("total", "Tổng điểm", 9),
        Column("note", "Điều kiện cấp dưới", 26),
    )
    title = f"DANH SÁCH MÔ HÌNH ĐẠT, ĐỀ NGHỊ CÔNG NHẬN THEO CẤP, NĂM {cfg.title_year}"
    table_sheet(ws, cfg.office_name, title, columns, rows)
