"""The workbooks offices send out: the unit form (Đăng ký, Kết quả) and the scoring sheet."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline import forms, vocab
from pipeline.config import Config
from pipeline.report.layout import write_meta_sheet
from pipeline.report.styles import (
    THIN,
    box_range,
    font,
    merge,
    put,
    set_print_setup,
    wrapped_height,
)
from pipeline.rules import ScoreSheet, ScoringRules, fmt

UNLOCKED = Protection(locked=False)
INPUT_FONT = font()
INPUT_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
DATE_FORMAT = "dd/mm/yyyy"


def template_path(folder: Path, year: int) -> Path:
    return folder / forms.TEMPLATE_FILENAME.format(year=year)


def write_template(path: Path, cfg: Config) -> None:
    wb = Workbook()
    _instructions(wb.active, cfg)
    lists = _meta_sheet(wb, cfg.year)
    for spec in forms.SHEETS:
        _form_sheet(wb.create_sheet(spec.name), spec, cfg, lists)
    wb.move_sheet(forms.META_SHEET, offset=len(wb.sheetnames) - 2)  # hidden sheet goes last
    wb.active = 1  # open on "Đăng ký", where the unit starts typing
    # No renaming, deleting or unhiding sheets: the reader finds the form by its sheets.
    wb.security = WorkbookProtection(lockStructure=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _deadline(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "theo kế hoạch"


def _instructions(ws, cfg: Config) -> None:
    ws.title = forms.INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 110
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


def _meta_sheet(wb: Workbook, year: int) -> dict[str, str]:
    """Hidden sheet: what the reader checks (id, version, year) and the dropdown lists."""
    pairs = (("template", forms.TEMPLATE_ID), ("version", forms.TEMPLATE_VERSION), ("year", year))
    ws = write_meta_sheet(wb, pairs, protect=True)
    ranges = {}
    for col, (name, (labels, _)) in enumerate(forms.CHOICE_LISTS.items(), start=4):
        ws.cell(1, col, name)
        for row, label in enumerate(labels.values(), start=2):
            ws.cell(row, col, label)
        letter = get_column_letter(col)
        # A defined name, because Excel 2007 refuses a list taken straight from another sheet.
        list_name = f"ds_{name}"
        wb.defined_names[list_name] = DefinedName(
            list_name, attr_text=f"'{forms.META_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
        )
        ranges[name] = list_name
    return ranges


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
    from openpyxl import load_workbook

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


def score_template_path(folder: Path, year: int) -> Path:
    return folder / forms.SCORE_TEMPLATE_FILENAME.format(year=year)


def write_score_template(
    path: Path, cfg: Config, rules: ScoringRules, models: pd.DataFrame | None = None
) -> None:
    """The appraisal team's workbook: the criteria to read, and one row per model to score.

    `models` (unit, name, subject) pre-fills the rows with this year's registered models.
    """
    sheet = rules.sheet
    wb = Workbook()
    _criteria_sheet(wb.active, cfg, sheet)
    ws = wb.create_sheet(forms.SCORE_SHEET)
    pairs = (
        ("template", forms.SCORE_TEMPLATE_ID),
        ("version", forms.TEMPLATE_VERSION),
        ("year", cfg.year),
        ("criteria", sheet.signature),
    )
    write_meta_sheet(wb, pairs, protect=True)
    _score_sheet(ws, cfg, rules, models)
    wb.active = 1
    wb.security = WorkbookProtection(lockStructure=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _criteria_sheet(ws, cfg: Config, sheet: ScoreSheet) -> None:
    """The seed's vertical sheet, to read while scoring: criteria, maxima, the pass rule."""
    ws.title = "Tiêu chí"
    widths = (8, 90, 12)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    put(ws, 1, 1, cfg.office_name, bold=True, wrap=False)
    put(ws, 2, 1, f"{sheet.title} NĂM {cfg.year}", bold=True, size=14, align="center")
    merge(ws, 2, 1, 3)
    row = 4
    for col, header in enumerate(("STT", "Tiêu chí", "Điểm tối đa"), start=1):
        put(ws, row, col, header, bold=True, align="center", border=True)
    for section in sheet.sections:
        row += 1
        criteria = sheet.in_section(section.code)
        maximum = sum(c.maximum for c in criteria)
        for col, value in enumerate((section.code, section.title, fmt(maximum)), start=1):
            put(ws, row, col, value, bold=True, border=True, align="left" if col == 2 else "center")
        variants = (("TAP_THE", ".1", "Đối với mô hình do tập thể thực hiện"),)
        variants += (("CA_NHAN", ".2", "Đối với mô hình do cá nhân thực hiện"),)
        for subject, suffix, title in variants if section.by_subject else (("", "", ""),):
            if subject:
                row += 1
                for col, value in enumerate((section.code + suffix, title, ""), start=1):
                    put(ws, row, col, value, bold=True, italic=True, border=True)
            for c in criteria:
                row += 1
                text = c.text_for(subject or "TAP_THE")
                for col, value in enumerate((c.number, text, fmt(c.maximum)), start=1):
                    put(ws, row, col, value, border=True, align="left" if col == 2 else "center")
                ws.row_dimensions[row].height = wrapped_height([(text, widths[1])])
    row += 1
    for col, value in enumerate(("", "Tổng cộng", fmt(sheet.maximum)), start=1):
        put(ws, row, col, value, bold=True, border=True, align="left" if col == 2 else "center")
    put(ws, row + 2, 2, _pass_rule(sheet), italic=True)
    ws.protection.sheet = True
    set_print_setup(ws, "4:4", landscape=False)


def _pass_rule(sheet: ScoreSheet) -> str:
    rule = f"Mô hình đạt khi tổng điểm từ {fmt(sheet.pass_line)} trở lên"
    if sheet.must_be_full:
        numbers = ", ".join(str(n) for n in sorted(sheet.must_be_full))
        rule += f"; trong đó các tiêu chí {numbers} phải đạt điểm tối đa"
    return rule + "."


def _score_sheet(ws, cfg: Config, rules: ScoringRules, models: pd.DataFrame | None) -> None:
    sheet = rules.sheet
    left, right = forms.SCORE_LEFT, forms.SCORE_RIGHT
    headers = [(c.header, c.width) for c in left]
    headers += [(forms.criterion_header(c.number, fmt(c.maximum)), 9) for c in sheet.criteria]
    headers += [(c.header, c.width) for c in right]
    last = len(headers)
    put(ws, 1, 1, f"{sheet.title} NĂM {cfg.year}", bold=True, size=14, align="center")
    merge(ws, 1, 1, last)
    hint = f"(Mỗi mô hình một dòng, từ dòng {forms.SCORE_FIRST_ROW}. {_pass_rule(sheet)})"
    put(ws, 2, 1, hint, italic=True, align="center")
    merge(ws, 2, 1, last)
    put(ws, 3, 1, cfg.office_name, bold=True, wrap=False)
    header_row, first = forms.SCORE_HEADER_ROW, forms.SCORE_FIRST_ROW
    for col, (header, width) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
        put(ws, header_row, col, header, bold=True, align="center", border=True)
    ws.row_dimensions[header_row].height = 48
    rows = max(forms.SCORE_INPUT_ROWS, 0 if models is None else len(models) + 50)
    last_row = first + rows - 1
    box_range(ws, first, last_row, 1, last)
    criteria_from, criteria_to = len(left) + 1, len(left) + len(sheet.criteria)
    total_col = criteria_to + 1
    span = f"{get_column_letter(criteria_from)}{{r}}:{get_column_letter(criteria_to)}{{r}}"
    for row in range(first, last_row + 1):
        for col in range(1, last + 1):
            cell = ws.cell(row, col)
            cell.font = INPUT_FONT
            cell.alignment = INPUT_ALIGNMENT
            cell.protection = Protection(locked=col == total_col)
        cells = span.format(r=row)
        ws.cell(row, total_col, f'=IF(COUNT({cells})=0,"",SUM({cells}))')
        ws.cell(row, last - 1).number_format = DATE_FORMAT
    for offset, model in enumerate([] if models is None else models.to_dict("records")):
        values = (
            offset + 1,
            model["unit"],
            model["name"],
            vocab.SUBJECTS.get(model["subject"], ""),
        )
        for col, value in enumerate(values, start=1):
            put(ws, first + offset, col, value, border=True, align="center" if col == 1 else "left")
            ws.cell(first + offset, col).protection = UNLOCKED
    _score_validations(ws, rules, first, last_row)
    ws.freeze_panes = ws.cell(first, len(left) + 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    set_print_setup(ws, f"{header_row}:{header_row}")


def _score_validations(ws, rules: ScoringRules, first: int, last_row: int) -> None:
    left = forms.SCORE_LEFT
    subject = DataValidation(
        type="list", formula1='"' + ",".join(vocab.SUBJECTS.values()) + '"', allow_blank=True
    )
    subject.error = "Chọn Tập thể hoặc Cá nhân."
    level = DataValidation(type="list", formula1='"' + ",".join(rules.ladder) + '"')
    level.allow_blank = True
    level.error = "Chọn cấp đề nghị công nhận trong danh sách."
    rules_by_col = {len(left): subject}
    level_col = len(left) + len(rules.sheet.criteria) + 2
    rules_by_col[level_col] = level
    for offset, criterion in enumerate(rules.sheet.criteria, start=len(left) + 1):
        check = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=f"{criterion.maximum:g}",
            allow_blank=True,
        )
        check.error = f"Điểm tiêu chí {criterion.number} từ 0 đến {fmt(criterion.maximum)}."
        rules_by_col[offset] = check
    for col, rule in rules_by_col.items():
        rule.errorTitle = "Giá trị không hợp lệ"
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        letter = get_column_letter(col)
        rule.add(f"{letter}{first}:{letter}{last_row}")


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
    kinds = DataValidation(
        type="list", formula1='"' + ",".join(vocab.UNIT_KINDS.values()) + '"', allow_blank=True
    )
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
