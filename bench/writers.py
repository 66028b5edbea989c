"""Which library writes a large annex faster, with the same look: `python -m bench.writers [ROWS]`.

The annex's body as Phụ lục 1 lays it out (9 columns, every cell bordered and wrapped, unit rows
bold, a height per row), written by openpyxl as the writers do (one style per look, copied onto
each cell) and by XlsxWriter with one Format per look, on the same rows in the same run.
"""

from __future__ import annotations

import io
import sys
import time

import xlsxwriter
from openpyxl import Workbook

from pipeline.report.styles import FONT_NAME, put


def rows(n: int) -> list[tuple]:
    return [
        ("-" if i % 10 else i // 10 + 1, f"Tuyến đường hoa thôn {i} xã Hòa An", 1,
         f"Thôn {i}", "Chi bộ", "Xây dựng nông thôn mới", f"{i} hộ", "X", "")
        for i in range(n)
    ]  # fmt: skip


def with_openpyxl(data: list[tuple]) -> None:
    wb = Workbook()
    ws = wb.active
    for r, row in enumerate(data, start=7):
        bold = row[0] != "-"
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value, bold=bold, border=True)
        ws.row_dimensions[r].height = 21
    wb.save(io.BytesIO())


def with_xlsxwriter(data: list[tuple]) -> None:
    wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    ws = wb.add_worksheet()
    look = {"font_name": FONT_NAME, "font_size": 12, "border": 1, "text_wrap": True,
            "valign": "vcenter"}  # fmt: skip
    plain, bold = wb.add_format(look), wb.add_format(look | {"bold": True})
    for r, row in enumerate(data, start=6):
        ws.set_row(r, 21)
        ws.write_row(r, 0, row, bold if row[0] != "-" else plain)
    wb.close()


def main(n: int = 20_000) -> None:
    data = rows(n)
    timings = {}
    for name, write in (("openpyxl", with_openpyxl), ("xlsxwriter", with_xlsxwriter)):
        start = time.perf_counter()
        write(data)
        timings[name] = time.perf_counter() - start
    print(f"{n} annex rows: openpyxl {timings['openpyxl']:.2f} s, "
          f"XlsxWriter {timings['xlsxwriter']:.2f} s "
          f"({timings['openpyxl'] / timings['xlsxwriter']:.1f}× faster)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
