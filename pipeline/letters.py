"""Whom the office writes to after a run, and what it says: one letter per unit to contact.

A unit whose file came back with errors is asked to fix it (its `tra_lai` workbook goes with
the letter); a roster unit that has not sent a form that is due is reminded (the blank form
goes with it). Pure: report/drafts.py turns these into .eml drafts; nothing is ever sent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email.utils import parseaddr

from pipeline.analysis import NOT_SENT, unit_status
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.issues import CATALOGUE, Code, Issue, issues_by_file, sort_key
from pipeline.records import FileStatus
from pipeline.roster import match_units

# A form's reminder starts this long before its deadline; with no deadline set, the
# registration is due at once (it opens the year) and the results are not yet.
REMIND_BEFORE = dt.timedelta(days=30)
# Why a file could not be read at all that its sender can mend (and is told of).
TOLD = frozenset(
    {
        Code.FILE_UNREADABLE, Code.FILE_NO_TABLE, Code.FILE_PASSWORD, Code.FILE_TOO_LARGE,
        Code.FILE_READER_STOPPED, Code.CONTAINER_EMPTY, Code.CONTAINER_TOO_DEEP,
        Code.FILE_TEMPLATE_CHANGED, Code.FILE_WRONG_YEAR, Code.FILE_EMPTY,
    }
)  # fmt: skip
PROBLEMS_LISTED = 20  # the rest are in the attached workbook's "Cần sửa" sheet
ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
FORM_NAMES = {"registration": "biểu đăng ký mô hình", "results": "báo cáo kết quả mô hình"}


@dataclass
class Letter:
    """One unit to write to: why, and the files of theirs that went wrong."""

    unit: str  # the unit's name as the roster (or its file) gives it
    to: str  # an e-mail address, or "" when neither the roster nor the e-mail gives one
    files_to_fix: list[str] = field(default_factory=list)  # inbox files returned to the unit
    problems: list[Issue] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # keys of FORM_NAMES not sent, due
    unreadable: list[str] = field(default_factory=list)  # files it e-mailed that were not read
    to_from_sender: bool = False  # the address is the e-mail's sender: the roster has none

    @property
    def kind(self) -> str:
        return "sua" if self.files_to_fix or self.unreadable else "nhac"


def due_forms(cfg: Config, today: dt.date) -> list[str]:
    """The forms a unit that has not sent them is reminded of on `today`."""
    deadlines = {"registration": cfg.registration_deadline, "results": cfg.results_deadline}
    due = []
    for form, deadline in deadlines.items():
        if (deadline is None and form == "registration") or (
            deadline is not None and today >= deadline - REMIND_BEFORE
        ):
            due.append(form)
    return due


def letters(result: RunResult, cfg: Config, returned: list[str], today: dt.date) -> list[Letter]:
    """One letter per unit with a file in `returned` (the files given back with errors), a file
    it e-mailed that could not be read, or a due form not sent: in the roster's order, then the
    senders the roster does not know."""
    roster = result.roster
    accounts = {f.file: f for f in result.files}
    unreadable = _unreadable_mailed(result, set(returned))
    named = sorted({accounts[f].unit for f in [*returned, *unreadable] if accounts[f].unit})
    codes = match_units(named, roster)
    by_unit: dict[str, Letter] = {}

    def letter_for(file: str) -> Letter:
        account = accounts[file]
        code = codes.get(account.unit) if account.unit else None
        unit = roster.units.get(code) if code else None
        sender = addresses(parseaddr(account.sender)[1])
        key = code or (f"thu:{sender}" if sender else f"tep:{file}")
        if key not in by_unit:
            to = addresses(unit.email if unit else "") or sender
            name = unit.name if unit else account.unit or parseaddr(account.sender)[0] or file
            by_unit[key] = Letter(name, to, to_from_sender=bool(to) and to == sender)
        return by_unit[key]

    by_file = issues_by_file(result.issues)  # not every issue looked through for each file
    for file in returned:
        letter = letter_for(file)
        letter.files_to_fix.append(file)
        letter.problems += sorted(
            (i for i in by_file.get(file, []) if not CATALOGUE[i.code].for_office), key=sort_key
        )
    for file, issue in unreadable.items():
        letter = letter_for(file)
        letter.unreadable.append(file)
        letter.problems.append(issue)
    if roster and not roster.from_senders:
        due = due_forms(cfg, today)
        units = unit_status(result, roster, cfg)
        for row in units.itertuples(index=False):
            missing = [form for form in due if getattr(row, f"{form}_status") == NOT_SENT]
            if missing:
                letter = by_unit.setdefault(row.code, Letter(row.name, addresses(row.email)))
                letter.missing = missing
    order = {code: n for n, code in enumerate(roster.units)}
    return [by_unit[key] for key in sorted(by_unit, key=lambda k: (order.get(k, len(order)), k))]


def _unreadable_mailed(result: RunResult, returned: set[str]) -> dict[str, Issue]:
    """Each file that came by e-mail and could not be read at all (damaged, locked, no table,
    an e-mail with no workbook), with why: its sender is told, since nothing else will tell
    them. A picture or a signature beside the form (not a workbook) is nobody's mistake."""
    found = {}
    for account in result.files:
        if account.status != FileStatus.UNREADABLE or account.file in returned:
            continue
        if not account.sender:
            continue  # saved from somewhere: the office knows no one to write to
        told = [i for i in result.issues if i.file == account.file and i.code in TOLD]
        if told:
            found[account.file] = sorted(told, key=sort_key)[0]
    return found


def addresses(text: str) -> str:
    """The e-mail addresses in a roster's cell, as one To: offices separate them with ";",
    "," or spaces; a cell with none that looks like an address gives "" (no guessing)."""
    found = [part for part in re.split(r"[;,\s]+", text or "") if ADDRESS.fullmatch(part)]
    return ", ".join(found)


def letters_summary(found: list[Letter]) -> dict:
    """What the summary and --json say of the drafts: how many of each, and who lacks an
    address (the roster's "Thư điện tử" column is empty and the file was not e-mailed)."""
    return {
        "de_nghi_sua": sum(letter.kind == "sua" for letter in found),
        "nhac_gui": sum(letter.kind == "nhac" for letter in found),
        "chua_co_dia_chi": [letter.unit for letter in found if not letter.to],
    }
