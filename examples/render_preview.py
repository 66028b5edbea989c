"""Render the README's pictures from real outputs of the sample (LibreOffice + poppler):
page 1 of Phụ lục 1 and 4, the control workbook, the intake, a returned workbook, a draft
e-mail. `make preview` runs it; the PNGs go to docs/."""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import Office, forms  # noqa: E402
from pipeline.office import write_desk_files  # noqa: E402
from tests.helpers import consolidate_with_last_year  # noqa: E402

SAMPLE = ROOT / "examples" / "xa-dien-chau"
DOCS = ROOT / "docs"


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftoppm"):
        sys.exit(
            "Cần LibreOffice và poppler-utils: apt-get install libreoffice-calc-nogui poppler-utils"
        )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # As `make demo` runs it: last year's annexes imported, the roster read.
        copy = work / "xa-dien-chau"
        ignored = shutil.ignore_patterns("outbox", "luu_tru", "dvk.sqlite")
        shutil.copytree(SAMPLE, copy, ignore=ignored)
        _, paths = consolidate_with_last_year(copy, work / "outbox")
        for key in ("phu_luc_1", "phu_luc_4"):
            _png(soffice, paths[key], work, DOCS / key)
        _png(soffice, paths["tiep_nhan"], work, DOCS / "tiep_nhan")
        _png(
            soffice, paths["tra_lai"] / "chi_bo_xom_nam_thinh_can_sua.xlsx", work, DOCS / "tra_lai"
        )
        draft = paths["thu_gui"] / "chi_bo_xom_nam_thinh.eml"
        _png(soffice, _draft_page(draft, work), work, DOCS / "thu_gui")
        _png(soffice, _control_workbook(soffice, copy, work), work, DOCS / "dieu_khien")


def _control_workbook(soffice: str, workspace: Path, work: Path) -> Path:
    """The control workbook as LibreOffice opens it, its buttons printed: Excel and
    LibreOffice leave form buttons off paper, so they are switched on in a copy for the
    picture only."""
    desk = workspace / forms.DESK_FILENAME
    write_desk_files(workspace, Office.open(workspace).config)
    _convert(soffice, desk, "ods", work)
    ods = work / f"{desk.stem}.ods"
    shown = work / "dieu_khien.ods"
    with zipfile.ZipFile(ods) as source, zipfile.ZipFile(shown, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "content.xml":
                data = data.replace(b'form:printable="false"', b'form:printable="true"')
            target.writestr(item, data)
    return shown


def _draft_page(draft: Path, work: Path) -> Path:
    """A draft e-mail laid out as a mail client shows it (headers, text, attachments), on a
    sheet: the LibreOffice here prints spreadsheets only."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    book = Workbook()
    sheet = book.active
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 100
    attached = ", ".join(a.get_filename() for a in message.iter_attachments())
    for row, (label, value) in enumerate(
        (("Đến:", message["To"]), ("Tiêu đề:", message["Subject"]), ("Đính kèm:", attached)),
        start=1,
    ):
        sheet.cell(row, 1, label).font = Font(name="Liberation Sans", bold=True, color="555555")
        sheet.cell(row, 2, str(value)).font = Font(name="Liberation Sans", bold=row == 2)
    lines = message.get_body(("plain",)).get_content().splitlines()
    for row, line in enumerate(lines, start=5):
        cell = sheet.cell(row, 2, line)
        cell.font = Font(name="Liberation Sans")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = 15 * (1 + len(line) // 95)
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    page = work / "thu_nhap.xlsx"
    book.save(page)
    return page


def _convert(soffice: str, path: Path, to: str, work: Path) -> None:
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            to,
            "--outdir",
            str(work),
            str(path),
        ],
        check=True,
        capture_output=True,
    )


def _png(soffice: str, path: Path, work: Path, target: Path) -> None:
    _convert(soffice, path, "pdf", work)
    pdf = work / (path.stem + ".pdf")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-png",
            str(pdf),
            str(target),
        ],
        check=True,
    )
    print(f"{target}.png")


if __name__ == "__main__":
    main()
