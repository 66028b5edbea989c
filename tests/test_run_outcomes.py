"""Runs that finish or change nothing, and outcomes that say what happened (issue 11)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import sqlite3
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as calamine
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import Office, analysis
from pipeline.analysis import LATE, node_rates, unit_status
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.consolidate import ACCEPTED, UNREADABLE, consolidate
from pipeline.normalize import sort_key
from pipeline.office import DvkError
from pipeline.report.comparison import _lines
from pipeline.report.staging import STAGING_FOLDER, Staging
from tests.helpers import workspace_roster

INBOX_FILE = "chi_bo_xom_bac_son.xlsx"  # a clean form of a roster unit


def _dvk(*args: str):
    return CliRunner().invoke(main, list(args))


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder and the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _email(path: Path, attachment: Path, date: str) -> None:
    message = EmailMessage()
    message["From"] = "Chi bộ xóm Bắc Sơn <bacson@example.vn>"
    message["Subject"] = "Gửi đăng ký mô hình"
    message["Date"] = date
    message.set_content("Kính gửi Ban Xây dựng Đảng.")
    message.add_attachment(
        attachment.read_bytes(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=attachment.name,
    )
    path.write_bytes(message.as_bytes())


def test_an_email_at_0630_the_morning_after_the_deadline_is_late(sample_workspace):
    inbox = sample_workspace / "inbox"
    form = inbox / INBOX_FILE
    # The deadline is 05/03/2026; 06:30 on the 6th in Vietnam is 23:30 on the 5th in UTC.
    _email(inbox / "thu_bac_son.eml", form, "Fri, 06 Mar 2026 06:30:00 +0700")
    form.unlink()
    cfg = load_config(sample_workspace / "dvk.toml")
    roster = workspace_roster(sample_workspace, cfg)
    result = consolidate(inbox, cfg.year, roster=roster, zone=cfg.zone)
    account = next(f for f in result.files if f.file == f"thu_bac_son.eml/{INBOX_FILE}")
    assert account.sent == "06/03/2026 06:30"
    units = unit_status(result, roster, cfg).set_index("name")
    assert units.loc["Chi bộ xóm Bắc Sơn", "registration_timely"] == LATE


def test_unknown_sending_dates_are_neither_on_time_nor_late(sample_workspace):
    cfg = load_config(sample_workspace / "dvk.toml")
    roster = workspace_roster(sample_workspace, cfg)
    result = consolidate(sample_workspace / "inbox", cfg.year, roster=roster)
    office = node_rates(unit_status(result, roster, cfg), roster, cfg).iloc[0]
    # One e-mailed form (on time); every other form was saved into the inbox by hand.
    assert (office["on_time"], office["late"]) == (1, 0)
    assert office["unknown"] == office["sent"] - 1 > 0
    assert office["on_time_rate"] == 100.0


def test_a_runs_unit_status_is_worked_out_once_and_given_as_a_copy(sample_workspace, monkeypatch):
    cfg = load_config(sample_workspace / "dvk.toml")
    roster = workspace_roster(sample_workspace, cfg)
    result = consolidate(sample_workspace / "inbox", cfg.year, roster=roster)
    made = []
    work = analysis._unit_status
    monkeypatch.setattr(analysis, "_unit_status", lambda *a: made.append(1) or work(*a))
    first = unit_status(result, roster, cfg)
    first.loc[:, "name"] = "changed by a caller"
    again = unit_status(result, roster, cfg)
    assert len(made) == 1
    pd.testing.assert_frame_equal(again, work(result, roster, cfg))
    later = dataclasses.replace(cfg, registration_deadline=None)
    assert unit_status(result, roster, later)["registration_timely"].eq("").all()
    assert len(made) == 2  # another config: worked out again


def test_a_config_saved_with_a_byte_order_mark_is_read(sample_workspace):
    path = sample_workspace / "dvk.toml"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # as Notepad saves "UTF-8"
    assert load_config(path).office_name == "BAN XÂY DỰNG ĐẢNG"


def test_a_damaged_or_oversized_member_of_a_zip_is_refused_alone(sample_workspace, tmp_path):
    from pipeline.ingest import Limits

    good = (sample_workspace / "inbox" / INBOX_FILE).read_bytes()
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as z:
        z.writestr("hong.xlsx", b"PK" + b"hong" * 100)
        z.writestr("to.xlsx", b"\0" * (len(good) * 4), zipfile.ZIP_DEFLATED)
        z.writestr(INBOX_FILE, good)
    data = bytearray(bundle.getvalue())
    data[data.index(b"PKhong") + 10] ^= 0xFF  # a flipped byte: the CRC no longer matches
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "nen.zip").write_bytes(bytes(data))
    result = consolidate(box, 2026, limits=Limits(max_file_bytes=len(good) * 2))
    reasons = {f.file: (f.status, f.reason) for f in result.files}
    assert reasons["nen.zip/hong.xlsx"] == (UNREADABLE, "Không mở được tệp: hỏng khi giải nén")
    assert reasons["nen.zip/to.xlsx"][0] == UNREADABLE
    assert reasons[f"nen.zip/{INBOX_FILE}"][0] == ACCEPTED
    assert set(result.registrations["unit"]) == {"Chi bộ xóm Bắc Sơn"}


def test_an_unsafe_member_of_a_zip_is_refused_alone(sample_workspace, tmp_path):
    inbox = sample_workspace / "inbox"
    box = tmp_path / "inbox"
    box.mkdir()
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("chi_bo_xom_bac_son.xlsx", (inbox / "chi_bo_xom_bac_son.xlsx").read_bytes())
        z.writestr("../../x.xlsx", (inbox / "chi_bo_xom_yen_ly.xlsx").read_bytes())
        z.writestr("chi_bo_xom_yen_ly.xlsx", (inbox / "chi_bo_xom_yen_ly.xlsx").read_bytes())
    (box / "gui_chung.zip").write_bytes(bundle.getvalue())
    result = consolidate(box, 2026)
    status = {f.file: f.status for f in result.files}
    assert status == {
        "gui_chung.zip": ACCEPTED,
        "gui_chung.zip/chi_bo_xom_bac_son.xlsx": ACCEPTED,
        "gui_chung.zip/../../x.xlsx": UNREADABLE,
        "gui_chung.zip/chi_bo_xom_yen_ly.xlsx": ACCEPTED,
    }
    assert set(result.registrations["unit"]) == {"Chi bộ xóm Bắc Sơn", "Chi bộ xóm Yên Lý"}


def test_a_locked_output_leaves_the_outbox_and_the_registry_as_they_were(sample_workspace):
    """The review workbook open in Excel while the office re-runs: the review is written last,
    and used to stop the run after half of the outbox had been rewritten."""
    ws = str(sample_workspace)
    last = [str(p) for p in sorted((sample_workspace / "nam_truoc").glob("*.xlsx"))]
    assert _dvk("history", "import", *last, "--year", "2025", "-w", ws).exit_code == 0
    assert _dvk("consolidate", "-w", ws).exit_code == 1
    folder = sample_workspace / "outbox" / "2026"
    assert (folder / "Can_xem_xet_2026.xlsx").exists()
    # Excel keeps "~$name" beside a workbook it has open.
    (folder / "~$Can_xem_xet_2026.xlsx").write_bytes(b"\0" * 165)
    outbox, registry = _snapshot(sample_workspace / "outbox"), _snapshot(sample_workspace)
    (sample_workspace / "inbox" / INBOX_FILE).unlink()  # this run would change every annex
    run = _dvk("consolidate", "-w", ws)
    assert run.exit_code == 3
    assert "Can_xem_xet_2026.xlsx" in run.output and "chưa thay đổi gì" in run.output
    assert _snapshot(sample_workspace / "outbox") == outbox
    assert _snapshot(sample_workspace)["dvk.sqlite"] == registry["dvk.sqlite"]
    assert not (sample_workspace / STAGING_FOLDER).exists()


def test_a_commit_that_fails_after_the_outputs_moved_in_leaves_both_as_they_were(
    sample_workspace, monkeypatch
):
    """The registry's rows are stored while the outputs are written, and committed only once
    they are in the outbox: a commit that fails then puts the outbox back."""
    ws = str(sample_workspace)
    assert _dvk("consolidate", "-w", ws).exit_code in (0, 1)
    outbox, registry = _snapshot(sample_workspace / "outbox"), _snapshot(sample_workspace)
    (sample_workspace / "inbox" / INBOX_FILE).unlink()  # this run would change every annex
    moved = []
    real_publish = Staging.publish

    def publish_then_break_the_commit(self, stale):
        real_publish(self, stale)
        moved.append(True)
        raise sqlite3.OperationalError("disk I/O error")  # as the commit would

    monkeypatch.setattr(Staging, "publish", publish_then_break_the_commit)
    with pytest.raises(DvkError, match="sổ vẫn giữ như trước"):
        Office.open(sample_workspace).consolidate().publish()
    assert moved
    assert _snapshot(sample_workspace / "outbox") == outbox
    assert _snapshot(sample_workspace)["dvk.sqlite"] == registry["dvk.sqlite"]


def test_quarter_then_quarter_then_year_with_changing_inboxes(sample_workspace):
    ws, inbox = str(sample_workspace), sample_workspace / "inbox"
    aside = sample_workspace / "aside"
    aside.mkdir()
    for name in ("hoi_nong_dan_xa.xlsx", "doan_thanh_nien_xa.xlsx"):
        shutil.move(inbox / name, aside / name)
    assert _dvk("consolidate", "-w", ws, "--period", "2026-Q1").exit_code == 1
    shutil.move(aside / "hoi_nong_dan_xa.xlsx", inbox / "hoi_nong_dan_xa.xlsx")
    shutil.move(inbox / INBOX_FILE, aside / INBOX_FILE)
    assert _dvk("consolidate", "-w", ws, "--period", "2026-Q2").exit_code == 1
    shutil.move(aside / "doan_thanh_nien_xa.xlsx", inbox / "doan_thanh_nien_xa.xlsx")
    (inbox / "chi_bo_xom_yen_ly.xlsx").unlink()
    year = _dvk("consolidate", "-w", ws)
    assert year.exit_code == 1, year.output
    assert "FOREIGN KEY" not in year.output
    outbox = sample_workspace / "outbox" / "2026"
    q2 = outbox / "Q2" / "Phu_luc_1_dang_ky_2026_Q2.xlsx"
    assert "TÍNH ĐẾN HẾT QUÝ II" in _title(q2)
    assert "QUÝ" not in _title(outbox / "Phu_luc_1_dang_ky_2026.xlsx")
    assert (outbox / "Q1" / "Phu_luc_1_dang_ky_2026_Q1.xlsx").exists()
    units = set(_units(outbox / "Phu_luc_1_dang_ky_2026.xlsx"))
    assert "Đoàn Thanh niên xã" in " ".join(units)
    assert "Chi bộ xóm Yên Lý" not in units


def test_warnings_alone_exit_0(tmp_path, sample_workspace):
    ws = tmp_path / "ws"
    assert _dvk("init", str(ws), "--year", "2026").exit_code == 0
    shutil.copy(sample_workspace / "inbox" / "chi_bo_cong_an_xa.xlsx", ws / "inbox")
    shutil.copytree(sample_workspace / "nam_truoc", ws / "nam_truoc")
    last = [str(p) for p in sorted((ws / "nam_truoc").glob("*.xlsx"))]
    assert _dvk("history", "import", *last, "--year", "2025", "-w", str(ws)).exit_code == 0
    run = _dvk("consolidate", "-w", str(ws), "--json")
    assert "cảnh báo" in run.output  # its ticks disagree with last year: warnings only
    assert run.exit_code == 0, run.output
    assert not (ws / "outbox" / "2026" / "tra_lai").exists()  # nothing for the unit to fix


def test_the_maintenance_rate_never_passes_100():
    # Five of this year's models continue something, but only three of last year's were
    # registered, one of which was dropped: the rate is two of three.
    table = pd.DataFrame(
        {"label": ["Chi bộ A"], "registered": [3], "effective": [3], "kept": [5]}
        | {"dropped": [1], "new": [0], "total": [5]}
    )
    (line, total) = _lines(table)
    assert line["rate"] == total["rate"] == 66.7


def _title(path: Path) -> str:
    book = calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()
    return " ".join(str(v) for row in rows[:6] for v in row if v)


def _units(path: Path) -> list[str]:
    book = calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()
    return [str(r[1]) for r in rows if r and isinstance(r[0], int | float) and r[0] != ""]


def test_templates_never_overwrite_a_filled_scoring_sheet(sample_workspace):
    from tests.fixtures.build_scores import FULL, fill_score_template

    ws = str(sample_workspace)
    folder = sample_workspace / "templates" / "xlsx"
    assert _dvk("templates", "-w", ws).exit_code == 0
    scores = folder / "Bieu_cham_diem_2026.xlsx"
    untouched = _snapshot(folder)
    again = _dvk("templates", "-w", ws)  # nothing typed yet: refreshed in place
    assert "đã có người điền" not in again.output
    assert sorted(_snapshot(folder)) == sorted(untouched)
    scored = [dict(unit="Chi bộ xóm Bắc Sơn", name="Tuyến đường hoa", points=FULL)]
    fill_score_template(scores, scores, scored)  # the appraisal team fills it where it lies
    filled = scores.read_bytes()
    run = _dvk("templates", "-w", ws)
    assert run.exit_code == 0
    assert "Bieu_cham_diem_2026.xlsx đã có người điền, giữ nguyên" in run.output
    assert scores.read_bytes() == filled
    assert (folder / "Bieu_cham_diem_2026_moi.xlsx").exists()
    assert not (folder / "Bieu_mau_don_vi_2026_moi.xlsx").exists()  # the unit form was blank


def test_a_unit_the_roster_does_not_know_waits_until_a_person_maps_it(sample_workspace):
    """A renamed unit missing from the roster's former names is not a second unit: its models
    wait in the review workbook, and the answer given there is kept for every later run."""
    from openpyxl import load_workbook

    from pipeline import forms

    ws = str(sample_workspace)
    form = sample_workspace / "inbox" / INBOX_FILE
    book = load_workbook(form)
    for spec in forms.SHEETS:
        book[spec.name][spec.unit_cell] = "Chi bộ thôn Bắc Sơn"  # the village's new name
    book.save(form)
    first = _dvk("consolidate", "-w", ws)
    assert first.exit_code == 1
    assert "Chi bộ thôn Bắc Sơn” không có trong danh mục" in first.output
    outbox = sample_workspace / "outbox" / "2026"
    annex = outbox / "Phu_luc_1_dang_ky_2026.xlsx"
    assert not {"Chi bộ thôn Bắc Sơn", "Chi bộ xóm Bắc Sơn"} & set(_units(annex))
    review = outbox / "Can_xem_xet_2026.xlsx"
    book = load_workbook(review)
    sheet = book[forms.REVIEW_UNITS_SHEET]
    header = [c.value for c in sheet[4]]
    row = [c.value for c in sheet[5]]
    assert row[header.index(forms.REVIEW_UNIT_NAME)] == "Chi bộ thôn Bắc Sơn"
    assert (
        "CB-BS – Chi bộ xóm Bắc Sơn"
        in row[header.index("Đơn vị gần giống trong danh mục (mã – tên)")]
    )
    sheet.cell(5, header.index(forms.REVIEW_UNIT_ANSWER) + 1, "cb-bs")  # its code, any case
    book.save(review)
    second = _dvk("consolidate", "-w", ws)
    assert "không có trong danh mục đơn vị" not in second.output
    assert "Chi bộ xóm Bắc Sơn" in _units(annex)  # counted as the roster's unit
    review.unlink(missing_ok=True)  # the answer lives in the registry now
    third = _dvk("consolidate", "-w", ws)
    assert "không có trong danh mục đơn vị" not in third.output
    assert "Chi bộ xóm Bắc Sơn" in _units(annex)


_SPELLINGS = ["Đình", "đình", "Ấp", "ấp", "a", "ă", "Hội", "hội", "Bắc", "bac", ""]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_SPELLINGS), st.sampled_from(_SPELLINGS)), max_size=30),
    st.randoms(use_true_random=False),
)
def test_dropped_models_are_in_the_order_pandas_gives_them(pairs, rnd):
    rows = pd.DataFrame(pairs, columns=["unit_key", "name"], dtype=object)
    rows.index = rnd.sample(range(1000), len(rows))
    expected = rows.sort_values(["unit_key", "name"], key=lambda s: s.map(sort_key))
    pd.testing.assert_frame_equal(analysis._by_unit_and_name(rows), expected)
