"""Validation: each business rule broken gives exactly one issue at the right cell."""

from __future__ import annotations

import pandas as pd

from pipeline import forms
from pipeline.normalize import normalize_rows
from pipeline.validate import validate_rows

GOOD = {
    "stt": 1,
    "name": "Tuyến đường hoa",
    "field": "Kinh tế",
    "subject": "Tập thể",
    "count": 1.0,
    "place": "Thôn 1",
    "status": "Đăng ký mới",
    "start": "15/3/2026",
}


def raw_frame(rows: list[dict], spec) -> pd.DataFrame:
    """Rows as the reader gives them: one column per form column, plus provenance."""
    raw = pd.DataFrame(
        [[r.get(c.key, "") for c in spec.columns] + [7 + i] for i, r in enumerate(rows)],
        columns=[c.key for c in spec.columns] + ["_row"],
        dtype=object,
    )
    raw["_file"], raw["_sheet"], raw["unit"] = "a.xlsx", spec.name, "Chi bộ thôn 1"
    return raw


def issues_of(rows: list[dict], spec=forms.REGISTRATION, year: int = 2026) -> list:
    typed, issues = normalize_rows(raw_frame(rows, spec), spec, year)
    return issues + validate_rows(typed, spec.name, year)


def check(rows: list[dict], spec=forms.REGISTRATION, year: int = 2026) -> list[list]:
    return sorted([i.row, i.column, i.code] for i in issues_of(rows, spec, year))


def test_a_good_row_has_no_issue():
    assert check([GOOD]) == []


def test_each_broken_rule_points_at_its_cell():
    rows = [
        GOOD | {"name": ""},
        GOOD | {"field": "Giáo dục"},
        GOOD | {"subject": "Cá nhân"},
        GOOD | {"count": "hai"},
        GOOD | {"count": 0},
        GOOD | {"place": "  "},
        GOOD | {"status": ""},
        GOOD | {"start": "32/1/2026"},
        GOOD | {"start": "1/1/2027"},
        GOOD | {"start": "1/6/2026", "end": "1/1/2026"},
        GOOD | {"name": "x" * 301},
        GOOD | {"level": "cấp vũ trụ"},
    ]
    assert check(rows) == [
        [7, "Tên mô hình", "required"],
        [8, "Lĩnh vực", "field-other"],
        [9, "Họ và tên (nếu chủ thể là cá nhân)", "person-required"],
        [10, "Số lượng", "not-whole-number"],
        [11, "Số lượng", "not-whole-number"],
        [12, "Địa điểm xây dựng, triển khai", "required"],
        [13, "Duy trì hay đăng ký mới", "required"],
        [14, "Thời gian bắt đầu", "not-a-date"],
        [15, "Thời gian bắt đầu", "start-after-year"],
        [16, "Thời gian hoàn thành", "end-before-start"],
        [17, "Tên mô hình", "too-long"],
        [18, "Cấp đăng ký", "not-in-list"],
    ]


def test_results_sheet_rules():
    good = {k: v for k, v in GOOD.items() if k != "start"} | {
        "results": "Trồng 800 m hoa",
        "status": "Duy trì",
        "self_assessment": "Vượt",
    }
    rows = [good, good | {"results": ""}, good | {"self_assessment": "Tốt"}]
    assert check(rows, forms.RESULTS) == [
        [8, "Tóm tắt quy mô, kết quả cụ thể đạt được", "required"],
        [9, "Tự đánh giá (Vượt/Bằng/Kém)", "not-in-list"],
    ]


def test_messages_are_vietnamese_with_the_units_own_words():
    (issue,) = issues_of([GOOD | {"subject": "Tập thể lớn"}])
    assert issue.message == "“Tập thể lớn” không có trong danh mục “Chủ thể (Tập thể/Cá nhân)”."
    assert "danh sách thả xuống" in issue.hint


def test_a_field_outside_the_list_is_other_and_keeps_the_units_words():
    spec = forms.REGISTRATION
    rows = [GOOD | {"field": "Khác: Bảo vệ môi trường"}, GOOD | {"field": "Giáo dục"}]
    typed, issues = normalize_rows(raw_frame(rows, spec), spec, 2026)
    assert typed[["field", "field_other"]].values.tolist() == [
        ["KHAC", "Bảo vệ môi trường"],
        ["KHAC", "Giáo dục"],
    ]
    assert [(i.row, i.code, i.message) for i in issues] == [
        (
            8,
            "field-other",
            "Lĩnh vực “Giáo dục” không có trong danh mục; đã xếp vào “Khác: Giáo dục”.",
        )
    ]
