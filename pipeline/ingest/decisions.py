"""Read back the review workbook: a person's "Là mô hình cũ: Có/Không" for each listed model."""

from __future__ import annotations

from pathlib import Path

import python_calamine as calamine

from pipeline import forms, vocab
from pipeline.issues import Code, Issue
from pipeline.normalize import clean_text, comparison_key
from pipeline.records import Decision

_ANSWERS = {
    comparison_key(word): answer for answer, words in vocab.REVIEW_ANSWERS.items() for word in words
}


def read_decisions(path: Path) -> tuple[dict[tuple[str, str], Decision | None], list[Issue]]:
    """(unit key, model key) -> the decision, or None where the answer cell was left empty.

    A missing file means no decisions. An answer that is neither yes nor no is reported and
    left out, so the decision stored before it stays.
    """
    if not path.exists():
        return {}, []
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        sheets = [
            n for n in book.sheet_names if n in (forms.REVIEW_SHEET, forms.REVIEW_CLAIMED_SHEET)
        ]
        tables = {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in sheets}
    except Exception:  # a damaged review file: say so, decide nothing from it
        return {}, [Issue(file=path.name, code=Code.FILE_UNREADABLE, detail="tệp Cần xem xét")]
    if forms.REVIEW_SHEET not in tables:  # renamed: decide nothing rather than guess
        return {}, [Issue(file=path.name, code=Code.FILE_UNREADABLE, detail="tệp Cần xem xét")]
    decisions: dict[tuple[str, str], Decision | None] = {}
    issues: list[Issue] = []
    for sheet, cells in tables.items():
        found, problems = _sheet_decisions(path, sheet, cells)
        if problems and not found and sheet != forms.REVIEW_SHEET:
            continue  # an informational sheet someone emptied: nothing to read
        for key, decision in found.items():
            if decision is not None or key not in decisions:
                decisions[key] = decision  # an answer in either sheet counts
        issues += problems
    return decisions, issues


def _sheet_decisions(path: Path, sheet: str, cells: list[list]):
    header = next((i for i, row in enumerate(cells) if forms.REVIEW_ANSWER in row), None)
    if header is None:
        return {}, [
            Issue(file=path.name, code=Code.FILE_UNREADABLE, detail="thiếu cột Là mô hình cũ")
        ]
    columns = {clean_text(v): i for i, v in enumerate(cells[header])}
    answer_col = columns[forms.REVIEW_ANSWER]
    unit_col, name_col, old_col = (columns.get(k) for k in forms.REVIEW_KEYS)
    if unit_col is None or name_col is None:  # the hidden key columns were deleted
        return {}, [Issue(file=path.name, code=Code.FILE_UNREADABLE, detail="thiếu các cột mã ẩn")]
    decisions: dict[tuple[str, str], Decision | None] = {}
    issues = []
    for offset, row in enumerate(cells[header + 1 :], start=header + 2):
        unit, name = _at(row, unit_col), _at(row, name_col)
        if not unit or not name:
            continue
        typed = _at(row, answer_col)
        if not typed:
            decisions[(unit, name)] = None
        elif comparison_key(typed) in _ANSWERS:
            is_old = _ANSWERS[comparison_key(typed)]
            old = _at(row, old_col)
            model_id = int(float(old)) if is_old and old.replace(".", "").isdigit() else None
            decisions[(unit, name)] = Decision(is_old, model_id)
        else:
            issues.append(
                Issue(
                    file=path.name,
                    sheet=sheet,
                    row=offset,
                    column=forms.REVIEW_ANSWER,
                    code=Code.REVIEW_ANSWER_UNCLEAR,
                    value=typed,
                )
            )
    return decisions, issues


def _at(row: list, col: int | None) -> str:
    return clean_text(row[col]) if col is not None and col < len(row) else ""


_NEW_UNIT = {comparison_key(word) for word in vocab.REVIEW_NEW_UNIT}


def read_unit_answers(path: Path) -> dict[str, tuple[str, str]]:
    """Unit name key -> (the name as written, the roster code typed, or "" for "Mới"), from
    the review workbook's sheet of units the roster does not know. Blank answers are left out;
    a code the roster lacks is reported when the answers are applied (Roster.with_answers)."""
    if not path.exists():
        return {}
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        if forms.REVIEW_UNITS_SHEET not in book.sheet_names:
            return {}
        cells = book.get_sheet_by_name(forms.REVIEW_UNITS_SHEET).to_python(skip_empty_area=False)
    except Exception:  # read_decisions reports a damaged file once
        return {}
    header = next((i for i, row in enumerate(cells) if forms.REVIEW_UNIT_ANSWER in row), None)
    if header is None:
        return {}
    columns = {clean_text(v): i for i, v in enumerate(cells[header])}
    name_col, answer_col = columns.get(forms.REVIEW_UNIT_NAME), columns[forms.REVIEW_UNIT_ANSWER]
    answers = {}
    for row in cells[header + 1 :]:
        name, typed = _at(row, name_col), _at(row, answer_col)
        if name and typed:
            code = "" if comparison_key(typed) in _NEW_UNIT else typed
            answers[comparison_key(name)] = (name, code)
    return answers
