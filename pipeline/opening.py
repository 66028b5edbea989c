"""Show finished files to a person: in Excel when it is there, else the system's own viewer.

xlwings is an optional extra (`pip install ".[excel]"`) and is imported only here, only when
asked. Opening never fails a run: if nothing can open the files, the caller says where they are.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


class CannotOpen(Exception):
    "This way of opening files does not work on this machine (message in Vietnamese)"


def with_excel(paths: Sequence[Path]) -> None:
    """Each file in Excel, through xlwings (an Excel already open is reused)."""
    if sys.platform not in ("win32", "darwin"):
        raise CannotOpen("Excel chỉ có trên Windows và macOS.")
    try:
        import xlwings as xw  # optional extra: pip install ".[excel]"
    except ImportError:
        raise CannotOpen('chưa cài xlwings (py -m pip install "dvk-pipeline[excel]").') from None
    try:
        for path in paths:
            xw.Book(str(path))
    except Exception as e:  # no Excel (WPS, LibreOffice only), or Excel refused: COM's own error
        raise CannotOpen(f"không điều khiển được Excel ({type(e).__name__}).") from e


def with_system(paths: Sequence[Path]) -> None:
    """Each file in the application the system opens it with (Excel, WPS, LibreOffice…)."""
    try:
        for path in paths:
            if sys.platform == "win32":
                os.startfile(path)  # type: ignore[attr-defined]
            else:
                _run_opener("open" if sys.platform == "darwin" else "xdg-open", path)
    except OSError as e:
        raise CannotOpen(f"hệ điều hành không mở được tệp ({e.strerror or e}).") from e


def _run_opener(command: str, path: Path) -> None:
    if not shutil.which(command):
        raise CannotOpen(f"máy không có lệnh {command}.")
    try:
        done = subprocess.run([command, str(path)], capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return  # an opener that waits for its window: the file is being shown
    if done.returncode:
        raise CannotOpen(f"{command} không tìm được chương trình mở tệp .xlsx.")


OPENERS: tuple[tuple[str, Callable[[Sequence[Path]], None]], ...] = (
    ("Excel", with_excel),
    ("ứng dụng mặc định của máy", with_system),
)


def open_files(paths: Sequence[Path], openers=None) -> tuple[str, list[str]]:
    """Try each opener in turn: (the one that worked or "", why each one before it did not)."""
    failures = []
    for name, opener in openers if openers is not None else OPENERS:
        try:
            opener(paths)
        except CannotOpen as e:
            failures.append(f"{name}: {e}")
            continue
        return name, failures
    return "", failures
