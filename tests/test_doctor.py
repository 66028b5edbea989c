"""`dvk doctor` on workspaces as an office leaves them: fresh, half set up, damaged."""

from __future__ import annotations

import sqlite3

import pytest

from pipeline import doctor
from pipeline.registry import MIGRATIONS
from tests.helpers import dvk


def _by_what(findings) -> dict[str, doctor.Finding]:
    return {f.what.split(" ")[0] + " " + f.what.split(" ")[1]: f for f in findings}


@pytest.fixture
def fresh(tmp_path):
    root = tmp_path / "ws"
    assert dvk("init", str(root)).returncode == 0
    return root


def test_a_fresh_workspace_has_warnings_and_nothing_that_stops_a_run(fresh, monkeypatch):
    excel = doctor.Finding(doctor.OK, "Excel và xlwings", "có")
    monkeypatch.setattr(doctor, "excel_finding", lambda: excel)  # the machine is not the test
    found = _by_what(doctor.check_workspace(fresh))
    assert found["Thư mục"].level == doctor.OK
    config = found["Tệp cấu"]
    assert config.level == doctor.WARN and "[van_phong] cap_tren = “ĐẢNG ỦY XÃ …”" in config.said
    assert "[ky_ten] ho_ten còn để trống" in config.said
    roster = found["Danh mục"]
    assert roster.level == doctor.WARN and roster.said.startswith("Chưa có")
    assert found["Biểu mẫu"].level == doctor.WARN and "dvk templates" in found["Biểu mẫu"].said
    assert found["Sổ theo"].level == doctor.OK
    run = dvk("doctor", "-w", str(fresh))
    assert run.returncode == 0 and "Kết luận: 0 lỗi, 3 lưu ý." in run.stdout.splitlines()[-1]


def test_after_templates_and_a_filled_config_only_the_roster_is_left(fresh):
    config = fresh / "dvk.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('cap_tren = "ĐẢNG ỦY XÃ …"', 'cap_tren = "ĐẢNG ỦY XÃ YÊN THÀNH"')
    text = text.replace('dia_danh = "…"', 'dia_danh = "Yên Thành"')
    text = text.replace('ho_ten = ""', 'ho_ten = "Nguyễn Văn An"')
    config.write_text(text, encoding="utf-8")
    assert dvk("templates", "-w", str(fresh)).returncode == 0
    found = _by_what(doctor.check_workspace(fresh))
    assert found["Tệp cấu"].level == doctor.OK
    assert found["Biểu mẫu"].level == doctor.OK
    # `dvk templates` writes an empty roster: it is there but lists no unit yet.
    assert found["Danh mục"].said == "Chưa điền đơn vị nào."


def test_the_sample_workspace_roster_and_a_template_of_another_year(sample_workspace):
    assert dvk("templates", "-w", str(sample_workspace)).returncode == 0
    found = _by_what(doctor.check_workspace(sample_workspace))
    assert found["Danh mục"] == doctor.Finding(
        doctor.OK, "Danh mục đơn vị danh_muc_don_vi.xlsx", "20 đơn vị."
    )
    config = sample_workspace / "dvk.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("nam = 2026", "nam = 2027"))
    found = _by_what(doctor.check_workspace(sample_workspace))
    assert found["Biểu mẫu"].said.startswith("Chưa có")  # the 2027 form is not made yet
    template = sample_workspace / "templates" / "xlsx" / "Bieu_mau_don_vi_2026.xlsx"
    template.rename(template.with_name("Bieu_mau_don_vi_2027.xlsx"))
    found = _by_what(doctor.check_workspace(sample_workspace))
    assert found["Biểu mẫu"].level == doctor.WARN and "năm 2026" in found["Biểu mẫu"].said


def test_a_missing_workspace_and_a_broken_registry_are_problems(tmp_path, fresh):
    run = dvk("doctor", "-w", str(tmp_path / "khong_co"))
    assert run.returncode == 1
    assert "✗ Tệp cấu hình dvk.toml: Không thấy tệp cấu hình" in run.stdout
    (fresh / "dvk.sqlite").write_bytes(b"not a database, just bytes" * 100)
    found = _by_what(doctor.check_workspace(fresh))
    assert found["Sổ theo"].level == doctor.PROBLEM and "sao lưu" in found["Sổ theo"].said
    (fresh / "dvk.sqlite").unlink()
    conn = sqlite3.connect(fresh / "dvk.sqlite")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    found = _by_what(doctor.check_workspace(fresh))
    assert found["Sổ theo"].level == doctor.PROBLEM and "mới hơn" in found["Sổ theo"].said
    assert dvk("doctor", "-w", str(fresh)).returncode == 1


def test_a_roster_unit_without_email_and_an_unknown_level(sample_workspace):
    from openpyxl import load_workbook

    path = sample_workspace / "danh_muc_don_vi.xlsx"
    book = load_workbook(path)
    sheet = book.active
    emails = [c for c in sheet["F"] if c.value and "@" in str(c.value)]
    emails[0].value = None
    emails[1].value = "chua co"  # not an address either
    book.save(path)
    config = sample_workspace / "dvk.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('["Cấp xã", "Cấp tỉnh"]', '["Cấp xã", "Cấp Khối"]'))
    found = _by_what(doctor.check_workspace(sample_workspace))
    assert found["Danh mục"].level == doctor.WARN
    assert "2 đơn vị chưa có thư điện tử (hoặc ghi sai)" in found["Danh mục"].said
    assert found["Các cấp"].level == doctor.WARN and "Cấp Khối" in found["Các cấp"].said


def test_the_environment_checks_packages_and_asks_the_excel_boundary(monkeypatch):
    def no_excel():
        return doctor.Finding(doctor.WARN, "Excel và xlwings", "không có")

    found = doctor.check_environment(no_excel)
    assert [f.what for f in found] == ["Python", "Thư viện", "Excel và xlwings"]
    assert found[1].level == doctor.OK and "olefile" in found[1].said
    monkeypatch.setattr(doctor, "PACKAGES", ("pandas", "goi-khong-co"))
    found = doctor.check_environment(no_excel)
    assert found[1].level == doctor.PROBLEM and "Thiếu goi-khong-co" in found[1].said


def test_without_xlwings_excel_is_a_warning_not_a_problem(monkeypatch):
    import importlib.metadata

    real = importlib.metadata.version

    def version(name):
        if name == "xlwings":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    finding = doctor.excel_finding()
    assert finding.level == doctor.WARN and "ứng dụng mặc định" in finding.said
