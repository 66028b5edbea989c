"""A template written where it belongs, unless someone filled in the one already there."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook


def write_keeping_filled(path: Path, write: Callable[[Path], None]) -> tuple[Path, bool]:
    """Write a template where it belongs unless someone has filled the one already there.

    The fresh workbook is written beside it first. The old one was filled in when one of its
    input cells (the cells left unlocked for people to type in) holds a value the fresh one
    does not have at that place; an empty input cell may be a row the fresh one pre-fills, and
    headings or deadlines the office changed in dvk.toml are not input. Then the old one is
    kept and the fresh one gets a new name, "…_moi.xlsx". Returns where the fresh one is and
    whether it replaced the old.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_stem(f"{path.stem}_dang_tao")
    write(fresh)
    if not path.exists() or not _filled_in(path, fresh):
        os.replace(fresh, path)
        return path, True
    target = path.with_stem(f"{path.stem}_moi")
    n = 1
    while target.exists() and _filled_in(target, fresh):
        n += 1
        target = path.with_stem(f"{path.stem}_moi_{n}")
    os.replace(fresh, target)
    return target, False


def _filled_in(old: Path, fresh: Path) -> bool:
    try:
        before, after = load_workbook(old), load_workbook(fresh)
    except Exception:  # unreadable: not ours to overwrite
        return True
    for ws in before.worksheets:
        theirs = after[ws.title] if ws.title in after.sheetnames else None
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in (None, "") or cell.protection.locked:
                    continue
                if theirs is None or theirs[cell.coordinate].value != cell.value:
                    return True
    return False
