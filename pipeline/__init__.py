"""Consolidate the "Dân vận khéo" forms of an office's units: the run API.

from pipeline import Office
run = Office.open("D:/DanVanKheo").consolidate()
run.publish()
"""

from pipeline.issues import Issue, Severity
from pipeline.office import DvkError, Office, Report, Run, Written, init_workspace

__all__ = ["DvkError", "Issue", "Office", "Report", "Run", "Severity", "Written", "init_workspace"]
