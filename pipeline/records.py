"""What the readers produce and the later stages consume: raw rows, score records, decisions.

A leaf module: it imports nothing of the project but the issue record, so that ingest, link and
scoring all depend on it and never on each other for their types.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from pipeline import vocab
from pipeline.issues import Issue


class FileStatus(StrEnum):
    """What became of one inbox file: stored and keyed by code, shown by its label."""

    ACCEPTED = "accepted"
    HAS_ERRORS = "has-errors"
    UNREADABLE = "unreadable"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return vocab.FILE_STATUS_LABELS[self.value]


class Outcome(StrEnum):
    """A scored model's outcome: stored and keyed by code, shown by its label."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_JUDGED = "not-judged"  # its points had errors: nothing can be said yet

    @property
    def label(self) -> str:
        return vocab.OUTCOME_LABELS[self.value]


# Where each raw row came from; _form is "bieu_mau" (our template) or "phu_luc" (typed by hand).
PROVENANCE = ("_row", "_file", "_sheet", "unit", "_form")
_FROM_END = {name: i - len(PROVENANCE) for i, name in enumerate(PROVENANCE)}


def provenance(row: list, name: str) -> object:
    """One provenance value of a raw row ("_row", "_sheet", "unit"…), which ends every row."""
    return row[_FROM_END[name]]


@dataclass
class ReadResult:
    """What one inbox file gave: raw rows per sheet, and problems found while reading it."""

    file: str  # path relative to the inbox, as the intake report shows it
    sha256: str
    unit: str = ""
    # sheet name -> raw rows: the form's columns in order, then the PROVENANCE values
    rows: dict[str, list[list]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    readable: bool = True
    # sheet name -> column key (or mark) -> 0-based column, to point at cells in the unit's file
    layout: dict[str, dict[str, int]] = field(default_factory=dict)
    scores: list[ScoreRecord] = field(default_factory=list)  # scoring sheets, one per model
    # A lower office's Phụ lục made by this tool: (sheet, Excel row) -> the unit's roster code.
    codes: dict[tuple[str, int], str] = field(default_factory=dict)
    # A lower office's consolidated annex (its units listed under it): the office its heading
    # names. Without a roster, it becomes a node of the total (roster.roster_from_senders).
    office: str = ""
    # sheet -> rows_key of its rows, worked out when the reading was kept (ingest.cache): a
    # re-run knows each file's rows again without hashing them all (0.2 s for a province).
    rows_keys: dict[str, str] = field(default_factory=dict)

    def rows_key(self, sheet: str) -> str:
        """The sheet's rows as read, to know them again (rows_key)."""
        return self.rows_keys.get(sheet) or rows_key(self.rows[sheet])


def rows_key(records: list) -> str:
    """Rows as read, to know them again: by value, types included (1, 1.0, "1")."""
    return hashlib.sha256(repr(records).encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class ScoreRecord:
    """One scored model as read from a sheet, before any check."""

    file: str
    sheet: str
    row: int  # the Excel row of the model (template) or of the table's header (vertical sheet)
    unit: str
    name: str
    subject: str  # TAP_THE / CA_NHAN as written on the sheet, "" when not said
    raw: dict[int, object]  # criterion number -> the cell as typed
    where: dict[int, int]  # criterion number -> its Excel row (vertical) or the model's row
    columns: dict[int, str]  # criterion number -> the column header to point at
    variant: str = ""  # which II variant a vertical sheet filled: TAP_THE / CA_NHAN / BOTH
    typed_total: object = None
    level: str = ""  # "Đề nghị công nhận cấp"
    scorer: str = ""
    scored_on: object = None
    signature: str = ""  # our template: the criteria it was made for (ScoreSheet.signature)


@dataclass(frozen=True)
class Decision:
    """A person's answer to "is this last year's model?" in the review workbook."""

    is_old: bool
    model_id: int | None = None  # the earlier model it continues, when is_old
