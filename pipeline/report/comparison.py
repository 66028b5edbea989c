"""The "So sánh với năm trước" workbook: per unit and per field, models kept, dropped and new."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline import vocab
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.normalize import sort_key
from pipeline.report.styles import table_sheet

SHEET = "So sánh với năm trước"
DROPPED_SHEET = "Mô hình không duy trì"
COUNTS = ("registered", "effective", "kept", "dropped", "new", "total")


def _columns(year: int, first: str) -> tuple[tuple[str, float], ...]:
    # Read left to right as the provincial press reports it: registered → effective → kept.
    return (
        ("STT", 6),
        (first, 30),
        (f"Năm {year - 1}: số mô hình đăng ký", 12),
        (f"Năm {year - 1}: có báo cáo kết quả", 12),
        (f"Năm {year}: tiếp tục duy trì", 12),
        (f"Năm {year}: không duy trì", 12),
        (f"Năm {year}: đăng ký mới", 12),
        (f"Năm {year}: tổng số", 11),
        (f"Tỷ lệ mô hình năm {year - 1} được duy trì (%)", 12),
    )


def compare_years(result: RunResult) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Counts per unit and per field, and the list of last year's models not kept.

    Last year's models are those the registry holds for year - 1 (registered or reported).
    A model is kept when one of this year's registrations is linked to it; this year's
    "duy trì" and "mới" are Phụ lục 1's sections, so the counts agree with it.
    """
    history, year = result.history, result.year
    earlier = history.earlier
    last = earlier[earlier["year"] == year - 1]
    registered = last[last["kind"] == "registrations"]
    base = registered if not registered.empty else last  # only a Phụ lục 4 was imported
    base = base.drop_duplicates("model_id")
    effective = set(last.loc[last["kind"] == "results", "model_id"])
    now = result.registrations
    linked = set(now["model_id"].dropna()) if "model_id" in now else set()
    before = pd.DataFrame(
        {
            "unit": base["unit"].tolist(),
            "unit_key": [history.canonical_unit(u) for u in base["unit"]],
            "field": base["field"].tolist(),
            "name": base["name"].tolist(),
            "effective": base["model_id"].isin(effective).tolist(),
            "kept": base["model_id"].isin(linked).tolist(),
        }
    )
    after = pd.DataFrame(
        {
            "unit": now["unit"].tolist(),
            "unit_key": [history.canonical_unit(u) for u in now["unit"]],
            "field": now["field"].tolist(),
            "status": now["status"].tolist(),
        }
    )
    dropped = before[~before["kept"]].copy()
    return (
        _counts(before, after, "unit_key", _unit_names(before, after)),
        _counts(before, after, "field", {f.code: f.label for f in vocab.FIELDS}),
        dropped.sort_values(["unit_key", "name"], key=lambda s: s.map(sort_key)),
    )


def _unit_names(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, str]:
    """A unit's name as written this year (unless in capitals), else as written last year."""
    names = dict(zip(before["unit_key"], before["unit"], strict=True))
    for key, name in zip(after["unit_key"], after["unit"], strict=True):
        if not (name.isupper() and key in names):  # "HỘI NGƯỜI CAO TUỔI XÃ" typed in capitals
            names[key] = name
    return names


def _counts(before, after, by: str, labels: dict[str, str]) -> pd.DataFrame:
    keys = set(before[by]) | set(after[by])
    table = pd.DataFrame(
        {
            "registered": before.groupby(by).size(),
            "effective": before[before["effective"]].groupby(by).size(),
            "kept": after[after["status"] == "DUY_TRI"].groupby(by).size(),
            "dropped": before[~before["kept"]].groupby(by).size(),
            "new": after[after["status"] == "MOI"].groupby(by).size(),
            "total": after.groupby(by).size(),
        },
        index=sorted(keys, key=lambda k: _order(by, k, labels)),
        columns=list(COUNTS),
    )
    table = table.fillna(0).astype(int)
    table.insert(0, "label", [labels.get(k, k) for k in table.index])
    return table


def _order(by: str, key: str, labels: dict[str, str]) -> tuple:
    return (vocab.FIELD_ORDER.get(key, 99),) if by == "field" else sort_key(labels.get(key, key))


def _rate(registered: int, dropped: int) -> float | str:
    """The share of last year's models that one of this year's continues: at most 100%.

    Not "continuing ÷ registered": this year's section I may also hold models older than last
    year, or a unit's own "Duy trì" the registry could not tie to last year."""
    return round(100 * (registered - dropped) / registered, 1) if registered else ""


def _lines(table: pd.DataFrame) -> list[tuple]:
    lines = [
        (n, row["label"], *(int(row[c]) for c in COUNTS), _rate(row["registered"], row["dropped"]))
        for n, row in enumerate(table.to_dict("records"), start=1)
    ]
    totals = [int(table[c].sum()) for c in COUNTS]
    rate = _rate(totals[0], totals[COUNTS.index("dropped")])
    return [*lines, ("", "Tổng số", *totals, rate)]


def write_comparison(path: Path, result: RunResult, cfg: Config) -> None:
    office_name = cfg.office_name
    by_unit, by_field, dropped = compare_years(result)
    year = result.year
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    title = f"SO SÁNH MÔ HÌNH “DÂN VẬN KHÉO” NĂM {cfg.title_year} VỚI NĂM {year - 1}, THEO ĐƠN VỊ"
    table_sheet(ws, office_name, title, _columns(year, "Đơn vị"), _lines(by_unit))
    fields = wb.create_sheet("Theo lĩnh vực")
    title = f"SO SÁNH MÔ HÌNH “DÂN VẬN KHÉO” NĂM {cfg.title_year} VỚI NĂM {year - 1}, THEO LĨNH VỰC"
    table_sheet(fields, office_name, title, _columns(year, "Lĩnh vực"), _lines(by_field))
    gone = wb.create_sheet(DROPPED_SHEET)
    rows = [
        (
            n,
            row["unit"],
            row["name"],
            vocab.FIELD_BY_CODE[row["field"]].label if row["field"] in vocab.FIELD_BY_CODE else "",
            "Có" if row["effective"] else "Không",
        )
        for n, row in enumerate(dropped.to_dict("records"), start=1)
    ]
    columns = (
        ("STT", 6),
        ("Đơn vị", 26),
        (f"Tên mô hình năm {year - 1}", 44),
        ("Lĩnh vực", 20),
        (f"Có báo cáo kết quả năm {year - 1}", 14),
    )
    title = f"MÔ HÌNH NĂM {year - 1} KHÔNG ĐĂNG KÝ DUY TRÌ NĂM {cfg.title_year}"
    table_sheet(gone, office_name, title, columns, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
