"""A unit's later file replaces its earlier one, sheet by sheet, before any row is checked."""

from __future__ import annotations

import datetime as dt

from pipeline.issues import Code, Issue
from pipeline.normalize import comparison_key
from pipeline.records import ReadResult, provenance


def supersede_resubmissions(
    reads: list[ReadResult], sent_at: dict[str, dt.datetime | None]
) -> list[Issue]:
    """A unit's later file replaces its earlier one, form by form (sheet by sheet).

    The later is the one sent later (the e-mail's date, else the file's time), then the one
    whose name sorts last. The earlier file's rows of that sheet are dropped, with a warning
    that names the file that replaced it. Rows without a unit name are left alone.
    """
    issues = []
    for sheet in {name for read in reads for name in read.rows}:
        by_unit: dict[frozenset, list] = {}
        for read in reads:
            # The units its rows belong to: a file listing several units (a lower office's
            # annex) only replaces a file that lists the very same units.
            rows = read.rows.get(sheet, [])
            units = frozenset(comparison_key(provenance(row, "unit")) for row in rows)
            if units and "" not in units:
                by_unit.setdefault(units, []).append(read)
        for group in by_unit.values():
            group.sort(key=lambda r: (sent_at.get(r.file) or dt.datetime.min, r.file))
            latest = group[-1]
            for earlier in group[:-1]:
                earlier.rows[sheet] = []
                earlier.rows_keys.pop(sheet, None)
                issues.append(
                    Issue(
                        file=earlier.file,
                        sheet=sheet,
                        code=Code.SHEET_SUPERSEDED,
                        value=sheet,
                        detail=latest.file,
                    )
                )
    return issues
