"""Hand-typed annexes in any of the layouts units make of the seed's: every model comes back
with its unit, section, field, subject and count, and no other row does
(tests/fixtures/annex_mutations)."""

from __future__ import annotations

import hashlib

import pandas as pd
from hypothesis import HealthCheck, given, settings

from pipeline import forms
from pipeline.ingest import PROVENANCE, Arrival, read_workbook
from pipeline.normalize import clean_text, normalize_rows
from tests.fixtures.annex_mutations import YEAR, GeneratedAnnex, annexes

CHECKED = ("field", "subject", "status")


def _read(annex: GeneratedAnnex):
    arrival = Arrival("don_vi.xlsx", hashlib.sha256(annex.data).hexdigest(), "workbook", annex.data)
    read = read_workbook(arrival, YEAR)
    spec = forms.REGISTRATION if annex.form == "P1" else forms.RESULTS
    raw = pd.DataFrame(
        read.rows.get(spec.name, []), columns=[c.key for c in spec.columns] + list(PROVENANCE)
    )
    rows, issues = normalize_rows(raw, spec, YEAR)
    return read, rows, issues


@settings(max_examples=220, suppress_health_check=[HealthCheck.too_slow])
@given(annex=annexes())
def test_every_model_and_nothing_else_comes_back(annex: GeneratedAnnex):
    read, rows, issues = _read(annex)
    assert read.readable and not [i for i in read.issues if i.code != "file-empty"], (
        annex.mutations,
        read.issues,
    )
    got = sorted(
        (r["unit"], r["status"], r["field"], r["subject"], clean_text(r["name"]), r["count"])
        for r in rows.to_dict("records")
    )
    want = sorted((e.unit, e.status, e.field, e.subject, e.name, e.count) for e in annex.expected)
    assert got == want, annex.mutations
    assert not [i for i in issues if i.column and i.code != "field-other"], annex.mutations
