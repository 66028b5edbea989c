"""Render page 1 of the sample's Phụ lục 1 and Phụ lục 4 to docs/*.png (LibreOffice + poppler)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import consolidate_with_last_year  # noqa: E402

SAMPLE = ROOT / "examples" / "xa-dien-chau"


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
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    "--norestore",
                    f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work),
                    str(paths[key]),
                ],
                check=True,
                capture_output=True,
            )
            pdf = work / (paths[key].stem + ".pdf")
            target = ROOT / "docs" / key
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
