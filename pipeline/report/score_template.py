"""The scoring sheet for the appraisal team: the criteria to read, one row per model to score."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline import forms, vocab
from pipeline.config import Config
from pipeline.frames import records
from pipeline.report.layout import write_meta_sheet
from pipeline.report.styles import (
    box_range,
    merge,
    put,
    set_print_setup,
    wrapped_height,
)
from pipeline.report.template import DATE_FORMAT, INPUT_ALIGNMENT, INPUT_FONT, UNLOCKED
from pipeline.rules import ScoreSheet, ScoringRules, fmt


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
    for offset, model in enumerate([] if models is None else records(models)):
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
