"""A run killed at any moment (issue 12): a person's answers are kept, in the review workbook or
in the registry; no output is half-written; the next run repairs the archive and finishes."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import python_calamine as calamine
from openpyxl import load_workbook

from pipeline import forms
from pipeline.ingest.decisions import read_decisions
from tests.helpers import dvk

KILL_AFTER = (0.3, 0.7, 1.0, 1.3, 1.6, 2.0)  # seconds: starting, reading, writing, publishing


def _answered(workspace: Path, review: Path) -> bool:
    """Whether the person's "Có" survives: in the workbook, or stored in the registry."""
    if review.exists():
        found, _ = read_decisions(review)
        if any(d is not None and d.is_old for d in found.values()):
            return True
    conn = sqlite3.connect(workspace / "dvk.sqlite")
    try:
        stored = conn.execute("SELECT count(*) FROM decisions WHERE is_old = 1").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    return stored == 1


def _whole(outbox: Path) -> None:
    for path in outbox.rglob("*.xlsx"):
        calamine.CalamineWorkbook.from_path(str(path))  # raises on a half-written file


def test_a_run_killed_at_any_moment_loses_nothing(sample_workspace):
    ws = sample_workspace
    last_year = sorted(str(p) for p in (ws / "nam_truoc").glob("*.xlsx"))
    assert dvk("history", "import", *last_year, "--year", "2025", "-w", str(ws)).returncode == 0
    dvk("consolidate", "-w", str(ws))
    review = ws / "outbox" / "2026" / "Can_xem_xet_2026.xlsx"
    book = load_workbook(review)
    sheet = book[forms.REVIEW_SHEET]
    header = [c.value for c in sheet[4]]
    sheet.cell(5, header.index(forms.REVIEW_ANSWER) + 1, "Có")
    book.save(review)
    copy = next(p for p in (ws / "luu_tru").rglob("*.xlsx"))
    good = hashlib.sha256(copy.read_bytes()).hexdigest()
    copy.write_bytes(copy.read_bytes()[:100])  # a half copy an older crash left
    for delay in KILL_AFTER:
        run = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "consolidate", "-w", str(ws)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its readers too
        )
        time.sleep(delay)
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        assert _answered(ws, review), delay
        _whole(ws / "outbox")
    final = dvk("consolidate", "-w", str(ws))
    assert final.returncode == 1, final.stderr
    assert _answered(ws, review)
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == good  # repaired
    _whole(ws / "outbox")
