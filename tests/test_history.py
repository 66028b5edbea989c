"""End to end across years: last year's annex imported, ticks corrected, decisions kept."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
from pathlib import Path

import python_calamine as calamine
from openpyxl import load_workbook

from pipeline import forms, vocab
from pipeline.ingest.annex_reader import annex_rows, find_table
from pipeline.normalize import model_key
from pipeline.registry import dump
from tests.fixtures.build_annexes import P1_HEAD, P1_MERGES, P1_TITLE, write_sheets
from tests.helpers import SAMPLE, consolidate_with_last_year, dvk

_spec = importlib.util.spec_from_file_location("build_sample", SAMPLE.parent / "build_sample.py")
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)

# What a person who knows both years would say: every 2026 model that existed in 2025.
CONTINUING_2026 = {
    "Camera an ninh khu dân cư",  # 2025: Mô hình “Camera an ninh”
    "Tổ tự quản an ninh trật tự xóm",  # ticked "Đăng ký mới"
    "Trạm Y tế thân thiện, vì người bệnh",
    "Cổng trường an toàn giao thông",  # 2025: Cổng trường ATGT
    "Nuôi heo đất giúp bạn đến trường",  # 2025: Nuôi lợn đất …
    "Tổ hợp tác trồng rau an toàn",
    "Nông dân sản xuất kinh doanh giỏi",
    "Phụ nữ tiết kiệm giúp nhau phát triển kinh tế",  # 2025 typed in NFD
    "Hũ gạo tình thương",
    "Thắp sáng đường quê",
    "Cựu chiến binh giúp nhau làm kinh tế",
    "Cựu chiến binh tham gia hòa giải ở cơ sở",
    "Mái ấm Mặt trận",
    "Khu dân cư văn hóa, đoàn kết",  # 2025: “văn hoá, đoàn kết”
    "Chính quyền thân thiện, vì Nhân dân phục vụ",
    "Tuyến đường hoa",  # 2025: Chi bộ xóm Bắc Sơn 1, merged into Bắc Sơn
    "Phân loại rác thải tại nguồn",
    "Ngư dân bám biển, giữ chủ quyền",
    "Xóm không có người nghiện ma túy",
    "Cơ giới hóa đồng bộ trên cánh đồng lớn",  # 2025 in capitals
    "Làng quê đáng sống",
    "Câu lạc bộ liên thế hệ tự giúp nhau",  # 2025: CLB …
}
TICKED_CONTINUING_BUT_NEW = "Dân vận khéo trong tuyển quân"
UNCERTAIN = "Dịch vụ bao tiêu lúa giống"  # 2025: Bao tiêu lúa giống cho hội viên (81)


def hand_typed_phu_luc_1(path: Path, year: int) -> None:
    """Last year's Phụ lục 1 as an office types it: the seed's layout, labels, X marks."""
    models = sample.models_2025()
    rows = [["ĐẢNG ỦY XÃ DIỄN CHÂU"], ["BAN XÂY DỰNG ĐẢNG", "", "", "", "", "", "", "Phụ lục 1"]]
    rows += [[P1_TITLE.format(year=year)], [], *P1_HEAD, ["", "Tổng số", len(models)]]
    sections = (("I", f"Mô hình tiếp tục duy trì từ năm {year - 1}", "DUY_TRI"),)
    sections += (("II", f"Mô hình đăng ký mới năm {year}", "MOI"),)
    for numeral, title, status in sections:
        part = models[models["status"] == status]
        rows.append([numeral, title, len(part)])
        for number, (unit, group) in enumerate(part.groupby("unit", sort=False), start=1):
            rows.append([number, unit, len(group)])
            for m in group.to_dict("records"):
                field = vocab.FIELD_BY_CODE[m["field"]].label
                marks = ["x", ""] if m["subject"] == "TAP_THE" else ["", "x"]
                rows.append(["-", m["name"], 1, m["place"], m["lead"], field, m["scale"], *marks])
    rows += [[], ["*", "Tổng số mô hình theo lĩnh vực:"]]
    write_sheets(path, [("PL1", rows, P1_MERGES)])


def sections_of(phu_luc_1: Path) -> dict[str, str]:
    """Model name -> the section (DUY_TRI / MOI) a printed Phụ lục 1 puts it in."""
    book = calamine.CalamineWorkbook.from_path(str(phu_luc_1))
    cells = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    table = find_table("Phụ lục 1", cells)
    keys = [c.key for c in forms.REGISTRATION.columns]
    by_label = {label: code for code, label in vocab.STATUSES.items()}
    found = {}
    for row in annex_rows(table, cells, phu_luc_1.name)[0]:
        name = row[keys.index("name")].split(" (")[0]  # an individual's name follows in brackets
        found[name] = by_label[row[keys.index("status")]]
    return found


def problems(run) -> list[str]:
    """Every problem's message from a `dvk consolidate --json` run."""
    return [issue["message"] for issue in json.loads(run.stdout)["van_de"]]


def registry_dump(workspace: Path) -> dict:
    conn = sqlite3.connect(workspace / "dvk.sqlite")
    try:
        return dump(conn)
    finally:
        conn.close()


def test_last_years_annex_decides_this_years_sections(sample_workspace, tmp_path):
    ws = str(sample_workspace)
    annex = tmp_path / "Phụ lục 1 năm 2025 (gõ tay).xlsx"
    hand_typed_phu_luc_1(annex, 2025)
    run = dvk("history", "import", str(annex), "--year", "2025", "-w", ws)
    assert run.returncode == 0, run.stdout + run.stderr
    loaded = len(sample.models_2025())
    assert f"Đã nạp vào sổ theo dõi năm 2025: {loaded} mô hình đăng ký" in run.stdout

    run = dvk("consolidate", "-w", ws)
    assert run.returncode == 1, run.stderr  # the sample's faulty files
    outbox = sample_workspace / "outbox" / "2026"
    sections = sections_of(outbox / "Phu_luc_1_dang_ky_2026.xlsx")
    assert {name for name, s in sections.items() if s == "DUY_TRI"} == CONTINUING_2026
    assert sections[TICKED_CONTINUING_BUT_NEW] == "MOI"
    assert sections[UNCERTAIN] == "MOI"  # kept as ticked until a person decides
    # Every disagreement with a unit's tick is listed, and said in the run's summary.
    changes = load_workbook(outbox / "Can_xem_xet_2026.xlsx")["Khác với đơn vị ghi"]
    moved = {(r[5], r[6], r[7]) for r in changes.iter_rows(min_row=5, values_only=True)}
    assert moved == {
        ("Tổ tự quản an ninh trật tự xóm", "Đăng ký mới", "Duy trì từ năm trước"),
        (TICKED_CONTINUING_BUT_NEW, "Duy trì từ năm trước", "Đăng ký mới"),
        ("Tổ tự quản an ninh trật tự xóm", "Xây dựng mới", "Duy trì"),
        (TICKED_CONTINUING_BUT_NEW, "Duy trì", "Xây dựng mới"),
    }
    assert "đã xếp vào mô hình đăng ký mới" in run.stdout

    # The same inbox again: nothing in the registry changes.
    before = registry_dump(sample_workspace)
    assert dvk("consolidate", "-w", ws).returncode == 1
    assert registry_dump(sample_workspace) == before


REVIEW = Path("outbox") / "2026" / "Can_xem_xet_2026.xlsx"  # what the first run asks


def test_a_persons_decision_is_used_stored_and_can_be_taken_back(first_run):
    sample_workspace = first_run
    ws = str(sample_workspace)
    review = sample_workspace / REVIEW
    outbox = review.parent
    book = load_workbook(review)
    sheet = book[forms.REVIEW_SHEET]
    header = [c.value for c in sheet[4]]
    listed = [r for r in sheet.iter_rows(min_row=5) if r[0].value]
    assert [r[header.index("Tên mô hình năm nay")].value for r in listed] == [UNCERTAIN]
    listed[0][header.index(forms.REVIEW_ANSWER)].value = "có"  # typed, not picked
    book.save(review)

    dvk("consolidate", "-w", ws)
    assert sections_of(outbox / "Phu_luc_1_dang_ky_2026.xlsx")[UNCERTAIN] == "DUY_TRI"
    conn = sqlite3.connect(sample_workspace / "dvk.sqlite")
    (is_old,) = conn.execute("SELECT is_old FROM decisions").fetchone()
    linked_to = conn.execute(
        "SELECT r.name FROM registrations r JOIN registrations n ON n.model_id = r.model_id "
        "WHERE r.year = 2025 AND n.year = 2026 AND n.name = ?",
        (UNCERTAIN,),
    ).fetchall()
    conn.close()
    assert is_old == 1 and linked_to == [("Bao tiêu lúa giống cho hội viên",)]
    # The answer is shown again next time, and a rerun changes nothing.
    sheet = load_workbook(review)[forms.REVIEW_SHEET]
    assert sheet.cell(5, header.index(forms.REVIEW_ANSWER) + 1).value == "Có"
    before = registry_dump(sample_workspace)
    dvk("consolidate", "-w", ws)
    assert registry_dump(sample_workspace) == before

    # Clearing the answer takes the decision back.
    book = load_workbook(review)
    book[forms.REVIEW_SHEET].cell(5, header.index(forms.REVIEW_ANSWER) + 1).value = None
    book.save(review)
    dvk("consolidate", "-w", ws)
    assert sections_of(outbox / "Phu_luc_1_dang_ky_2026.xlsx")[UNCERTAIN] == "MOI"


def test_an_unclear_answer_is_reported_and_decides_nothing(first_run):
    sample_workspace = first_run
    ws = str(sample_workspace)
    review = sample_workspace / REVIEW
    book = load_workbook(review)
    header = [c.value for c in book[forms.REVIEW_SHEET][4]]
    book[forms.REVIEW_SHEET].cell(5, header.index(forms.REVIEW_ANSWER) + 1).value = "chắc vậy"
    book.save(review)
    messages = problems(dvk("consolidate", "-w", ws, "--json"))
    assert "Cột “Là mô hình cũ” ghi “chắc vậy”, không hiểu là Có hay Không; chưa dùng." in messages
    assert sections_of(review.with_name("Phu_luc_1_dang_ky_2026.xlsx"))[UNCERTAIN] == "MOI"


def test_a_file_of_another_year_is_not_imported(sample_workspace):
    annex = sample_workspace / "nam_truoc" / "Phu_luc_1_dang_ky_2025.xlsx"
    run = dvk("history", "import", str(annex), "--year", "2024", "-w", str(sample_workspace))
    assert run.returncode == 1
    assert "0 mô hình đăng ký" in run.stdout
    assert "năm 2025" in run.stdout  # the reader says which year the file is


def test_sections_do_not_depend_on_the_order_files_are_read(sample_workspace, tmp_path):
    reordered = tmp_path / "reordered"
    shutil.copytree(sample_workspace, reordered)
    inbox = reordered / "inbox"
    # Rename every file so that the inbox reads back to front.
    for i, path in enumerate(sorted(inbox.iterdir(), reverse=True)):
        path.rename(path.with_name(f"{i:02d}_{path.name}"))
    first, _ = consolidate_with_last_year(sample_workspace)
    second, _ = consolidate_with_last_year(reordered)

    def sections(result):
        rows = result.registrations
        return sorted(zip(rows["unit"], rows["name"], rows["status"], rows["link"], strict=True))

    assert sections(first) == sections(second)
    assert sections(first)  # not two empty runs


def test_a_model_sent_by_a_unit_and_listed_by_its_parent_counts_once(sample_workspace):
    """The commune's own annex lists Chi bộ Công an xã's model, which also sent its form.

    (An annex listing that one unit only would be the unit's own resubmission, and replace it.)
    """
    rows = [
        ["ĐẢNG ỦY XÃ DIỄN CHÂU", "", "", "", "", "", "", "Phụ lục 1"],
        [P1_TITLE.format(year=2026)],
        [],
        *P1_HEAD,
        ["I", "Mô hình tiếp tục duy trì từ năm 2025"],
        [1, "Chi bộ Công an xã"],
        ["-", "Mô hình “Camera an ninh khu dân cư”", 1, "Toàn xã", "Công an xã", "QP-AN", "", "x"],
        ["II", "Mô hình đăng ký mới năm 2026"],
        [1, "Chi bộ Công an xã"],
        ["-", "Camera giám sát cổng trường", 1, "Trường THCS", "Công an xã", "QP-AN", "", "x"],
        [2, "Chi bộ Trường Mầm non"],  # a unit that sent nothing itself
        ["-", "Bữa ăn bán trú an toàn", 1, "Trường Mầm non", "Ban giám hiệu", "VHXH", "", "x"],
    ]
    write_sheets(sample_workspace / "inbox" / "dang_uy_xa.xlsx", [("PL1", rows, P1_MERGES)])
    result, _ = consolidate_with_last_year(sample_workspace)
    police = result.registrations[result.registrations["unit"] == "Chi bộ Công an xã"]
    # The commune's list was sent after the unit's own form: for that unit, it is what counts.
    assert sorted(police["name"]) == [
        "Camera giám sát cổng trường",
        "Mô hình “Camera an ninh khu dân cư”",
    ]
    replaced = [i for i in result.issues if i.code == "unit-superseded"]
    assert [(i.file, i.value, i.detail) for i in replaced] == [
        ("chi_bo_cong_an_xa.xlsx", "Chi bộ Công an xã", "dang_uy_xa.xlsx")
    ]
    assert "chi_bo_cong_an_xa.xlsx" not in result.returned  # superseded: nothing to fix
    keys = result.registrations["unit"] + "|" + result.registrations["name"].map(model_key)
    assert not keys.duplicated().any()  # no model counted twice
    # A unit the roster does not list waits for a person to say which unit it is.
    assert list(result.unmapped["name"]) == ["Bữa ăn bán trú an toàn"]


def test_a_review_file_without_its_key_columns_is_reported(first_run):
    sample_workspace = first_run
    ws = str(sample_workspace)
    review = sample_workspace / REVIEW
    book = load_workbook(review)
    sheet = book[forms.REVIEW_SHEET]
    first_key = [c.value for c in sheet[4]].index(forms.REVIEW_KEYS[0]) + 1
    sheet.delete_cols(first_key, len(forms.REVIEW_KEYS))
    book.save(review)
    messages = problems(dvk("consolidate", "-w", ws, "--json"))
    assert "Không mở được tệp: thiếu các cột mã ẩn" in messages
