"""The unit form the office sends out: instructions, "Đăng ký" and "Kết quả", a hidden sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline import forms
from pipeline.config import Config
from pipeline.report.layout import write_meta_sheet
from pipeline.report.styles import (
    THIN,
    box_range,
    font,
    merge,
    put,
    set_print_setup,
)

UNLOCKED = Protection(locked=False)
INPUT_FONT = font()
INPUT_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
DATE_FORMAT = "dd/mm/yyyy"
INSTRUCTIONS_WIDTH = 85


def template_path(folder: Path, year: int) -> Path:
    return folder / forms.TEMPLATE_FILENAME.format(year=year)


def write_template(path: Path | BinaryIO, cfg: Config) -> None:
    """The unit form, to a file (its folder made) or to a stream (a letter's attachment)."""
    wb = Workbook()
    _instructions(wb.active, cfg)
    lists = _meta_sheet(wb, cfg.year, choice_labels(cfg))
    for spec in forms.SHEETS:
        _form_sheet(wb.create_sheet(spec.name), spec, cfg, lists)
    wb.move_sheet(forms.META_SHEET, offset=len(wb.sheetnames) - 2)  # hidden sheet goes last
    wb.active = 1  # open on "Đăng ký", where the unit starts typing
    # No renaming, deleting or unhiding sheets: the reader finds the form by its sheets.
    wb.security = WorkbookProtection(lockStructure=True)
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _deadline(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "theo kế hoạch"


def _instructions(ws, cfg: Config) -> None:
    ws.title = forms.INSTRUCTIONS_SHEET
    # The width of a portrait A4 page inside the margins: wider, and a centred print loses
    # the start of every line (LibreOffice cuts it on the left); long lines wrap instead.
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    put(ws, 1, 1, cfg.office_name, bold=True)
    values = {
        "year": cfg.year,
        "registration_deadline": _deadline(cfg.registration_deadline),
        "results_deadline": _deadline(cfg.results_deadline),
    }
    for row, line in enumerate(forms.INSTRUCTIONS, start=3):
        put(ws, row, 1, line.format(**values), bold=row == 3, size=14 if row == 3 else 12)
    ws.protection.sheet = True
    set_print_setup(ws, None, landscape=False)


def choice_labels(cfg: Config) -> dict[str, list[str]]:
    """Each dropdown's entries: the closed lists, and for "Cấp đăng ký" the office's own
    ladder of levels from dvk.toml (a two-level office offers only its two)."""
    lists = {name: list(labels.values()) for name, (labels, _) in forms.CHOICE_LISTS.items()}
    return lists | {"level": list(cfg.ladder)}


def _meta_sheet(wb: Workbook, year: int, lists: dict[str, list[str]]) -> dict[str, str]:
    """Hidden sheet: what the reader checks (id, version, year) and the dropdown lists."""
    pairs = (("template", forms.TEMPLATE_ID), ("version", forms.TEMPLATE_VERSION), ("year", year))
    ws = write_meta_sheet(wb, pairs, protect=True)
    return {
        name: add_list(wb, ws, col, name, labels)
        for col, (name, labels) in enumerate(lists.items(), start=4)
    }


def add_list(wb: Workbook, ws, col: int, name: str, labels: list[str]) -> str:
    """A dropdown's entries in a column of the hidden sheet, under a defined name: Excel 2007
    refuses a list taken straight from another sheet, and an inline list "a,b" splits an
    entry that holds a comma ("Thôn, bản, tổ dân phố")."""
    list_name = f"ds_{name}"
    ws.cell(1, col, name)
    for row, label in enumerate(labels, start=2):
        ws.cell(row, col, label)
    letter = get_column_letter(col)
    wb.defined_names[list_name] = DefinedName(
        list_name, attr_text=f"'{ws.title}'!${letter}$2:${letter}${len(labels) + 1}"
    )
    return list_name


def _form_sheet(ws, spec: forms.SheetSpec, cfg: Config, lists: dict[str, str]) -> None:
    last = len(spec.columns)
    put(ws, 1, 1, spec.title.format(year=cfg.year), bold=True, size=14, align="center")
    merge(ws, 1, 1, last)
    hint = (
        f"(Mỗi mô hình một dòng, bắt đầu từ dòng {spec.first_data_row}; các cột có danh sách "
        "thả xuống thì chọn)"
    )
    put(ws, 2, 1, hint, italic=True, align="center")
    merge(ws, 2, 1, last)
    put(ws, 3, 1, spec.unit_label, bold=True, wrap=False)
    merge(ws, 3, 1, 2)
    unit = ws[spec.unit_cell]
    put(ws, unit.row, unit.column, None, bold=True)
    merge(ws, unit.row, unit.column, unit.column + 3)
    for col in range(unit.column, unit.column + 4):
        ws.cell(unit.row, col).protection = UNLOCKED
        ws.cell(unit.row, col).border = Border(bottom=THIN)
    for col, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
        put(ws, spec.header_row, col, column.header, bold=True, align="center", border=True)
        put(ws, spec.header_row + 1, col, f"({col})", italic=True, align="center", border=True)
    ws.row_dimensions[spec.header_row].height = 48
    _input_area(ws, spec, lists, cfg.year)
    ws.freeze_panes = ws.cell(spec.first_data_row, 3)
    # Units may resize rows and columns, but not restructure the form the reader relies on.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    set_print_setup(ws, f"{spec.header_row}:{spec.header_row + 1}")


def _input_area(ws, spec: forms.SheetSpec, lists: dict[str, str], year: int) -> None:
    first, last_row = spec.first_data_row, spec.last_data_row
    box_range(ws, first, last_row, 1, len(spec.columns))
    for col, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(col)
        for row in range(first, last_row + 1):
            cell = ws.cell(row, col)
            cell.protection = UNLOCKED
            cell.font = INPUT_FONT
            cell.alignment = INPUT_ALIGNMENT
            if column.kind == "date":
                cell.number_format = DATE_FORMAT
        validation = _validation(column, lists, year)
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"{letter}{first}:{letter}{last_row}")


def _validation(column: forms.Column, lists: dict[str, str], year: int) -> DataValidation | None:
    if column.kind == "choice":
        rule = DataValidation(type="list", formula1=lists[column.choices], allow_blank=True)
        rule.error = "Hãy chọn một giá trị trong danh sách thả xuống."
    elif column.kind == "count":
        rule = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="1", allow_blank=True
        )
        rule.error = "Số lượng là số nguyên từ 1 trở lên."
    elif column.kind == "date":
        rule = DataValidation(
            type="date",
            operator="between",
            formula1="DATE(2000,1,1)",
            formula2="DATE(2100,12,31)",
            allow_blank=True,
        )
        rule.error = f"Ghi ngày dạng ngày/tháng/năm, ví dụ 15/3/{year}."
    elif column.max_len < 1000:
        rule = DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(column.max_len),
            allow_blank=True,
        )
        rule.error = f"Nội dung tối đa {column.max_len} ký tự."
    else:
        return None
    rule.errorTitle = column.header
    rule.showErrorMessage = True
    return rule


def fill_template(template: Path, path: Path, unit: str, sheets: dict[str, list[dict]]) -> None:
    """Fill a copy of the template as a unit would: the unit name, then one row per model.

    `sheets` maps a sheet name to rows keyed by column key, with values as typed or chosen.
    Offices can use it to pre-fill last year's models; the tests and the sample use it too.
    """
    wb = load_workbook(template)
    for spec in forms.SHEETS:
        ws = wb[spec.name]
        ws[spec.unit_cell] = unit
        for offset, values in enumerate(sheets.get(spec.name, [])):
            for col, column in enumerate(spec.columns, start=1):
                value = values.get(column.key, offset + 1 if column.key == "stt" else None)
                cell = ws.cell(spec.first_data_row + offset, col, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
