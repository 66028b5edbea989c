"""One hostile or broken file never stops the run (issue 12): each gets its own intake line with
a clear reason, in bounded time and memory, and every other file's models are in the annexes."""

from __future__ import annotations

import faulthandler
import hashlib
import io
import os
import resource
import shutil
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
import python_calamine as calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.consolidate import consolidate
from pipeline.ingest import DEFAULT_LIMITS, Limits, find_inbox_files
from pipeline.ingest import OFFICE_ZONE as ZONE
from pipeline.ingest.isolated import read_files
from pipeline.issues import Code
from pipeline.report import write_outputs
from pipeline.report.template import fill_template
from tests.fixtures.build_hostile import HOSTILE, build_hostile

GOOD_UNIT = "Chi bộ xóm Bắc Sơn"
MODEL = dict(name="Tuyến đường hoa", field="Kinh tế", subject="Tập thể", place="Xóm Bắc Sơn",
             count=1, status="Đăng ký mới")  # fmt: skip
TOPS = sorted({name.split("/")[0] for name in HOSTILE})


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, blank_template):
    root = tmp_path_factory.mktemp("hostile")
    form = root / "don_vi.xlsx"
    fill_template(blank_template, form, "Chi bộ thôn Thử", {"Đăng ký": [MODEL]})
    build_hostile(root / "all", form)
    # The good form that goes beside each hostile file, filled once.
    fill_template(blank_template, root / "tot.xlsx", GOOD_UNIT, {"Đăng ký": [MODEL]})
    return root


@pytest.mark.parametrize("name", TOPS)
def test_each_hostile_file_costs_only_its_own_line(hostile, blank_template, name, cfg):
    box = hostile / f"box_{TOPS.index(name)}"
    box.mkdir()
    (box / name).write_bytes((hostile / "all" / name).read_bytes())
    shutil.copy(hostile / "tot.xlsx", box / "tot.xlsx")
    started = time.monotonic()
    result = consolidate(box, cfg.year)
    paths = write_outputs(result, cfg, hostile / f"outbox_{TOPS.index(name)}")
    assert time.monotonic() - started < 10
    assert paths["phu_luc_1"].exists() and paths["tiep_nhan"].exists()
    lines = {f.file: (f.status, f.reason) for f in result.files}
    for file, (status, words) in HOSTILE.items():
        if file.split("/")[0] == name:
            assert lines[file][0] == status, (file, lines[file])
            assert words in lines[file][1], (file, lines[file])
    assert lines["tot.xlsx"] == ("accepted", "")
    sent = {f.file: f.sent for f in result.files}
    if name == "nam_9999.eml":  # a Date in 9999 is no date: neither on time nor late
        assert sent["nam_9999.eml"] == sent["nam_9999.eml/don_vi.xlsx"] == ""
    assert GOOD_UNIT in set(result.registrations["unit"])
    annex = calamine.CalamineWorkbook.from_path(str(paths["phu_luc_1"])).get_sheet_by_index(0)
    assert GOOD_UNIT in {row[1] for row in annex.to_python()}  # in the printed annex
    assert result.exit_code in (0, 1)


def test_reading_stays_within_memory(hostile):
    """Each file is read in a worker; the largest worker's resident memory stays under 1 GiB."""
    paths = sorted((hostile / "all").iterdir())
    reads = read_files(paths, hostile / "all", 2026, DEFAULT_LIMITS, ZONE, workers=2)
    assert len(reads) == len(paths)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kib < 1024 * 1024


def test_a_worker_that_dies_or_hangs_is_that_files_line(tmp_path, monkeypatch):
    """What the bounds cannot foresee: a parser that aborts the process or never returns."""
    from pipeline.ingest import isolated

    box = tmp_path / "inbox"
    box.mkdir()
    for name in ("an_bo_nho.xlsx", "chet.xlsx", "treo.xlsx", "tot.xlsx"):
        (box / name).write_bytes(b"x")
    real = isolated.read_one

    def misbehaving(path, *args):
        if path.name == "an_bo_nho.xlsx":
            hog = bytearray(400 << 20)  # past the bound below: refused or watched, then killed
            time.sleep(5)
            return hog
        if path.name == "chet.xlsx":
            faulthandler.disable()  # its traceback is expected: keep it out of the test log
            os.abort()  # as calamine's allocator does on a grid it cannot allocate
        if path.name == "treo.xlsx":
            time.sleep(60)
        return real(path, *args)

    monkeypatch.setattr(isolated, "read_one", misbehaving)
    started = time.monotonic()
    paths = sorted(box.iterdir())
    limits = Limits(seconds_per_file=2, memory_per_file=200 << 20)
    reads = read_files(paths, box, 2026, limits, ZONE, workers=2)
    assert time.monotonic() - started < 10
    stopped = {r.arrivals[0].name: r.arrivals[0].issues for r in reads}
    assert "quá nhiều bộ nhớ" in stopped["an_bo_nho.xlsx"][0].message
    assert "bị dừng đột ngột" in stopped["chet.xlsx"][0].message
    assert "quá 2 giây" in stopped["treo.xlsx"][0].message
    assert stopped["tot.xlsx"] == []  # read by a fresh worker
    assert "tot.xlsx" in reads[2].reads


def test_the_files_queued_behind_a_stopped_worker_are_all_read(tmp_path, monkeypatch):
    """A worker is sent its next file while it reads one: when it dies or overruns, the file
    waiting in its pipe is read by the fresh worker, not lost nor blamed."""
    from pipeline.ingest import isolated

    box = tmp_path / "inbox"
    box.mkdir()
    names = ["1_chet.xlsx", "2_tot.xlsx", "3_treo.xlsx", "4_tot.xlsx", "5_chet.xlsx", "6_tot.xlsx"]
    for name in names:
        (box / name).write_bytes(b"x")
    real = isolated.read_one

    def misbehaving(path, *args):
        if "chet" in path.name:
            faulthandler.disable()
            os.abort()
        if "treo" in path.name:
            time.sleep(60)
        return real(path, *args)

    monkeypatch.setattr(isolated, "read_one", misbehaving)
    paths = sorted(box.iterdir())
    reads = read_files(paths, box, 2026, Limits(seconds_per_file=2), ZONE, workers=1)
    lines = {r.arrivals[0].name: r.arrivals[0].issues for r in reads}
    assert list(lines) == names
    for name in names:
        stopped = [i.code for i in lines[name]] == [Code.FILE_READER_STOPPED]
        assert stopped == ("tot" not in name), name
    assert [name in r.reads for name, r in zip(names, reads, strict=True)] == [
        "tot" in name for name in names
    ]


def test_each_file_is_archived_before_a_reader_is_given_it(tmp_path, monkeypatch):
    """Files are copied to the archive while the files before them are read: a reader that
    finds no copy of its file aborts, and so would say which file came before its copy."""
    from pipeline.ingest import isolated

    box, archive = tmp_path / "inbox", tmp_path / "luu_tru"
    box.mkdir()
    for n in range(12):
        (box / f"don_vi_{n}.xlsx").write_bytes(f"không phải sổ tính {n}".encode())
    real = isolated.read_one

    def only_archived(path, *args):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if not (archive / digest / path.name).is_file():
            faulthandler.disable()
            os.abort()
        return real(path, *args)

    monkeypatch.setattr(isolated, "read_one", only_archived)
    paths = sorted(box.iterdir())
    reads = read_files(paths, box, 2026, DEFAULT_LIMITS, ZONE, workers=2, archive_to=archive)
    assert [r.arrivals[0].name for r in reads] == [p.name for p in paths]
    stopped = Code.FILE_READER_STOPPED
    assert not [i for r in reads for i in r.arrivals[0].issues if i.code == stopped]
    assert len(list(archive.rglob("*.xlsx"))) == len(paths)


@st.composite
def damaged(draw, sources: dict[str, bytes]):
    """A valid workbook, zip or e-mail, truncated, bit-flipped or overwritten at random."""
    name = draw(st.sampled_from(sorted(sources)))
    data = bytearray(sources[name])
    how = draw(st.sampled_from(("truncate", "flip", "overwrite", "random")))
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif how == "flip":
        for _ in range(draw(st.integers(1, 50))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
    elif how == "overwrite":
        start = draw(st.integers(0, len(data) - 1))
        data[start : start + 256] = draw(st.binary(min_size=1, max_size=256))
    else:
        data = bytearray(draw(st.binary(max_size=4096)))
    return name, bytes(data), how


@pytest.fixture(scope="module")
def sources(hostile):
    form = (hostile / "don_vi.xlsx").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("don_vi.xlsx", form)
    mail = (hostile / "all" / "chuyen_tiep.eml").read_bytes()
    return {"hong.xlsx": form, "hong.zip": buffer.getvalue(), "hong.eml": mail}


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_damage_never_stops_the_run(data, sources, hostile, blank_template, cfg):
    name, payload, how = data.draw(damaged(sources))
    box = Path(tempfile.mkdtemp(dir=hostile))
    (box / "inbox").mkdir()
    (box / "inbox" / name).write_bytes(payload)
    shutil.copy(hostile / "tot.xlsx", box / "inbox" / "tot.xlsx")
    result = consolidate(box / "inbox", cfg.year, limits=Limits(seconds_per_file=10))
    write_outputs(result, cfg, box / "outbox")
    assert name in {f.file for f in result.files}, how
    assert GOOD_UNIT in set(result.registrations["unit"]), how
    assert result.exit_code in (0, 1)


def test_odd_file_names_reach_every_report(sample_workspace):
    """A name with bytes that are not UTF-8, and one with a control character: the intake, the
    registry and --json all take them."""
    import json

    from click.testing import CliRunner

    from pipeline.cli import main

    inbox = sample_workspace / "inbox"
    odd = Path(os.fsdecode(bytes(inbox) + b"/\xff\xfe_don_vi.xlsx"))
    odd.write_bytes((inbox / "chi_bo_xom_bac_son.xlsx").read_bytes())
    (inbox / "chi_bo_xom_bac_son.xlsx").unlink()
    (inbox / "ten\x02la.xlsx").write_bytes((inbox / "chi_bo_xom_yen_ly.xlsx").read_bytes())
    (inbox / "chi_bo_xom_yen_ly.xlsx").unlink()
    run = CliRunner().invoke(main, ["consolidate", "-w", str(sample_workspace), "--json"])
    assert run.exit_code == 1, run.output
    files = {f["file"] for f in json.loads(run.output[run.output.index("{") :])["tep"]}
    assert {"\ufffd\ufffd_don_vi.xlsx", "ten\x02la.xlsx"} <= files


def test_a_fault_of_the_tool_after_reading_lists_what_it_read(sample_workspace, monkeypatch):
    """The tool's own fault (here injected into scoring): exit 3, nothing changed, and an
    intake of the files it had read, beside the outputs."""
    from click.testing import CliRunner

    from pipeline import consolidate as run_module
    from pipeline.cli import main

    def broken(*args, **kwargs):
        raise KeyError("c99")

    monkeypatch.setattr(run_module, "score_records", broken)
    run = CliRunner().invoke(main, ["consolidate", "-w", str(sample_workspace)])
    assert run.exit_code == 3
    assert "sau khi đọc 23 tệp (KeyError" in run.output and "Chưa thay đổi gì" in run.output
    outbox = sample_workspace / "outbox" / "2026"
    assert [p.name for p in outbox.iterdir()] == ["Tiep_nhan_2026_chua_xong.xlsx"]
    book = calamine.CalamineWorkbook.from_path(str(outbox / "Tiep_nhan_2026_chua_xong.xlsx"))
    listed = {row[1] for row in book.get_sheet_by_index(0).to_python()[4:]}
    assert "chi_bo_xom_bac_son.xlsx" in listed
    conn = sqlite3.connect(sample_workspace / "dvk.sqlite")
    assert conn.execute("SELECT count(*) FROM years").fetchone() == (0,)  # nothing recorded
    conn.close()


def test_an_emptied_registry_stops_the_run_with_how_to_restore_it(first_run):
    from click.testing import CliRunner

    from pipeline.cli import main

    sample_workspace = first_run  # last year imported, this year consolidated once
    ws = str(sample_workspace)
    registry = sample_workspace / "dvk.sqlite"
    registry.write_bytes(b"")  # a sync tool or a full disk left it empty
    run = CliRunner().invoke(main, ["consolidate", "-w", ws])
    assert run.exit_code == 3
    assert "luu_tru/dvk_sao_luu.sqlite" in run.output.replace("\\", "/")
    assert registry.read_bytes() == b""  # not silently recreated
    backup = sample_workspace / "luu_tru" / "dvk_sao_luu.sqlite"
    registry.write_bytes(backup.read_bytes())  # as the message says
    again = CliRunner().invoke(main, ["consolidate", "-w", ws, "--json"])
    assert again.exit_code == 1
    assert '"nam_truoc_trong_so": [\n    2025' in again.output  # last year's history is back


_NAMES = st.sampled_from(["a.xlsx", "B.xlsx", ".an.xlsx", "~$a.xlsx", "Thumbs.db", "z", "Đ.eml"])
_FOLDERS = st.sampled_from(["", "thu", ".git", "~$x", "thu/sau", "Desktop.ini"])


def _listed_path_by_path(inbox: Path) -> list[Path]:
    """The plain reading of which inbox files are read, and in what order."""

    def ignored(path: Path) -> bool:
        parts = path.relative_to(inbox).parts
        return path.name.lower() in ("thumbs.db", "desktop.ini") or any(
            p.startswith((".", "~$")) for p in parts
        )

    found = [p for p in inbox.rglob("*") if p.is_file() and not ignored(p)]
    return sorted(found, key=lambda p: p.relative_to(inbox).as_posix())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(_FOLDERS, _NAMES), max_size=10))
def test_the_inbox_lists_its_files_as_path_by_path(tmp_path_factory, files):
    inbox = tmp_path_factory.mktemp("inbox")
    for folder, name in files:
        (inbox / folder).mkdir(parents=True, exist_ok=True)
        if not (inbox / folder / name).is_dir():
            (inbox / folder / name).write_bytes(b"x")
    assert find_inbox_files(inbox) == _listed_path_by_path(inbox)
