"""A file whose rows are as they were is not checked again: what the memo gives must be what
checking every row gives, whichever files the last run had and in whatever order."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import forms
from pipeline.checking import check_sheet
from pipeline.ingest.arrivals import Limits
from pipeline.ingest.isolated import read_one
from pipeline.issues import Code, sort_key
from tests.conftest import SAMPLE

ROOT = Path(__file__).parent.parent
ZONE = dt.timezone(dt.timedelta(hours=7))
YEAR = 2026


@pytest.fixture(scope="module")
def reads():
    """Every workbook of the bundled sample inbox, as read, with the sheets' rows."""
    inbox = SAMPLE / "inbox"
    found = []
    for path in sorted(inbox.iterdir()):
        found += read_one(path, inbox, YEAR, Limits(), ZONE).reads.values()
    assert sum(bool(r.rows.get(forms.REGISTRATION.name)) for r in found) >= 8
    return found


def _problems(issues) -> list:
    return sorted((sort_key(i), i.message, i.value) for i in issues)


def _changed(read, cell: str):
    """The same file with one cell of its first row typed otherwise."""
    other = copy.deepcopy(read)
    for spec_rows in other.rows.values():
        if spec_rows:
            first = list(spec_rows[0])
            first[1] = cell
            spec_rows[0] = type(spec_rows[0])(first) if isinstance(spec_rows[0], tuple) else first
    return other


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_kept_files_and_checked_files_give_what_checking_all_gives(reads, data):
    spec = data.draw(st.sampled_from(forms.SHEETS))
    before = data.draw(st.permutations(reads)).copy()
    before = before[: data.draw(st.integers(0, len(before)))]
    now = data.draw(st.permutations(reads)).copy()
    now = now[: data.draw(st.integers(0, len(now)))]
    if now and data.draw(st.booleans()):  # a unit sends its file again, one cell retyped
        i = data.draw(st.integers(0, len(now) - 1))
        now[i] = _changed(now[i], data.draw(st.sampled_from(["", "hai", "  Mô hình  ", "12"])))
    _, _, memo = check_sheet(before, spec, YEAR)
    kept_rows, kept_issues, kept_memo = check_sheet(now, spec, YEAR, memo)
    rows, issues, fresh_memo = check_sheet(now, spec, YEAR)
    pd.testing.assert_frame_equal(kept_rows, rows)
    assert _problems(kept_issues) == _problems(issues)
    # What is kept for the run after is the same too.
    assert kept_memo.files.keys() == fresh_memo.files.keys()
    pd.testing.assert_frame_equal(kept_memo.rows, fresh_memo.rows)


def test_a_rerun_checks_no_row_of_a_file_it_has_checked(reads, monkeypatch):
    spec = forms.REGISTRATION
    _, _, memo = check_sheet(reads, spec, YEAR)
    seen = []
    import pipeline.checking as checking

    original = checking.normalize_rows
    monkeypatch.setattr(
        checking, "normalize_rows", lambda raw, *a: seen.append(len(raw)) or original(raw, *a)
    )
    check_sheet(reads, spec, YEAR, memo)
    at = next(i for i, read in enumerate(reads) if read.rows.get(spec.name))
    late = _changed(reads[at], "hai")
    check_sheet([*reads[:at], late, *reads[at + 1 :]], spec, YEAR, memo)
    assert seen == [0, len(late.rows[spec.name])]


_ORDER = """
import datetime as dt, sys
from pipeline import forms
from pipeline.checking import check_sheet
from pipeline.ingest.arrivals import Limits
from pipeline.ingest.isolated import read_one
from tests.conftest import SAMPLE
inbox = SAMPLE / "inbox"
zone = dt.timezone(dt.timedelta(hours=7))
reads = [r for p in sorted(inbox.iterdir())
         for r in read_one(p, inbox, 2026, Limits(), zone).reads.values()]
sheets = [forms.REGISTRATION]
if sys.argv[1] == "results_first":
    sheets.insert(0, forms.RESULTS)
*_, (rows, issues, _) = [check_sheet(reads, spec, 2026) for spec in sheets]
print(sorted((i.file, i.row or 0, i.column, i.code) for i in issues))
"""


@pytest.mark.parametrize("order", ["results_first"])
def test_the_results_sheet_checked_first_changes_nothing_in_the_registrations(order):
    """pandera names the rule both schemas inherit by its function once the other sheet's schema
    is built first: a process whose first rows were results (a year-end inbox), then checked
    registrations (the Excel desk's next run), stopped on "no issue code". Each order is a
    fresh interpreter, so that no other test has built a schema before."""

    def run(*args):
        done = subprocess.run(
            [sys.executable, "-c", _ORDER, *args], capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    alone = run("alone")
    assert "PERSON_REQUIRED" in alone or str(Code.PERSON_REQUIRED) in alone
    assert run(order) == alone
