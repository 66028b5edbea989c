"""Measure the annex reader on generated layouts: `python -m tests.annex_layouts [N]`.

Draws N annexes from tests/fixtures/annex_mutations (default 2,000) and counts models lost or
misplaced (unit, section, field, subject, name or count wrong), rows read that are no model,
and files the reader flagged, apart: a flagged file is asked about, a wrong row is silent.
"""

from __future__ import annotations

import sys
import warnings

from hypothesis import HealthCheck, given, settings

from pipeline.normalize import clean_text
from tests.fixtures.annex_mutations import YEAR, annexes
from tests.helpers import read_generated


def measure(count: int) -> dict[str, int]:
    stats = {"annexes": 0, "models": 0, "lost_or_wrong": 0, "extra_rows": 0, "flagged": 0}

    @settings(max_examples=count, suppress_health_check=list(HealthCheck), database=None)
    @given(annex=annexes())
    def one(annex):
        read, rows, issues = read_generated(annex.data, annex.form, YEAR)
        got = {
            (r["unit"], r["status"], r["field"], r["subject"], clean_text(r["name"]), r["count"])
            for r in rows.to_dict("records")
        }
        want = {(e.unit, e.status, e.field, e.subject, e.name, e.count) for e in annex.expected}
        stats["annexes"] += 1
        stats["models"] += len(want)
        stats["lost_or_wrong"] += len(want - got)
        stats["extra_rows"] += len(got - want)
        flagged = [i for i in read.issues if i.code != "file-empty"]
        stats["flagged"] += bool(flagged or [i for i in issues if i.column])

    one()
    return stats


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    print(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
