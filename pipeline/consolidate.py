"""The run: ingest, normalize, validate and link every inbox file into accepted rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from pipeline import forms
from pipeline.ingest import PROVENANCE, ReadResult, find_inbox_files, read_inbox_file
from pipeline.issues import Issue, Severity, sort_key
from pipeline.link import find_duplicates
from pipeline.normalize import normalize_rows
from pipeline.validate import validate_rows

ACCEPTED = "đã tiếp nhận"
HAS_ERRORS = "có lỗi"
UNREADABLE = "không đọc được"


@dataclass(frozen=True)
class FileAccount:
    """One line of the intake report: what became of one file in the inbox."""

    file: str
    sha256: str
    unit: str
    status: str
    reason: str
    registrations: int  # models accepted from its "Đăng ký" sheet
    results: int  # models accepted from its "Kết quả" sheet
    held_back: int  # rows not used because of errors


@dataclass
class RunResult:
    year: int
    registrations: pd.DataFrame  # accepted, normalized rows of every "Đăng ký" sheet
    results: pd.DataFrame  # accepted, normalized rows of every "Kết quả" sheet
    files: list[FileAccount]
    issues: list[Issue]

    @property
    def exit_code(self) -> int:
        """0 when every input was clean, 1 when the run finished but inputs had problems."""
        return 1 if self.issues else 0

    def summary(self) -> dict:
        errors = sum(i.severity is Severity.ERROR for i in self.issues)
        return {
            "nam": self.year,
            "so_tep": len(self.files),
            "so_tep_theo_trang_thai": {
                status: sum(f.status == status for f in self.files)
                for status in (ACCEPTED, HAS_ERRORS, UNREADABLE)
            },
            "so_mo_hinh_dang_ky": len(self.registrations),
            "so_mo_hinh_ket_qua": len(self.results),
            "so_loi": errors,
            "so_canh_bao": len(self.issues) - errors,
            "tep": [asdict(f) for f in self.files],
            "van_de": [i.to_dict() for i in self.issues],
        }


def consolidate(inbox: Path, year: int, on_file: Callable[[Path], None] | None = None) -> RunResult:
    """Read every file of the inbox and keep the rows that pass every rule."""
    reads: list[ReadResult] = []
    for path in find_inbox_files(inbox):
        reads.append(read_inbox_file(path, inbox, year))
        if on_file:
            on_file(path)
    issues = [issue for read in reads for issue in read.issues]
    checked = {}
    for spec in forms.SHEETS:
        checked[spec.name], sheet_issues = _check_sheet(reads, spec, year)
        issues += sheet_issues
    held = _held_back(checked, issues)
    held_counts = Counter(
        file for name, rows in checked.items() for file in rows.loc[held[name], "_file"]
    )
    accepted = {}
    for name, rows in checked.items():
        # Duplicates are looked for among good rows only, so a rejected row never hides a good one.
        good = rows[~held[name]]
        duplicate, duplicate_issues = find_duplicates(good)
        issues += duplicate_issues
        accepted[name] = good[~duplicate].reset_index(drop=True)
    issues.sort(key=sort_key)
    by_file: dict[str, list[Issue]] = {}
    for issue in issues:
        by_file.setdefault(issue.file, []).append(issue)
    given = {name: Counter(rows["_file"]) for name, rows in accepted.items()}
    files = [
        _account(read, by_file.get(read.file, []), given, held_counts[read.file]) for read in reads
    ]
    return RunResult(
        year=year,
        registrations=accepted[forms.REGISTRATION.name],
        results=accepted[forms.RESULTS.name],
        files=files,
        issues=issues,
    )


def _check_sheet(reads, spec: forms.SheetSpec, year: int) -> tuple[pd.DataFrame, list[Issue]]:
    records = [row for read in reads for row in read.rows.get(spec.name, [])]
    columns = [c.key for c in spec.columns] + list(PROVENANCE)
    raw = pd.DataFrame(records, columns=columns, dtype=object)  # one frame for the whole inbox
    rows, issues = normalize_rows(raw, spec, year)
    return rows, issues + validate_rows(rows, spec.name, year)


def _held_back(accepted: dict[str, pd.DataFrame], issues: list[Issue]) -> dict[str, pd.Series]:
    """Rule: a row with an error is held back, and so is every row of a sheet or file with one.

    Warnings never hold a row back. The intake report counts what was held back per file.
    """
    errors = [i for i in issues if i.severity is Severity.ERROR]
    bad_rows = {(i.file, i.sheet, i.row) for i in errors if i.row is not None}
    bad_sheets = {(i.file, i.sheet) for i in errors if i.row is None and i.sheet}
    bad_files = {i.file for i in errors if i.row is None and not i.sheet}
    held = {}
    for name, rows in accepted.items():
        held[name] = pd.Series(
            [
                (f, s, r) in bad_rows or (f, s) in bad_sheets or f in bad_files
                for f, s, r in zip(rows["_file"], rows["_sheet"], rows["_row"], strict=True)
            ],
            index=rows.index,
            dtype=bool,
        )
    return held


def _account(read: ReadResult, own: list[Issue], given: dict[str, Counter], held_back: int):
    """Unreadable when nothing could be read; with errors when something was rejected."""
    if not read.readable or any(i.code == "file-not-template" for i in own):
        status = UNREADABLE
    elif any(i.severity is Severity.ERROR for i in own):
        status = HAS_ERRORS
    else:
        status = ACCEPTED  # warnings, if any, are in the reason
    reason = own[0].message if own else ""
    if len(own) > 1:
        reason += f" (và {len(own) - 1} vấn đề khác)"
    return FileAccount(
        file=read.file,
        sha256=read.sha256,
        unit=read.unit,
        status=status,
        reason=reason,
        registrations=given[forms.REGISTRATION.name][read.file],
        results=given[forms.RESULTS.name][read.file],
        held_back=held_back,
    )
