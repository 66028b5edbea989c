"""Writing only what changed: a re-run copies the annexes whose inputs are the same."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as calamine
from hypothesis import given
from hypothesis import strategies as st

import pipeline
from pipeline import Office
from pipeline.report import _Annex, _columns, workers
from pipeline.report.reuse import PARTS_FOLDER, Earlier, code_digest, fingerprint
from tests.fixtures.build_province import build_province
from tests.workbook_dump import dump_workbook

ANNEXES = "Phu_luc_*.xlsx"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The province workspace after one published run."""
    root = build_province(tmp_path_factory.mktemp("tinh") / "tinh")
    Office.open(root).consolidate().publish()
    return root


@pytest.fixture
def workspace(province, tmp_path):
    target = tmp_path / "tinh"
    shutil.copytree(province, target)
    return target


def annexes(ws) -> dict[str, dict]:
    outbox = ws / "outbox"
    return {p.relative_to(outbox).as_posix(): dump_workbook(p) for p in outbox.rglob(ANNEXES)}


def publish(ws):
    """A run published; its `outputs_kept` less the e-mail drafts it copied, so the counts
    below are of workbooks (a draft's MIME boundary is random: equal bytes mean copied)."""
    drafts = ws / "outbox" / "2026" / "thu_gui"
    before = {p.name: p.read_bytes() for p in drafts.glob("*.eml")}
    run = Office.open(ws).consolidate()
    run.publish()
    copied = sum(before.get(p.name) == p.read_bytes() for p in drafts.glob("*.eml"))
    run.result.outputs_kept -= copied
    return run.result


def test_nothing_new_keeps_every_annex_as_it_was(workspace):
    """Right after the first run too: this year's new models had their registry ids before the
    annexes were written, so the rerun's annexes carry the same ids on their hidden sheet."""
    before = annexes(workspace)
    result = publish(workspace)
    assert result.outputs_kept == len(before) == 2 + 2 * 3  # the province's, and 3 communes'
    assert annexes(workspace) == before


def test_a_late_file_rebuilds_only_its_commune_and_the_province(workspace):
    before = annexes(workspace)
    (workspace / "inbox" / "x3-tn.eml").unlink()  # Tân Lập's youth union takes its file back
    result = publish(workspace)
    after = annexes(workspace)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {
        "2026/Phu_luc_1_dang_ky_2026.xlsx",
        "2026/theo_don_vi/dang_bo_xa_tan_lap/Phu_luc_1_dang_ky_2026.xlsx",
    }
    # Its file had no results: every Phụ lục 4 is made from the same rows, and kept.
    assert result.outputs_kept == len(before) - 2


def test_an_annex_changed_in_the_outbox_is_written_again(workspace):
    node = workspace / "outbox/2026/theo_don_vi/dang_bo_xa_hoa_an/Phu_luc_1_dang_ky_2026.xlsx"
    good = dump_workbook(node)
    node.write_bytes(node.read_bytes()[:-10])  # opened and saved, or damaged: not what we wrote
    result = publish(workspace)
    assert result.outputs_kept == 2 + 2 * 3 - 1
    assert dump_workbook(node) == good


@pytest.mark.parametrize("change", ["shorter, its time put back", "same size, a new time"])
def test_an_annex_changed_however_is_written_again(workspace, change):
    """Kept files are known by their size and time as published, and hashed when either
    differs: a change that keeps one of the two is still found."""
    node = workspace / "outbox/2026/theo_don_vi/dang_bo_xa_hoa_an/Phu_luc_1_dang_ky_2026.xlsx"
    good, data, before = dump_workbook(node), node.read_bytes(), node.stat()
    if change.startswith("shorter"):
        node.write_bytes(data[:-10])
        os.utime(node, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        node.write_bytes(data[:-10] + b"\0" * 10)
        os.utime(node, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert node.stat().st_size != before.st_size or node.stat().st_mtime_ns != before.st_mtime_ns
    result = publish(workspace)
    assert result.outputs_kept == 2 + 2 * 3 - 1
    assert dump_workbook(node) == good


def test_an_annex_only_touched_is_kept(workspace):
    """A new time alone (a copy, a backup tool): the same bytes, found by their SHA-256."""
    node = workspace / "outbox/2026/theo_don_vi/dang_bo_xa_hoa_an/Phu_luc_1_dang_ky_2026.xlsx"
    before = node.stat()
    os.utime(node, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert publish(workspace).outputs_kept == 2 + 2 * 3


def test_a_preview_never_copies(workspace, tmp_path):
    run = Office.open(workspace).consolidate()
    run.write(tmp_path / "xem_truoc")
    assert run.result.outputs_kept == 0


def test_a_return_is_copied_while_its_file_and_problems_stay_the_same(sample_workspace):
    office = Office.open(sample_workspace)
    first = office.consolidate()
    first.publish()
    returned = sorted((sample_workspace / "outbox/2026/tra_lai").glob("*.xlsx"))
    assert returned  # the sample has files to send back
    before = {p.name: (dump_workbook(p), p.stat().st_mtime_ns) for p in returned}
    office.consolidate().publish()
    # Copied with its time (shutil.copy2): the very file published before, not a rebuilt one.
    assert {p.name: (dump_workbook(p), p.stat().st_mtime_ns) for p in returned} == before


@pytest.mark.parametrize("start", ["fork", "spawn"])  # spawn: as on Windows
def test_outputs_written_side_by_side_are_those_written_one_by_one(
    workspace, tmp_path, monkeypatch, start
):
    run = Office.open(workspace).consolidate()
    started = []
    real_pool = workers.concurrent.futures.ProcessPoolExecutor
    monkeypatch.setattr(
        workers.concurrent.futures,
        "ProcessPoolExecutor",
        lambda *a, **k: started.append(1) or real_pool(*a, **k),
    )
    monkeypatch.setattr(workers, "PARALLEL_FROM", 0)  # however little: in writer processes
    monkeypatch.setattr(workers, "START_METHOD", start)
    run.write(tmp_path / "song_song")
    assert started  # the writer processes did write them
    monkeypatch.setattr(workers, "PARALLEL_FROM", 10**9)
    run.write(tmp_path / "lan_luot")
    assert len(started) == 1
    side, serial = (
        {p.relative_to(root).as_posix(): dump_workbook(p) for p in root.rglob("*.xlsx")}
        for root in (tmp_path / "song_song", tmp_path / "lan_luot")
    )
    assert len(side) > 8  # the annexes, the returns and the workbooks of the whole run
    assert side == serial


def test_the_first_runs_annex_carries_the_ids_the_registry_stores(tmp_path):
    root = build_province(tmp_path / "tinh")
    run = Office.open(root).consolidate()
    run.publish()
    annex = calamine.CalamineWorkbook.from_path(str(run.outputs["phu_luc_1"]))
    hidden = annex.get_sheet_by_name("_dvk").to_python()
    written = {int(row[5]) for row in hidden[1:] if row[5] != ""}
    with sqlite3.connect(root / "dvk.sqlite") as conn:
        stored = {i for (i,) in conn.execute("SELECT model_id FROM registrations")}
    assert written == stored
    assert len(stored) == len(run.result.registrations)


def test_a_fingerprint_is_of_values_not_of_which_values_are_one_object():
    word = "Dân vận khéo"
    shared = [word, word]
    apart = [word, "".join(["Dân vận", " khéo"])]  # equal, but another string object
    assert apart[0] is not apart[1]
    assert fingerprint("phu_luc_1", shared) == fingerprint("phu_luc_1", apart)
    assert fingerprint("phu_luc_1", shared) != fingerprint("phu_luc_1", [word, word + "."])
    assert fingerprint("phu_luc_1", [1]) != fingerprint("phu_luc_1", [1.0])  # types count


def test_a_kept_output_is_left_where_it_is(workspace):
    """Kept outputs are linked, not copied, and publishing does not move them: the outbox
    file is the same file on disk (a person's shortcut to it still works)."""
    outbox = workspace / "outbox"
    before = {p: p.stat().st_ino for p in outbox.rglob("*.xlsx")}
    result = publish(workspace)
    assert result.outputs_kept == 2 + 2 * 3
    kept = [p for p in outbox.rglob(ANNEXES) if p.stat().st_ino == before.get(p)]
    assert len(kept) == 2 + 2 * 3


def test_without_hard_links_a_kept_output_is_copied(workspace, monkeypatch):
    def no_links(*_args):
        raise OSError("this disk has no hard links")

    monkeypatch.setattr("pipeline.report.reuse.os.link", no_links)
    before = annexes(workspace)
    result = publish(workspace)
    assert result.outputs_kept == 2 + 2 * 3
    assert annexes(workspace) == before


@pytest.mark.parametrize("module", ["vocab.py", "forms.py", "report/phu_luc.py"])
def test_the_code_an_output_is_kept_for_covers_the_declared_tables(tmp_path, module):
    """A field's label (vocab) or a form's column (forms) changed by a new version of the tool
    changes what an annex says from the same rows: its outputs are written again."""
    package = tmp_path / "pipeline"
    shutil.copytree(Path(pipeline.__file__).parent, package)
    before = code_digest(package)
    with (package / module).open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    assert code_digest(package) != before


def test_a_shared_part_is_made_once_for_the_same_inputs_and_never_read_damaged(tmp_path):
    earlier = Earlier.load(tmp_path / "outbox", tmp_path / "cache" / "ket_qua.json")
    made = []

    def make(data: bytes):
        return lambda: made.append(data) or data

    assert earlier.part("mau_trong", "a1", make(b"first")) == b"first"
    assert earlier.part("mau_trong", "a1", make(b"again")) == b"first"
    assert earlier.part("mau_trong", "b2", make(b"second")) == b"second"  # new settings
    assert earlier.part("mau_trong", "a1", make(b"third")) == b"third"  # only the latest kept
    (kept,) = (tmp_path / "cache" / PARTS_FOLDER).iterdir()
    kept.write_bytes(kept.read_bytes()[:-1])  # a disk fault, a hand that edited it
    assert earlier.part("mau_trong", "a1", make(b"fourth")) == b"fourth"
    assert made == [b"first", b"second", b"third", b"fourth"]


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["x001", "x002", ""]),
            st.none() | st.text(max_size=3),
            st.none() | st.integers(-3, 3),  # a missing number is pd.NA: marshal cannot write it
            st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 3)),
        ),
        max_size=12,
    ),
    picked=st.sets(st.integers(0, 11)),
)
def test_a_node_s_fingerprint_is_that_of_its_own_rows(rows, picked):
    """A node's annex is fingerprinted from the rows of the whole frame at its positions:
    the same as from its own rows, and apart from any other choice of rows."""
    frame = pd.DataFrame(rows, columns=["unit_code", "name", "number", "day"])
    frame["number"] = frame["number"].astype("Int64")
    frame["day"] = pd.to_datetime(frame["day"])
    where = sorted(i for i in picked if i < len(rows))
    mine = frame.iloc[where]
    by_place = _Annex("phu_luc_1", Path("a.xlsx"), frame, None, None, where)
    alone = _Annex("phu_luc_1", Path("a.xlsx"), mine.reset_index(drop=True), None, None)
    assert by_place.inputs(_columns(frame)) == alone.inputs(_columns(alone.rows))
    others = [i for i in range(len(rows)) if i not in where]
    if others and _shown(frame.iloc[others]) != _shown(mine):
        other = _Annex("phu_luc_1", Path("a.xlsx"), frame, None, None, others)
        assert other.inputs(_columns(frame)) != by_place.inputs(_columns(frame))
    # Its task carries its own rows, not the frame's (a writer process is sent them), and the
    # fingerprint did not take them out of the frame.
    assert "rows" not in vars(by_place)
    written = by_place.task().write.__self__
    assert written.positions is None
    assert _shown(written.frame) == _shown(mine)


def _shown(rows: pd.DataFrame) -> list[tuple]:
    """Rows as comparable values: pd.NA and NaT cannot be compared with ==."""
    return [tuple(map(repr, row)) for row in rows.itertuples(index=False)]
