"""What several test modules share: the sample's paths, `dvk` run in-process or as a real
process, the sample consolidated through the run API, and LibreOffice headless."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline import Office, forms
from pipeline.cli import main
from pipeline.config import Config
from pipeline.ingest import PROVENANCE, Arrival, read_workbook
from pipeline.ingest.roster_reader import read_roster
from pipeline.normalize import normalize_rows
from pipeline.roster import Roster, build_roster

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "xa-dien-chau"
GOLDEN = Path(__file__).resolve().parent / "golden"


@dataclass(frozen=True)
class Ran:
    """What `dvk` printed and its exit code, named as subprocess.CompletedProcess names them."""

    returncode: int
    stdout: str
    stderr: str


def dvk(*args: str) -> Ran:
    """`dvk ARGS` in this process, through the same click group and error handling as the
    console command (tests/test_cli.py runs the real process once)."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def dvk_process(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` as a real process: for what only a process shows (its output
    encoding, being killed)."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        **kwargs,
    )


def workspace_roster(workspace: Path, cfg: Config) -> Roster:
    """The workspace's roster as a run reads it (an empty one when it has none)."""
    rows, issues = read_roster(workspace / forms.ROSTER_FILENAME)
    roster, found = build_roster(rows, cfg.quotas)
    assert issues == found == []
    return roster


def consolidate_with_last_year(workspace: Path, outbox: Path | None = None):
    """The sample's 2025 annexes imported, then its 2026 inbox consolidated, through the run
    API the CLI calls; the outputs are written without touching the registry."""
    office = Office.open(workspace)
    imported = office.import_history(sorted((workspace / "nam_truoc").glob("*.xlsx")), 2025)
    assert not imported.result.issues, imported.result.issues
    imported.record()
    run = office.consolidate()
    return run.result, run.write(outbox or workspace / "outbox")


def read_generated(data: bytes, form: str, year: int):
    """A generated annex read and normalized as the run would: (read, rows, issues)."""
    arrival = Arrival("don_vi.xlsx", hashlib.sha256(data).hexdigest(), "workbook", data)
    read = read_workbook(arrival, year)
    spec = forms.REGISTRATION if form == "P1" else forms.RESULTS
    columns = [c.key for c in spec.columns] + list(PROVENANCE)
    raw = pd.DataFrame(read.rows.get(spec.name, []), columns=columns)
    rows, issues = normalize_rows(raw, spec, year)
    return read, rows, issues


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
_SKIP_WITHOUT_OFFICE = pytest.mark.skipif(
    not SOFFICE and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it; locally: apt-get install "
    "libreoffice-calc-nogui poppler-utils)",
)


def needs_office(test):
    """A test on real spreadsheet software: marked `libreoffice` (`-m "not libreoffice"` runs
    the rest), and skipped where LibreOffice is missing, except in CI, where it must be."""
    return pytest.mark.libreoffice(_SKIP_WITHOUT_OFFICE(test))


def convert(paths: list[Path], to: str, outdir: Path, workdir: Path) -> None:
    """LibreOffice headless, with a profile of its own, saves `paths` as `to` into outdir."""
    assert SOFFICE, "LibreOffice must be installed in CI"
    profile = (workdir / "lo-profile").as_uri()
    command = [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile}"]
    subprocess.run(
        [*command, "--convert-to", to, "--outdir", str(outdir), *map(str, paths)],
        check=True,
        capture_output=True,
        timeout=180,
    )


def to_pdf(path: Path, workdir: Path) -> Path:
    convert([path], "pdf", workdir, workdir)
    pdf = workdir / (path.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice did not convert {path.name}"
    return pdf


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", out)]


def squeezed_text(pdf: Path) -> str:
    """The PDF's text with all white space removed, so wrapped cells still match."""
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"\s+", "", text)
