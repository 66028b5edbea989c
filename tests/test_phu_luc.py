"""Phụ lục 1 and 4: structure, ordering, footer totals, and text that stays text."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from pipeline import vocab
from pipeline.report.phu_luc import (
    footer_counts,
    lines_phu_luc_1,
    lines_phu_luc_4,
    write_phu_luc_1,
)

UNITS = ["Chi bộ thôn 1", "Hội Nông dân", "Đoàn Thanh niên", "Ủy ban nhân dân"]
model_rows = st.lists(
    st.fixed_dictionaries(
        {
            "unit": st.sampled_from(UNITS),
            "name": st.text(alphabet="abcđêơ =-", min_size=1, max_size=12),
            "field": st.sampled_from([f.code for f in vocab.FIELDS]),
            "subject": st.sampled_from(list(vocab.SUBJECTS)),
            "status": st.sampled_from(list(vocab.STATUSES)),
            "count": st.integers(1, 3),
        }
    ),
    max_size=40,
)


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {
        "person": "Nguyễn Văn A",
        "position": "",
        "place": "Thôn 1",
        "lead": "Chi bộ",
        "scale": "",
        "results": "Kết quả",
    }
    columns = ["unit", "name", "field", "subject", "status", "count", *base]
    df = pd.DataFrame([base | r for r in rows], columns=columns)
    df["count"] = df["count"].astype("Int64")
    return df


@given(model_rows)
def test_footer_counts_equal_model_rows_per_field_and_subject(rows):
    df = frame(rows)
    fields, subjects = footer_counts(df)
    for f in vocab.FIELDS:
        expected = sum(r["field"] == f.code for r in rows)
        shown = dict(fields).get(f.footer)
        assert shown == expected or (shown is None and expected == 0 and not f.always_in_footer)
    assert dict(subjects) == {
        "Tập thể": sum(r["subject"] == "TAP_THE" for r in rows),
        "Cá nhân": sum(r["subject"] == "CA_NHAN" for r in rows),
    }
    assert sum(n for _, n in fields) == len(rows)


@given(model_rows)
def test_phu_luc_1_lists_every_model_once_in_its_section(rows):
    lines = lines_phu_luc_1(frame(rows), 2026)
    models = [line for line in lines if line.kind == "model"]
    assert len(models) == len(rows)
    total = lines[0].cells
    assert total["name"] == "Tổng số" and total["count"] == sum(r["count"] for r in rows)
    assert (total["collective"], total["individual"]) == (
        sum(r["subject"] == "TAP_THE" for r in rows),
        sum(r["subject"] == "CA_NHAN" for r in rows),
    )
    sections = [i for i, line in enumerate(lines) if line.kind == "section"]
    continuing = [line for line in lines[sections[0] : sections[1]] if line.kind == "model"]
    assert len(continuing) == sum(r["status"] == "DUY_TRI" for r in rows)


@given(model_rows)
def test_phu_luc_4_puts_new_models_above_maintained_ones_in_each_unit(rows):
    lines = lines_phu_luc_4(frame(rows), 2026)
    assert sum(line.kind == "model" for line in lines) == len(rows)
    unit_blocks, block = [], []
    for line in lines[1:]:
        if line.kind == "unit":
            block = []
            unit_blocks.append(block)
        else:
            block.append(line.cells["new"] == "X")  # the "XD mới" mark
    for marks in unit_blocks:
        assert marks == sorted(marks, reverse=True)


@settings(max_examples=15, deadline=None)
@given(rows=model_rows)
def test_written_footer_shows_the_counts(rows, tmp_path_factory, cfg):
    path = tmp_path_factory.mktemp("pl1") / "pl1.xlsx"
    df = frame(rows)
    write_phu_luc_1(path, df, cfg)
    texts = [
        c.value
        for row in load_workbook(path).active.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("- ")
    ]
    fields, subjects = footer_counts(df)
    for label, n in fields + subjects:
        assert f"- {label}: {n} mô hình" in texts


def test_models_ordered_by_field_then_name_within_a_unit():
    rows = [
        {
            "unit": "Hội Nông dân",
            "name": n,
            "field": f,
            "subject": "TAP_THE",
            "status": "MOI",
            "count": 1,
        }
        for n, f in [("Bò", "XDD"), ("Ấp trứng", "KT"), ("An toàn", "QPAN"), ("Ăn sạch", "KT")]
    ]
    names = [
        line.cells["name"] for line in lines_phu_luc_1(frame(rows), 2026) if line.kind == "model"
    ]
    assert names == ["Ăn sạch", "Ấp trứng", "An toàn", "Bò"]


def test_unit_text_is_written_as_text_never_as_a_formula(tmp_path, cfg):
    rows = [
        {
            "unit": '=HYPERLINK("x")',
            "name": "=1+1",
            "field": "KT",
            "subject": "TAP_THE",
            "status": "MOI",
            "count": 1,
        }
    ]
    path = tmp_path / "pl1.xlsx"
    write_phu_luc_1(path, frame(rows), cfg)
    cells = {
        c.value: c.data_type
        for row in load_workbook(path).active.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    }
    assert cells == {'=HYPERLINK("x")': "s", "=1+1": "s"}
