"""Read the seed's Phụ lục 1 / Phụ lục 4 as units type them: find the table by its words.

Nothing here trusts positions. The header row is the first row, within the first rows of a sheet,
that names both the STT and the model-name columns; columns are mapped by their header text
(vocab.ANNEX_HEADERS), the split "Chủ thể" / "Trong đó" columns by the row below. The body is
read by its words and structure: a section opens with "I"/"II" or with its words alone
("Mô hình tiếp tục duy trì…", numbered "1.", "A", "a)" or not at all); "1", "2"… name a unit,
"-" rows are its models; "Tổng số" is skipped; the footer ("*", "Ghi chú"), a signature or
date line, or a second table's header ends the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline import forms, vocab
from pipeline.issues import Code, Issue
from pipeline.normalize import clean_text, comparison_key

SCAN_ROWS = 40  # where a header may sit: below titles, blank rows and the office's name
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_ROMAN_MARK = re.compile(r"^(?:phần\s+)?(i{1,3}|iv|v)\s*[.):]?$")
# "1", "2.", "3)" and, under a node of a higher office's roster, "1.1", "1.2"
_NUMBER = re.compile(r"^\d+(?:\.\d+)*[.)]?$")
# A heading's own numbering, left of its words: "I.", "II -", "1.", "a)", "B.", "Phần I:"
_HEADING_NUMERAL = re.compile(
    r"^(?:phần\s+)?(?:[ivx]{1,4}|\d{1,2}|[a-dđ])\s*[.):\-–]\s*|^phần\s+\S+\s+"
)
_DATE_LINE = re.compile(r"ngày\s+\S+\s+tháng\s+\S+\s+năm")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")
_MODEL_MARKS = ("-", "–", "—", "+", "•", "*-", "")
_LEADING_DASH = re.compile(r"^[-–—+•]\s*")


@dataclass(frozen=True)
class AnnexTable:
    """Where the table of one sheet is, and what each of its columns holds."""

    sheet: str
    spec: forms.SheetSpec  # REGISTRATION for a Phụ lục 1, RESULTS for a Phụ lục 4
    first_body_row: int  # 0-based
    columns: dict[str, int]  # column key -> 0-based index
    marks: dict[str, int]  # TAP_THE / CA_NHAN / MOI / DUY_TRI -> index of its X column
    owner: str  # the office or unit named top-left, for models listed without a unit row
    year: int | None  # the year of the title, "… NĂM 2026"
    office: str = ""  # the office that sent it: the owner, or the line above a department


def find_table(sheet: str, cells: list[list]) -> AnnexTable | None:
    for r in range(min(SCAN_ROWS, len(cells))):
        columns = _header_columns(cells[r])
        if "name" in columns and ("stt" in columns or "field" in columns) and len(columns) >= 3:
            below = cells[r + 1] if r + 1 < len(cells) else []
            # "Chủ thể" and "Tập thể" share a column (a merged group over its split columns).
            single = {v for k, v in columns.items() if k not in ("subject", "kind")}
            marks = _marks(below, single) or _marks(cells[r], single)
            body = r + 1 + (1 if _marks(below, single) else 0)
            if body < len(cells) and _is_column_numbers(cells[body]):
                body += 1
            return AnnexTable(
                sheet,
                _form(cells[:r], columns, marks),
                body,
                columns,
                marks,
                _owner(cells[:r]),
                _year(cells[:r]),
                _office(cells[:r]),
            )
    return None


def annex_rows(table: AnnexTable, cells: list[list], file: str) -> tuple[list[list], list[Issue]]:
    """Raw rows in the template's column order, then the provenance, as the template reader;
    and a warning for every unit row with no model under it, so that nothing goes unseen."""
    rows, issues = [], []
    empty_unit: tuple[int, str] | None = None  # the last unit row, until a model follows it
    for row in _walk(table, cells, file):
        if row[0] == "unit":
            if empty_unit:
                issues.append(_lonely_unit(file, table.sheet, *empty_unit))
            empty_unit = row[1:]
        else:
            empty_unit = None
            rows.append(row[1])
    if empty_unit:
        issues.append(_lonely_unit(file, table.sheet, *empty_unit))
    return rows, issues


def _lonely_unit(file: str, sheet: str, excel_row: int, name: str) -> Issue:
    return Issue(
        file=file,
        sheet=sheet,
        row=excel_row,
        column="Tên mô hình",
        code=Code.ANNEX_UNIT_WITHOUT_MODELS,
        value=name,
    )


def _walk(table: AnnexTable, cells: list[list], file: str) -> Iterator[tuple]:
    """("unit", excel row, name) for each unit row and ("model", raw row) for each model."""
    section, unit = "", ""
    for index in range(table.first_body_row, len(cells)):
        row = cells[index]
        stt = clean_text(_at(row, table.columns.get("stt")))
        name = clean_text(_at(row, table.columns["name"]))
        stt_key, name_key = comparison_key(stt), comparison_key(name)
        if not stt and not name:
            continue
        has_data = _has_model_data(table, row)
        if _ends_table(table, row, stt_key, name_key, has_data):
            break
        if name_key in vocab.ANNEX_TOTAL_ROW or stt_key in vocab.ANNEX_TOTAL_ROW:
            continue
        heading = _heading(stt_key, name_key, has_data)
        if heading:
            section, unit = heading, ""
            continue
        if _NUMBER.match(stt) and not has_data:
            unit = name
            yield ("unit", index + 1, name)
            continue
        if (stt_key not in _MODEL_MARKS and not _NUMBER.match(stt)) or not name:
            continue
        values = _model_values(table, row, section) | {"stt": stt, "name": _strip_dash(name)}
        raw = [values.get(c.key, "") for c in table.spec.columns]
        yield ("model", [*raw, index + 1, file, table.sheet, unit or table.owner, "phu_luc"])


def _header_columns(row: list) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, value in enumerate(row):
        key = comparison_key(value)
        if not key:
            continue
        for column, phrases in vocab.ANNEX_HEADERS:
            if column not in found and any(_matches(key, p) for p in phrases):
                found[column] = col
                break
    return found


def _matches(key: str, phrase: str) -> bool:
    # Short phrases ("stt", "sl") must be the whole header; longer ones may sit inside it.
    return key == phrase or (len(phrase) > 3 and phrase in key)


def _marks(row: list, taken: set[int]) -> dict[str, int]:
    marks: dict[str, int] = {}
    for col, value in enumerate(row):
        key = comparison_key(value)
        if not key or col in taken:
            continue
        for mark, phrases in vocab.ANNEX_SUBHEADERS.items():
            if mark not in marks and any(key == p or (len(p) > 4 and p in key) for p in phrases):
                marks[mark] = col
                break
    return marks


def _is_column_numbers(row: list) -> bool:
    numbered = [v for v in row if clean_text(v)]
    return len(numbered) >= 3 and all(_COLUMN_NUMBER.match(clean_text(v)) for v in numbered)


def _form(above: list[list], columns: dict[str, int], marks: dict[str, int]) -> forms.SheetSpec:
    if "results" in columns or "MOI" in marks or "DUY_TRI" in marks:
        return forms.RESULTS
    title = " ".join(comparison_key(v) for row in above for v in row)
    if any(w in title for w in vocab.ANNEX_TITLES["RESULTS"]) and "scale" not in columns:
        return forms.RESULTS
    return forms.REGISTRATION


# Heading lines that are not a unit's name: labels, titles, numbers, addressees.
_NOT_A_NAME = (
    "phụ lục",
    "biểu",
    "bảng",
    "danh sách",
    "báo cáo",
    "đảng cộng sản",
    "tên đơn vị",
    "số",
    "*",
    "kính gửi",
    "(",
)


def _owner(above: list[list]) -> str:
    """The unit named top-left. Official headings put the parent first and the issuing unit
    under it ("ĐẢNG BỘ XÃ …" / "CHI BỘ …"), so the last name line before the title wins."""
    names = _name_lines(above)
    return names[-1] if names else ""


def _office(above: list[list]) -> str:
    """The office that sent a consolidated annex: its heading's last name line, or the line
    above it when that one names only a department ("BAN XÂY DỰNG ĐẢNG")."""
    names = _name_lines(above)
    if len(names) >= 2 and comparison_key(names[-1]).startswith(vocab.OFFICE_DEPARTMENTS):
        return names[-2]
    return names[-1] if names else ""


def _name_lines(above: list[list]) -> list[str]:
    names = []
    for row in above:
        text = clean_text(row[0] if row else "")
        key = comparison_key(text)
        if not text or key.startswith(_NOT_A_NAME) or ("ngày" in key and "tháng" in key):
            continue
        names.append(text)
    return names


def _year(above: list[list]) -> int | None:
    for row in above:
        for value in row:
            found = re.search(r"năm\s+(\d{4})", comparison_key(value))
            if found:
                return int(found[1])
    return None


def _heading(stt_key: str, name_key: str, has_data: bool) -> str | None:
    """The section a heading row opens ("DUY_TRI" / "MOI"), or None for any other row.

    A Roman numeral in the STT column makes a heading whatever else the row holds (its
    subtotals); otherwise its words do, on a row with no model data, with or without a
    numeral, also when typed in the STT column with the name left blank.
    """
    roman = _ROMAN_MARK.match(stt_key)
    if roman:
        return _section(name_key, _ROMAN[roman[1]])
    if has_data:
        return None
    text = name_key or stt_key
    words = _HEADING_NUMERAL.sub("", text, count=1).strip()
    if not words and name_key:  # "I." in the STT column, the words beside it
        return None
    for status, openings in vocab.ANNEX_SECTION_HEADINGS.items():
        if any(words == o or words.startswith(o + " ") for o in openings):
            return status
    return None


def _ends_table(table: AnnexTable, row: list, stt_key: str, name_key: str, data: bool) -> bool:
    """The footer, a signature or date line, or the header of a second table below."""
    if stt_key.startswith("ghi chú") or stt_key == "*":
        return True
    if name_key.startswith(vocab.ANNEX_FOOTER_START):
        return True
    if not data and (
        name_key.startswith(vocab.ANNEX_END_LINES)
        or stt_key.startswith(vocab.ANNEX_END_LINES)
        or _DATE_LINE.search(name_key)
    ):
        return True
    return "stt" in _header_columns(row) and len(_header_columns(row)) >= 2


def _section(name_key: str, numeral: int) -> str:
    for status, words in vocab.ANNEX_SECTIONS.items():
        if any(w in name_key for w in words):
            return status
    return "DUY_TRI" if numeral == 1 else "MOI"


def _has_model_data(table: AnnexTable, row: list) -> bool:
    keys = ("field", "place", "lead", "scale", "results", "subject")
    if any(clean_text(_at(row, table.columns.get(k))) for k in keys):
        return True
    return any(_ticked(_at(row, col)) for col in table.marks.values())


def _model_values(table: AnnexTable, row: list, section: str) -> dict[str, object]:
    def cell(key: str) -> object:
        return _at(row, table.columns.get(key))

    values = {key: cell(key) for key in ("count", "place", "lead", "field", "scale", "results")}
    values["subject"] = _marked(table, row, vocab.SUBJECTS) or cell("subject")
    if table.spec is forms.RESULTS:
        values["status"] = _marked(table, row, vocab.RESULT_STATUSES) or cell("kind")
    else:
        values["status"] = vocab.STATUSES.get(section, "")
    return values


def _marked(table: AnnexTable, row: list, labels: dict[str, str]) -> str | None:
    """The label of the one ticked X column of a group; "" when none or both are ticked."""
    if not any(code in table.marks for code in labels):
        return None  # no split columns: the value is typed in the group's own column
    ticked = [code for code in labels if _ticked(_at(row, table.marks.get(code)))]
    return labels[ticked[0]] if len(ticked) == 1 else ""


def _ticked(value: object) -> bool:
    return comparison_key(value) in vocab.TICKS


def _strip_dash(name: str) -> str:
    return _LEADING_DASH.sub("", name)


def _at(row: list, col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else ""
