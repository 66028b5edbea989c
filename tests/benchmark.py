"""Benchmark: read an inbox of N unit files with our reader vs the naive pandas+openpyxl read.

Run `make bench` (or `python -m tests.benchmark 300`). Both ways read the same files in the same
run, so the ratio is what to quote, not the seconds.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from pipeline.config import load_config
from pipeline.consolidate import consolidate
from pipeline.ingest import arrivals_of, find_inbox_files, read_workbook
from pipeline.report import write_outputs
from tests.conftest import SAMPLE


def make_inbox(folder: Path, n_files: int) -> Path:
    sources = [
        p
        for p in find_inbox_files(SAMPLE / "inbox")
        if p.suffix == ".xlsx" and "danh_sach" not in p.name
    ]
    inbox = folder / "inbox"
    inbox.mkdir()
    for i in range(n_files):
        shutil.copy(sources[i % len(sources)], inbox / f"{i:04d}_{sources[i % len(sources)].name}")
    return inbox


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(n_files: int = 300) -> None:
    cfg = load_config(SAMPLE / "dvk.toml")
    with tempfile.TemporaryDirectory() as tmp:
        inbox = make_inbox(Path(tmp), n_files)
        files = find_inbox_files(inbox)
        naive = timed(lambda: [pd.read_excel(p, sheet_name=None, engine="openpyxl") for p in files])
        ours = timed(
            lambda: [read_workbook(a, cfg.year) for p in files for a in arrivals_of(p, inbox)]
        )
        result = None

        def run():
            nonlocal result
            result = consolidate(inbox, cfg.year)

        whole = timed(run)
        write = timed(lambda: write_outputs(result, cfg, Path(tmp) / "outbox"))
    print(
        f"{n_files} files (copies of the sample units: a repeated model counts once), "
        f"{len(result.registrations)} registrations accepted"
    )
    print(f"read, naive pandas+openpyxl: {naive:6.2f} s  ({n_files / naive:7.0f} files/s)")
    print(f"read, pipeline (calamine):   {ours:6.2f} s  ({n_files / ours:7.0f} files/s)")
    print(f"ratio naive/pipeline:        {naive / ours:6.1f}x")
    print(f"whole consolidate (read, normalize, validate, link): {whole:.2f} s")
    print(f"write Phụ lục 1, Phụ lục 4 and intake: {write:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
