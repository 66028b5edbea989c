"""Hand-typed annexes in any of the layouts units make of the seed's: every model comes back
with its unit, section, field, subject and count, and no other row does
(tests/fixtures/annex_mutations)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from pipeline.normalize import clean_text
from tests.fixtures.annex_mutations import YEAR, GeneratedAnnex, annexes
from tests.helpers import read_generated

CHECKED = ("field", "subject", "status")


def _read(annex: GeneratedAnnex):
    return read_generated(annex.data, annex.form, YEAR)


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
