"""`make bench`: a province's quarter end, measured against the naive read and the floor.

On the same generated files (bench.province), in the same run, each the median of --repeat:

- the naive peer: `pd.read_excel(engine="openpyxl")` on every sheet of every workbook;
- the floor: python-calamine reading every cell;
- a full `dvk consolidate` in a fresh process (read, check, link, score, write, registry): wall
  time, files per second, peak memory, and each stage's own seconds;
- the same run again with nothing new, and after one late file arrives;
- linking alone, at a tenth of the size and at full size, and against every pair.

`python -m bench.run --files 5000` (about 12 minutes on 2 cores); CI runs `--files 200 --repeat 1`
as a smoke test. The generated workspace is kept in bench/.data/ and reused.
"""

from __future__ import annotations

import argparse
import email
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import python_calamine as calamine

from bench.linking import link_times
from bench.province import HISTORY_FILE, LATE_FOLDER, build_province

DATA = Path(__file__).parent / ".data"
GENERATOR_VERSION = 3  # bump when bench.province changes what it writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = prepared(args.files)
    payloads = workbooks(base / "inbox")
    distinct(payloads)
    rows = [("naive read (pandas + openpyxl)", median(args.repeat, lambda: naive(payloads)))]
    rows.append(("floor (calamine, every cell)", median(args.repeat, lambda: floor(payloads))))
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            ws = Path(tmp) / f"ws{i}"
            shutil.copytree(base, ws)
            runs.append(consolidate_in_child(ws))
        again = consolidate_in_child(ws)
        late = next((base / LATE_FOLDER).iterdir())
        shutil.copy(late, ws / "inbox" / late.name)
        one_more = consolidate_in_child(ws)
    full = statistics.median(r["wall"] for r in runs)
    report(args.files, len(payloads), rows, runs, full, again, one_more)
    link_scaling(args.files)


def prepared(n_files: int) -> Path:
    """The generated workspace with last year imported, made once per size and kept."""
    base = DATA / f"province-{n_files}-v{GENERATOR_VERSION}"
    if not (base / "dvk.sqlite").exists():
        shutil.rmtree(base, ignore_errors=True)
        print(f"Tạo {n_files} tệp mẫu trong {base} …", flush=True)
        build_province(base, n_files)
        dvk = [sys.executable, "-m", "pipeline", "history", "import"]
        subprocess.run(
            [
                *dvk,
                str(base / "nam_truoc" / HISTORY_FILE),
                "--year",
                "2025",
                "--workspace",
                str(base),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return base


def workbooks(inbox: Path) -> list[bytes]:
    """Every workbook the inbox holds, attachments taken out of their e-mails."""
    found = []
    for path in sorted(inbox.iterdir()):
        if path.suffix == ".eml":
            message = email.message_from_bytes(path.read_bytes())
            found += [p.get_payload(decode=True) for p in message.walk() if p.get_filename()]
        else:
            found.append(path.read_bytes())
    return found


def distinct(payloads: list[bytes]) -> None:
    """Stop unless every generated workbook differs: copies would be read as duplicates, and
    the run would time a province a third of its size (it did, once the generator's
    placeholders stopped matching what openpyxl writes)."""
    copies = len(payloads) - len(set(payloads))
    if copies:
        raise SystemExit(f"the generator wrote {copies} workbooks that are copies of others")


def naive(payloads: list[bytes]) -> None:
    for data in payloads:
        pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl")


def floor(payloads: list[bytes]) -> None:
    for data in payloads:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()


def median(repeat: int, action) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def consolidate_in_child(ws: Path) -> dict:
    """One `dvk consolidate` in a fresh process, as a user starts it: wall, peak RSS, stages."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "bench.child", str(ws)], stdout=subprocess.PIPE)
    out = child.stdout.read()
    peak = None
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / 1024  # KiB on Linux
    else:
        child.wait()
    if child.returncode != 0:
        raise SystemExit(f"the measured run failed ({child.returncode})")
    return json.loads(out) | {"wall": time.perf_counter() - start, "peak_mb": peak}


def report(n_files, n_books, rows, runs, full, again, one_more) -> None:
    naive_s = rows[0][1]
    peak = max((r["peak_mb"] or 0) for r in runs)
    print(
        f"\n{n_files} unit forms ({n_books} workbooks), {runs[0]['models']} models registered; "
        f"{os.cpu_count()} cores; median of {len(runs)}\n"
    )
    print(f"{'':44}{'seconds':>9}{'× naive':>9}{'files/s':>9}")
    table = [*rows, ("dvk consolidate, full (fresh process)", full)]
    table += [
        ("  re-run, nothing new", again["wall"]),
        ("  re-run, one late file", one_more["wall"]),
    ]
    for label, seconds in table:
        print(f"{label:44}{seconds:9.2f}{seconds / naive_s:9.2f}{n_books / seconds:9.0f}")
    print(
        f"\nfull run / floor: {full / rows[1][1]:.1f}×;  one late file / full: "
        f"{one_more['wall'] / full:.0%};  peak RSS {peak:.0f} MB\n"
    )
    stages = {
        k: statistics.median(r["timings"].get(k, 0) for r in runs) for k in runs[0]["timings"]
    }
    print("stages of the full run (median seconds):")
    for key, seconds in stages.items():
        print(f"  {key:30}{seconds:8.2f}")
    print("stages of the re-run after one late file:")
    for key, seconds in one_more["timings"].items():
        print(f"  {key:30}{seconds:8.2f}")


def link_scaling(n_files: int) -> None:
    """Linking alone: n models against n of last year, at a tenth and at full size."""
    small = link_times(max(1, n_files // 10), every_pair=n_files <= 1000)
    big = link_times(n_files)
    print(
        f"\nlinking {big['models']} models to {big['models']} of last year: {big['blocked']:.2f} s"
        f"; {small['models']}: {small['blocked']:.2f} s; "
        f"ratio {big['blocked'] / small['blocked']:.1f}× for 10× the models"
    )
    if "every_pair" in small:
        print(
            f"every pair, {small['models']} models: {small['every_pair']:.2f} s "
            f"({small['every_pair'] / small['blocked']:.0f}× blocked by unit)"
        )


if __name__ == "__main__":
    main()
