"""The one problem record: every code has its Vietnamese message, and no code is made up."""

from __future__ import annotations

import string

import pandas as pd
import pytest

from pipeline.issues import CATALOGUE, Code, Issue, Severity

FIELDS = {"value", "column", "detail"}


def test_every_code_has_its_entry_and_every_entry_its_code():
    assert set(Code) == set(CATALOGUE)
    assert all(isinstance(code, Code) for code in CATALOGUE)


@pytest.mark.parametrize("code", list(Code))
def test_every_message_and_hint_renders_in_vietnamese(code):
    problem = CATALOGUE[code]
    for text in (problem.message, problem.hint):
        named = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert named <= FIELDS, f"{code}: {named - FIELDS}"
    issue = Issue(file="a.xlsx", code=code, column="Tên mô hình", value="«x»", detail="«y»")
    assert issue.message.strip() and issue.hint.strip()
    assert "{" not in issue.message + issue.hint
    assert issue.severity in (Severity.ERROR, Severity.WARNING)
    # Vietnamese words, not an English placeholder left behind.
    assert any(ch in "ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ" for ch in issue.message.lower())


def test_a_misspelt_code_fails_where_the_issue_is_made():
    with pytest.raises(ValueError):
        Issue(file="a.xlsx", code="file-dupilcate")
    assert Issue(file="a.xlsx", code="file-duplicate").code is Code.FILE_DUPLICATE


def test_an_issue_at_a_row_takes_the_rows_provenance():
    rows = pd.DataFrame(
        {"_file": ["a.xlsx", "b.xlsx"], "_sheet": ["Đăng ký", "Kết quả"], "_row": [8, 12]},
        index=[3, 7],
    )
    issue = Issue.at_row(rows, 7, Code.REQUIRED, "Tên mô hình", value="", detail="x")
    assert (issue.file, issue.sheet, issue.row, issue.column) == (
        "b.xlsx",
        "Kết quả",
        12,
        "Tên mô hình",
    )
    assert type(issue.row) is int and issue.to_dict()["code"] == "required"
