"""Error workbooks sent back to units: their own file, bad cells marked, problems listed first."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from pipeline import forms
from pipeline.consolidate import RunResult
from pipeline.issues import CATALOGUE, Code, Issue, Severity, issues_by_file
from pipeline.normalize import ascii_slug, comparison_key
from pipeline.report.layout import NUMBER, Column, cells
from pipeline.report.marking import MAIN, CannotMark, Mark, mark_workbook
from pipeline.report.reuse import Earlier, fingerprint
from pipeline.report.sheet import Sheet
from pipeline.report.styles import (
    merge,
    put,
    safe_text,
    set_height,
    set_print_setup,
    set_width,
    wrapped_height,
)
from pipeline.report.workers import Task, write_all

PROBLEMS_SHEET = "Cần sửa"
ERROR_RGB, WARNING_RGB = "FFC7CE", "FFEB9C"  # Excel's own "bad" red and "neutral" yellow
ERROR_FILL = PatternFill("solid", fgColor=ERROR_RGB)
WARNING_FILL = PatternFill("solid", fgColor=WARNING_RGB)
EDITABLE = (".xlsx", ".xlsm")  # openpyxl edits these; others get the list of problems only
_COLUMNS = (
    NUMBER,
    Column("sheet", "Trang", 12),
    Column("row", "Dòng", 7, "center"),
    Column("column", "Cột", 24),
    Column("message", "Vấn đề", 50),
    Column("hint", "Cách sửa", 44),
)


RETURN_WEIGHT = 250  # a full load and save of a unit's form: about as long as 250 annex rows


def return_tasks(
    result: RunResult,
    folder: Path,
    office_name: str,
    earlier: Earlier | None = None,
    outbox: Path | None = None,
    done: Callable[[Path], None] = lambda _path: None,
) -> tuple[dict[str, Path], list[Task]]:
    """Where each file with problems goes back (file -> path, named after its unit), and the
    tasks that write them. With `earlier`, a return made from the same file and the same
    problems is copied from there instead (and `done` told of it)."""
    written, tasks = {}, []
    units = {f.file: f.unit for f in result.files}
    by_file = issues_by_file(result.issues)  # not every issue looked through for each file
    for file, data in sorted(result.returned.items()):
        issues = [i for i in by_file.get(file, []) if not CATALOGUE[i.code].for_office]
        path = folder / f"{ascii_slug(units.get(file) or PurePosixPath(file).stem)}_can_sua.xlsx"
        if path in written.values():  # two files of one unit: keep both apart
            path = path.with_stem(f"{path.stem}_{len(written) + 1}")
        layout = result.layouts.get(file, {})
        unit = units.get(file, "")
        if _reused(earlier, outbox, path, file, data, unit, issues, layout, office_name):
            done(path)
        else:
            args = (file, data, unit, issues, layout, office_name, path)
            tasks.append(Task("tra_lai", RETURN_WEIGHT, functools.partial(_write_return, *args)))
        written[file] = path
    return written, tasks


def write_returns(result: RunResult, folder: Path, office_name: str) -> dict[str, Path]:
    """One workbook per file with problems, named after its unit; returns file -> path."""
    written, tasks = return_tasks(result, folder, office_name)
    write_all(tasks, lambda _path: None, {})
    return written


def _reused(earlier, outbox, path, file, data, unit, issues, layout, office_name) -> bool:
    if earlier is None or outbox is None:
        return False
    problems = [i.to_dict() for i in issues]
    # The workbook by its SHA-256: the repr of 400 workbooks' bytes took 0.1 s.
    digest = hashlib.sha256(data).hexdigest()
    inputs = fingerprint("tra_lai", file, digest, unit, problems, layout, office_name)
    return earlier.reuse(path, outbox, inputs)


def _write_return(file, data, unit, issues, layout, office_name, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    editable = file.lower().endswith(EDITABLE)
    if editable:
        with contextlib.suppress(CannotMark):
            first = Sheet(PROBLEMS_SHEET)
            _problems_sheet(first, file, unit, issues, office_name)
            path.write_bytes(mark_workbook(data, _marks(data, issues, layout), first, office_name))
            return path
    book = _marked_copy(data, issues, layout, office_name) if editable else None
    try:
        book = book or Workbook()
        _problems_sheet(_first_sheet(book), file, unit, issues, office_name)
        book.save(path)
    except (ValueError, TypeError, KeyError, AttributeError):
        # The unit's own file holds what openpyxl cannot write back (a control character
        # in a cell, an odd part): send the list of problems alone.
        _problems_only(file, unit, issues, office_name).save(path)
    return path


def _problems_only(file: str, unit: str, issues: list[Issue], office_name: str) -> Workbook:
    book = Workbook()
    _problems_sheet(_first_sheet(book), file, unit, issues, office_name)
    return book


def _marks(data: bytes, issues: list[Issue], layout) -> dict[str, dict[str, Mark]]:
    """Sheet name (as the file spells it) -> cell -> what to show there; several problems in
    one cell are said together, as _marked_copy does."""
    names = _sheet_names(data)
    marks: dict[str, dict[str, Mark]] = {}
    for issue in issues:
        sheet = names.get(comparison_key(issue.sheet))
        cell = _cell_of(issue, layout.get(issue.sheet, {}))
        if sheet is None or cell is None:
            continue
        mine = marks.setdefault(sheet, {})
        rgb = ERROR_RGB if issue.severity is Severity.ERROR else WARNING_RGB
        text = safe_text(f"{issue.message}\n{issue.hint}")
        if cell in mine:
            earlier = mine[cell]
            rgb = earlier.fill if issue.severity is not Severity.ERROR else rgb
            text = safe_text(f"{earlier.comment}\n\n{text}")
        mine[cell] = Mark(rgb, text)
    return marks


def _sheet_names(data: bytes) -> dict[str, str]:
    """comparison_key(sheet name) -> the name, from the workbook's own list of sheets."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            root = ElementTree.fromstring(book.read("xl/workbook.xml"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as error:
        raise CannotMark(str(error)) from error
    found = root.iter(f"{{{MAIN}}}sheet")
    names = [s.get("name") for s in found]
    return {comparison_key(name): name for name in names if name}


def _marked_copy(data: bytes, issues: list[Issue], layout, office_name: str):
    try:
        book = load_workbook(io.BytesIO(data))  # never keep_vba: macros do not travel back
    except Exception:  # openpyxl is stricter than calamine: send the list of problems alone
        return None
    sheets = {comparison_key(name): book[name] for name in book.sheetnames}
    for issue in issues:
        sheet = sheets.get(comparison_key(issue.sheet))
        cell = _cell_of(issue, layout.get(issue.sheet, {}))
        if sheet is None or cell is None:
            continue
        target = sheet[cell]
        if isinstance(target, MergedCell):
            continue  # hidden under a merged block; "Cần sửa" still lists it (and marking.py)
        target.fill = ERROR_FILL if issue.severity is Severity.ERROR else WARNING_FILL
        text = f"{issue.message}\n{issue.hint}"
        if target.comment:  # several problems in one cell: say them all
            text = f"{target.comment.text}\n\n{text}"
        target.comment = Comment(safe_text(text), office_name, width=320, height=140)
    return book


# Issues name a column by its header in our template; the layout says where it is in this file.
_KEY_OF_HEADER = {c.header: c.key for spec in forms.SHEETS for c in spec.columns}


def _cell_of(issue: Issue, layout: dict[str, int]) -> str | None:
    spec = next((s for s in forms.SHEETS if s.name == issue.sheet), None)
    if issue.code == Code.FILE_NO_UNIT and spec is not None:
        return spec.unit_cell
    # A scoring sheet's layout is keyed by its own headers (one per criterion, or "Điểm đánh giá").
    column = layout.get(_KEY_OF_HEADER.get(issue.column, issue.column))
    if issue.row is None or column is None:
        return None
    return f"{get_column_letter(column + 1)}{issue.row}"


def _first_sheet(book: Workbook):
    """The problems sheet of an openpyxl book, put first and shown when it opens."""
    ws = book.create_sheet(PROBLEMS_SHEET, 0)
    if "Sheet" in book.sheetnames and len(book.sheetnames) > 1 and not book["Sheet"]["A1"].value:
        del book["Sheet"]  # the blank sheet of a new workbook
    book.active = 0
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    return ws


def _problems_sheet(ws, file: str, unit: str, issues: list[Issue], office_name: str) -> None:
    last = len(_COLUMNS)
    put(ws, 1, 1, office_name, bold=True, wrap=False)
    title = f"CÁC VẤN ĐỀ CẦN SỬA TRONG BIỂU MẪU CỦA {unit.upper() or 'ĐƠN VỊ'}"
    put(ws, 2, 1, title, bold=True, size=14, align="center")
    merge(ws, 2, 1, last)
    note = (
        f"Tệp: {file}. Các ô có vấn đề được tô màu và có ghi chú; sửa xong, lưu và gửi lại cả tệp."
    )
    put(ws, 3, 1, note, italic=True)
    merge(ws, 3, 1, last)
    set_height(ws, 2, 36)
    set_height(ws, 3, 33)
    for col, column in enumerate(_COLUMNS, start=1):
        set_width(ws, col, column.width)
        put(ws, 5, col, column.header, bold=True, align="center", border=True)
    for n, issue in enumerate(issues, start=1):
        shown = {"n": n, "row": issue.row or "", "message": issue.message, "hint": issue.hint}
        values = cells(_COLUMNS, vars(issue) | shown)
        for col, (column, value) in enumerate(zip(_COLUMNS, values, strict=True), start=1):
            put(ws, 5 + n, col, value, border=True, align=column.align)
        set_height(
            ws,
            5 + n,
            wrapped_height(zip(values, (c.width for c in _COLUMNS), strict=True)),
        )
    set_print_setup(ws, "5:5")
