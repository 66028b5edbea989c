"""The "So sánh với năm trước" workbook: per unit and per field, models kept, dropped and new."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import vocab
from pipeline.analysis import COUNTS, compare_years, maintenance_rate
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.frames import records
from pipeline.report.layout import NUMBER, Column, numbered, table_sheet
from pipeline.report.sheet import Book

SHEET = "So sánh với năm trước"
DROPPED_SHEET = "Mô hình không duy trì"


def _columns(year: int, first: str) -> tuple[Column, ...]:
    # Read left to right as the provincial press reports it: registered → effective → kept.
    return (
        NUMBER,
        Column("label", first, 30),
        Column("registered", f"Năm {year - 1}: số mô hình đăng ký", 12),
        Column("effective", f"Năm {year - 1}: có báo cáo kết quả", 12),
        Column("kept", f"Năm {year}: tiếp tục duy trì", 12),
        Column("dropped", f"Năm {year}: không duy trì", 12),
        Column("new", f"Năm {year}: đăng ký mới", 12),
        Column("total", f"Năm {year}: tổng số", 11),
        Column("rate", f"Tỷ lệ mô hình năm {year - 1} được duy trì (%)", 12),
    )


def _lines(table: pd.DataFrame) -> list[dict]:
    """One line per unit or field, and the total."""
    lines = numbered(
        {"label": row["label"], **{c: int(row[c]) for c in COUNTS}}
        | {"rate": maintenance_rate(row["registered"], row["dropped"])}
        for row in records(table)
    )
    totals = {c: int(table[c].sum()) for c in COUNTS}
    rate = maintenance_rate(totals["registered"], totals["dropped"])
    return [*lines, {"n": "", "label": "Tổng số", **totals, "rate": rate}]


def write_comparison(path: Path, result: RunResult, cfg: Config) -> None:
    office_name = cfg.office_name
    by_unit, by_field, dropped = compare_years(result)
    year = result.year
    wb = Book(SHEET)
    ws = wb.active
    title = f"SO SÁNH MÔ HÌNH “DÂN VẬN KHÉO” NĂM {cfg.title_year} VỚI NĂM {year - 1}, THEO ĐƠN VỊ"
    table_sheet(ws, office_name, title, _columns(year, "Đơn vị"), _lines(by_unit))
    fields = wb.create_sheet("Theo lĩnh vực")
    title = f"SO SÁNH MÔ HÌNH “DÂN VẬN KHÉO” NĂM {cfg.title_year} VỚI NĂM {year - 1}, THEO LĨNH VỰC"
    table_sheet(fields, office_name, title, _columns(year, "Lĩnh vực"), _lines(by_field))
    gone = wb.create_sheet(DROPPED_SHEET)
    labels = {f.code: f.label for f in vocab.FIELDS}
    rows = numbered(
        row
        | {
            "field": labels.get(row["field"], ""),
            "effective": "Có" if row["effective"] else "Không",
        }
        for row in records(dropped)
    )
    columns = (
        NUMBER,
        Column("unit", "Đơn vị", 26),
        Column("name", f"Tên mô hình năm {year - 1}", 44),
        Column("field", "Lĩnh vực", 20),
        Column("effective", f"Có báo cáo kết quả năm {year - 1}", 14),
    )
    title = f"MÔ HÌNH NĂM {year - 1} KHÔNG ĐĂNG KÝ DUY TRÌ NĂM {cfg.title_year}"
    table_sheet(gone, office_name, title, columns, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _yes(flag: bool) -> str:
    return "Có" if flag else "Không"
