"""Open finished workbooks in Excel on Windows or macOS; xlwings is imported only when asked."""

from __future__ import annotations

import os
import sys
from pathlib import Path


class ExcelUnavailable(Exception):
    "Excel cannot be driven on this machine (message in Vietnamese)"


def open_in_excel(paths: list[Path]) -> None:
    if sys.platform not in ("win32", "darwin"):
        raise ExcelUnavailable("Chỉ mở tự động được bằng Excel trên Windows hoặc macOS.")
    try:
        import xlwings as xw  # optional extra: pip install ".[excel]"
    except ImportError:
        if sys.platform == "win32":  # without xlwings, let Windows open them with Excel
            for path in paths:
                os.startfile(path)  # type: ignore[attr-defined]
            return
        raise ExcelUnavailable('Chưa cài xlwings: py -m pip install ".[excel]"') from None
    for path in paths:
        xw.Book(str(path))
