"""The unit template: what a unit types or picks in it is exactly what the reader gets."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from pipeline import forms
from pipeline.ingest import PROVENANCE, arrivals_of, read_workbook
from pipeline.report.template import write_template


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


def _dropdown_entries(wb, sheet: str, header: str) -> list[str]:
    """The entries a dropdown offers: its list's defined name, read off the hidden sheet."""
    ws = wb[sheet]
    (rule,) = [v for v in ws.data_validations.dataValidation if header in str(v.sqref)]
    ((title, ref),) = wb.defined_names[rule.formula1].destinations
    return [c.value for row in wb[title][ref.replace("$", "")] for c in row]


def test_the_level_dropdown_is_the_offices_own_ladder(tmp_path, cfg):
    import dataclasses

    for ladder in (("Cấp xã", "Cấp tỉnh"), ("Cấp cơ sở", "Cấp huyện", "Cấp tỉnh")):
        path = tmp_path / f"{len(ladder)}.xlsx"
        write_template(path, dataclasses.replace(cfg, ladder=ladder))
        letter = next(
            chr(64 + i) for i, c in enumerate(forms.SHEETS[0].columns, 1) if c.key == "level"
        )
        assert _dropdown_entries(load_workbook(path), "Đăng ký", letter) == list(ladder)


def test_the_roster_kind_dropdown_keeps_entries_that_hold_commas(tmp_path, cfg):
    from pipeline import vocab
    from pipeline.report.roster_template import write_roster_template

    path = tmp_path / "danh_muc.xlsx"
    write_roster_template(path, cfg)
    wb = load_workbook(path)
    letter = chr(65 + [c.key for c in forms.ROSTER_COLUMNS].index("kind"))
    entries = _dropdown_entries(wb, forms.ROSTER_SHEET, letter)
    assert entries == list(vocab.UNIT_KINDS.values())
    assert "Thôn, bản, tổ dân phố" in entries
    assert wb.sheetnames[0] == forms.ROSTER_SHEET  # the reader reads the first sheet
