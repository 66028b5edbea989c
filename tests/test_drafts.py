"""Letters after a run: one .eml draft per unit to contact, parsed back as a mail client would.

The drafts are read with the standard library's parser, the same way the inbox reads e-mail:
recipient, subject, Vietnamese body, Outlook's X-Unsent, and attachment bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import io

import pytest
from openpyxl import load_workbook

from pipeline import Office, forms
from pipeline.letters import due_forms, letters, letters_summary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


@pytest.fixture
def published(sample_workspace):
    run = Office.open(sample_workspace).consolidate()
    run.publish()
    return run, sample_workspace / "outbox" / "2026"


def test_each_unit_to_contact_gets_one_draft_and_no_other_unit_does(published):
    run, outbox = published
    drafts = {_read(p)["To"]: _read(p) for p in sorted((outbox / "thu_gui").glob("*.eml"))}
    roster = run.result.roster
    email_of = {u.name: u.email for u in roster.units.values()}
    # Independently of letters.py: the units whose files came back, and those not heard from.
    units_of = {f.file: f.unit for f in run.result.files}
    returned = {units_of[f] for f in run.result.returned}
    silent = set(run.report.stats["tinh_hinh"]["chua_gui"])
    results_files = {f.unit for f in run.result.files if f.results}
    without_results = {u.name for u in roster.units.values()} - results_files
    expected = returned | silent | without_results
    assert set(drafts) == {email_of[name] for name in expected}
    assert "Chi bộ xóm Bắc Sơn" not in expected  # sent both forms, nothing to fix
    for message in drafts.values():
        assert message["X-Unsent"] == "1"
        assert message["Subject"].endswith(f"năm 2026 – {message['Subject'].split(' – ')[-1]}")
        assert message.get_body(("plain",)).get_content().startswith("Kính gửi: ")


def test_a_draft_to_fix_a_file_attaches_the_returned_workbook(published):
    _, outbox = published
    message = _read(outbox / "thu_gui" / "chi_bo_xom_nam_thinh.eml")
    assert message["To"] == "namthinh@example.vn"
    assert message["Subject"] == (
        "Đề nghị sửa biểu mẫu “Dân vận khéo” năm 2026 – Chi bộ xóm Nam Thịnh"
    )
    text = message.get_body(("plain",)).get_content()
    assert "Tệp còn 5 chỗ cần sửa" in text
    assert "  - Đăng ký, dòng 9, Số lượng: “hai” không phải số nguyên dương." in text
    attached = {a.get_filename(): a for a in message.iter_attachments()}
    returned = outbox / "tra_lai" / "chi_bo_xom_nam_thinh_can_sua.xlsx"
    assert attached[returned.name].get_content_type() == XLSX
    assert attached[returned.name].get_content() == returned.read_bytes()


def test_a_reminder_attaches_the_blank_form_and_says_the_deadline(published):
    _, outbox = published
    message = _read(outbox / "thu_gui" / "chi_bo_co_quan_dang.eml")
    assert message["To"] == "chibo.coquandang@example.vn"
    assert "biểu đăng ký mô hình" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "chưa nhận được biểu đăng ký mô hình “Dân vận khéo” năm 2026" in text
    assert "05/03/2026" in text
    (blank,) = message.iter_attachments()
    assert blank.get_filename() == "Bieu_mau_don_vi_2026.xlsx"
    book = load_workbook(io.BytesIO(blank.get_content()))
    assert book.sheetnames[:3] == [forms.INSTRUCTIONS_SHEET, "Đăng ký", "Kết quả"]


def test_the_summary_counts_the_drafts(published):
    run, outbox = published
    stats = run.report.stats["thu_gui"]
    drafts = list((outbox / "thu_gui").glob("*.eml"))
    assert stats["de_nghi_sua"] + stats["nhac_gui"] == len(drafts)
    assert stats["chua_co_dia_chi"] == []


def test_reminders_start_a_month_before_each_deadline(cfg):
    assert cfg.registration_deadline == dt.date(2026, 3, 5)
    assert due_forms(cfg, dt.date(2026, 2, 1)) == []
    assert due_forms(cfg, dt.date(2026, 2, 3)) == ["registration"]
    assert due_forms(cfg, dt.date(2026, 12, 1)) == ["registration", "results"]
    no_dates = dataclasses.replace(cfg, registration_deadline=None, results_deadline=None)
    assert due_forms(no_dates, dt.date(2026, 1, 1)) == ["registration"]


def test_no_address_in_the_roster_falls_back_to_the_sender_or_is_named(sample_workspace):
    run = Office.open(sample_workspace).consolidate()
    result = run.result
    units = {code: dataclasses.replace(u, email="") for code, u in result.roster.units.items()}
    result.roster = dataclasses.replace(result.roster, units=units)
    found = letters(result, run.config, list(result.returned), dt.date(2026, 12, 1))
    by_unit = {letter.unit: letter for letter in found}
    senders = {f.unit: f.sender for f in result.files}
    emailed = [u for u, s in senders.items() if s and u in by_unit]
    for unit in emailed:  # its file came by e-mail: the reply goes to who sent it
        assert by_unit[unit].to and by_unit[unit].to in senders[unit]
    nobody = letters_summary(found)["chua_co_dia_chi"]
    assert "Chi bộ Cơ quan Đảng" in nobody
    assert set(nobody) == {u for u, letter in by_unit.items() if not letter.to}


def test_a_draft_no_longer_needed_is_gone_after_the_next_run(published, sample_workspace):
    _, outbox = published
    old_age = outbox / "thu_gui" / "hoi_nguoi_cao_tuoi_xa.eml"
    assert "báo cáo kết quả" in _read(old_age)["Subject"]  # its registration came, by e-mail
    config = sample_workspace / "dvk.toml"
    text = config.read_text(encoding="utf-8")
    assert "han_bao_cao = 2026-09-10" in text
    config.write_text(text.replace("han_bao_cao = 2026-09-10", "han_bao_cao = 2099-09-10"))
    Office.open(sample_workspace).consolidate().publish()
    assert not old_age.exists()  # results not due yet: nothing to ask of it
    assert (outbox / "thu_gui" / "chi_bo_xom_nam_thinh.eml").exists()  # still has to fix


@pytest.mark.parametrize(
    ("cell", "to"),
    [
        ("a@xa.vn", "a@xa.vn"),
        ("a@xa.vn; b@xa.vn", "a@xa.vn, b@xa.vn"),
        ("a@xa.vn,b@xa.vn", "a@xa.vn, b@xa.vn"),
        ("chưa có", ""),
        ("a@xa", ""),
        ("", ""),
    ],
)
def test_roster_addresses_as_offices_type_them(cell, to):
    from pipeline.letters import addresses

    assert addresses(cell) == to


def test_a_rerun_copies_the_drafts_it_would_write_the_same(published, sample_workspace):
    """A draft's MIME boundary is random, so equal bytes mean it was copied, not rebuilt."""
    _, outbox = published
    before = {p.name: p.read_bytes() for p in (outbox / "thu_gui").glob("*.eml")}
    Office.open(sample_workspace).consolidate().publish()
    after = {p.name: p.read_bytes() for p in (outbox / "thu_gui").glob("*.eml")}
    assert after == before
    config = sample_workspace / "dvk.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("han_dang_ky = 2026-03-05", "han_dang_ky = 2026-03-06"))
    Office.open(sample_workspace).consolidate().publish()
    changed = {p.name: p.read_bytes() for p in (outbox / "thu_gui").glob("*.eml")}
    assert changed.keys() == before.keys()
    assert all(changed[name] != before[name] for name in before)  # the deadline is in each
    assert (
        "06/03/2026"
        in _read(outbox / "thu_gui" / "chi_bo_co_quan_dang.eml").get_body(("plain",)).get_content()
    )


def test_the_sender_of_a_mail_that_could_not_be_read_is_told(tmp_path, blank_template, cfg):
    """The fixture inbox (tests/fixtures/build_inbox.py), every kind of file a real one holds:
    each e-mailed file that was not read gets a letter to its sender saying why; a picture
    beside a good form, or a file saved from somewhere (no sender), gets none."""
    from pipeline.consolidate import consolidate
    from tests.fixtures.build_inbox import build

    build(tmp_path / "inbox", blank_template, cfg)
    result = consolidate(tmp_path / "inbox", cfg.year)
    found = letters(result, cfg, list(result.returned), dt.date(2026, 3, 1))
    told = {file for letter in found for file in letter.unreadable}
    unreadable = {f.file for f in result.files if f.status == "unreadable"}
    assert "thu_trong.eml" in told  # an e-mail with no workbook attached
    assert "thu_dtn.eml/logo.png" in unreadable - told  # not a workbook: nobody's mistake
    unsent = {f.file for f in result.files if not f.sender}
    assert unsent & unreadable and not told & unsent  # no one to write to
    letter = next(letter for letter in found if "thu_trong.eml" in letter.unreadable)
    assert letter.kind == "sua" and letter.to == "doanthanhnien@example.vn"
    text = drafts_body(letter, cfg)
    assert "đã nhận “thu_trong.eml” của đơn vị nhưng chưa đọc được: Không có tệp Excel" in text


def drafts_body(letter, cfg) -> str:
    from pipeline.report.drafts import body

    return body(letter, {}, cfg, dt.date(2026, 3, 1))


def test_a_shared_part_laid_out_once_gives_the_bytes_the_generator_gives():
    """The blank form's text is laid out once for all reminders: each draft must still be, byte
    for byte, what email's own generator writes, with the form after the draft's own parts."""
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    from pipeline.report.drafts import POLICY, _as_bytes, attachment

    blank = attachment(bytes(range(256)) * 200, "Mau_dang_ky_2026.xlsx")
    shared = {id(blank): blank.as_bytes(policy=POLICY).decode("ascii")}
    for i in range(3):
        message = MIMEMultipart(boundary=f"ranh_gioi_{i}")
        message.attach(MIMEText(f"Kính gửi: đơn vị {i}", "plain", "utf-8"))
        message.attach(attachment(f"tệp {i}".encode(), f"tep_{i}.xlsx"))
        message.attach(blank)
        assert _as_bytes(message, shared) == message.as_bytes(policy=POLICY)
        parsed = email.message_from_bytes(_as_bytes(message, shared), policy=email.policy.default)
        assert [a.get_content() for a in parsed.iter_attachments()] == [
            f"tệp {i}".encode(),
            bytes(range(256)) * 200,
        ]


def test_a_draft_is_written_again_when_the_workbook_it_attaches_changes(tmp_path, cfg):
    """A letter to fix a file is copied from the last run only if its attachment is the same:
    the fingerprint takes the attachment's digest."""
    from pipeline.letters import Letter
    from pipeline.report.drafts import write_drafts
    from pipeline.report.reuse import Earlier

    outbox, staged = tmp_path / "outbox", tmp_path / "staged"
    returned = {"a.xlsx": tmp_path / "a_can_sua.xlsx"}
    letter = Letter("Chi bộ xóm Bắc Sơn", "bacson@example.vn", files_to_fix=["a.xlsx"])
    today = dt.date(2026, 3, 1)

    def run(attachment: bytes) -> bytes:
        returned["a.xlsx"].write_bytes(attachment)
        earlier = Earlier.load(outbox, tmp_path / "ket_qua.json")
        (draft,) = write_drafts([(letter, staged / "a.eml")], returned, cfg, today, earlier, staged)
        outbox.mkdir(exist_ok=True)
        (outbox / "a.eml").write_bytes(draft.read_bytes())  # published
        draft.unlink()
        earlier.save()
        return (outbox / "a.eml").read_bytes()

    first = run(b"PK first")
    assert run(b"PK first") == first  # copied: a draft's MIME boundary is random
    changed = run(b"PK changed")
    assert changed != first
    attached = [p.get_payload(decode=True) for p in _parse(changed).walk() if p.get_filename()]
    assert attached == [b"PK changed"]


def _parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)
