"""The roster the office fills once: its units, their kinds, parents, quotas and e-mails."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline import forms, vocab
from pipeline.config import Config
from pipeline.report.styles import (
    box_range,
    merge,
    put,
    set_print_setup,
)
from pipeline.report.template import INPUT_ALIGNMENT, INPUT_FONT, add_list

LISTS_SHEET = "_danh_sach"  # hidden: the dropdown's entries, one per cell


def write_roster_template(path: Path, cfg: Config) -> None:
    """The roster the office fills once: code, name, kind, parent, quota, e-mail, former names."""
    wb = Workbook()
    ws = wb.active
    ws.title = forms.ROSTER_SHEET
    columns = forms.ROSTER_COLUMNS
    last = len(columns)
    put(ws, 1, 1, f"DANH MỤC ĐƠN VỊ CỦA {cfg.office_name.upper()}", bold=True, size=14)
    merge(ws, 1, 1, last)
    hint = (
        "(Mỗi đơn vị một dòng. Đơn vị có đơn vị trực thuộc (xã, đảng bộ…) thì các đơn vị đó ghi "
        "mã của nó ở cột “Mã đơn vị cấp trên”. Chỉ tiêu để trống thì theo loại đơn vị trong "
        "dvk.toml.)"
    )
    put(ws, 2, 1, hint, italic=True)
    merge(ws, 2, 1, last)
    ws.row_dimensions[2].height = 33
    header, first = forms.ROSTER_HEADER_ROW, forms.ROSTER_FIRST_ROW
    for col, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
        put(ws, header, col, column.header, bold=True, align="center", border=True)
    ws.row_dimensions[header].height = 48
    last_row = first + forms.ROSTER_INPUT_ROWS - 1
    box_range(ws, first, last_row, 1, last)
    for row in ws.iter_rows(min_row=first, max_row=last_row, max_col=last):
        for cell in row:
            cell.font = INPUT_FONT
            cell.alignment = INPUT_ALIGNMENT
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    kinds_list = add_list(wb, lists, 1, "unit_kind", list(vocab.UNIT_KINDS.values()))
    kinds = DataValidation(type="list", formula1=kinds_list, allow_blank=True)
    kinds.error, kinds.errorTitle = "Chọn loại đơn vị trong danh sách.", "Loại đơn vị"
    quota = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    quota.error, quota.errorTitle = "Chỉ tiêu là số nguyên từ 0 trở lên.", "Chỉ tiêu"
    for rule, key in ((kinds, "kind"), (quota, "quota")):
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        letter = get_column_letter([c.key for c in columns].index(key) + 1)
        rule.add(f"{letter}{first}:{letter}{last_row}")
    ws.freeze_panes = ws.cell(first, 3)
    set_print_setup(ws, f"{header}:{header}")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
