"""Try the returns' XML editor on workbooks nobody here wrote.

`python examples/mark_foreign_workbooks.py FOLDER`: each .xlsx of FOLDER gets two marked cells
(A1 and B2 of its first sheet) and the list of problems put first, as a return would
(pipeline/report/marking.py). The results go to FOLDER/danh_dau/, and with LibreOffice
installed each is rendered to PDF, which must show the list first. It prints, per file,
whether it was edited, left to openpyxl (CannotMark, and why) or broken. Used on the 65
Excel-made workbooks of calamine's test suite (tafia/calamine, tests/*.xlsx): 56 edited, every
one rendered with its list first; 9 left to openpyxl.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.report import returns
from pipeline.report.marking import CannotMark, Mark, mark_workbook
from pipeline.report.sheet import Sheet

TITLE = "CÁC VẤN ĐỀ CẦN SỬA"


def mark(path: Path, out: Path) -> str:
    data = path.read_bytes()
    try:
        names = list(returns._sheet_names(data).values())
        first = Sheet(returns.PROBLEMS_SHEET)
        returns._problems_sheet(first, path.name, "", [], "VĂN PHÒNG")
        marks = {names[0]: {"A1": Mark("FFEB9C", "Xem lại"), "B2": Mark("FFC7CE", "Thiếu")}}
        (out / path.name).write_bytes(mark_workbook(data, marks, first, "VĂN PHÒNG"))
    except (CannotMark, IndexError) as error:
        return f"openpyxl ({error})"[:90]
    return "edited"


def first_page_is_the_list(path: Path) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(path)],
            capture_output=True,
            timeout=120,
        )
        pdf = Path(tmp) / f"{path.stem}.pdf"
        if not pdf.exists():
            return False
        text = subprocess.run(
            ["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        return TITLE in text


def main(folder: Path) -> None:
    out = folder / "danh_dau"
    out.mkdir(exist_ok=True)
    render = shutil.which("soffice") and shutil.which("pdftotext")
    counts: dict[str, int] = {}
    for path in sorted(folder.glob("*.xlsx")):
        outcome = mark(path, out)
        if outcome == "edited" and render and not first_page_is_the_list(out / path.name):
            outcome = "BROKEN: LibreOffice does not show the list first"
        counts[outcome.split(" ")[0]] = counts.get(outcome.split(" ")[0], 0) + 1
        print(f"{path.name:45} {outcome}")
    print(counts)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
