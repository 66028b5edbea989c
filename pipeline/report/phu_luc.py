"""Phụ lục 1 (registrations) and Phụ lục 4 (results), laid out as in seed 004."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import forms, vocab
from pipeline.config import Config
from pipeline.frames import records
from pipeline.normalize import comparison_key, sort_key
from pipeline.report.layout import (
    NUMBER,
    AnnexSpec,
    Column,
    cells,
    numbered,
    table_sheet,
    write_heading,
    write_meta_sheet,
    write_signature,
)
from pipeline.report.sheet import Book
from pipeline.report.styles import (
    box_range,
    freeze,
    merge,
    plain,
    put,
    put_row,
    row_heights,
    set_height,
    set_print_setup,
    set_width,
    wrapped_height,
)
from pipeline.roster import ROOT, Roster

_UNIT_MODEL = "Xã, phường, thị trấn, cơ quan đơn vị/\nTên mô hình"
_NOTES_COMMON = (
    "(2): Chi bộ, phòng, ban, đơn vị, đoàn thể / Tên mô hình (xếp tuần tự theo từng lĩnh vực "
    "sau: KT; VHXH, QPAN, XDĐ&HTCT, …)",
    "(3): Số lượng (1, 2, 3…)",
    "(4): Địa điểm triển khai (phòng, ban, cơ quan, đơn vị, thôn, bản, tổ dân phố, xã, phường)",
    "(5): Chủ trì (Chi bộ; UBND, HND, HPN…)",
    "(6): Lĩnh vực (Kinh tế; Văn hóa xã hội; Quốc phòng an ninh; Xây dựng Đảng và hệ thống "
    "chính trị; Xây dựng NTM; Xây dựng Đô thị văn minh...)",
)

# Seed 004, "Phụ lục 1": eight numbered columns, (8) split into Tập thể / Cá nhân.
PHU_LUC_1 = AnnexSpec(
    "Phụ lục 1",
    "BIỂU TỔNG HỢP ĐĂNG KÝ XÂY DỰNG MỚI MÔ HÌNH “DÂN VẬN KHÉO” NĂM {year}",
    (
        Column("number", "STT", 6, "center"),
        Column("name", _UNIT_MODEL, 46),
        Column("count", "Số lượng", 9, "center"),
        Column("place", "Địa điểm xây dựng, triển khai", 22),
        Column("lead", "Chủ trì", 16),
        Column("field", "Lĩnh vực", 17),
        Column("scale", "Quy mô thực hiện", 26),
        Column("collective", "Tập thể", 9, "center", group="Chủ thể"),
        Column("individual", "Cá nhân", 9, "center", group="Chủ thể"),
    ),
    (
        *_NOTES_COMMON,
        "(7): Quy mô thực hiện (số lượng, diện tích, số hộ...)",
        "(8): Chủ thể thực hiện (đánh dấu X vào cột tập thể hoặc cá nhân)",
    ),
)

# Seed 004, "Phụ lục 4": nine numbered columns, (8) XD mới / Duy trì, (9) Tập thể / Cá nhân.
PHU_LUC_4 = AnnexSpec(
    "Phụ lục 4",
    "BIỂU TỔNG HỢP BÁO CÁO KẾT QUẢ XÂY DỰNG, DUY TRÌ MÔ HÌNH “DÂN VẬN KHÉO” NĂM {year}",
    (
        Column("number", "STT", 6, "center"),
        Column("name", _UNIT_MODEL, 40),
        Column("count", "Số lượng", 8, "center"),
        Column("place", "Địa điểm xây dựng, triển khai", 20),
        Column("lead", "Chủ trì", 14),
        Column("field", "Lĩnh vực", 15),
        Column("results", "Tóm tắt quy mô, kết quả cụ thể đạt được", 40),
        Column("new", "XD mới", 8, "center", group="Trong đó"),
        Column("kept", "Duy trì", 8, "center", group="Trong đó"),
        Column("collective", "Tập thể", 8, "center", group="Chủ thể"),
        Column("individual", "Cá nhân", 8, "center", group="Chủ thể"),
    ),
    (
        *_NOTES_COMMON,
        "(7): Tóm tắt quy mô, kết quả đạt được",
        "(8): Xây dựng mới/duy trì: Đánh dấu X vào cột (danh sách sắp xếp loạt mô hình xây "
        "dựng mới lên trên loạt mô hình đang duy trì)",
        "(9): Chủ thể thực hiện (Đánh dấu X vào cột tập thể hoặc cá nhân)",
    ),
)

LEVEL_COLUMNS = (
    NUMBER,
    Column("unit", "Đơn vị", 28),
    Column("name", "Tên mô hình", 46),
    Column("field", "Lĩnh vực", 22),
    Column("subject", "Chủ thể", 10),
    Column("status", "Duy trì hay mới", 16),
)
HEADER_ROW = 5  # rows 1-3: office, annex label, title; row 4 blank
MARK = "X"


@dataclass(frozen=True)
class Line:
    """One row of the annex table body: a total, a section, a unit or a model ("-")."""

    kind: str  # total | section | group | unit | model
    cells: dict  # column key -> value (layout.cells puts them in order)
    ids: tuple = ()  # a model line: its unit's roster code and its registry id, for the level above


def model_order(rows: list[dict], *, new_first: bool = False) -> list[dict]:
    """Seed 004: models by field (KT, VHXH, QPAN, XDĐ&HTCT, others) then name."""
    last = len(vocab.FIELD_ORDER)

    def key(row: dict) -> tuple:
        new = new_first and row["status"] != "MOI"
        return new, vocab.FIELD_ORDER.get(row["field"], last), sort_key(row["name"])

    return sorted(rows, key=key)


@dataclass(frozen=True)
class Block:
    """A numbered unit row of the table and the models under it (rows as dicts)."""

    number: str  # "1", or "1.2" for a unit under a node of the roster
    label: str
    rows: list[dict]  # the models listed under this line
    total: list[dict]  # the models this line totals (a node: its whole subtree)
    kind: str = "unit"  # unit | group (a node of the roster, with units under it)


def unit_blocks(rows: pd.DataFrame | list[dict], roster: Roster | None = None) -> list[Block]:
    """Units in the roster's order, grouped under the nodes directly below the office ("1",
    then "1.1", "1.2" for the units under it); without a roster, alphabetically. `rows`: a
    frame, or its records."""
    all_rows = records(rows) if isinstance(rows, pd.DataFrame) else rows
    if not roster or not all_rows or "unit_code" not in all_rows[0]:
        return [
            Block(str(n), unit, group, group)
            for n, (unit, group) in enumerate(units_in_order(all_rows), start=1)
        ]
    by_code: dict[str, list[dict]] = {}
    for record in all_rows:  # one pass: each unit's rows, in the order they came
        by_code.setdefault(record["unit_code"], []).append(record)
    blocks, number = [], 0
    subtrees = roster.subtrees()
    for top in roster.children(ROOT):
        subtree = subtrees.get(top.code, [top])
        mine = [r for u in subtree for r in by_code.get(u.code, [])]
        if not mine:
            continue
        number += 1
        own = by_code.get(top.code, [])
        if len(subtree) == 1:
            blocks.append(Block(str(number), top.name, own, own))
            continue
        blocks.append(Block(str(number), top.name, own, mine, "group"))
        sub = 0
        for unit in subtree[1:]:
            if theirs := by_code.get(unit.code):
                sub += 1
                blocks.append(Block(f"{number}.{sub}", unit.name, theirs, theirs))
    strays = [r for r in all_rows if r["unit_code"] == "" or r["unit_code"] not in roster.units]
    for unit, group in units_in_order(strays):
        number += 1
        blocks.append(Block(str(number), unit, group, group))
    return blocks


def units_in_order(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Units in Vietnamese alphabetical order, each with its rows; spellings of one unit merge."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(comparison_key(row["unit"]), []).append(row)
    units = [(group[0]["unit"], group) for group in groups.values()]
    return sorted(units, key=lambda u: sort_key(u[0]))


def _model_label(row) -> str:
    if row["subject"] != "CA_NHAN" or not row["person"]:
        return row["name"]
    position = row.get("position", "")
    return f"{row['name']} ({row['person']}{', ' + position if position else ''})"


def _subject_marks(row) -> dict[str, str]:
    return {
        "collective": MARK if row["subject"] == "TAP_THE" else "",
        "individual": MARK if row["subject"] == "CA_NHAN" else "",
    }


def _subject_counts(rows: list[dict]) -> dict[str, int]:
    return {
        "collective": sum(r["subject"] == "TAP_THE" for r in rows),
        "individual": sum(r["subject"] == "CA_NHAN" for r in rows),
    }


def _count(rows: list[dict]) -> int:
    return sum(_int(r["count"]) for r in rows)


def _model_cells(row) -> dict:
    """What every annex says of a model line: its name, count, place, lead, field, subject."""
    return {
        "number": "-",
        "name": _model_label(row),
        "count": _int(row["count"]),
        "place": row["place"],
        "lead": row["lead"],
        "field": _field_label(row),
        **_subject_marks(row),
    }


def _totals(label, title: str, rows: list[dict], **more) -> dict:
    return {"number": label, "name": title, "count": _count(rows), **more, **_subject_counts(rows)}


# The columns an annex's lines are made of: records of these alone, not of all 34 of a
# province's frame (a quarter of laying out its Phụ lục 1).
LINE_FIELDS = ("unit", "unit_code", "name", "status", "field", "field_other", "subject",
               "person", "position", "count", "place", "lead", "scale", "results", "model_id",
               "level")  # fmt: skip


def _line_records(rows: pd.DataFrame) -> list[dict]:
    return records(rows[[c for c in LINE_FIELDS if c in rows]])


def lines_phu_luc_1(rows: pd.DataFrame, year: int, roster: Roster | None = None) -> list[Line]:
    every = _line_records(rows)
    lines = [Line("total", _totals("", "Tổng số", every))]
    sections = (
        ("I", f"Mô hình tiếp tục duy trì từ năm {year - 1}", "DUY_TRI"),
        ("II", f"Mô hình đăng ký mới năm {year}", "MOI"),
    )
    for numeral, title, status in sections:
        part = [row for row in every if row["status"] == status]
        lines.append(Line("section", _totals(numeral, title, part)))
        for block in unit_blocks(part, roster):
            head = {"number": _number(block), "name": block.label, "count": _count(block.total)}
            lines.append(Line(block.kind, head))
            for row in model_order(block.rows):
                lines.append(Line("model", _model_cells(row) | {"scale": row["scale"]}, _ids(row)))
    return lines


def lines_phu_luc_4(rows: pd.DataFrame, year: int, roster: Roster | None = None) -> list[Line]:
    new, kept = int((rows["status"] == "MOI").sum()), int((rows["status"] == "DUY_TRI").sum())
    every = _line_records(rows)
    lines = [Line("total", _totals("", "Tổng số", every, new=new, kept=kept))]
    for block in unit_blocks(every, roster):
        head = {"number": _number(block), "name": block.label, "count": _count(block.total)}
        lines.append(Line(block.kind, head))
        for row in model_order(block.rows, new_first=True):
            status = {
                "results": row["results"],
                "new": MARK if row["status"] == "MOI" else "",
                "kept": MARK if row["status"] == "DUY_TRI" else "",
            }
            lines.append(Line("model", _model_cells(row) | status, _ids(row)))
    return lines


def _ids(row) -> tuple:
    model_id = row.get("model_id")
    return (
        row.get("unit_code") or "",
        None if model_id is None or pd.isna(model_id) else int(model_id),
    )


def _number(block: Block) -> int | str:
    return int(block.number) if block.number.isdigit() else block.number


def _field_label(row) -> str:
    other = row.get("field_other", "")
    return (
        f"{vocab.OTHER_FIELD_PREFIX}{other}"
        if row["field"] == "KHAC" and other
        else (vocab.FIELD_BY_CODE[row["field"]].label)
    )


def _int(value) -> int:
    if type(value) is int:  # as nearly every count is: no pd.isna for each of 250,000 sums
        return value
    return 1 if pd.isna(value) else int(value)


def footer_counts(rows: pd.DataFrame) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Model rows per field (the four main fields always, others when present) and per subject."""
    per_field = rows["field"].value_counts()
    fields = [
        (f.footer, int(per_field.get(f.code, 0)))
        for f in vocab.FIELDS
        if f.always_in_footer or per_field.get(f.code, 0)
    ]
    per_subject = rows["subject"].value_counts()
    subjects = [(label, int(per_subject.get(code, 0))) for code, label in vocab.SUBJECTS.items()]
    return fields, subjects


def write_annex(
    path: Path,
    spec: AnnexSpec,
    lines: list[Line],
    rows: pd.DataFrame,
    cfg: Config,
    extra: Callable[[Book], None] | None = None,
):
    """Write one annex workbook, every total as a value so nothing needs recalculating, and a
    hidden sheet with each model row's unit code and model id, for the office above."""
    wb = Book(spec.label)
    ws = wb.active
    widths = spec.widths
    last = len(widths)
    for i, width in enumerate(widths, start=1):
        set_width(ws, i, width)
    title = spec.title.format(year=cfg.title_year)
    write_heading(ws, cfg, last, title, label=spec.label, title_height=36)
    row = _write_header(ws, spec)
    ids: dict[int, tuple] = {}
    aligns = [column.align for column in spec.columns]
    height = row_heights(widths)
    for line in lines:
        bold = line.kind in ("total", "section", "unit", "group")
        values = cells(spec.columns, line.cells)
        put_row(ws, row, values, aligns, bold=bold, border=True)
        set_height(ws, row, height(values))
        if line.ids:
            ids[row] = line.ids
        row += 1
    row = _write_footer(ws, spec, rows, row + 1, last)
    write_signature(ws, cfg, row + 1, last)
    set_print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW + 2}")
    freeze(ws, HEADER_ROW + 3)
    if extra:
        extra(wb)
    _ids_sheet(wb, cfg.year, ws.title, ids)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _ids_sheet(wb: Book, year: int, sheet: str, ids: dict[int, tuple]) -> None:
    """Hidden: which roster unit and registry model each "-" row is (forms.ANNEX_IDS_*)."""
    pairs = (("template", forms.ANNEX_TEMPLATE_ID), ("year", year), ("sheet", sheet))
    ws = write_meta_sheet(wb, pairs)
    for col, header in enumerate(forms.ANNEX_IDS_COLUMNS, start=4):
        plain(ws, 1, col, header)
    for offset, (excel_row, (unit_code, model_id)) in enumerate(sorted(ids.items()), start=2):
        plain(ws, offset, 4, excel_row)
        plain(ws, offset, 5, unit_code)
        plain(ws, offset, 6, model_id)


def level_sheets(registrations: pd.DataFrame, cfg: Config) -> Callable[[Book], None]:
    """One sheet per level of registration ("Cấp xã", "Cấp tỉnh"…): the models registered at it."""

    def add(wb: Book) -> None:
        if registrations.empty or "level" not in registrations:
            return
        for code, label in vocab.LEVELS.items():
            mine = registrations[registrations["level"] == code]
            if mine.empty:
                continue
            rows = numbered(
                {
                    "unit": row["unit"],
                    "name": _model_label(row),
                    "field": _field_label(row),
                    "subject": vocab.SUBJECTS.get(row["subject"], ""),
                    "status": vocab.STATUSES.get(row["status"], ""),
                }
                for row in model_order(_line_records(mine))
            )
            title = f"DANH SÁCH MÔ HÌNH ĐĂNG KÝ {label.upper()} NĂM {cfg.title_year}"
            table_sheet(wb.create_sheet(label), cfg.office_name, title, LEVEL_COLUMNS, rows)

    return add


def _write_header(ws, spec: AnnexSpec) -> int:
    top, sub, numbers = HEADER_ROW, HEADER_ROW + 1, HEADER_ROW + 2
    col = 1
    for number, (heading, columns) in enumerate(spec.groups(), start=1):
        span = len(columns)
        put(ws, top, col, heading, bold=True, align="center", border=True)
        if columns[0].group:
            merge(ws, top, col, col + span - 1)
            for offset, column in enumerate(columns):
                put(ws, sub, col + offset, column.header, bold=True, align="center", border=True)
        else:
            merge(ws, top, col, col, last_row=sub)
        put(ws, numbers, col, f"({number})", italic=True, align="center", border=True)
        merge(ws, numbers, col, col + span - 1)
        col += span
    box_range(ws, top, numbers, 1, col - 1)
    set_height(ws, top, 36)
    set_height(ws, sub, 33)
    return numbers + 1


def _write_footer(ws, spec: AnnexSpec, rows: pd.DataFrame, row: int, last: int) -> int:
    fields, subjects = footer_counts(rows)
    put(ws, row, 1, "*", bold=True, align="center")
    put(ws, row, 2, "Tổng số mô hình theo lĩnh vực:", bold=True, wrap=False)
    row += 1
    for label, n in fields:
        put(ws, row, 2, f"- {label}: {n} mô hình", wrap=False)
        row += 1
    put(ws, row, 1, "*", bold=True, align="center")
    put(ws, row, 2, "Tổng số tập thể, cá nhân xây dựng mô hình:", bold=True, wrap=False)
    row += 1
    for label, n in subjects:
        put(ws, row, 2, f"- {label}: {n} mô hình", wrap=False)
        row += 1
    put(ws, row, 1, "Ghi chú:", bold=True, italic=True, wrap=False)
    for note in spec.notes:
        put(ws, row, 2, note, italic=True)
        merge(ws, row, 2, last)
        set_height(ws, row, wrapped_height([(note, sum(spec.widths[1:]))]))
        row += 1
    return row


def write_phu_luc_1(
    path: Path, registrations: pd.DataFrame, cfg: Config, roster: Roster | None = None
) -> None:
    lines = lines_phu_luc_1(registrations, cfg.year, roster)
    write_annex(path, PHU_LUC_1, lines, registrations, cfg, level_sheets(registrations, cfg))


def write_phu_luc_4(
    path: Path, results: pd.DataFrame, cfg: Config, roster: Roster | None = None
) -> None:
    write_annex(path, PHU_LUC_4, lines_phu_luc_4(results, cfg.year, roster), results, cfg)
