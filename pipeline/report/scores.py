"""The "Kết quả chấm điểm" workbook: every scored model by unit, and the proposals per level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline import vocab
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.frames import records
from pipeline.normalize import comparison_key, sort_key
from pipeline.records import Outcome
from pipeline.report.layout import (
    NUMBER,
    Column,
    cells,
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


def _columns(rules: ScoringRules) -> list[Column]:
    """The results table: a column per criterion and per section of the office's sheet."""
    sheet = rules.sheet
    criteria = [
        Column(f"c{c.number}", f"TC {c.number}\n({fmt(c.maximum)})", 5.5, "center")
        for c in sheet.criteria
    ]
    sections = [Column(f"section_{s.code}", f"Mục {s.code}", 7, "center") for s in sheet.sections]
    return [
        Column("n", "STT", 5, "center"),
        Column("name", "Đơn vị / Tên mô hình", 34),
        Column("subject", "Chủ thể", 9, "center"),
        *criteria,
        *sections,
        Column("total", "Tổng điểm", 7, "center"),
        Column("self_assessment", "Tự đánh giá", 9, "center"),
        Column("level", "Đề nghị cấp", 11, "center"),
        Column("verdict", "Kết quả", 9, "center"),
        Column("reasons", "Lý do", 34),
    ]


def score_lines(scores: pd.DataFrame, rules: ScoringRules) -> list[tuple[str, dict]]:
    """("unit" | "model", cells by key) for the table body: units in order, their models by
    name."""
    sheet = rules.sheet
    lines = []
    groups = scores.groupby(scores["unit"].map(comparison_key), sort=False)
    units = sorted(((g["unit"].iloc[0], g) for _, g in groups), key=lambda u: sort_key(u[0]))
    for number, (unit, group) in enumerate(units, start=1):
        passed = int((group["verdict"] == PASSED).sum())
        lines.append(
            ("unit", {"n": number, "name": f"{unit} ({len(group)} mô hình, {passed} đạt)"})
        )
        for row in records(group.sort_values("name", key=lambda s: s.map(sort_key))):
            judged = row["verdict"] != NOT_JUDGED
            sections = {f"section_{s.code}": row[f"section_{s.code}"] for s in sheet.sections}
            cells = {
                "n": "-",
                "name": row["name"] + (f" ({row['person']})" if row.get("person") else ""),
                "subject": vocab.SUBJECTS.get(row["subject"], ""),
                **{f"c{n}": _points(row.get(f"c{n}")) for n in sheet.numbers},
                **{key: fmt(v) if judged else "" for key, v in sections.items()},
                "total": fmt(row["total"]) if judged else "",
                "self_assessment": row["self_assessment"],
                "level": row["level"],
                "verdict": Outcome(row["verdict"]).label,
                "reasons": "; ".join(filter(None, (row["reasons"], _note(row)))),
            }
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
    for col, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
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
    for col, column in enumerate(columns, start=1):
        put(ws, HEADER_ROW, col, column.header, bold=True, align="center", border=True)
    ws.row_dimensions[HEADER_ROW].height = 36
    row = HEADER_ROW + 1
    widths = [c.width for c in columns]
    for kind, values in score_lines(scores, rules):
        values = cells(columns, values)
        for col, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            put(ws, row, col, value, bold=kind == "unit", border=True, align=column.align)
        if kind == "unit":  # the unit's name and counts across the row
            merge(ws, row, 2, last)
        ws.row_dimensions[row].height = wrapped_height(
            [(str(v), w) for v, w in zip(values, widths, strict=True)] if kind == "model" else []
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
        for row in records(order)
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
