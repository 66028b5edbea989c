"""Without a roster, each lower office's consolidated annex is a node of the total, named as
its heading names the office (issue 11: a province with no roster yet)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import python_calamine as calamine

from pipeline.config import load_config, write_default_config
from pipeline.consolidate import consolidate
from pipeline.normalize import ascii_slug
from pipeline.report import write_outputs
from pipeline.report.phu_luc import write_phu_luc_1
from tests.fixtures.build_annexes import P1_HEAD, P1_TITLE, write_sheets

YEAR = 2026
# Every commune has its "Hội Nông dân xã", and two of them a model of the same name.
COMMUNES = {
    "ĐẢNG ỦY XÃ HÒA AN": {
        "Chi bộ thôn Đông": ["Đường hoa thôn Đông"],
        "Hội Nông dân xã": ["Cánh đồng mẫu lớn", "Tổ hợp tác rau an toàn"],
    },
    "ĐẢNG ỦY XÃ BÌNH MINH": {
        "Chi bộ thôn 1": ["Camera an ninh thôn 1"],
        "Hội Nông dân xã": ["Cánh đồng mẫu lớn"],
    },
}
HAND_TYPED = "ĐẢNG ỦY XÃ TÂN LẬP"  # its Ban Xây dựng Đảng typed the seed's layout itself


def _ours(path, cfg, commune: str, units: dict[str, list[str]]) -> None:
    rows = [
        dict(unit=unit, name=name, field="KT", subject="TAP_THE", person="", position="",
             count=1, place="Trong xã", lead="Chi bộ", scale="", status="MOI", field_other="")
        for unit, names in units.items()
        for name in names
    ]  # fmt: skip
    office = dataclasses.replace(cfg, office_name="BAN XÂY DỰNG ĐẢNG", parent_name=commune)
    write_phu_luc_1(path, pd.DataFrame(rows), office)


def _hand_typed(path) -> None:
    rows = [
        [HAND_TYPED],
        ["BAN XÂY DỰNG ĐẢNG"],
        [P1_TITLE.format(year=YEAR)],
        *P1_HEAD,
        ["I", f"Mô hình tiếp tục duy trì từ năm {YEAR - 1}", "", "", "", "", "", "", ""],
        ["II", f"Mô hình đăng ký mới năm {YEAR}", "", "", "", "", "", "", ""],
        [1, "Hội Nông dân xã", "", "", "", "", "", "", ""],
        ["-", "Cánh đồng mẫu lớn", 1, "Bản Mường", "HND", "Kinh tế", "5 ha", "X", ""],
        [2, "Chi bộ bản Pá", "", "", "", "", "", "", ""],
        ["-", "Nước sạch bản Pá", 1, "Bản Pá", "Chi bộ", "NTM", "40 hộ", "X", ""],
    ]
    write_sheets(path, [("Phụ lục 1", rows, [])])


def _texts(path) -> list[list]:
    book = calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_index(0).to_python()


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) else str(value)


def test_three_communes_without_a_roster_give_a_total_by_commune(tmp_path):
    write_default_config(tmp_path / "dvk.toml", YEAR, "BAN DÂN VẬN TỈNH ỦY", "Yên Bái")
    cfg = load_config(tmp_path / "dvk.toml")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n, (commune, units) in enumerate(COMMUNES.items(), start=1):
        _ours(inbox / f"xa_{n}.xlsx", cfg, commune, units)
    _hand_typed(inbox / "xa_tan_lap.xlsx")
    result = consolidate(inbox, YEAR)
    assert len(result.registrations) == 7  # no commune's "Cánh đồng mẫu lớn" hides another's
    assert not [i for i in result.issues if i.code in ("duplicate-model", "unit-not-in-roster")]
    paths = write_outputs(result, cfg, tmp_path / "outbox")
    numbered = [(_number(r[0]), r[1]) for r in _texts(paths["phu_luc_1"]) if r]
    numbered = [(n, name) for n, name in numbered if n[:1].isdigit()]
    assert numbered == [
        ("1", "ĐẢNG ỦY XÃ HÒA AN"),
        ("1.1", "Chi bộ thôn Đông"),
        ("1.2", "Hội Nông dân xã"),
        ("2", "ĐẢNG ỦY XÃ BÌNH MINH"),
        ("2.1", "Chi bộ thôn 1"),
        ("2.2", "Hội Nông dân xã"),
        ("3", HAND_TYPED),
        ("3.1", "Hội Nông dân xã"),
        ("3.2", "Chi bộ bản Pá"),
    ]
    for commune in [*COMMUNES, HAND_TYPED]:
        folder = paths["theo_don_vi"] / ascii_slug(commune)
        assert (folder / f"Phu_luc_1_dang_ky_{YEAR}.xlsx").exists()
        assert (folder / f"Phu_luc_4_ket_qua_{YEAR}.xlsx").exists()
    own = _texts(paths["theo_don_vi"] / ascii_slug(HAND_TYPED) / f"Phu_luc_1_dang_ky_{YEAR}.xlsx")
    assert own[1][0] == HAND_TYPED  # the commune's own annex is headed by the commune
    assert "tinh_hinh" not in paths  # no roster: no one is "missing"


def test_units_of_one_name_under_two_nodes_are_asked_not_linked(tmp_path):
    """Last year's "Cánh đồng mẫu lớn" was Hòa An's; this year Bình Minh's "Hội Nông dân xã"
    registers one of that name too. The registry keeps units by name, so it cannot tell them
    apart: both go to review, each keeping its unit's tick, and nothing moves silently."""
    from pipeline.link import REVIEW
    from pipeline.registry import load_history, open_registry, record_year

    write_default_config(tmp_path / "dvk.toml", YEAR, "BAN DÂN VẬN TỈNH ỦY", "Yên Bái")
    cfg = load_config(tmp_path / "dvk.toml")
    conn = open_registry(tmp_path / "dvk.sqlite")
    last_year = pd.DataFrame(
        [dict(unit="Hội Nông dân xã", name="Cánh đồng mẫu lớn", field="KT", subject="TAP_THE",
              status="MOI", status_ticked="MOI", link="", source="", model_id=None)]
    )  # fmt: skip
    record_year(conn, YEAR - 1, "lich_su", registrations=last_year, results=None, replace=False)
    history = load_history(conn, YEAR)
    conn.close()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n, (commune, units) in enumerate(COMMUNES.items(), start=1):
        _ours(inbox / f"xa_{n}.xlsx", cfg, commune, units)
    result = consolidate(inbox, YEAR, history=history)
    rows = result.registrations
    same = rows[rows["name"] == "Cánh đồng mẫu lớn"]
    assert len(same) == 2
    assert set(same["link"]) == {REVIEW} and set(same["status"]) == {"MOI"}
    asked = [i for i in result.issues if i.code == "model-needs-review"]
    assert len(asked) == 2 and all("có ở nhiều đơn vị cấp trên" in i.message for i in asked)
