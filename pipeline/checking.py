"""Checking a sheet's rows (normalize, then validate), with each file's outcome kept for a re-run.

Both stages judge a row by itself, so a file whose rows are what they were at the last run
gets the rows and problems it got then: a late file's re-run checks the late file only. The
memo is the last run's checked rows of each sheet, in the inbox's order, with each file's
place in them and its problems; ingest.cache keeps it for the same code and year."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline import forms
from pipeline.issues import Issue, issues_by_file
from pipeline.normalize import normalize_rows
from pipeline.records import PROVENANCE
from pipeline.validate import validate_rows

FILE_AT = PROVENANCE.index("_file") - len(PROVENANCE)  # a record's file, from its end


@dataclass
class Checked:
    """One sheet's checked rows, and each file's rows (start, stop) and problems in them, by
    the file's rows as read (records.rows_key)."""

    rows: pd.DataFrame
    files: dict[str, tuple[int, int, list[Issue]]] = field(default_factory=dict)


def check_sheet(
    reads, spec: forms.SheetSpec, year: int, earlier: Checked | None = None
) -> tuple[pd.DataFrame, list[Issue], Checked]:
    """The sheet's rows of every file in `reads`, normalized and validated; the files `earlier`
    checked with the same rows are taken from it. Also what to keep for the next run."""
    columns = [c.key for c in spec.columns] + list(PROVENANCE)
    files = [(read.rows[spec.name], read.rows_key(spec.name)) for read in reads
             if read.rows.get(spec.name)]  # fmt: skip
    kept = earlier.files if earlier is not None else {}
    todo = [records for records, key in files if key not in kept]
    raw = pd.DataFrame([row for records in todo for row in records], columns=columns, dtype=object)
    rows, issues = normalize_rows(raw, spec, year)
    issues += validate_rows(rows, spec.name, year)
    if len(todo) < len(files):
        rows, issues = _with_kept(files, kept, earlier.rows, rows, issues)
    return rows, issues, _memo(files, rows, issues)


def _with_kept(files, kept, before: pd.DataFrame, rows: pd.DataFrame, issues: list[Issue]):
    """Every file's rows in the files' order: the kept ones from `before`, the others from
    `rows` (checked now, in the same order), with their problems."""
    new_issues = issues_by_file(issues)
    positions, found, start = [], [], len(before)
    for records, key in files:
        if key in kept:
            first, stop, problems = kept[key]
            positions.append(np.arange(first, stop))
            found += problems
        else:
            positions.append(np.arange(start, start + len(records)))
            found += new_issues.get(records[0][FILE_AT], [])
            start += len(records)
    checked_now = {records[0][FILE_AT] for records, key in files if key not in kept}
    found += [i for i in issues if i.file not in checked_now]  # a problem of no one file
    both = pd.concat([before, rows], ignore_index=True) if len(rows) else before
    taken = both.take(np.concatenate(positions)) if positions else both.iloc[:0]
    return taken.reset_index(drop=True), found


def _memo(files, rows: pd.DataFrame, issues: list[Issue]) -> Checked:
    by_file = issues_by_file(issues)
    if by_file.keys() - {records[0][FILE_AT] for records, _ in files}:
        return Checked(rows)  # a problem of no one file: nothing kept, all checked next time
    memo, start = Checked(rows), 0
    for records, key in files:
        name = records[0][FILE_AT]
        memo.files[key] = (start, start + len(records), by_file.get(name, []))
        start += len(records)
    return memo
