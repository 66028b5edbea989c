"""Hand-typed Phụ lục 1 and Phụ lục 4: tables found by their words, exactly the records typed."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from pipeline.config import load_config
from pipeline.consolidate import ACCEPTED, HAS_ERRORS, consolidate
from pipeline.report import write_outputs
from tests.fixtures.build_annexes import (
    P1_HEAD,
    P1_MERGES,
    P1_TITLE,
    build_annexes,
    write_sheets,
)
from tests.helpers import SAMPLE, read_generated

REGISTRATION = [
    "_file",
    "_row",
    "unit",
    "name",
    "field",
    "field_other",
    "subject",
    "count",
    "place",
    "lead",
    "scale",
    "status",
]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    box = tmp_path_factory.mktemp("annexes") / "inbox"
    build_annexes(box)
    return box


@pytest.fixture(scope="module")
def result(inbox, cfg):
    return consolidate(inbox, cfg.year)


def records(frame, columns, file):
    return frame.loc[frame["_file"] == file, columns[1:]].astype(object).values.tolist()


def test_each_file_status(result):
    assert {
        f.file: (f.unit, f.status, f.registrations, f.results, f.held_back) for f in result.files
    } == {
        "pl1_dang_uy_xa.xlsx": ("ĐẢNG ỦY XÃ DIỄN CHÂU", ACCEPTED, 3, 0, 0),
        "pl1_go_tay.xlsx": ("Hội Liên hiệp Phụ nữ xã", HAS_ERRORS, 3, 0, 1),
        "pl4_ket_qua.xlsx": ("HỘI CỰU CHIẾN BINH XÃ", ACCEPTED, 0, 2, 0),
        "pl1_chi_bo_khong_dong_don_vi.xlsx": ("CHI BỘ XÓM ĐÔNG LỘC", ACCEPTED, 2, 0, 0),
        "pl1_nam_truoc.xlsx": ("", HAS_ERRORS, 0, 0, 0),
        "pl1_pl4_mot_tep.xlsx": ("HỘI PHỤ NỮ THÔN 5", ACCEPTED, 1, 1, 0),
    }
    assert [(i.file, i.sheet, i.row, i.column, i.code) for i in result.issues] == [
        ("pl1_go_tay.xlsx", "Sheet1", 14, "Chủ thể (Tập thể/Cá nhân)", "required"),
        ("pl1_go_tay.xlsx", "Sheet1", 14, "Lĩnh vực", "field-other"),
        ("pl1_nam_truoc.xlsx", "Phụ lục 1", None, "", "file-wrong-year"),
    ]


def test_the_seed_layout_with_sections_units_and_footer(result):
    assert records(result.registrations, REGISTRATION, "pl1_dang_uy_xa.xlsx") == [
        [
            11,
            "Chi bộ xóm Bắc Sơn",
            "Tuyến đường hoa",
            "NTM",
            "",
            "TAP_THE",
            1,
            "Xóm Bắc Sơn",
            "Chi bộ",
            "1,2 km",
            "DUY_TRI",
        ],
        [
            14,
            "Hội Nông dân xã",
            "Tổ hợp tác trồng rau an toàn",
            "KT",
            "",
            "TAP_THE",
            1,
            "Xóm Đông Lộc",
            "HND",
            "5 ha",
            "MOI",
        ],
        [
            16,
            "Công an xã",
            "Công an xã đồng hành cùng người dân làm căn cước (đ/c Trần Văn Hùng)",
            "QPAN",
            "",
            "CA_NHAN",
            1,
            "Trụ sở Công an xã",
            "Công an xã",
            "2.300 lượt",
            "MOI",
        ],
    ]


def test_a_messy_hand_typed_table(result):
    """Renamed sheet, blank rows, columns moved, extra column, NFD, abbreviations, ✓, "02"."""
    assert records(result.registrations, REGISTRATION, "pl1_go_tay.xlsx") == [
        [
            8,
            "Hội Liên hiệp Phụ nữ xã",
            "Hũ gạo tình thương",
            "VHXH",
            "",
            "TAP_THE",
            2,
            "12 chi hội",
            "HPN",
            "12 hũ",
            "DUY_TRI",
        ],
        [
            10,
            "Hội Liên hiệp Phụ nữ xã",
            "Mẹ đỡ đầu trẻ mồ côi",
            "VHXH",
            "",
            "CA_NHAN",
            1,
            "Xóm Bắc Sơn",
            "HPN",
            "4 trẻ",
            "DUY_TRI",
        ],
        [
            13,
            "Đoàn Thanh niên xã",
            "Thắp sáng đường quê",
            "KT",
            "",
            "TAP_THE",
            1,
            "Xóm Trung Hải",
            "ĐTN",
            "3 km",
            "MOI",
        ],
    ]


def test_models_without_unit_rows_belong_to_the_unit_named_top_left(result):
    rows = records(result.registrations, REGISTRATION, "pl1_chi_bo_khong_dong_don_vi.xlsx")
    assert [(r[1], r[2], r[-1]) for r in rows] == [
        ("CHI BỘ XÓM ĐÔNG LỘC", "Phân loại rác thải tại nguồn", "DUY_TRI"),
        ("CHI BỘ XÓM ĐÔNG LỘC", "Đảng viên gương mẫu nơi cư trú", "MOI"),
    ]


def test_phu_luc_4_marks_give_new_or_maintained(result):
    columns = ["_file", "_row", "unit", "name", "field", "subject", "results", "status"]
    assert records(result.results, columns, "pl4_ket_qua.xlsx") == [
        [
            10,
            "Hội Cựu chiến binh xã",
            "Cựu chiến binh giúp nhau làm kinh tế",
            "KT",
            "TAP_THE",
            "Giúp 8 hộ thoát nghèo",
            "DUY_TRI",
        ],
        [
            11,
            "Hội Cựu chiến binh xã",
            "Cựu chiến binh tham gia hòa giải ở cơ sở",
            "QPAN",
            "TAP_THE",
            "Hòa giải thành 21 vụ",
            "MOI",
        ],
    ]


def test_the_returned_copy_marks_the_cell_in_the_units_own_layout(result, tmp_path):
    cfg = load_config(SAMPLE / "dvk.toml")
    paths = write_outputs(result, cfg, tmp_path / "outbox")
    returned = {p.name for p in paths["tra_lai"].iterdir()}
    assert returned == {"hoi_lien_hiep_phu_nu_xa_can_sua.xlsx", "pl1_nam_truoc_can_sua.xlsx"}
    sheet = load_workbook(paths["tra_lai"] / "hoi_lien_hiep_phu_nu_xa_can_sua.xlsx")["Sheet1"]
    assert sheet["H14"].fill.fgColor.rgb.endswith("FFC7CE")  # "Chủ thể" of row 14: no mark
    assert sheet["C14"].comment.text.startswith("Lĩnh vực “Môi trường” không có trong danh mục")


def test_our_own_annexes_read_back_as_the_same_models(tmp_path, cfg):
    """A lower office's consolidated Phụ lục (this tool's output) is read like a unit's."""
    sample = consolidate(SAMPLE / "inbox", cfg.year, scoring=cfg.scoring_rules())
    paths = write_outputs(sample, cfg, tmp_path / "outbox")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for key in ("phu_luc_1", "phu_luc_4"):
        (inbox / paths[key].name).write_bytes(paths[key].read_bytes())
    again = consolidate(inbox, cfg.year)
    assert again.issues == []

    def models(frame, extra):
        rows = frame.assign(
            label=[
                f"{r['name']} ({r['person']}{', ' + r['position'] if r.get('position') else ''})"
                if r["subject"] == "CA_NHAN" and r.get("person")
                else r["name"]
                for _, r in frame.iterrows()
            ]
        )
        columns = ["unit", "label", "field", "subject", "count", "place", "lead", *extra]
        return sorted(rows[columns].astype(str).values.tolist())

    assert models(again.registrations, ["scale", "status"]) == models(
        sample.registrations, ["scale", "status"]
    )
    assert models(again.results, ["results", "status"]) == models(
        sample.results, ["results", "status"]
    )


def test_both_annexes_in_one_workbook_and_a_sheet_of_notes(result):
    file = "pl1_pl4_mot_tep.xlsx"
    registrations = result.registrations[result.registrations["_file"] == file]
    results = result.results[result.results["_file"] == file]
    assert registrations[["_sheet", "_row", "unit", "name", "field", "status"]].values.tolist() == [
        ["PL1", 9, "HỘI PHỤ NỮ THÔN 5", "Nhà sạch, vườn đẹp", "NTM", "MOI"]
    ]
    assert results[["_sheet", "_row", "name", "results", "status"]].values.tolist() == [
        ["PL4", 7, "Nhà sạch, vườn đẹp", "38 hộ đạt", "MOI"]
    ]


def test_two_units_under_the_same_parent_never_replace_each_other(tmp_path, cfg):
    """Heading: the parent on line 1, the unit on line 2. Two such units are two units."""
    from tests.fixtures.build_annexes import P1_HEAD, P1_TITLE, write_sheets

    for unit, model in (
        ("CHI BỘ XÓM BẮC SƠN", "Tuyến đường hoa"),
        ("CHI BỘ XÓM ĐÔNG LỘC", "Phân loại rác thải tại nguồn"),
    ):
        rows = [
            ["ĐẢNG BỘ XÃ DIỄN CHÂU"],
            [unit],
            ["*"],
            [P1_TITLE.format(year=cfg.year)],
            [],
            *P1_HEAD,
            ["II", f"Mô hình đăng ký mới năm {cfg.year}", 1, "", "", "", "", "", ""],
            ["-", model, 1, "Xóm", "Chi bộ", "Kinh tế", "1 km", "X", ""],
        ]
        (tmp_path / "inbox").mkdir(exist_ok=True)
        write_sheets(tmp_path / "inbox" / f"{model}.xlsx", [("Sheet1", rows, [])])
    result = consolidate(tmp_path / "inbox", cfg.year, scoring=cfg.scoring_rules())
    assert result.issues == []
    assert sorted(result.registrations[["unit", "name"]].values.tolist()) == [
        ["CHI BỘ XÓM BẮC SƠN", "Tuyến đường hoa"],
        ["CHI BỘ XÓM ĐÔNG LỘC", "Phân loại rác thải tại nguồn"],
    ]


def test_a_numbered_row_with_no_models_under_it_is_reported(tmp_path, cfg):
    from tests.fixtures.build_annexes import P1_HEAD, P1_TITLE, write_sheets

    rows = [
        ["CHI BỘ XÓM YÊN LÝ"],
        [P1_TITLE.format(year=cfg.year)],
        *P1_HEAD,
        ["II", f"Mô hình đăng ký mới năm {cfg.year}", "", "", "", "", "", "", ""],
        [1, "Chi bộ xóm Yên Lý", "", "", "", "", "", "", ""],
        ["-", "Bữa cơm nghĩa tình", 1, "Xóm Yên Lý", "Chi bộ", "VHXH", "30 suất", "X", ""],
        [2, "Trồng cây xanh", 1, "", "", "", "", "", ""],
    ]  # a model numbered like a unit
    (tmp_path / "inbox").mkdir()
    write_sheets(tmp_path / "inbox" / "a.xlsx", [("Sheet1", rows, [])])
    result = consolidate(tmp_path / "inbox", cfg.year, scoring=cfg.scoring_rules())
    assert result.registrations["name"].tolist() == ["Bữa cơm nghĩa tình"]
    assert [(i.row, i.code, i.message) for i in result.issues] == [
        (
            9,
            "annex-unit-without-models",
            "Dòng “Trồng cây xanh” được hiểu là tên đơn vị, nhưng bên dưới không có mô hình nào.",
        ),
    ]


def test_a_file_neither_editor_can_open_still_gets_its_list_of_problems(
    result, tmp_path, monkeypatch
):
    from pipeline.report import returns

    def refuse(*_args, **_kwargs):
        raise KeyError("openpyxl is stricter than calamine")

    def cannot(*_args, **_kwargs):
        raise returns.CannotMark("a part the XML editor does not know")

    monkeypatch.setattr(returns, "load_workbook", refuse)
    monkeypatch.setattr(returns, "mark_workbook", cannot)
    written = returns.write_returns(result, tmp_path, "BAN XÂY DỰNG ĐẢNG")
    book = load_workbook(written["pl1_go_tay.xlsx"])
    assert book.sheetnames == ["Cần sửa"]
    assert book["Cần sửa"]["E6"].value == "Thiếu “Chủ thể (Tập thể/Cá nhân)”."


def test_a_file_openpyxl_cannot_open_is_marked_by_the_xml_editor(result, tmp_path, monkeypatch):
    from pipeline.report import returns

    def refuse(*_args, **_kwargs):
        raise KeyError("openpyxl is stricter than calamine")

    monkeypatch.setattr(returns, "load_workbook", refuse)
    written = returns.write_returns(result, tmp_path, "BAN XÂY DỰNG ĐẢNG")
    book = load_workbook(written["pl1_go_tay.xlsx"])
    assert book.sheetnames == ["Cần sửa", "Sheet1"]
    assert book["Cần sửa"]["E6"].value == "Thiếu “Chủ thể (Tập thể/Cá nhân)”."


def test_sections_found_by_their_words_without_numerals(tmp_path, cfg):
    """The field case: headings typed without "I"/"II", one of them empty, and a signature
    below: no heading or signature is a model, and every model has its section."""
    from tests.fixtures.build_annexes import P1_HEAD, P1_TITLE, write_sheets

    rows = [
        ["CHI BỘ XÓM YÊN LÝ"],
        [P1_TITLE.format(year=cfg.year)],
        *P1_HEAD,
        ["", f"Mô hình tiếp tục duy trì từ năm {cfg.year - 1}", "", "", "", "", "", "", ""],
        ["", f"Mô hình đăng ký mới năm {cfg.year}", "", "", "", "", "", "", ""],
        [1, "Chi bộ xóm Yên Lý", "", "", "", "", "", "", ""],
        ["-", "Bữa cơm nghĩa tình", 1, "Xóm Yên Lý", "Chi bộ", "VHXH", "30 suất", "X", ""],
        ["", "", "", "", "", "", "", "", ""],
        ["", "Người lập biểu", "", "", "", "", "", "", ""],
    ]
    (tmp_path / "inbox").mkdir()
    write_sheets(tmp_path / "inbox" / "a.xlsx", [("Sheet1", rows, [])])
    result = consolidate(tmp_path / "inbox", cfg.year, scoring=cfg.scoring_rules())
    assert result.registrations[["unit", "name", "status"]].values.tolist() == [
        ["Chi bộ xóm Yên Lý", "Bữa cơm nghĩa tình", "MOI"]
    ]
    assert result.issues == []


@pytest.mark.parametrize("numbering", ["plain", "dotted"])
def test_a_province_annex_of_5000_units_is_read_whole(numbering):
    """Unit numbers of any length: 1…5000, or "1.1"…"1.5000" under a node, each unit's models
    under it (a reader that knew only 1-3 digits put units 1000 on under unit 999)."""
    units = 5000
    rows = [["BAN DÂN VẬN TỈNH ỦY"], [], [P1_TITLE.format(year=2026)], [], *P1_HEAD]
    rows += [["II", "Mô hình đăng ký mới năm 2026", units]]
    for n in range(1, units + 1):
        rows.append([n if numbering == "plain" else f"1.{n}", f"Chi bộ thôn {n}", 1])
        rows.append(["-", f"Đường hoa thôn {n}", 1, f"Thôn {n}", "Chi bộ", "Kinh tế", "", "x"])
    out = io.BytesIO()
    write_sheets(out, [("PL1", rows, P1_MERGES)])
    _, got, _ = read_generated(out.getvalue(), "P1", 2026)
    assert len(got) == units
    numbers = got["unit"].str.removeprefix("Chi bộ thôn ")
    assert (numbers == got["name"].str.removeprefix("Đường hoa thôn ")).all()
    assert numbers.astype(int).tolist() == list(range(1, units + 1))
    assert set(got["status"]) == {"MOI"}
