"""The 100-point sheet: the declared table, hand-computed sheets, checks, readers, the ladder."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest import arrivals_of, read_workbook
from pipeline.records import ScoreRecord
from pipeline.rules import ScoreSheetError, ScoringRules, load_score_sheet
from pipeline.scoring import (
    NOT_JUDGED,
    PASSED,
    judge,
    parse_points,
    score_records,
)
from tests.fixtures.build_scores import (
    EXACTLY_75,
    FULL,
    NINE_ON_9,
    SHEET,
    build_scores,
    messy_sheet,
    seed_sheet,
)
from tests.helpers import ROOT

RULES = ScoringRules(SHEET, registration_deadline=dt.date(2026, 3, 5))


def record(points: dict, subject: str = "TAP_THE", **fields) -> ScoreRecord:
    values = {
        "file": "a.xlsx",
        "sheet": "Chấm điểm",
        "row": 6,
        "unit": "Chi bộ A",
        "name": "Tuyến đường hoa",
        "subject": subject,
        "raw": dict(points),
        "where": dict.fromkeys(points, 6),
        "columns": {n: f"Tiêu chí {n}" for n in points},
    }
    return ScoreRecord(**(values | fields))


def scored(*records: ScoreRecord, registrations=None, **options):
    registrations = registrations if registrations is not None else pd.DataFrame()
    return score_records(list(records), registrations, pd.DataFrame(), RULES, **options)


def registration(unit="Chi bộ A", name="Tuyến đường hoa", subject="TAP_THE", file="dk.xlsx"):
    return pd.DataFrame(
        [{"unit": unit, "name": name, "subject": subject, "level": "CO_SO", "person": "",
          "model_id": None, "_file": file}]
    )  # fmt: skip


def test_the_declared_table_is_seed_004():
    assert SHEET.numbers == tuple(range(1, 16))
    assert [c.maximum for c in SHEET.criteria] == [5, 10, 10, 5, 5, 5, 10, 5, 10, 10, 5, 5, 5, 5, 5]
    assert SHEET.maximum == 100 and SHEET.pass_line == 75
    assert SHEET.must_be_full == {2, 7, 9, 11, 15}
    assert SHEET.criterion(15).text_for("CA_NHAN").startswith("Hằng năm, cá nhân")
    assert SHEET.criterion(15).text_for("TAP_THE").startswith("Hằng năm, tập thể")


def test_exactly_75_with_every_mandatory_criterion_at_its_maximum_passes():
    assert sum(EXACTLY_75.values()) == 75
    verdict = judge(EXACTLY_75, SHEET)
    assert verdict.passed and verdict.total == 75 and verdict.reasons == ()
    assert verdict.subtotals == {"I": 65, "II": 10}


def test_99_with_criterion_9_short_of_its_maximum_fails_and_says_why():
    verdict = judge(NINE_ON_9, SHEET)
    assert not verdict.passed and verdict.total == 99
    assert verdict.reasons == ("Tiêu chí 9 chưa đạt điểm tối đa (9/10)",)


def test_a_low_total_says_so():
    verdict = judge(EXACTLY_75 | {1: 2}, SHEET)
    assert verdict.reasons == ("Tổng điểm 72 < 75",)


def test_a_collective_scored_on_the_individual_part_is_flagged():
    rows, issues = scored(record(FULL, subject="", variant="CA_NHAN"), registrations=registration())
    assert [i.code for i in issues] == ["score-wrong-variant"]
    assert issues[0].message == (
        "Mô hình do Tập thể thực hiện nhưng mục II được chấm theo phần II.2 (cá nhân)."
    )
    assert rows.at[0, "verdict"] == NOT_JUDGED


def test_a_typed_total_that_disagrees_is_flagged():
    rows, issues = scored(record(FULL, typed_total=95), registrations=registration())
    assert [(i.code, i.value, i.detail) for i in issues] == [("score-total-mismatch", "95", "100")]
    assert rows.at[0, "verdict"] == PASSED  # the criteria decide, the typed total is reported


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({9: 12}, "score-above-max", "Điểm tiêu chí 9 (tối đa 10) là 12, vượt điểm tối đa."),
        ({4: -1}, "score-negative", "Điểm tiêu chí 4 là số âm (-1)."),
        ({6: "năm"}, "score-not-a-number", "Điểm tiêu chí 6 ghi “năm”, không phải số."),
        ({13: None}, "score-missing", "Thiếu điểm tiêu chí 13."),
    ],
)
def test_each_bad_point_is_an_error_at_its_cell(change, code, message):
    rows, issues = scored(record(FULL | change), registrations=registration())
    assert [(i.code, i.message) for i in issues] == [(code, message)]
    (n,) = change
    assert (issues[0].row, issues[0].column) == (6, f"Tiêu chí {n}")
    assert rows.at[0, "verdict"] == NOT_JUDGED and rows.at[0, "reasons"] == message


def test_criterion_1_needs_a_registration_and_one_sent_before_the_deadline():
    _, issues = scored(record(FULL))  # nothing registered this year
    assert [(i.code, i.detail) for i in issues] == [("score-not-registered", "tiêu chí 1")]
    late = {"dk.xlsx": dt.date(2026, 4, 2)}
    _, issues = scored(record(FULL), registrations=registration(), registered_on=late)
    assert [(i.code, i.value) for i in issues] == [("score-registered-late", "02/04/2026")]
    on_time = {"dk.xlsx": dt.date(2026, 3, 1)}
    assert scored(record(FULL), registrations=registration(), registered_on=on_time)[1] == []
    no_points = scored(record(FULL | {1: 0}))[1]  # criterion 1 not given: nothing to question
    assert no_points == []


def test_a_scored_model_takes_its_registration_name_and_subject():
    rows, _ = scored(
        record(FULL, unit="CHI BỘ A", name="Mô hình “Tuyến đường hoa”", subject=""),
        registrations=registration(),
    )
    assert (rows.at[0, "unit"], rows.at[0, "name"], rows.at[0, "subject"]) == (
        "Chi bộ A",
        "Tuyến đường hoa",
        "TAP_THE",
    )


def test_the_ladder_needs_the_level_below():
    huyen = record(FULL, level="Cấp huyện")
    rows, issues = scored(huyen, registrations=registration())
    assert [(i.code, i.detail) for i in issues] == [("recognition-skips-level", "Cấp cơ sở")]
    assert rows.at[0, "ladder_note"] == "Chưa được công nhận Cấp cơ sở"
    # Recognised at cơ sở in an earlier year (model 7): fine.
    linked = registration().assign(model_id=7)
    assert scored(huyen, registrations=linked, recognised_before={(7, 0)})[1] == []
    # Or in this run: the same model passed at cơ sở.
    both = [record(FULL, level="huyện"), record(FULL, level="Cấp cơ sở", row=7)]
    assert scored(*both, registrations=registration())[1] == []
    # A level the office does not use is reported.
    rows, issues = scored(record(FULL, level="Cấp trung ương"), registrations=registration())
    assert [i.code for i in issues] == ["level-not-in-ladder"]


def test_a_model_scored_twice_for_one_level_counts_once():
    twice = [record(FULL, level="Cấp cơ sở"), record(NINE_ON_9, level="Cấp cơ sở", row=9)]
    rows, issues = scored(*twice, registrations=registration())
    assert len(rows) == 1 and rows.at[0, "total"] == 100
    assert [(i.code, i.row, i.detail) for i in issues] == [
        ("score-repeated", 9, "dòng 6 của tệp a.xlsx")
    ]


def test_points_as_people_type_them():
    assert parse_points("4,5") == 4.5 and parse_points(" 10 ") == 10.0 and parse_points(3) == 3.0
    assert parse_points("") is None and parse_points(None) is None
    assert parse_points("mười") == "mười"


points_of = st.fixed_dictionaries(
    {c.number: st.integers(0, int(c.maximum)).map(float) for c in SHEET.criteria}
)


@given(points_of)
def test_the_verdict_is_the_pass_rule(points):
    expected = sum(points.values()) >= SHEET.pass_line and all(
        points[n] == SHEET.criterion(n).maximum for n in SHEET.must_be_full
    )
    assert judge(points, SHEET).passed == expected


@given(points_of, st.sampled_from(SHEET.numbers), st.data())
def test_raising_one_criterion_never_turns_a_pass_into_a_fail(points, n, data):
    raised = data.draw(st.integers(int(points[n]), int(SHEET.criterion(n).maximum)).map(float))
    before, after = judge(points, SHEET), judge(points | {n: raised}, SHEET)
    assert not (before.passed and not after.passed)
    assert after.total >= before.total


def test_hand_typed_vertical_sheets_are_read_in_three_variations(tmp_path):
    build_scores(tmp_path)
    found = {}
    for path in sorted(tmp_path.iterdir()):
        for arrival in arrivals_of(path, tmp_path):
            read = read_workbook(arrival, 2026)
            assert read.issues == []
            for r in read.scores:
                points = {n: parse_points(v) for n, v in r.raw.items()}
                found[r.name] = (r.unit, r.sheet, r.variant, points)
    assert found == {
        "Trạm Y tế thân thiện": ("Chi bộ Trạm Y tế xã", "Sheet1", "TAP_THE", FULL),
        "Giáo viên giúp học sinh nghèo vượt khó": (
            "Chi bộ Trường THCS Diễn Châu",
            "Phiếu chấm",
            "CA_NHAN",
            FULL,
        ),
        "Tổ hợp tác trồng rau an toàn": ("Hội Nông dân xã", "MH1", "TAP_THE", EXACTLY_75),
        "Nông dân sản xuất kinh doanh giỏi": ("Hội Nông dân xã", "MH2", "TAP_THE", NINE_ON_9),
    }


def test_both_parts_of_section_ii_filled_is_an_error(tmp_path):
    path = tmp_path / "ca_hai.xlsx"
    seed_sheet(path, "Chi bộ A", "Tuyến đường hoa", FULL)
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book.active
    for row in ws.iter_rows():
        if row[0].value == "II.2":
            start = row[0].row
    for r in range(start + 1, start + 6):
        ws.cell(r, 4, 5)
    book.save(path)
    (arrival,) = arrivals_of(path, tmp_path)
    (rec,) = read_workbook(arrival, 2026).scores
    assert rec.variant == "BOTH"
    assert [i.code for i in scored(rec, registrations=registration())[1]] == ["score-both-variants"]


def test_a_vertical_sheet_without_model_or_unit_is_reported(tmp_path):
    path = tmp_path / "khong_ten.xlsx"
    messy_sheet(path, "", "Giáo viên giúp học sinh", FULL)
    (arrival,) = arrivals_of(path, tmp_path)
    read = read_workbook(arrival, 2026)
    assert [i.code for i in read.issues] == ["score-no-model"] and read.scores == []


def test_an_office_can_declare_its_own_table(tmp_path):
    five = load_score_sheet(ROOT / "examples" / "cham_diem_5_tieu_chi.toml")
    assert five.numbers == (1, 2, 3, 4, 5) and five.maximum == 100
    points = {n: 20.0 for n in five.numbers}
    assert judge(points, five).passed
    assert judge(points | {5: 10.0}, five).reasons == ("Tiêu chí 5 chưa đạt điểm tối đa (10/20)",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ten = 'x'\n", "thiếu hoặc sai mục"),
        (
            "diem_dat = 75\ntieu_chi_phai_dat_toi_da = [9]\n[[muc]]\nso='I'\nten='A'\n"
            "[[tieu_chi]]\nso=1\nmuc='I'\ndiem_toi_da=100\nnoi_dung='a'\n",
            r"tiêu chí phải đạt tối đa không có trong biểu: \[9\]",
        ),
        (
            "diem_dat = 175\n[[muc]]\nso='I'\nten='A'\n"
            "[[tieu_chi]]\nso=1\nmuc='I'\ndiem_toi_da=100\nnoi_dung='a'\n",
            "điểm đạt phải từ 0 đến 100",
        ),
    ],
)
def test_a_wrong_table_is_refused_in_vietnamese(tmp_path, text, message):
    path = tmp_path / "cham_diem.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScoreSheetError, match=message):
        load_score_sheet(path)


def test_score_from_the_prefilled_template_then_climb_the_ladder_next_year(sample_workspace):
    """dvk templates lists this year's models to score; results and recognitions are kept, and
    next year a model recognised at xã level may be proposed at tỉnh level."""
    import shutil
    import sqlite3

    from openpyxl import load_workbook

    from pipeline import forms
    from tests.fixtures.build_scores import fill_score_template
    from tests.test_cli import dvk

    ws, inbox = str(sample_workspace), sample_workspace / "inbox"
    for scoring_file in inbox.glob("*cham_diem*"):
        scoring_file.unlink()
    assert dvk("consolidate", "-w", ws).returncode == 1
    run = dvk("templates", "-w", ws)
    assert "(đã ghi sẵn 47 mô hình đăng ký năm 2026)" in run.stdout
    template = sample_workspace / "templates" / "xlsx" / "Bieu_cham_diem_2026.xlsx"
    sheet = load_workbook(template)[forms.SCORE_SHEET]
    listed = [(r[1], r[2]) for r in sheet.iter_rows(min_row=6, values_only=True) if r[1]]
    assert len(listed) == 47 and ("Chi bộ xóm Bắc Sơn", "Tuyến đường hoa") in listed

    scored = [
        dict(unit="Chi bộ xóm Bắc Sơn", name="Tuyến đường hoa", points=FULL, level="Cấp xã"),
        dict(unit="Chi bộ xóm Bắc Sơn", name="Dòng họ không có tội phạm", points=NINE_ON_9,
             level="Cấp xã"),
    ]  # fmt: skip
    fill_score_template(template, inbox / "cham_diem_2026.xlsx", scored)
    run = dvk("consolidate", "-w", ws)
    assert "Mô hình được chấm điểm: 2; đạt: 1." in run.stdout
    conn = sqlite3.connect(sample_workspace / "dvk.sqlite")
    recognised = conn.execute(
        "SELECT m.name, r.year, r.level FROM recognitions r JOIN models m ON m.id = r.model_id"
    ).fetchall()
    verdicts = dict(conn.execute("SELECT name, verdict FROM appraisals"))
    conn.close()
    assert recognised == [("Tuyến đường hoa", 2026, "Cấp xã")]
    assert verdicts == {"Tuyến đường hoa": "passed", "Dòng họ không có tội phạm": "failed"}

    # 2027: the same inbox moved on a year, and the model proposed at tỉnh level.
    config = sample_workspace / "dvk.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("2026", "2027"), "utf-8")
    shutil.rmtree(inbox)
    inbox.mkdir()
    dvk("templates", "-w", ws)
    blank = sample_workspace / "templates" / "xlsx" / "Bieu_cham_diem_2027.xlsx"
    upward = [
        dict(unit="Chi bộ xóm Bắc Sơn", name="Tuyến đường hoa", points=FULL, level="Cấp tỉnh"),
        dict(unit="Chi bộ xóm Bắc Sơn", name="Dòng họ không có tội phạm", points=FULL,
             level="Cấp tỉnh"),
    ]  # fmt: skip
    fill_score_template(blank, inbox / "cham_diem_2027.xlsx", upward)
    summary = json.loads(dvk("consolidate", "-w", ws, "--json").stdout)
    skips = [i for i in summary["van_de"] if i["code"] == "recognition-skips-level"]
    assert [i["row"] for i in skips] == [7]  # only the one never recognised at xã level
