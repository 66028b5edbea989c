"""Outlook .msg mail in the inbox, read as .eml is: sender, sent time, attachments, forwards.

Real Outlook files (tests/data/outlook/, from Apache POI) check the reader against what POI's
own tests state; messages carrying a unit's workbook are built with aspose-email-foss
(tests/fixtures/build_outlook.py) and must lay out their parts as Outlook's do."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import olefile
import pytest

from pipeline.consolidate import consolidate
from pipeline.ingest import arrivals_of, outlook
from pipeline.issues import Code
from tests.fixtures import build_outlook
from tests.helpers import SAMPLE

OUTLOOK = Path(__file__).parent / "data" / "outlook"
UNIT_FORM = SAMPLE / "inbox" / "chi_bo_xom_bac_son.xlsx"
SENT = dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC)  # 08:30 in Hà Nội


def _arrivals(path: Path) -> dict:
    return {a.name: a for a in arrivals_of(path, path.parent)}


def test_outlooks_own_attachments_are_listed_with_their_bytes():
    found = _arrivals(OUTLOOK / "attachment_test_msg.msg")
    mail = found["attachment_test_msg.msg"]
    assert mail.kind == "container" and mail.members == ["test-unicode.doc", "pj1.txt"]
    assert mail.sender == "Nicolas1 23456 <nicolas1.23456@free.fr>"
    ole = olefile.OleFileIO(str(OUTLOOK / "attachment_test_msg.msg"))
    sizes = {}
    for n in (0, 1):
        storage = f"__attach_version1.0_#{n:08X}"
        sizes[n] = len(ole.openstream(f"{storage}/__substg1.0_37010102").read())
    assert sizes == {0: 24064, 1: 89}  # as POI's TestFileWithAttachmentsRead says
    doc = found["attachment_test_msg.msg/test-unicode.doc"]
    assert doc.issues[0].code == Code.FILE_NOT_WORKBOOK  # refused on its own line
    assert doc.sent == mail.sent and mail.sent.year == 2009


def test_an_attached_message_is_unpacked_as_a_forwarded_email():
    found = _arrivals(OUTLOOK / "attachment_msg_pdf.msg")
    mail = found["attachment_msg_pdf.msg"]
    assert mail.members == ["Test Attachment.eml", "smbprn.00009008.KdcPjl.pdf"]
    # An Exchange sender's address is an X.500 path: the SMTP one is used.
    assert mail.sender == "Nick Booth <nick.booth@pof.com.au>"
    inner = found["attachment_msg_pdf.msg/Test Attachment.eml"]
    assert inner.kind == "container" and inner.parent == "attachment_msg_pdf.msg"
    assert inner.sent < mail.sent  # the forwarded one was sent first


def test_an_old_non_unicode_message_and_an_exchange_only_sender():
    found = _arrivals(OUTLOOK / "example_received_regular.msg")
    mail = found["example_received_regular.msg"]
    assert mail.sender == "Mike Farman <mike.farman@alfresco.com>"
    assert mail.members == ["alfresco.gif"]
    quick = _arrivals(OUTLOOK / "quick.msg")["quick.msg"]
    assert quick.sender == "Kevin Roast"  # no SMTP address anywhere: the name, not the X.500
    assert quick.issues[0].code == Code.CONTAINER_EMPTY


def _inbox_with(tmp_path: Path, name: str, built) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_bytes(built.to_bytes())
    return inbox


def test_a_unit_form_mailed_from_outlook_is_read_like_the_form_itself(tmp_path, cfg):
    built = build_outlook.message(
        "Đăng ký mô hình Dân vận khéo",
        ("Chi bộ xóm Bắc Sơn", "bacson@example.vn"),
        SENT,
        {UNIT_FORM.name: UNIT_FORM.read_bytes()},
    )
    inbox = _inbox_with(tmp_path, "thu_bac_son.msg", built)
    from_mail = consolidate(inbox, cfg.year)
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / UNIT_FORM.name).write_bytes(UNIT_FORM.read_bytes())
    from_file = consolidate(alone, cfg.year)
    columns = [c for c in from_file.registrations.columns if not c.startswith("_")]
    assert len(from_mail.registrations) == len(from_file.registrations) > 0
    assert from_mail.registrations[columns].equals(from_file.registrations[columns])
    account = next(f for f in from_mail.files if f.file.endswith(UNIT_FORM.name))
    assert account.file == f"thu_bac_son.msg/{UNIT_FORM.name}"
    assert account.sender == "Chi bộ xóm Bắc Sơn <bacson@example.vn>"
    assert account.sent == "04/03/2026 08:30"  # the office's clock, for the deadline


def test_a_form_forwarded_as_an_attachment_is_read(tmp_path, cfg):
    inner = build_outlook.message(
        "Biểu mẫu", ("Hội Nông dân xã", "hoinongdan@example.vn"), SENT,
        {UNIT_FORM.name: UNIT_FORM.read_bytes()},
    )  # fmt: skip
    outer = build_outlook.message("Chuyển tiếp", ("Văn thư", "vanthu@example.vn"), SENT)
    built = build_outlook.forwarded(outer, inner, "Biểu mẫu.msg")
    inbox = _inbox_with(tmp_path, "chuyen_tiep.msg", built)
    result = consolidate(inbox, cfg.year)
    account = next(f for f in result.files if f.file.endswith(UNIT_FORM.name))
    assert account.file == f"chuyen_tiep.msg/Biểu mẫu.eml/{UNIT_FORM.name}"
    assert account.sender == "Hội Nông dân xã <hoinongdan@example.vn>"
    assert account.registrations == len(consolidate(SAMPLE / "inbox", cfg.year).registrations[
        lambda r: r["_file"] == UNIT_FORM.name
    ])  # fmt: skip


def test_built_messages_have_outlooks_layout(tmp_path):
    """The parts this reader reads sit where Outlook puts them (compare tests/data/outlook)."""
    inner = build_outlook.message("a", ("A", "a@example.vn"), SENT, {"x.xlsx": b"PK"})
    built = build_outlook.forwarded(
        build_outlook.message("b", ("B", "b@example.vn"), SENT, {"y.xlsx": b"PK"}), inner, "a"
    )
    ours = _layout(olefile.OleFileIO(built.to_bytes()))
    theirs = _layout(olefile.OleFileIO(str(OUTLOOK / "attachment_msg_pdf.msg")))
    read_here = {
        "__properties_version1.0",
        "__attach_version1.0_#N/__properties_version1.0",
        "__attach_version1.0_#N/__substg1.0_37010102",
        "__attach_version1.0_#N/__substg1.0_3701000D/__properties_version1.0",
        "__attach_version1.0_#N/__substg1.0_3707001F",
        "__substg1.0_0037001F",
        "__substg1.0_0C1A001F",
    }
    assert read_here <= ours and read_here <= theirs


def _layout(ole) -> set[str]:
    import re

    return {
        re.sub(r"#[0-9A-F]{8}", "#N", "/".join(entry))
        for entry in ole.listdir(streams=True, storages=False)
    }


def test_a_damaged_msg_is_refused_alone(tmp_path):
    data = (OUTLOOK / "attachment_test_msg.msg").read_bytes()
    (tmp_path / "hong.msg").write_bytes(data[:4000])
    (tmp_path / "khong_phai.msg").write_bytes(b"not a compound file at all")
    (tmp_path / UNIT_FORM.name).write_bytes(UNIT_FORM.read_bytes())
    codes = {}
    for path in sorted(tmp_path.iterdir()):
        for arrival in arrivals_of(path, tmp_path):
            codes[arrival.name] = [i.code for i in arrival.issues]
    assert codes == {
        "hong.msg": [Code.FILE_UNREADABLE],
        "khong_phai.msg": [Code.FILE_UNREADABLE],
        UNIT_FORM.name: [],
    }


def test_mutated_msgs_never_stop_the_intake(tmp_path):
    """A few bytes of a real message overwritten, 60 ways: each one is refused or read, never
    an exception; and both happen, so the mutations reach the parts the reader reads."""
    original = (OUTLOOK / "attachment_msg_pdf.msg").read_bytes()
    outcomes = []
    for seed in range(60):
        rng = random.Random(seed)
        data = bytearray(original)
        for _ in range(rng.randint(1, 3)):
            start = rng.randrange(512, len(data))  # past the header: the directory and parts
            data[start : start + rng.randint(1, 8)] = rng.randbytes(rng.randint(1, 8))
        (tmp_path / "thu.msg").write_bytes(bytes(data))
        found = arrivals_of(tmp_path / "thu.msg", tmp_path)
        assert found[0].name == "thu.msg" and found[0].kind == "container"
        outcomes.append("read" if found[0].members else found[0].issues[0].code)
    assert outcomes.count("read") >= 20
    assert set(outcomes) <= {"read", Code.FILE_UNREADABLE, Code.CONTAINER_EMPTY}


def test_an_embedded_message_nested_past_the_limit_is_refused(tmp_path):
    inner = build_outlook.message("0", ("A", "a@example.vn"), SENT, {"x.xlsx": b"PK"})
    for depth in range(1, 6):
        inner = build_outlook.forwarded(
            build_outlook.message(str(depth), ("A", "a@example.vn"), SENT), inner, str(depth)
        )
    message = outlook.open_msg(inner.to_bytes())
    ((_, first),) = message.attachments()
    with pytest.raises(outlook.TooDeep):
        first.as_eml(depth_left=2)
    (tmp_path / "sau.msg").write_bytes(inner.to_bytes())
    found = arrivals_of(tmp_path / "sau.msg", tmp_path)
    assert any(Code.CONTAINER_TOO_DEEP in [i.code for i in a.issues] for a in found)


def test_a_signed_outlook_message_gives_its_form_and_an_encrypted_one_is_refused(tmp_path, cfg):
    sender = ("Đoàn Thanh niên xã", "dtn@example.vn")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    signed = build_outlook.signed("Ký số", sender, SENT, {UNIT_FORM.name: UNIT_FORM.read_bytes()})
    (inbox / "ky_so.msg").write_bytes(signed.to_bytes())
    (inbox / "ma_hoa.msg").write_bytes(build_outlook.encrypted("Mã hoá", sender, SENT).to_bytes())
    result = consolidate(inbox, cfg.year)
    accounts = {f.file: f for f in result.files}
    form = accounts[f"ky_so.msg/thu_ky_so.eml/{UNIT_FORM.name}"]
    assert form.registrations > 0 and form.sender == "Đoàn Thanh niên xã <dtn@example.vn>"
    refused = [i for i in result.issues if i.file == "ma_hoa.msg/smime.p7m"]
    assert [i.code for i in refused] == [Code.FILE_UNREADABLE]
    assert "mã hoá" in refused[0].message
