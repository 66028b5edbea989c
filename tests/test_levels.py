"""Levels: the roster, one Phụ lục per node, roll-up without double counting, completeness."""

from __future__ import annotations

import json

import pytest
import python_calamine as calamine

from pipeline import forms
from pipeline.analysis import node_rates, unit_status
from pipeline.config import load_config
from pipeline.consolidate import consolidate
from pipeline.ingest.annex_reader import annex_rows, find_table
from pipeline.ingest.roster_reader import read_roster
from pipeline.normalize import model_key
from pipeline.report import write_outputs
from pipeline.roster import build_roster, match_units
from tests.fixtures.build_province import MODELS, build_province
from tests.helpers import needs_office, squeezed_text, to_pdf


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = build_province(tmp_path_factory.mktemp("tinh") / "tinh")
    cfg = load_config(root / "dvk.toml")
    rows, issues = read_roster(root / forms.ROSTER_FILENAME)
    roster, found = build_roster(rows, cfg.quotas)
    assert issues == found == []
    result = consolidate(root / "inbox", cfg.year, roster=roster)
    paths = write_outputs(result, cfg, root / "outbox")
    return root, cfg, roster, result, paths


def annex_models(path) -> list[tuple[str, str]]:
    """(unit, model) of every "-" row of a printed Phụ lục 1."""
    book = calamine.CalamineWorkbook.from_path(str(path))
    cells = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    rows, _ = annex_rows(find_table("Phụ lục 1", cells), cells, path.name)
    keys = [c.key for c in forms.REGISTRATION.columns]
    return [(row[-2], row[keys.index("name")]) for row in rows]


def test_the_province_total_is_the_sum_of_its_communes(province):
    paths = province[-1]
    total = annex_models(paths["phu_luc_1"])
    communes = [
        annex_models(paths["theo_don_vi"] / slug / "Phu_luc_1_dang_ky_2026.xlsx")
        for slug in ("dang_bo_xa_hoa_an", "dang_bo_xa_binh_minh", "dang_bo_xa_tan_lap")
    ]
    assert sorted(m for commune in communes for m in commune) == sorted(total)
    assert len(total) == sum(len(models) for models in MODELS.values())  # 14: each once
    assert len({(unit, model_key(name)) for unit, name in total}) == len(total)


def test_a_unit_sent_directly_and_in_its_communes_list_counts_once(province):
    _, _, _, result, _ = province
    thon_1 = result.registrations[result.registrations["unit"] == "Chi bộ thôn 1"]
    assert sorted(thon_1["name"]) == ["Camera an ninh thôn 1", "Sân chơi thiếu nhi thôn 1"]
    (replaced,) = [i for i in result.issues if i.code == "unit-superseded"]
    direct, roll_up = "x2-cb1_tu_gui.eml/x2-cb1_tu_gui.xlsx", "phu_luc_1_xa_binh_minh.eml/"
    assert (replaced.file, replaced.detail) == (direct, roll_up + "phu_luc_1_xa_binh_minh.xlsx")
    statuses = {f.file: f.status for f in result.files}
    assert statuses[direct] == "superseded"


def test_the_total_groups_units_under_their_commune_in_the_seed_numbering(province):
    _, _, _, _, paths = province
    book = calamine.CalamineWorkbook.from_path(str(paths["phu_luc_1"]))
    cells = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    numbered = [(row[0], row[1]) for row in cells if row and row[0] not in ("", "-")]
    assert numbered[numbered.index(("II", "Mô hình đăng ký mới năm 2026")) + 1 :][:5] == [
        (1.0, "Đảng bộ xã Hòa An"),
        ("1.1", "Chi bộ thôn Đông"),
        ("1.2", "Chi bộ thôn Tây"),
        ("1.3", "Hội Phụ nữ xã Hòa An"),
        (2.0, "Đảng bộ xã Bình Minh"),
    ]


def test_completeness_names_the_missing_late_and_below_quota_units(province):
    _, cfg, roster, result, _ = province
    units = unit_status(result, roster, cfg).set_index("code")
    assert units.at["X3-CB2", "registration_status"] == "Chưa gửi"
    assert units.at["X3-TN", "registration_timely"] == "Trễ hạn"
    assert units.at["X3-TN", "registration_sent"] == "20/03/2026"
    assert (units.at["X3-TN", "registration_models"], units.at["X3-TN", "quota"]) == (2, 5)
    assert not units.at["X3-TN", "quota_met"]
    assert units.at["X1-CB1", "registration_timely"] == "Đúng hạn"
    assert units.at["X2-CB1", "registration_status"] == "Đã tiếp nhận"
    assert set(units.index[units["registration_status"] == "Chưa gửi"]) == {"X3-CB2"}
    assert set(units.index[~units["quota_met"]]) == {"X3-CB2", "X3-TN"}


def test_reporting_and_on_time_rates_per_node(province):
    _, cfg, roster, result, _ = province
    rates = node_rates(unit_status(result, roster, cfg), roster, cfg).set_index("name")
    office = rates.loc[cfg.office_name]
    assert (office["expected"], office["sent"], office["reporting_rate"]) == (10, 9, 90.0)
    # Of the 9 e-mailed forms, 8 came on time: the rate is over the forms with a known date.
    assert (office["on_time"], office["late"], office["unknown"]) == (8, 1, 0)
    assert office["on_time_rate"] == 88.9
    tan_lap = rates.loc["Đảng bộ xã Tân Lập"]
    assert (tan_lap["expected"], tan_lap["sent"], tan_lap["reporting_rate"]) == (4, 3, 75.0)
    assert (tan_lap["on_time"], tan_lap["late"], tan_lap["on_time_rate"]) == (2, 1, 66.7)
    assert rates.loc["Đảng bộ xã Hòa An", "reporting_rate"] == 100.0


def test_units_to_remind_carry_their_email(province):
    _, _, _, _, paths = province
    book = calamine.CalamineWorkbook.from_path(str(paths["tinh_hinh"]))
    cells = book.get_sheet_by_name("Cần nhắc").to_python()
    listed = {row[1]: (row[3], row[4]) for row in cells[4:] if row[1]}
    assert listed == {
        "Chi bộ bản Nà": ("chưa gửi đăng ký; chưa đủ chỉ tiêu (0/1 mô hình)", "banna@example.vn"),
        "Đoàn Thanh niên xã Tân Lập": (
            "gửi trễ hạn; chưa đủ chỉ tiêu (2/5 mô hình)",
            "doantn.tl@example.vn",
        ),
    }


@needs_office
def test_the_charts_render_in_libreoffice(province, tmp_path):
    _, _, _, _, paths = province
    text = squeezed_text(to_pdf(paths["tinh_hinh"], tmp_path))
    assert "Sốmôhìnhđăngkýtheolĩnhvựcvàđơnvị" in text
    assert "Tỷlệđơnvịgửibiểumẫuvàgửiđúnghạn(%)" in text


def test_roster_mistakes_are_reported_and_names_match_loosely():
    rows = [
        {"code": "A", "name": "Chi bộ thôn Đông", "kind": "Chi bộ", "parent": "", "_row": 5},
        {"code": "A", "name": "Chi bộ thôn Tây", "kind": "Chi bộ", "parent": "", "_row": 6},
        {
            "code": "B",
            "name": "Hội Phụ nữ",
            "kind": "Hội",
            "parent": "Z",
            "_row": 7,
            "former": "Chi hội Phụ nữ xã; Hội LHPN xã",
        },
        {"code": "C", "name": "", "kind": "Chi bộ", "parent": "", "_row": 8},
    ]
    roster, issues = build_roster(rows, {"CHI_BO": 1, "DOAN_THE": 5})
    assert [(i.code, i.row) for i in issues] == [
        ("roster-duplicate-code", 6),
        ("roster-incomplete", 8),
        ("roster-unknown-parent", None),
    ]
    assert roster.units["B"].quota == 5 and roster.units["B"].parent == ""
    found = match_units(["CHI BỘ THÔN ĐÔNG", "Thôn Đông", "Hội LHPN xã", "Chi bộ thôn Bắc"], roster)
    assert found == {
        "CHI BỘ THÔN ĐÔNG": "A",
        "Thôn Đông": "A",
        "Hội LHPN xã": "B",
        "Chi bộ thôn Bắc": None,
    }


def test_a_unit_missing_from_the_roster_waits_for_a_person(province, tmp_path):
    _, cfg, roster, _, _ = province
    from pipeline.report.template import fill_template, write_template

    template = tmp_path / "mau.xlsx"
    write_template(template, cfg)
    inbox = tmp_path / "inbox"
    fill_template(template, inbox / "la.xlsx", "Chi bộ thôn Lạ",
                  {"Đăng ký": [dict(name="Mô hình lạ", field="Kinh tế", subject="Tập thể",
                                    place="Thôn", status="Đăng ký mới")]})  # fmt: skip
    result = consolidate(inbox, cfg.year, roster=roster)
    assert [(i.code, i.value) for i in result.issues] == [("unit-not-in-roster", "Chi bộ thôn Lạ")]
    # Not counted as a unit of its own until a person says which unit it is: held for review.
    assert result.registrations.empty
    assert list(result.unmapped["unit"]) == ["Chi bộ thôn Lạ"]
    assert result.files[0].held_back == 1 and result.exit_code == 1


def test_a_lower_offices_annex_links_units_by_the_codes_it_carries(province):
    """Xã Bình Minh printed "Chi bộ Thôn Hai (Bình Minh)": its hidden code says X2-CB2."""
    _, _, _, result, _ = province
    rows = result.registrations[result.registrations["unit_code"] == "X2-CB2"]
    assert list(rows["unit"]) == ["Chi bộ thôn 2"]  # the roster's name, not the printed one
    assert not [i for i in result.issues if i.code == "unit-not-in-roster"]


def test_a_later_quarter_shows_the_latest_results_of_every_model(sample_workspace, tmp_path):
    """Q1 takes the whole inbox; in Q2 one unit reports new results and nothing else arrives:
    Q2's Phụ lục 4 has every model, with that unit's new results; Q1's outputs stay as they were."""
    import shutil

    from tests.test_cli import dvk
    from tests.test_history import sample

    ws, inbox = str(sample_workspace), sample_workspace / "inbox"
    assert dvk("consolidate", "-w", ws, "--period", "2026-Q1").returncode == 1
    q1 = sample_workspace / "outbox" / "2026" / "Q1" / "Phu_luc_4_ket_qua_2026_Q1.xlsx"
    before = q1.read_bytes()
    shutil.rmtree(inbox)
    inbox.mkdir()
    cfg = load_config(sample_workspace / "dvk.toml")
    from pipeline.report.template import fill_template, write_template

    template = tmp_path / "mau.xlsx"
    write_template(template, cfg)
    unit = "Hội Nông dân xã"
    models = [list(m) for m in sample.UNITS[unit]]
    models[0][8] = "Quý 2: mở rộng thêm 2 ha, 45 hộ"
    fill_template(template, inbox / "hoi_nong_dan_q2.xlsx", unit,
                  {"Kết quả": [sample.result(tuple(m)) for m in models]})  # fmt: skip
    run = dvk("consolidate", "-w", ws, "--period", "2026-Q2", "--json")
    summary = json.loads(run.stdout)
    assert summary["so_mo_hinh_ket_qua"] == 43  # all of Q1's, with this unit's from Q2
    q2 = sample_workspace / "outbox" / "2026" / "Q2" / "Phu_luc_4_ket_qua_2026_Q2.xlsx"
    book = calamine.CalamineWorkbook.from_path(str(q2))
    cells = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    texts = [row[6] for row in cells if row and row[0] == "-"]
    assert "Quý 2: mở rộng thêm 2 ha, 45 hộ" in texts
    assert "Bao tiêu 180 tấn lúa" in texts  # another unit's Q1 result, carried over
    assert len(texts) == 43
    assert q1.read_bytes() == before  # Q1 is kept as it was
    assert dvk("consolidate", "-w", ws, "--period", "2026-Q7").returncode == 2
