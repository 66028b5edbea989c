"""The "Tình hình tổng hợp" workbook: who sent, on time or late, quotas, rates, charts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from pipeline import vocab
from pipeline.analysis import (
    LATE,
    NOT_SENT,
    WITH_ERRORS,
    node_rates,
    targets,
    unit_status,
)
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.frames import records
from pipeline.report.layout import NUMBER, Column, numbered, table_sheet
from pipeline.report.sheet import Book, Chart, Sheet
from pipeline.report.styles import plain, put, set_print_setup, set_width
from pipeline.roster import ROOT, Roster

# The columns of analysis.unit_status and analysis.node_rates, as the sheets show them.
UNIT_COLUMNS = (
    NUMBER,
    Column("code", "Mã", 9),
    Column("name", "Đơn vị", 28),
    Column("parent", "Cấp trên", 20),
    Column("kind", "Loại", 12),
    Column("registration_status", "Đăng ký: trạng thái", 13),
    Column("registration_sent", "Ngày gửi", 11),
    Column("registration_timely", "Đúng hạn", 10),
    Column("registration_models", "Số mô hình", 9),
    Column("quota", "Chỉ tiêu", 8),
    Column("quota_met", "Đạt chỉ tiêu", 9),
    Column("results_status", "Kết quả: trạng thái", 13),
    Column("results_sent", "Ngày gửi", 11),
    Column("results_timely", "Đúng hạn", 10),
    Column("results_models", "Số mô hình", 9),
)
NODE_COLUMNS = (
    NUMBER,
    Column("name", "Đơn vị", 30),
    Column("expected", "Số đơn vị phải gửi", 10),
    Column("sent", "Đã gửi", 8),
    Column("reporting_rate", "Tỷ lệ gửi (%)", 9),
    Column("on_time", "Gửi đúng hạn", 9),
    Column("late", "Gửi trễ hạn", 9),
    Column("unknown", "Không rõ ngày gửi (không qua thư điện tử)", 11),
    Column("on_time_rate", "Tỷ lệ đúng hạn (%), trong số biết ngày gửi", 12),
    Column("models", "Số mô hình", 9),
    Column("quota", "Tổng chỉ tiêu", 9),
    Column("below_quota", "Đơn vị chưa đạt chỉ tiêu", 11),
)
REMIND_COLUMNS = (
    NUMBER,
    Column("name", "Đơn vị", 30),
    Column("parent", "Cấp trên", 22),
    Column("remind", "Cần nhắc", 44),
    Column("email", "Thư điện tử", 30),
)


def write_completeness(path: Path, result: RunResult, roster: Roster, cfg: Config) -> None:
    units = unit_status(result, roster, cfg)
    nodes = node_rates(units, roster, cfg)
    wb = Book("Theo đơn vị")
    ws = wb.active
    rows = numbered(
        u | {"quota_met": "Đạt" if u["quota_met"] else "Chưa đạt"} for u in records(units)
    )
    title = f"TÌNH HÌNH GỬI BIỂU MẪU “DÂN VẬN KHÉO” NĂM {cfg.title_year}, THEO ĐƠN VỊ"
    table_sheet(ws, cfg.office_name, title, UNIT_COLUMNS, rows)
    _nodes_sheet(wb.create_sheet("Theo cấp"), nodes, units, cfg)
    _charts_sheet(wb.create_sheet("Biểu đồ"), result, roster, nodes, cfg)
    _remind_sheet(wb.create_sheet("Cần nhắc"), units, cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _nodes_sheet(ws, nodes: pd.DataFrame, units: pd.DataFrame, cfg: Config) -> None:
    rows = numbered(records(nodes))
    title = f"TỶ LỆ GỬI BIỂU MẪU VÀ GỬI ĐÚNG HẠN NĂM {cfg.title_year}, THEO CẤP"
    table_sheet(ws, cfg.office_name, title, NODE_COLUMNS, rows)
    goals = targets(units, cfg)
    if goals:
        row = 6 + len(rows)
        put(ws, row, 2, "Mục tiêu của văn phòng", bold=True)
        for offset, (label, goal, reached, met) in enumerate(goals, start=1):
            for col, value in enumerate((label, goal, reached, met), start=2):
                put(ws, row + offset, col, value, border=True)


def _charts_sheet(ws: Sheet, result: RunResult, roster: Roster, nodes: pd.DataFrame, cfg):
    """Models per field and per node, and the reporting rate per node, drawn as bar charts."""
    title = f"BIỂU ĐỒ TÌNH HÌNH TỔNG HỢP NĂM {cfg.title_year}"
    put(ws, 1, 1, title, bold=True, size=14, wrap=False)
    regs = result.registrations
    tops = [u for u in roster.children(ROOT)]
    given = set(regs["field"].tolist()) if "field" in regs else set()
    fields = [f for f in vocab.FIELDS if f.code in given] or list(vocab.FIELDS[:4])
    header = 3
    put(ws, header, 1, "Đơn vị", bold=True)
    for col, f in enumerate(fields, start=2):
        put(ws, header, col, f.label, bold=True, align="center")
        set_width(ws, col, 16)
    subtrees = roster.subtrees()
    top_of = {u.code: top.code for top in tops for u in subtrees.get(top.code, [top])}
    # Counted in one pass: (top node, field) -> models, not the whole frame again per node.
    per_top = Counter()
    if "unit_code" in regs:
        units, kinds = regs["unit_code"].tolist(), regs["field"].tolist()
        per_top = Counter((top_of.get(code), kind) for code, kind in zip(units, kinds, strict=True))
    for r, top in enumerate(tops, start=header + 1):
        put(ws, r, 1, top.name)
        for col, f in enumerate(fields, start=2):
            plain(ws, r, col, per_top[top.code, f.code])
    last = header + max(len(tops), 1)
    title = "Số mô hình đăng ký theo lĩnh vực và đơn vị"
    ws.charts.append(
        Chart(True, title, header, last, 1, 1 + len(fields), f"A{last + 3}", 24, 10, "Số mô hình")
    )
    start = last + 24  # below the first chart (10 cm high, about 20 rows)
    put(ws, start, 1, "Đơn vị", bold=True)
    put(ws, start, 2, "Tỷ lệ gửi (%)", bold=True)
    put(ws, start, 3, "Tỷ lệ đúng hạn (%)", bold=True)
    for r, node in enumerate(records(nodes), start=start + 1):
        put(ws, r, 1, node["name"])
        plain(ws, r, 2, node["reporting_rate"])
        plain(ws, r, 3, node["on_time_rate"])
    end = start + len(nodes)
    title = "Tỷ lệ đơn vị gửi biểu mẫu và gửi đúng hạn (%)"
    ws.charts.append(Chart(False, title, start, end, 1, 3, f"A{end + 3}", 24, 10))
    set_width(ws, 1, 30)
    set_print_setup(ws, None)


def _remind_sheet(ws, units: pd.DataFrame, cfg: Config) -> None:
    rows = []
    for u in records(units):
        reasons = []
        if u["registration_status"] == NOT_SENT:
            reasons.append("chưa gửi đăng ký")
        elif u["registration_status"] == WITH_ERRORS:
            reasons.append("biểu mẫu có lỗi, cần gửi lại")
        if u["registration_timely"] == LATE:
            reasons.append("gửi trễ hạn")
        if not u["quota_met"]:
            reasons.append(f"chưa đủ chỉ tiêu ({u['registration_models']}/{u['quota']} mô hình)")
        if reasons:
            rows.append(u | {"remind": "; ".join(reasons)})
    title = f"DANH SÁCH ĐƠN VỊ CẦN NHẮC, NĂM {cfg.title_year}"
    table_sheet(ws, cfg.office_name, title, REMIND_COLUMNS, numbered(rows))
