"""The run over a small inbox: every file's status and reason, and exactly the records read."""

from __future__ import annotations

import dataclasses

import pytest
from openpyxl import load_workbook

from pipeline.consolidate import ACCEPTED, HAS_ERRORS, UNREADABLE, consolidate
from pipeline.report.template import fill_template, write_template

MODEL = {
    "name": "Tuyến đường hoa",
    "field": "Kinh tế",
    "subject": "Tập thể",
    "place": "Thôn 1",
    "lead": "Chi bộ",
    "status": "Đăng ký mới",
}
RESULT = MODEL | {"status": "Xây dựng mới", "results": "Trồng 800 m hoa", "self_assessment": "Vượt"}


@pytest.fixture
def inbox(tmp_path, blank_template, cfg):
    box = tmp_path / "inbox"
    fill_template(
        blank_template,
        box / "good.xlsx",
        "Chi bộ thôn 1",
        {
            "Đăng ký": [MODEL, MODEL | {"name": "=SUM(A1:A3) là tên", "field": "VHXH"}],
            "Kết quả": [RESULT],
        },
    )
    fill_template(
        blank_template,
        box / "errors.xlsx",
        "Hội Nông dân",
        {"Đăng ký": [MODEL | {"name": "Rau an toàn"}, MODEL | {"name": "Lúa", "count": "hai"}]},
    )
    fill_template(blank_template, box / "no_unit.xlsx", "", {"Đăng ký": [MODEL]})
    # The same model as good.xlsx, sent again from another file of the same unit.
    fill_template(blank_template, box / "sub/again.xlsx", "Chi bộ thôn 1", {"Đăng ký": [MODEL]})
    old = tmp_path / "old.xlsx"
    write_template(old, dataclasses.replace(cfg, year=2025))
    fill_template(old, box / "last_year.xlsx", "Đoàn Thanh niên", {"Đăng ký": [MODEL]})
    changed = load_workbook(box / "errors.xlsx")
    changed["Đăng ký"]["C3"] = changed["Kết quả"]["C3"] = "Hội Phụ nữ"
    changed["Kết quả"]["B5"] = "Tên"
    changed.save(box / "changed.xlsx")
    (box / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    (box / "note.txt").write_text("Gửi anh chị biểu mẫu", encoding="utf-8")
    (box / "~$good.xlsx").write_bytes(b"Excel lock file")
    (box / "Thumbs.db").write_bytes(b"Windows thumbnails")
    return box


def test_every_file_has_a_status_and_reason(inbox, cfg):
    result = consolidate(inbox, cfg.year)
    files = {
        f.file: (f.status, f.reason, f.registrations, f.results, f.held_back) for f in result.files
    }
    assert files == {
        "good.xlsx": (ACCEPTED, "", 2, 1, 0),
        "errors.xlsx": (HAS_ERRORS, "“hai” không phải số nguyên dương.", 1, 0, 1),
        "no_unit.xlsx": (
            HAS_ERRORS,
            "Chưa ghi tên đơn vị ở đầu trang “Đăng ký” (và các trang khác cũng không có).",
            0,
            0,
            1,
        ),
        "sub/again.xlsx": (
            ACCEPTED,
            "Mô hình trùng với dòng 7 của tệp good.xlsx; chỉ tính một lần.",
            0,
            0,
            0,
        ),
        "last_year.xlsx": (
            HAS_ERRORS,
            "Biểu mẫu của năm 2025, nhưng đợt tổng hợp là năm 2026.",
            0,
            0,
            0,
        ),
        "changed.xlsx": (
            HAS_ERRORS,
            "Trang “Kết quả” đã bị sửa tiêu đề cột, không đọc được. (và 1 vấn đề khác)",
            1,
            0,
            1,
        ),
        "broken.xlsx": (
            UNREADABLE,
            "Không mở được tệp: tệp bị hỏng hoặc không đúng định dạng Excel",
            0,
            0,
            0,
        ),
        "note.txt": (
            UNREADABLE,
            "Không mở được tệp: không phải tệp Excel (.xlsx, .xls, .xlsm, .ods)",
            0,
            0,
            0,
        ),
    }
    assert result.exit_code == 1


def test_exactly_the_good_records_are_read(inbox, cfg):
    result = consolidate(inbox, cfg.year)
    columns = ["_file", "_row", "unit", "name", "field", "subject", "count", "place", "status"]
    records = result.registrations[columns].astype(object).values.tolist()
    assert records == [
        ["changed.xlsx", 7, "Hội Phụ nữ", "Rau an toàn", "KT", "TAP_THE", 1, "Thôn 1", "MOI"],
        ["errors.xlsx", 7, "Hội Nông dân", "Rau an toàn", "KT", "TAP_THE", 1, "Thôn 1", "MOI"],
        ["good.xlsx", 7, "Chi bộ thôn 1", "Tuyến đường hoa", "KT", "TAP_THE", 1, "Thôn 1", "MOI"],
        [
            "good.xlsx",
            8,
            "Chi bộ thôn 1",
            "=SUM(A1:A3) là tên",
            "VHXH",
            "TAP_THE",
            1,
            "Thôn 1",
            "MOI",
        ],
    ]
    results = result.results[["_file", "unit", "name", "results", "status", "self_assessment"]]
    assert results.values.tolist() == [
        ["good.xlsx", "Chi bộ thôn 1", "Tuyến đường hoa", "Trồng 800 m hoa", "MOI", "VUOT"]
    ]


def test_an_empty_inbox_is_clean(tmp_path, cfg):
    (tmp_path / "inbox").mkdir()
    result = consolidate(tmp_path / "inbox", cfg.year)
    assert (result.files, result.issues, len(result.registrations)) == ([], [], 0)
    assert result.exit_code == 0


def test_file_order_does_not_change_which_duplicate_is_kept(inbox, cfg, tmp_path):
    # Rename so that the duplicate sorts first: the kept row is still decided by name order.
    (inbox / "sub" / "again.xlsx").rename(inbox / "a_first.xlsx")
    result = consolidate(inbox, cfg.year)
    kept = result.registrations.query("name == 'Tuyến đường hoa'")["_file"].tolist()
    assert kept == ["a_first.xlsx"]
    assert [i.file for i in result.issues if i.code == "duplicate-model"] == ["good.xlsx"]


def test_a_unit_name_on_one_sheet_serves_the_whole_file(tmp_path, blank_template, cfg):
    box = tmp_path / "inbox"
    fill_template(blank_template, box / "a.xlsx", "", {"Kết quả": [RESULT], "Đăng ký": [MODEL]})
    book = load_workbook(box / "a.xlsx")
    book["Kết quả"]["C3"] = "Hội Phụ nữ"
    book.save(box / "a.xlsx")
    result = consolidate(box, cfg.year)
    assert result.issues == []
    assert result.registrations["unit"].tolist() == ["Hội Phụ nữ"]
