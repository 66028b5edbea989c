"""The run over the fixture inbox: every file's exact status and reason, and the records read."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from openpyxl import load_workbook

from pipeline.consolidate import (
    ACCEPTED,
    DUPLICATE,
    HAS_ERRORS,
    SUPERSEDED,
    UNREADABLE,
    consolidate,
)
from pipeline.report.template import fill_template
from tests.fixtures.build_inbox import MODEL, RESULT, build, build_bombs

NOT_EXCEL = (
    "Không phải tệp Excel (.xlsx, .xls, .xlsm, .ods), thư điện tử (.eml, .msg) hay tệp nén (.zip)."
)
DTN_2 = "thu_dtn_sua.eml/Đăng ký ĐTN (bản sửa).xlsx"
EXPECTED = {
    "good.xlsx": (ACCEPTED, "", 2, 1, 0),
    "copy_of_good.xlsx": (
        DUPLICATE,
        "Trùng hoàn toàn với tệp good.xlsx; chỉ tính một lần.",
        0,
        0,
        0,
    ),
    "errors.xlsx": (HAS_ERRORS, "“hai” không phải số nguyên dương.", 1, 0, 1),
    "twice.xlsx": (ACCEPTED, "Mô hình trùng với dòng 7; chỉ tính một lần.", 1, 0, 0),
    "no_unit.xlsx": (
        HAS_ERRORS,
        "Chưa ghi tên đơn vị ở đầu trang “Đăng ký” (và các trang khác cũng không có).",
        0,
        0,
        1,
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
    "formula.xlsx": (
        HAS_ERRORS,
        "Ô có công thức thay cho chữ (đang hiển thị “Thôn 3”); dòng này chưa được tổng hợp.",
        1,
        1,
        1,
    ),
    "nhieu_o.xlsx": (
        UNREADABLE,
        "Tệp quá lớn (26.000.000 ô), vượt giới hạn an toàn nên không mở.",
        0,
        0,
        0,
    ),
    "empty.xlsx": (UNREADABLE, "Không mở được tệp: tệp rỗng (0 byte)", 0, 0, 0),
    "mat_khau.xlsx": (UNREADABLE, "Tệp đặt mật khẩu (tệp Excel), không mở được.", 0, 0, 0),
    "macro.xlsm": (ACCEPTED, "", 1, 0, 0),
    "broken.xlsx": (
        UNREADABLE,
        "Không mở được tệp: tệp bị hỏng hoặc không đúng định dạng Excel",
        0,
        0,
        0,
    ),
    "note.txt": (UNREADABLE, NOT_EXCEL, 0, 0, 0),
    "thu_dtn.eml": (ACCEPTED, "Có 2 tệp bên trong: Đăng ký ĐTN.xlsx, logo.png.", 0, 0, 0),
    "thu_dtn.eml/Đăng ký ĐTN.xlsx": (
        SUPERSEDED,
        f"Trang “Đăng ký” đã được thay bằng tệp {DTN_2} của cùng đơn vị, gửi sau.",
        0,
        0,
        0,
    ),
    "thu_dtn.eml/logo.png": (UNREADABLE, NOT_EXCEL, 0, 0, 0),
    "thu_dtn_sua.eml": (ACCEPTED, "Có 1 tệp bên trong: Đăng ký ĐTN (bản sửa).xlsx.", 0, 0, 0),
    DTN_2: (ACCEPTED, "", 2, 0, 0),
    "thu_trong.eml": (UNREADABLE, "Không có tệp Excel nào bên trong.", 0, 0, 0),
    "hoi_ccb.zip": (ACCEPTED, "Có 1 tệp bên trong: Hội CCB/Đăng ký.xlsx.", 0, 0, 0),
    "hoi_ccb.zip/Hội CCB/Đăng ký.xlsx": (ACCEPTED, "", 1, 0, 0),
    # An unsafe or locked member is refused on its own line; the zip itself was opened.
    "evil.zip": (ACCEPTED, "Có 1 tệp bên trong: ../x.xlsx.", 0, 0, 0),
    "evil.zip/../x.xlsx": (
        UNREADABLE,
        "Đường dẫn “../x.xlsx” không an toàn; không mở tệp này.",
        0,
        0,
        0,
    ),
    "mat_khau.zip": (ACCEPTED, "Có 1 tệp bên trong: mat_khau.xlsx.", 0, 0, 0),
    "mat_khau.zip/mat_khau.xlsx": (
        UNREADABLE,
        "Tệp đặt mật khẩu (tệp nén), không mở được.",
        0,
        0,
        0,
    ),
    "nested.zip": (ACCEPTED, "Có 1 tệp bên trong: nest1.zip.", 0, 0, 0),
    "nested.zip/nest1.zip": (ACCEPTED, "Có 1 tệp bên trong: nest0.zip.", 0, 0, 0),
    "nested.zip/nest1.zip/nest0.zip": (ACCEPTED, "Có 1 tệp bên trong: hoi_ccb.zip.", 0, 0, 0),
    "nested.zip/nest1.zip/nest0.zip/hoi_ccb.zip": (
        UNREADABLE,
        "Tệp nén lồng nhau quá nhiều lớp.",
        0,
        0,
        0,
    ),
}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, blank_template, cfg):
    box = tmp_path_factory.mktemp("fixture") / "inbox"
    build(box, blank_template, cfg)
    return box


@pytest.fixture(scope="module")
def result(inbox, cfg):
    return consolidate(inbox, cfg.year)


def test_every_file_and_member_has_its_status_and_reason(result):
    files = {
        f.file: (f.status, f.reason, f.registrations, f.results, f.held_back) for f in result.files
    }
    assert files == EXPECTED
    assert result.exit_code == 1


def test_email_sender_and_date_are_recorded(result):
    account = next(f for f in result.files if f.file == DTN_2)
    assert account.sender == "Đoàn Thanh niên xã <doanthanhnien@example.vn>"
    assert account.sent == "03/03/2026 08:00"
    # An e-mail that came without its attachment: the office needs to know whom to ask.
    empty = next(f for f in result.files if f.file == "thu_trong.eml")
    assert (empty.sender, empty.sent) == (account.sender, "01/03/2026 08:00")


def test_exactly_the_good_records_are_read(result):
    columns = ["_file", "_row", "unit", "name", "field", "subject", "count", "place", "status"]
    records = result.registrations[columns].astype(object).values.tolist()
    tail = ["TAP_THE", 1, "Thôn 1", "MOI"]
    assert records == [
        ["changed.xlsx", 7, "Hội Phụ nữ", "Rau an toàn", "KT", *tail],
        ["errors.xlsx", 7, "Hội Nông dân", "Rau an toàn", "KT", *tail],
        ["formula.xlsx", 8, "Chi bộ thôn 3", "=SUM(A1:A3) là tên", "VHXH", *tail],
        ["good.xlsx", 7, "Chi bộ thôn 1", "Tuyến đường hoa", "KT", *tail],
        ["good.xlsx", 8, "Chi bộ thôn 1", "=SUM(A1:A3) là tên", "VHXH", *tail],
        [
            "hoi_ccb.zip/Hội CCB/Đăng ký.xlsx",
            7,
            "Hội Cựu chiến binh",
            "Tuyến đường hoa",
            "KT",
            *tail,
        ],
        ["macro.xlsm", 7, "Hội Nông dân thôn 4", "Tuyến đường hoa", "KT", *tail],
        [DTN_2, 7, "Đoàn Thanh niên", "Tuyến đường hoa", "KT", *tail],
        [DTN_2, 8, "Đoàn Thanh niên", "Thắp sáng đường quê", "KT", *tail],
        ["twice.xlsx", 7, "Chi hội Phụ nữ thôn 2", "Bữa cơm nghĩa tình", "KT", *tail],
    ]
    results = result.results[["_file", "unit", "name", "results", "status", "self_assessment"]]
    assert results.values.tolist() == [
        ["formula.xlsx", "Chi bộ thôn 3", "Tuyến đường hoa", "Trồng 800 m hoa", "MOI", "VUOT"],
        ["good.xlsx", "Chi bộ thôn 1", "Tuyến đường hoa", "Trồng 800 m hoa", "MOI", "VUOT"],
    ]


def test_every_inbox_file_is_archived_unchanged_before_reading(inbox, cfg, tmp_path):
    consolidate(inbox, cfg.year, archive_to=tmp_path / "luu_tru")
    archived = {p.name: p.read_bytes() for p in (tmp_path / "luu_tru").rglob("*") if p.is_file()}
    originals = {
        p.name: p.read_bytes()
        for p in inbox.iterdir()
        if p.name not in ("~$good.xlsx", "Thumbs.db")
    }
    assert archived == originals


def test_an_empty_inbox_is_clean(tmp_path, cfg):
    (tmp_path / "inbox").mkdir()
    result = consolidate(tmp_path / "inbox", cfg.year)
    assert (result.files, result.issues, len(result.registrations)) == ([], [], 0)
    assert result.exit_code == 0


def test_a_unit_name_on_one_sheet_serves_the_whole_file(tmp_path, blank_template, cfg):
    box = tmp_path / "inbox"
    fill_template(blank_template, box / "a.xlsx", "", {"Kết quả": [RESULT], "Đăng ký": [MODEL]})
    book = load_workbook(box / "a.xlsx")
    book["Kết quả"]["C3"] = "Hội Phụ nữ"
    book.save(box / "a.xlsx")
    result = consolidate(box, cfg.year)
    assert result.issues == []
    assert result.registrations["unit"].tolist() == ["Hội Phụ nữ"]


def test_bombs_are_refused_quickly_in_bounded_memory(tmp_path_factory, cfg):
    box = tmp_path_factory.mktemp("bombs") / "inbox"
    build_bombs(box)  # each unpacks to 1.5 GB
    tracemalloc.start()
    start = time.perf_counter()
    result = consolidate(box, cfg.year)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert {f.file: (f.status, f.reason) for f in result.files} == {
        "bomb.zip": (
            UNREADABLE,
            "Tệp nén giải ra quá lớn (1.536 MB); có thể là tệp độc hại nên không mở.",
        ),
        "huge_sheet.xlsx": (
            UNREADABLE,
            "Tệp quá lớn (1.536 MB), vượt giới hạn an toàn nên không mở.",
        ),
    }
    assert elapsed < 3
    assert peak < 64 * 2**20
