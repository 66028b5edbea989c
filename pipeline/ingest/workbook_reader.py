"""Read one workbook: our own template, or the seed's annexes typed by hand, into raw rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import python_calamine as calamine
from openpyxl.utils.cell import coordinate_to_tuple

from pipeline import forms
from pipeline.ingest.annex_reader import annex_rows, find_table
from pipeline.ingest.arrivals import Arrival
from pipeline.ingest.formulas import formula_cells
from pipeline.ingest.score_reader import find_vertical, score_template_records, vertical_record
from pipeline.issues import Code, Issue
from pipeline.normalize import clean_text, comparison_key
from pipeline.records import ReadResult, provenance

SHEET_NAMES = tuple(spec.name for spec in forms.SHEETS)


def read_workbook(arrival: Arrival, year: int) -> ReadResult:
    """Read one workbook that arrived; never raises for a bad file, it reports it instead."""
    result = ReadResult(file=arrival.name, sha256=arrival.sha256)
    if not arrival.data:
        return _unreadable(result, "tệp rỗng (0 byte)")
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(arrival.data))
        meta = _metadata(_sheet(book, forms.META_SHEET) or [])
        ours = meta.get("template") == forms.TEMPLATE_ID
        scoring = meta.get("template") == forms.SCORE_TEMPLATE_ID
        # Parsing a sheet is most of the cost: from our templates, only the sheets we read.
        wanted = {comparison_key(n) for n in SHEET_NAMES} if ours else None
        wanted = {comparison_key(forms.SCORE_SHEET)} if scoring else wanted
        # Our own Phụ lục: only its annex sheet (the lists by level would count models twice).
        rolled_up = meta.get("template") == forms.ANNEX_TEMPLATE_ID
        wanted = {comparison_key(meta.get("sheet"))} if rolled_up else wanted
        sheets = {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
            if wanted is None or comparison_key(name) in wanted
        }
    except Exception as error:  # calamine raises several kinds for damaged files
        if isinstance(error, calamine.PasswordError) or _encrypted_ooxml(arrival.data):
            result.readable = False
            result.issues.append(
                Issue(file=result.file, code=Code.FILE_PASSWORD, detail="tệp Excel")
            )
            return result
        return _unreadable(result, "tệp bị hỏng hoặc không đúng định dạng Excel")
    if scoring:
        return _read_score_template(result, sheets, meta, year)
    if not ours:
        _read_annexes(result, sheets, year, rolled_up)
        if rolled_up:
            result.codes = _annex_ids(book, next(iter(sheets), ""))
        _flag_formulas(result, arrival)
        return result
    if str(meta.get("year")) != str(year):
        result.issues.append(_wrong_year(result.file, meta.get("year"), year))
        return result
    by_key = {comparison_key(name): cells for name, cells in sheets.items()}
    units = {s.name: _unit_name(s, by_key.get(comparison_key(s.name))) for s in forms.SHEETS}
    # The unit is the same for the whole file: a name written on one sheet serves the others.
    result.unit = next((u for u in units.values() if u), "")
    for spec in forms.SHEETS:
        cells = by_key.get(comparison_key(spec.name))
        _read_sheet(result, spec, cells, units[spec.name] or result.unit)
    _flag_formulas(result, arrival)
    return result


def _read_score_template(result: ReadResult, sheets, meta, year: int) -> ReadResult:
    if str(meta.get("year")) != str(year):
        result.issues.append(_wrong_year(result.file, meta.get("year"), year))
        return result
    cells = next(iter(sheets.values()), None)
    if cells is None:
        result.issues.append(
            Issue(file=result.file, code=Code.FILE_TEMPLATE_CHANGED, detail=forms.SCORE_SHEET)
        )
        return result
    result.scores, result.layout[forms.SCORE_SHEET] = score_template_records(
        result.file, cells, meta
    )
    # Not one unit's file: the appraisal team scores many units' models on one sheet.
    return result


def _read_annexes(
    result: ReadResult, sheets: dict[str, list[list]], year: int, rolled_up: bool = False
) -> None:
    """Every sheet that holds a Phụ lục 1 or 4 table gives its rows, and every sheet that holds
    the seed's scoring table gives one scored model; other sheets are ignored.

    A table made by this tool, or one listing two units or more other than the office named
    in its heading, is a lower office's consolidated annex: the file records that office."""
    for name, cells in sheets.items():
        table = find_table(name, cells)
        if table is None:
            _read_vertical_score(result, name, cells)
            continue
        if table.year is not None and table.year != year:
            result.issues.append(_wrong_year(result.file, table.year, year, sheet=name))
            continue
        rows, lonely = annex_rows(table, cells, result.file)
        result.issues += lonely
        result.rows.setdefault(table.spec.name, []).extend(rows)
        result.layout[name] = table.columns | table.marks
        units = [provenance(r, "unit") for r in rows]
        result.unit = result.unit or table.owner or next((u for u in units if u), "")
        others = {comparison_key(u) for u in units} - {comparison_key(table.owner), ""}
        if table.office and (rolled_up or len(others) >= 2):
            result.office = result.office or table.office
    if not result.layout and not result.issues:
        result.issues.append(Issue(file=result.file, code=Code.FILE_NO_TABLE))


def _read_vertical_score(result: ReadResult, sheet: str, cells: list[list]) -> None:
    table = find_vertical(cells)
    if table is None:
        return
    result.layout[sheet] = {table.headers["points"]: table.columns["points"]}
    record = vertical_record(table, cells, result.file, sheet)
    if not record.name or not record.unit:
        result.issues.append(
            Issue(file=result.file, sheet=sheet, row=table.header_row + 1, code=Code.SCORE_NO_MODEL)
        )
        return
    result.scores.append(record)
    result.unit = result.unit or record.unit


def _flag_formulas(result: ReadResult, arrival: Arrival) -> None:
    """A formula where text belongs is an error at its cell: the unit should type the value."""
    rows = [row for sheet_rows in result.rows.values() for row in sheet_rows]
    sheets = {provenance(row, "_sheet") for row in rows}  # only the sheets that gave rows
    formulas = formula_cells(arrival.data, sheets, arrival.formula_free)
    if not formulas:
        return
    for spec in forms.SHEETS:
        texts = [(i, c) for i, c in enumerate(spec.columns) if c.kind == "text" and c.key != "stt"]
        for row in result.rows.get(spec.name, []):
            excel_row, sheet = provenance(row, "_row"), provenance(row, "_sheet")
            layout, cells = result.layout.get(sheet, {}), formulas.get(sheet, set())
            for i, column in texts:
                if column.key in layout and (excel_row - 1, layout[column.key]) in cells:
                    result.issues.append(
                        Issue(
                            file=result.file,
                            sheet=sheet,
                            row=excel_row,
                            column=column.header,
                            code=Code.FORMULA_IN_TEXT,
                            value=clean_text(row[i]),
                        )
                    )


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _annex_ids(book, sheet: str) -> dict[tuple[str, int], str]:
    """The hidden table of our own annex: Excel row -> unit code (forms.ANNEX_IDS_COLUMNS)."""
    cells = _sheet(book, forms.META_SHEET) or []
    codes = {}
    for row in cells[1:]:
        if len(row) > 4 and isinstance(row[3], int | float) and clean_text(row[4]):
            codes[(sheet, int(row[3]))] = clean_text(row[4])
    return codes


def _encrypted_ooxml(data: bytes) -> bool:
    """Excel saves a password-protected .xlsx as an OLE box with an EncryptionInfo stream;
    calamine only says it cannot tell the format."""
    return data.startswith(_OLE_MAGIC) and _ENCRYPTION_INFO in data[:65536]


def _wrong_year(file: str, found, year: int, sheet: str = "") -> Issue:
    return Issue(
        file=file, sheet=sheet, code=Code.FILE_WRONG_YEAR, value=str(found), detail=str(year)
    )


def read_meta(path: Path) -> dict[str, object] | None:
    """The hidden sheet's key / value pairs of one of our workbooks (template id, version,
    year); None if the file cannot be opened, {} if it has no such sheet."""
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        return _metadata(_sheet(book, forms.META_SHEET) or [])
    except Exception:  # damaged, locked, not a workbook: the caller says which file
        return None


def _sheet(book, name: str) -> list[list] | None:
    match = next((n for n in book.sheet_names if comparison_key(n) == comparison_key(name)), None)
    return book.get_sheet_by_name(match).to_python(skip_empty_area=False) if match else None


def _unreadable(result: ReadResult, reason: str) -> ReadResult:
    result.readable = False
    result.issues.append(Issue(file=result.file, code=Code.FILE_UNREADABLE, detail=reason))
    return result


def _metadata(cells: list[list]) -> dict[str, object]:
    meta = {}
    for row in cells:
        if len(row) >= 2 and row[0]:
            value = row[1]
            meta[str(row[0])] = (
                int(value) if isinstance(value, float) and value.is_integer() else value
            )
    return meta


def _unit_name(spec: forms.SheetSpec, cells: list[list] | None) -> str:
    return clean_text(_cell(cells, *_position(spec.unit_cell))) if cells else ""


def _read_sheet(result: ReadResult, spec: forms.SheetSpec, cells: list[list] | None, unit: str):
    if cells is None or not _headers_match(spec, cells):
        result.issues.append(
            Issue(
                file=result.file, sheet=spec.name, code=Code.FILE_TEMPLATE_CHANGED, detail=spec.name
            )
        )
        return
    records = list(_data_rows(spec, cells))
    if records and not unit:
        result.issues.append(
            Issue(file=result.file, sheet=spec.name, code=Code.FILE_NO_UNIT, detail=spec.name)
        )
    result.rows[spec.name] = [
        [*values, result.file, spec.name, unit, "bieu_mau"] for values in records
    ]
    result.layout[spec.name] = {c.key: i for i, c in enumerate(spec.columns)}


def _headers_match(spec: forms.SheetSpec, cells: list[list]) -> bool:
    row = spec.header_row - 1
    return all(
        clean_text(_cell(cells, row, i)) == column.header for i, column in enumerate(spec.columns)
    )


def _data_rows(spec: forms.SheetSpec, cells: list[list]) -> Iterator[list]:
    width = len(spec.columns)
    for index in range(spec.first_data_row - 1, len(cells)):
        values = [_cell(cells, index, i) for i in range(width)]
        # A row with only its STT filled in is an unused row of the form, not a model.
        if any(clean_text(v) for v in values[1:]):
            yield [*values, index + 1]


def _cell(cells: list[list], row: int, col: int) -> object:
    if row < len(cells) and col < len(cells[row]):
        return cells[row][col]
    return ""


def _position(ref: str) -> tuple[int, int]:
    row, col = coordinate_to_tuple(ref)
    return row - 1, col - 1
