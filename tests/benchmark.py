"""Benchmarks against the naive way, measured in the same run: reading N unit files (our reader
vs pandas+openpyxl), and linking models across years (blocked by unit vs every pair).

Run `make bench` (or `python -m tests.benchmark 300`). The ratios are what to quote, not the
seconds.
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
from pipeline.link import compare_names, link_models
from pipeline.registry import load_history, open_registry, record_year
from pipeline.report import write_outputs
from tests.helpers import SAMPLE


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
    bench_linking()


def models(units: int, per_unit: int, year: int) -> pd.DataFrame:
    """Published-style names, each unit with its own; next year's are retyped."""
    from tests.fixtures.build_linking_set import pairs

    names = sorted({old for old, _, same, _ in pairs() if same})
    rows = []
    for u in range(units):
        for m in range(per_unit):
            name = names[(u * per_unit + m) % len(names)]
            rows.append((f"Chi bộ thôn {u}", f"Mô hình “{name}”" if year > 2025 else name))
    frame = pd.DataFrame(rows, columns=["unit", "name"])
    frame["model_id"] = range(len(frame))
    return frame


def bench_linking(units: int = 100, per_unit: int = 10) -> None:
    earlier, current = models(units, per_unit, 2025), models(units, per_unit, 2026)
    blocked = timed(lambda: link_models(current, earlier))

    def every_pair():  # the naive way: each model against every earlier model, then same unit
        for unit, name in zip(current["unit"], current["name"], strict=True):
            scores = [
                (compare_names(name, old).score, old_unit == unit)
                for old_unit, old in zip(earlier["unit"], earlier["name"], strict=True)
            ]
            max((s for s, same in scores if same), default=0)

    naive = timed(every_pair)
    n = len(current)
    with tempfile.TemporaryDirectory() as tmp:
        conn = open_registry(Path(tmp) / "dvk.sqlite")
        rows = current.assign(status="MOI", model_id=None)
        recorded = timed(
            lambda: record_year(conn, 2026, "tong_hop", registrations=rows, results=None)
        )
        loaded = timed(lambda: load_history(conn, 2027))
    print(f"registry: record {n} models {recorded:.2f} s, load them as history {loaded:.2f} s")
    print(f"link {n} models to {n} of last year, every pair: {naive:6.2f} s")
    print(f"link {n} models to {n} of last year, by unit:    {blocked:6.2f} s")
    print(f"ratio every pair/by unit:    {naive / blocked:6.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
