"""The `dvk` command as staff run it: init, templates, consolidate, exit codes.

In this process through click's runner (tests.helpers.dvk), and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline import cli, office, opening
from pipeline.config import load_config
from tests.helpers import dvk


def test_consolidate_on_the_sample(sample_workspace):
    run = dvk("consolidate", "--workspace", str(sample_workspace))
    assert run.returncode == 1, run.stderr  # the sample has a file with errors, on purpose
    assert "Đã đọc 23 tệp: 20 đã tiếp nhận, 2 có lỗi, 1 không đọc được." in run.stdout
    assert "Mô hình đăng ký được tổng hợp: 47; mô hình báo cáo kết quả: 43." in run.stdout
    assert "Mô hình được chấm điểm: 8; đạt: 6." in run.stdout
    assert "Đơn vị đã gửi đăng ký: 18/20 (90%); chưa gửi: 2; chưa đủ chỉ tiêu: 8" in run.stdout
    # Without last year on record, the run says how to add it.
    assert "Sổ theo dõi chưa có dữ liệu năm 2025" in run.stdout
    assert "dvk history import" in run.stdout
    archived = sorted(p.name for p in (sample_workspace / "luu_tru").rglob("*") if p.is_file())
    assert archived == sorted(p.name for p in (sample_workspace / "inbox").iterdir())
    outbox = sample_workspace / "outbox" / "2026"
    assert sorted(p.name for p in outbox.iterdir()) == [
        "Ket_qua_cham_diem_2026.xlsx",
        "Phu_luc_1_dang_ky_2026.xlsx",
        "Phu_luc_4_ket_qua_2026.xlsx",
        "Tiep_nhan_2026.xlsx",
        "Tinh_hinh_tong_hop_2026.xlsx",
        "thu_gui",
        "tra_lai",
    ]
    assert "Thư soạn sẵn để gửi đơn vị: 2 đề nghị sửa tệp, " in run.stdout


def test_json_summary_is_the_same_account(sample_workspace):
    run = dvk("consolidate", "-w", str(sample_workspace), "--json")
    summary = json.loads(run.stdout)
    assert run.returncode == 1
    assert summary["so_tep"] == 23 and summary["so_mo_hinh_dang_ky"] == 47
    assert (summary["so_mo_hinh_cham_diem"], summary["so_mo_hinh_dat"]) == (8, 6)
    assert summary["tinh_hinh"]["chua_gui"] == ["Chi bộ Cơ quan Đảng", "Chi bộ xóm Hải Lộc"]
    assert summary["so_tep_theo_trang_thai"] == {
        "accepted": 20,
        "has-errors": 2,
        "unreadable": 1,
        "duplicate": 0,
        "superseded": 0,
    }
    codes = sorted(i["code"] for i in summary["van_de"])
    assert codes == [
        "duplicate-model",
        "field-other",
        "file-no-table",
        "not-whole-number",
        "person-required",
        "recognition-skips-level",
        "required",
        "score-not-registered",
        "score-total-mismatch",
        "score-wrong-variant",
    ]


def test_clean_inbox_exits_zero(sample_workspace):
    bad_files = ("chi_bo_xom_nam_thinh.xlsx", "danh_sach_mo_hinh_2025.xlsx")
    bad_files += ("bien_ban_cham_diem_to_tham_dinh.xlsx", "phieu_cham_diem_hoi_ccb.xlsx")
    for bad in bad_files:
        (sample_workspace / "inbox" / bad).unlink()
    run = dvk("consolidate", "-w", str(sample_workspace))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "lỗi" not in run.stdout.split("Kết quả:")[0].replace("có lỗi", "")


def test_init_then_templates_then_consolidate_an_empty_inbox(tmp_path):
    ws = tmp_path / "van_phong"
    assert dvk("init", str(ws), "--year", "2027").returncode == 0
    assert {p.name for p in ws.iterdir()} == {
        "inbox",
        "outbox",
        "templates",
        "dvk.toml",
        "cham_diem.toml",
        "dvk_dieu_khien.xlsm",  # the control workbook's buttons (tests/test_desk.py)
        "dvk_dieu_khien.py",
        "Tong_hop.bat",
    }
    assert load_config(ws / "dvk.toml").year == 2027
    run = dvk("templates", "-w", str(ws))
    assert run.returncode == 0 and "Đã tạo biểu mẫu" in run.stdout
    assert (ws / "templates" / "xlsx" / "Bieu_mau_don_vi_2027.xlsx").exists()
    run = dvk("consolidate", "-w", str(ws))
    assert run.returncode == 0 and "Đã đọc 0 tệp" in run.stdout


def test_missing_workspace_is_fatal_with_a_vietnamese_reason(tmp_path):
    run = dvk("consolidate", "-w", str(tmp_path / "khong_co"))
    assert run.returncode == 3
    assert "Không thấy tệp cấu hình" in run.stderr and "dvk init" in run.stderr


def test_broken_config_is_fatal(tmp_path):
    (tmp_path / "dvk.toml").write_text("[dot_tong_hop]\nnam = 'hai nghìn'\n", encoding="utf-8")
    run = dvk("consolidate", "-w", str(tmp_path))
    assert run.returncode == 3 and "nam phải là một năm" in run.stderr


def test_usage_errors_exit_two_with_vietnamese_words():
    run = dvk("consolidate", "--khong-co")
    assert run.returncode == 2
    problem, hint = run.stderr.splitlines()
    assert problem == "Lỗi: không có tùy chọn --khong-co."
    assert hint.startswith("Gõ “") and hint.endswith(" consolidate --help” để xem cách dùng.")
    run = dvk("init", "--year", "hai nghìn")
    assert run.returncode == 2 and "Lỗi: giá trị của --year không hợp lệ." in run.stderr


def test_open_that_nothing_can_do_says_where_the_files_are(sample_workspace, monkeypatch):
    def cannot(_paths):
        raise opening.CannotOpen("không có.")

    monkeypatch.setattr(opening, "OPENERS", (("Excel", cannot), ("ứng dụng mặc định", cannot)))
    run = dvk("consolidate", "-w", str(sample_workspace), "--open")
    assert run.returncode == 1  # the run's own result, as without --open: never 3
    assert "Excel: không có." in run.stderr and "ứng dụng mặc định: không có." in run.stderr
    assert f"Các tệp nằm trong thư mục: {sample_workspace / 'outbox' / '2026'}" in run.stderr


def test_init_writes_the_office_and_place(tmp_path):
    ws = tmp_path / "ws"
    assert (
        dvk(
            "init", str(ws), "--year", "2026", "--office", "BAN DÂN VẬN", "--place", "Yên Bái"
        ).returncode
        == 0
    )
    cfg = load_config(ws / "dvk.toml")
    assert (cfg.office_name, cfg.place, cfg.year) == ("BAN DÂN VẬN", "Yên Bái", 2026)


def test_an_output_open_in_excel_is_a_clear_fatal_error(sample_workspace, monkeypatch):
    def locked(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied", "Phu_luc_1_dang_ky_2026.xlsx")

    monkeypatch.setattr(office, "write_outputs", locked)
    run = dvk("consolidate", "-w", sample_workspace)
    assert run.returncode == 3
    assert "Phu_luc_1_dang_ky_2026.xlsx: tệp đang mở trong Excel" in run.stderr


def test_python_dash_m_writes_utf8_to_a_redirected_file(sample_workspace, tmp_path):
    """The one real process: the console entry point, its exit code and its encoding."""
    log = tmp_path / "log.txt"
    with log.open("wb") as out:
        ran = subprocess.run(
            [sys.executable, "-m", "pipeline", "consolidate", "-w", str(sample_workspace)],
            stdout=out,
            env={"PYTHONIOENCODING": "latin-1", "PATH": ""},
            timeout=120,
        )
    assert ran.returncode == 1
    assert "Đã đọc 23 tệp" in log.read_text(encoding="utf-8")


def test_a_fault_of_the_tool_itself_exits_three_in_vietnamese(sample_workspace, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(office, "consolidate", broken)
    monkeypatch.delenv("DVK_DEBUG", raising=False)
    run = dvk("consolidate", "-w", sample_workspace)
    assert run.returncode == 3
    assert "Lỗi: công cụ gặp sự cố và đã dừng (RuntimeError: bug)" in run.stderr
    monkeypatch.setenv("DVK_DEBUG", "1")  # for the person who fixes it: the traceback
    with pytest.raises(RuntimeError, match="bug"):
        dvk("consolidate", "-w", sample_workspace)


def test_history_import_then_consolidate_says_what_changed(sample_workspace):
    ws = str(sample_workspace)
    last_year = sorted(str(p) for p in (sample_workspace / "nam_truoc").glob("*.xlsx"))
    first = dvk("history", "import", *last_year, "--year", "2025", "-w", ws)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Đã nạp vào sổ theo dõi năm 2025: 27 mô hình đăng ký, 26 ")
    again = dvk("history", "import", *last_year, "--year", "2025", "-w", ws)
    assert again.stdout == first.stdout  # importing twice adds nothing
    run = dvk("consolidate", "-w", ws)
    assert "So với năm 2025: 2 mô hình được xếp khác với đơn vị ghi; 1 mô hình cần xem xét" in (
        run.stdout
    )
    outbox = sample_workspace / "outbox" / "2026"
    assert (outbox / "So_sanh_nam_truoc_2026.xlsx").exists()
    assert (outbox / "Can_xem_xet_2026.xlsx").exists()


def test_history_import_needs_a_year_and_existing_files(sample_workspace):
    run = dvk("history", "import", "khong_co.xlsx", "--year", "2025")
    assert run.returncode == 2 and "Lỗi: không thấy tệp khong_co.xlsx." in run.stderr
    annex = str(sample_workspace / "nam_truoc" / "Phu_luc_1_dang_ky_2025.xlsx")
    run = dvk("history", "import", annex, "-w", str(sample_workspace))
    assert run.returncode == 2 and "Lỗi: thiếu --year." in run.stderr


def test_history_list_shows_the_years_on_record(sample_workspace):
    ws = str(sample_workspace)
    assert "Chưa có sổ theo dõi" in dvk("history", "list", "-w", ws).stdout
    annex = str(sample_workspace / "nam_truoc" / "Phu_luc_1_dang_ky_2025.xlsx")
    dvk("history", "import", annex, "--year", "2025", "-w", ws)
    dvk("consolidate", "-w", ws)
    assert dvk("history", "list", "-w", ws).stdout.splitlines() == [
        "Năm 2025: 27 mô hình đăng ký, 0 mô hình báo cáo kết quả (nạp từ Phụ lục).",
        "Năm 2026: 47 mô hình đăng ký, 43 mô hình báo cáo kết quả (dvk consolidate).",
    ]


def test_an_emptied_inbox_does_not_wipe_the_year_from_the_registry(consolidated):
    sample_workspace = consolidated
    ws = str(sample_workspace)
    for path in (sample_workspace / "inbox").iterdir():
        path.unlink()
    assert dvk("consolidate", "-w", ws).returncode == 0
    listed = dvk("history", "list", "-w", ws).stdout
    assert "Năm 2026: 47 mô hình đăng ký, 43 mô hình báo cáo kết quả" in listed


@pytest.mark.parametrize("terminal", [True, False])
def test_a_progress_bar_only_for_a_person_at_a_terminal(consolidated, monkeypatch, terminal):
    monkeypatch.setattr(cli, "_on_terminal", lambda: terminal)
    run = dvk("consolidate", "-w", consolidated)
    shown = "Đang đọc tệp" in run.stderr and "Đang ghi kết quả" in run.stderr
    assert shown is terminal
    as_json = dvk("consolidate", "-w", consolidated, "--json")
    assert "Đang" not in as_json.stderr
    json.loads(as_json.stdout)  # nothing but the JSON on stdout


def test_dvk_alone_shows_the_help_with_whole_summaries_in_vietnamese():
    run = dvk()
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.startswith("Cách dùng: dvk [TÙY_CHỌN] LỆNH [THAM_SỐ]...")
    listed = " ".join(run.stdout.split())  # the formatter wraps lines; words are whole
    assert "Đọc mọi tệp trong inbox/, kiểm tra và lập Phụ lục 1, Phụ lục 4 vào outbox/." in listed
    assert "Phụ..." not in run.stdout and "(vào..." not in run.stdout
    assert "[bắt buộc]" in dvk("history", "import", "--help").stdout
    for command in ("consolidate", "open", "doctor", "history import", "init"):
        assert "[required]" not in dvk(*command.split(), "--help").stdout


def test_open_shows_the_latest_annexes_with_the_first_opener_that_works(
    sample_workspace, monkeypatch
):
    shown = []

    def cannot(_paths):
        raise opening.CannotOpen("không có Excel.")

    monkeypatch.setattr(opening, "OPENERS", (("Excel", cannot), ("hệ thống", shown.extend)))
    run = dvk("open", "-w", sample_workspace)
    assert run.returncode == 3 and "Chưa có kết quả tổng hợp" in run.stderr
    dvk("consolidate", "-w", sample_workspace)
    run = dvk("open", "-w", sample_workspace)
    assert run.returncode == 0 and "Đã mở 2 tệp bằng hệ thống." in run.stdout
    assert [p.name for p in shown] == [
        "Phu_luc_1_dang_ky_2026.xlsx",
        "Phu_luc_4_ket_qua_2026.xlsx",
    ]


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (3, 3), ("Lỗi: hết chỗ", 1)])
def test_the_console_ends_with_its_exit_status_and_all_it_printed(code, status):
    """`dvk` ends without freeing its objects (cli.leave): what it printed last is still
    there, and the status is what sys.exit would give."""
    script = f"from pipeline.cli import leave; print('Đ' * 200_000, end=''); leave({code!r})"
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8"
    )
    assert ran.returncode == status
    assert ran.stdout == "Đ" * 200_000
    assert ran.stderr == (f"{code}\n" if isinstance(code, str) else "")
