"""Read a filled unit template (our own form) into raw rows with their provenance."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import python_calamine as calamine
from openpyxl.utils.cell import coordinate_to_tuple

from pipeline import forms
from pipeline.ingest.arrivals import Arrival
from pipeline.issues import Issue
from pipeline.normalize import clean_text, comparison_key

SHEET_NAMES = tuple(spec.name for spec in forms.SHEETS)
PROVENANCE = ("_row", "_file", "_sheet", "unit")  # where each raw row came from


@dataclass
class ReadResult:
    """What one inbox file gave: raw rows per sheet, and problems found while reading it."""

    file: str  # path relative to the inbox, as the intake report shows it
    sha256: str
    unit: str = ""
    # sheet name -> raw rows: the form's columns in order, then the PROVENANCE values
    rows: dict[str, list[list]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    readable: bool = True


def read_workbook(arrival: Arrival, year: int) -> ReadResult:
    """Read one workbook that arrived; never raises for a bad file, it reports it instead."""
    result = ReadResult(file=arrival.name, sha256=arrival.sha256)
    wanted = {comparison_key(name) for name in (forms.META_SHEET, *SHEET_NAMES)}
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(arrival.data))
        sheets = {
            s: book.get_sheet_by_name(s).to_python(skip_empty_area=False)
            for s in book.sheet_names
            if comparison_key(s) in wanted  # parsing a sheet is most of the cost: only ours
        }
    except calamine.PasswordError:
        result.readable = False
        result.issues.append(Issue(file=result.file, code="file-password", detail="tệp Excel"))
        return result
    except Exception:  # calamine raises several kinds for damaged files; all mean the same here
        return _unreadable(result, "tệp bị hỏng hoặc không đúng định dạng Excel")
    meta = _metadata(sheets.get(forms.META_SHEET, []))
    if meta.get("template") != forms.TEMPLATE_ID:
        result.issues.append(Issue(file=result.file, code="file-not-template"))
        return result
    if str(meta.get("year")) != str(year):
        result.issues.append(
            Issue(
                file=result.file,
                code="file-wrong-year",
                value=str(meta.get("year")),
                detail=str(year),
            )
        )
        return result
    by_key = {comparison_key(name): cells for name, cells in sheets.items()}
    units = {s.name: _unit_name(s, by_key.get(comparison_key(s.name))) for s in forms.SHEETS}
    # The unit is the same for the whole file: a name written on one sheet serves the others.
    result.unit = next((u for u in units.values() if u), "")
    for spec in forms.SHEETS:
        cells = by_key.get(comparison_key(spec.name))
        _read_sheet(result, spec, cells, units[spec.name] or result.unit)
    return result


def _unreadable(result: ReadResult, reason: str) -> ReadResult:
    result.readable = False
    result.issues.append(Issue(file=result.file, code="file-unreadable", detail=reason))
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
            Issue(file=result.file, sheet=spec.name, code="file-template-changed", detail=spec.name)
        )
        return
    records = list(_data_rows(spec, cells))
    if records and not unit:
        result.issues.append(
            Issue(file=result.file, sheet=spec.name, code="file-no-unit", detail=spec.name)
        )
    result.rows[spec.name] = [[*values, result.file, spec.name, unit] for values in records]


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
