"""Consolidate the "Dân vận khéo" forms of an office's units: the run API.

from pipeline import Office
run = Office.open("D:/DanVanKheo").consolidate()
run.publish()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["DvkError", "Issue", "Office", "Report", "Run", "Severity", "Written", "init_workspace"]

if TYPE_CHECKING:
    from pipeline.issues import Issue, Severity
    from pipeline.office import DvkError, Office, Report, Run, Written, init_workspace


def __getattr__(name: str):
    """The API on first use (PEP 562): `import pipeline.config`, or a reader process started
    on Windows (which imports pipeline.ingest.isolated), does not load every stage with it."""
    if name not in __all__:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    from pipeline import issues, office  # the package's one deferred import, on purpose

    return getattr(office if hasattr(office, name) else issues, name)
