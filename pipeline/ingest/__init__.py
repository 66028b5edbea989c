"""Ingest stage: find what arrived in the inbox, unpack it safely, and read the workbooks."""

from pipeline.ingest.arrivals import (
    DEFAULT_LIMITS,
    OFFICE_ZONE,
    Arrival,
    Limits,
    archive_one,
    arrivals_of,
    find_inbox_files,
)
from pipeline.ingest.resubmissions import supersede_resubmissions
from pipeline.ingest.workbook_reader import read_workbook
from pipeline.records import PROVENANCE, ReadResult

__all__ = [
    "DEFAULT_LIMITS",
    "OFFICE_ZONE",
    "PROVENANCE",
    "Arrival",
    "Limits",
    "ReadResult",
    "archive_one",
    "arrivals_of",
    "find_inbox_files",
    "read_workbook",
    "supersede_resubmissions",
]
