"""The unit template: what a unit types or picks in it is exactly what the reader gets."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from pipeline import forms
from pipeline.ingest import PROVENANCE, arrivals_of, read_workbook


def test_round_trip_of_a_filled_template(tmp_path, blank_template, cfg):
    from pipeline.report.template import fill_template

    row = {
        "name": "Tuyến đường hoa",
        "field": "Kinh tế",
        "subject": "Cá nhân",
        "person": "Nguyễn Thị Lan",
        "position": "Chi hội trưởng",
        "count": 2,
        "place": "Xóm Bắc Sơn",
        "lead": "Chi bộ",
        "scale": "1,2 km",
        "status": "Đăng ký mới",
        "level": "Cấp xã",
        "start": dt.datetime(2026, 3, 15),
        "end": "31/12/2026",
        "situation": "Đường xóm chưa có hoa",
        "expected": "Trồng 1 km hoa",
    }
    inbox = tmp_path / "inbox"
    fill_template(blank_template, inbox / "a.xlsx", "Chi bộ xóm Bắc Sơn", {"Đăng ký": [row]})
    (arrival,) = arrivals_of(inbox / "a.xlsx", inbox)
    read = read_workbook(arrival, cfg.year)
    assert read.issues == [] and read.unit == "Chi bộ xóm Bắc Sơn"
    columns = [c.key for c in forms.REGISTRATION.columns] + list(PROVENANCE)
    (record,) = [dict(zip(columns, values, strict=True)) for values in read.rows["Đăng ký"]]
    assert record == row | {
        "stt": 1.0,
        "count": 2.0,
        "start": dt.date(2026, 3, 15),
        "_row": 7,
        "_file": "a.xlsx",
        "_form": "bieu_mau",
        "_sheet": "Đăng ký",
        "unit": "Chi bộ xóm Bắc Sơn",
    }
    assert len(read.rows["Kết quả"]) == 0


def test_template_is_protected_with_open_inputs_and_dropdowns(blank_template):
    wb = load_workbook(blank_template)
    assert wb[forms.META_SHEET].sheet_state == "hidden"
    assert wb.sheetnames[:3] == [forms.INSTRUCTIONS_SHEET, "Đăng ký", "Kết quả"]
    for spec in forms.SHEETS:
        ws = wb[spec.name]
        assert ws.protection.sheet
        assert ws.cell(spec.header_row, 2).protection.locked
        assert not ws.cell(spec.first_data_row, 2).protection.locked
        assert not ws[spec.unit_cell].protection.locked
        listed = {
            str(v.sqref).split(":")[0][0]
            for v in ws.data_validations.dataValidation
            if v.type == "list"
        }
        choice_letters = {
            chr(64 + i) for i, c in enumerate(spec.columns, start=1) if c.kind == "choice"
        }
        assert listed == choice_letters
