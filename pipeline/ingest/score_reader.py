"""Read scoring sheets: our scoring template (one row per model), and the seed's vertical
"Biểu chấm điểm mô hình" typed by hand (criteria as rows, one model per sheet).

The reader does not know the office's criteria table: it reads every numbered criterion it
finds, and the score stage checks them against the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import forms, vocab
from pipeline.normalize import clean_text, comparison_key, match_choice
from pipeline.records import ScoreRecord

SCAN_ROWS = 40
_CRITERION = re.compile(r"^(\d{1,2})\.?$")


@dataclass(frozen=True)
class VerticalTable:
    header_row: int  # 0-based
    columns: dict[str, int]  # stt / text / maximum / points / note -> 0-based column
    labels: dict[str, str]  # name / unit / subject / level / scorer / scored_on, from above
    headers: dict[str, str]  # column key -> the header as written (to point at the cell)


def score_template_records(
    file: str, cells: list[list], meta: dict[str, object]
) -> tuple[list[ScoreRecord], dict[str, int]]:
    """Every filled row of our scoring template, and where each column is (header -> index)."""
    signature = str(meta.get("criteria", ""))
    numbers = [int(part.split(":")[0]) for part in signature.split(",") if part]
    maxima = [part.split(":")[1] for part in signature.split(",") if part]
    left, right = forms.SCORE_LEFT, forms.SCORE_RIGHT
    criteria_at = {n: len(left) + i for i, n in enumerate(numbers)}
    headers = [c.header for c in left]
    headers += [forms.criterion_header(n, m) for n, m in zip(numbers, maxima, strict=True)]
    headers += [c.header for c in right]
    at = {c.key: i for i, c in enumerate(left)} | {
        c.key: len(left) + len(numbers) + i for i, c in enumerate(right)
    }
    records = []
    for index in range(forms.SCORE_FIRST_ROW - 1, len(cells)):
        row = cells[index]

        def cell(col: int, row=row) -> object:
            return row[col] if col < len(row) else ""

        # A listed model with no point given yet is not scored (the template lists them all).
        if not any(clean_text(cell(col)) for col in criteria_at.values()):
            continue
        excel_row = index + 1
        records.append(
            ScoreRecord(
                file=file,
                sheet=forms.SCORE_SHEET,
                row=excel_row,
                unit=clean_text(cell(at["unit"])),
                name=clean_text(cell(at["name"])),
                subject=match_choice("subject", cell(at["subject"])) or "",
                raw={n: cell(col) for n, col in criteria_at.items()},
                where=dict.fromkeys(numbers, excel_row),
                columns={n: headers[col] for n, col in criteria_at.items()},
                typed_total=cell(at["total"]),
                level=clean_text(cell(at["level"])),
                scorer=clean_text(cell(at["scorer"])),
                scored_on=cell(at["scored_on"]),
                signature=signature,
            )
        )
    return records, {header: i for i, header in enumerate(headers)}


def find_vertical(cells: list[list]) -> VerticalTable | None:
    """The seed's scoring table: a header naming the criteria and the points given."""
    for r in range(min(SCAN_ROWS, len(cells))):
        columns, headers = {}, {}
        for col, value in enumerate(cells[r]):
            key = comparison_key(value)
            for column, phrases in vocab.SCORE_HEADERS:
                if column not in columns and key and any(_matches(key, p) for p in phrases):
                    columns[column], headers[column] = col, clean_text(value)
                    break
        if {"text", "points"} <= columns.keys():
            return VerticalTable(r, columns, _labels(cells[:r]), headers)
    return None


def vertical_record(table: VerticalTable, cells: list[list], file: str, sheet: str) -> ScoreRecord:
    """One model's scores from the seed's vertical sheet: criteria 1…n as rows, II.1 or II.2."""
    raw: dict[int, object] = {}
    where: dict[int, int] = {}
    by_variant: dict[str, dict[int, tuple[object, int]]] = {"TAP_THE": {}, "CA_NHAN": {}}
    variant, total = "", None
    for index in range(table.header_row + 1, len(cells)):
        row = cells[index]
        stt = comparison_key(_at(row, table.columns.get("stt")))
        text = comparison_key(_at(row, table.columns["text"]))
        points = _at(row, table.columns["points"])
        if stt in ("i", "ii") or stt.startswith("ii."):
            variant = _variant(stt, text)
            continue
        if not stt and _variant("", text):  # "Đối với mô hình do cá nhân thực hiện"
            variant = _variant("", text)
            continue
        if text.startswith(vocab.SCORE_TOTAL_ROW) or stt.startswith(vocab.SCORE_TOTAL_ROW):
            total = points
            continue
        number = _CRITERION.match(stt)
        if not number:
            continue
        n = int(number[1])
        if variant:
            by_variant[variant][n] = (points, index + 1)
        else:
            raw[n], where[n] = points, index + 1
    filled = [v for v, rows in by_variant.items() if any(clean_text(p) for p, _ in rows.values())]
    subject = match_choice("subject", table.labels.get("subject", "")) or ""
    chosen = filled[0] if len(filled) == 1 else (subject or "TAP_THE")
    for n, (points, excel_row) in by_variant.get(chosen, {}).items():
        raw[n], where[n] = points, excel_row
    header = table.headers["points"]
    return ScoreRecord(
        file=file,
        sheet=sheet,
        row=table.header_row + 1,
        unit=table.labels.get("unit", ""),
        name=table.labels.get("name", ""),
        subject=subject,
        raw=raw,
        where=where,
        columns=dict.fromkeys(raw, header),
        variant="BOTH" if len(filled) > 1 else (filled[0] if filled else ""),
        typed_total=total,
        level=table.labels.get("level", ""),
        scorer=table.labels.get("scorer", ""),
        scored_on=table.labels.get("scored_on", ""),
    )


def _variant(stt: str, text: str) -> str:
    for code, marks in vocab.SCORE_VARIANTS.items():
        if stt in marks:
            return code
    if "đối với" in text or "do tập thể" in text or "do cá nhân" in text:
        return "CA_NHAN" if "cá nhân" in text else "TAP_THE"
    return ""


def _labels(above: list[list]) -> dict[str, str]:
    """ "Tên mô hình: …", "Đơn vị: …" lines: the value after the colon, or in the next cell."""
    labels: dict[str, str] = {}
    for row in above:
        texts = [clean_text(v) for v in row if clean_text(v)]
        for i, text in enumerate(texts):
            label, colon, value = text.partition(":")
            if not colon:
                continue
            key = comparison_key(label)
            value = value.strip() or (texts[i + 1] if i + 1 < len(texts) else "")
            for name, phrases in vocab.SCORE_LABELS:
                if name not in labels and value and any(key.startswith(p) for p in phrases):
                    labels[name] = value.strip(" .…")
                    break
    return labels


def _matches(key: str, phrase: str) -> bool:
    return key == phrase or (len(phrase) > 3 and phrase in key)


def _at(row: list, col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else ""
