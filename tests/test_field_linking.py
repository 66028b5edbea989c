"""Linking on the independent field set, end to end through `dvk history import` and consolidate."""

from __future__ import annotations

import csv

from tests.field_linking import SET, measure
from tests.fixtures.build_field_set import COLUMNS, rows


def test_the_field_set_is_what_its_script_builds():
    with SET.open(encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0] == COLUMNS
    assert table[1:] == [[str(v) for v in row] for row in rows()]
    years = [row[0] for row in table[1:]]
    assert years.count("2025") >= 150 and years.count("2026") >= 250


def test_linking_meets_its_targets_on_the_field_set(tmp_path):
    result = measure(tmp_path / "xa")
    assert result.rows >= 250
    assert result.lost == 0, result.mistakes  # every row of the inbox is in the annex
    assert result.precision >= 0.98, result.summary()
    assert result.recall >= 0.98, result.summary()
    assert result.silent_rate <= 0.01, result.mistakes
    assert result.review_rate < 0.10, result.summary()
