"""The run: ingest, normalize, validate and link every inbox file into accepted rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import forms, vocab
from pipeline.checking import check_sheet
from pipeline.frames import column_lists, records
from pipeline.heap import long_lived, settle
from pipeline.ingest import (
    DEFAULT_LIMITS,
    OFFICE_ZONE,
    Arrival,
    Limits,
    ReadResult,
    find_inbox_files,
    supersede_resubmissions,
)
from pipeline.ingest.cache import ReadCache, fingerprint
from pipeline.ingest.isolated import read_files, workbook_bytes
from pipeline.issues import CATALOGUE, Code, Issue, Severity, issues_by_file, sort_key
from pipeline.link import (
    CLAIMED,
    DECIDED_NEW,
    DECIDED_OLD,
    REVIEW,
    History,
    evidence_text,
    find_duplicates,
    link_years,
    supersede_units,
)
from pipeline.normalize import comparison_key, model_key
from pipeline.records import FileStatus, provenance
from pipeline.roster import Roster, match_units, roster_from_senders
from pipeline.rules import DEFAULT_RULES, LinkRules, ScoringRules, load_score_sheet
from pipeline.scoring import PASSED, level_rung, score_records
from pipeline.timing import stage

ACCEPTED, HAS_ERRORS, UNREADABLE = FileStatus.ACCEPTED, FileStatus.HAS_ERRORS, FileStatus.UNREADABLE
DUPLICATE, SUPERSEDED = FileStatus.DUPLICATE, FileStatus.SUPERSEDED
STATUSES = tuple(FileStatus)


@dataclass(frozen=True)
class FileAccount:
    """One line of the intake report: what became of one file in the inbox."""

    file: str  # "a.xlsx", or "thu.eml/a.xlsx" for an attachment
    sha256: str
    unit: str
    status: FileStatus
    reason: str
    sender: str  # the e-mail's sender, for an e-mail and its attachments
    sent: str  # when it was sent (the e-mail's date, else the file's time), "dd/mm/yyyy hh:mm"
    registrations: int  # models accepted from its "Đăng ký" sheet
    results: int  # models accepted from its "Kết quả" sheet
    held_back: int  # rows not used because of errors
    scored: int = 0  # models scored in its scoring sheets


class RunFailed(Exception):
    "The tool itself failed after reading: `files` is the intake of what it had read"

    def __init__(self, year: int, files: list[FileAccount]):
        super().__init__(f"the run of {year} failed after reading {len(files)} files")
        self.year = year
        self.files = files


_NOTHING = {forms.REGISTRATION.name: Counter(), forms.RESULTS.name: Counter()}


@dataclass
class RunResult:
    year: int
    registrations: pd.DataFrame  # accepted, normalized rows of every "Đăng ký" sheet
    results: pd.DataFrame  # accepted, normalized rows of every "Kết quả" sheet
    files: list[FileAccount]
    issues: list[Issue]
    # The bytes of each readable form that had problems, to send back marked up, and where its
    # columns are (sheet -> column key -> index).
    returned: dict[str, bytes] = field(default_factory=dict)
    layouts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # What the registry knew of earlier years; empty when it knows nothing.
    history: History | None = None
    # One row per scored model: points per criterion (c1…), subtotals, total, verdict, reasons.
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    roster: Roster = field(default_factory=Roster)  # the office's units; empty without one
    # Good rows of units the roster does not know, held until a person says which unit each
    # is (the review workbook's "Đơn vị chưa có trong danh mục"); `sheet` says which form.
    unmapped: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (timing.stage)
    read_from_cache: int = 0  # inbox files not read again: their reading was kept (ingest.cache)
    outputs_kept: int = 0  # outputs copied from the last run's, their inputs unchanged

    @property
    def exit_code(self) -> int:
        """1 when a file or a row was held back (refused, or with errors), else 0: warnings
        alone, settled or left to the office's review, do not make a run fail."""
        held = any(f.status in (HAS_ERRORS, UNREADABLE) or f.held_back for f in self.files)
        return 1 if held else 0

    def _count_links(self, link: str) -> int:
        rows = self.registrations
        return int((rows["link"] == link).sum()) if "link" in rows else 0

    def _count_moved(self) -> int:
        rows = self.registrations
        return int((rows["status"] != rows["status_ticked"]).sum()) if "link" in rows else 0

    def summary(self) -> dict:
        errors = sum(i.severity is Severity.ERROR for i in self.issues)
        return {
            "nam": self.year,
            "so_tep": len(self.files),
            "so_tep_doc_tu_bo_dem": self.read_from_cache,  # unchanged since the last run
            "so_tep_theo_trang_thai": {
                status: sum(f.status == status for f in self.files) for status in STATUSES
            },
            "so_mo_hinh_dang_ky": len(self.registrations),
            "so_mo_hinh_ket_qua": len(self.results),
            "so_mo_hinh_cham_diem": len(self.scores),
            "so_mo_hinh_dat": int((self.scores.get("verdict") == PASSED).sum())
            if not self.scores.empty
            else 0,
            "nam_truoc_trong_so": sorted(self.history.years) if self.history else [],
            "so_mo_hinh_can_xem_xet": self._count_links(REVIEW),
            "so_mo_hinh_xep_khac_don_vi_ghi": self._count_moved(),
            "so_loi": errors,
            "so_canh_bao": len(self.issues) - errors,
            "tep": [asdict(f) for f in self.files],
            "van_de": [i.to_dict() for i in self.issues],
        }


def consolidate(
    inbox: Path,
    year: int,
    on_file: Callable[[Path], None] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    archive_to: Path | None = None,
    history: History | None = None,
    rules: LinkRules = DEFAULT_RULES,
    scoring: ScoringRules | None = None,
    roster: Roster | None = None,
    carried: dict[str, pd.DataFrame] | None = None,
    zone: dt.tzinfo = OFFICE_ZONE,
    cache: Path | None = None,
) -> RunResult:
    """Read everything that arrived in the inbox and keep the rows that pass every rule.

    With a `cache` folder, a file read before exactly as it is now is not read again
    (ingest.cache); the readings of files gone from the inbox are forgotten.

    With the registry's `history`, each accepted model is linked to earlier years and put in
    the section the evidence gives (see link.link_years); rows gain model_id, link, score,
    candidates, match and status_ticked.

    For a quarter after the first, `carried` holds the latest rows of the year's earlier
    quarters (registry.load_carried): a model this inbox does not mention keeps its latest row.
    """
    history = history if history is not None else History.empty(year)
    timings: dict[str, float] = {}
    # What is read and kept stays to the end: no collection walks it (heap.long_lived). The
    # memos, loaded after 5,000 kept readings, set off collections of them all: a late run's
    # read stage took 4.0-4.6 s with them, 2.0-2.9 s without.
    with long_lived():
        with stage(timings, "read"):
            paths = find_inbox_files(inbox)
            kept = ReadCache(cache, fingerprint(year, limits, zone)) if cache else None
            if kept:
                kept.load_digests()
                kept.load_bundle()
            # Nothing lost: each file is archived before it is read (read_files).
            found = _read_all(paths, inbox, year, limits, on_file, zone, kept, archive_to)
            arrivals, reads, data = found
            settle()
            checked = {}
            if kept:
                kept.save_bundle()
                kept.prune()
                kept.load_names()
                settle()
                kept.load_sort_keys()
                settle()
                kept.load_links()
                settle()
                checked = kept.load_checked(year)
                settle()
        try:
            result = _after_reading(
                arrivals, reads, data, year, history, rules, scoring, roster, carried, timings,
                checked,
            )  # fmt: skip
            result.timings = timings
            result.read_from_cache = kept.hits if kept else 0
            if kept:
                kept.save_digests()
                kept.save_names()
                kept.save_sort_keys(*_sorted_by(result))
                kept.save_links()
                kept.save_checked(year, checked)
            return result
        except Exception as error:  # a fault of the tool: say what was read, then stop
            files = [_account(a, reads.get(a.name), list(a.issues), _NOTHING, 0) for a in arrivals]
            raise RunFailed(year, files) from error


def _sorted_by(result: RunResult) -> list[pd.Series]:
    """The texts the annexes order their lines by: each model's name and unit; and the names
    of earlier years, which the comparison with last year lists."""
    earlier = result.history.earlier if result.history is not None else pd.DataFrame()
    frames = (result.registrations, result.results, earlier)
    return [rows[c] for rows in frames for c in ("name", "unit") if c in rows]


def _after_reading(
    arrivals, reads, data, year, history, rules, scoring, roster, carried, timings, checked=None
):
    """The stages after reading: check, accept, link, score, and the account of every file.
    `checked`: each sheet's checking memo (pipeline.checking), updated for the next run."""
    checked = {} if checked is None else checked
    with long_lived():  # what was read, and each stage's output, are kept: no collection walks them
        with stage(timings, "check"):
            accepted, held_counts, unmapped, roster, issues = _check_all(
                arrivals, reads, year, roster, checked
            )
        settle()
        with stage(timings, "link"):
            issues += _link_all(accepted, history, rules, carried)
        settle()
        with stage(timings, "score"):
            scored, score_issues = _score(reads, accepted, arrivals, history, scoring)
    issues += score_issues
    issues.sort(key=sort_key)
    by_file = issues_by_file(issues)
    given = {name: Counter(rows["_file"]) for name, rows in accepted.items()}
    given["scored"] = Counter(scored["_file"]) if not scored.empty else Counter()
    files = [
        _account(a, reads.get(a.name), by_file.get(a.name, []), given, held_counts[a.name])
        for a in arrivals
    ]
    returned = {
        name: workbook_bytes(data[name])
        for name, read in reads.items()
        if read.readable and _for_unit(by_file.get(name, [])) and not _refused(by_file[name])
    }
    return RunResult(
        year=year,
        registrations=accepted[forms.REGISTRATION.name],
        results=accepted[forms.RESULTS.name],
        files=files,
        issues=issues,
        returned=returned,
        layouts={name: reads[name].layout for name in returned},
        history=history,
        scores=scored,
        roster=roster,
        unmapped=unmapped,
    )


def _check_all(arrivals, reads: dict[str, ReadResult], year: int, roster: Roster, memo: dict):
    """Normalize and validate every sheet of every file (those the last run checked with the
    same rows, from `memo`, which is updated), then accept the good rows by unit."""
    _drop_identical_files(arrivals, reads)
    issues = [i for a in arrivals for i in a.issues] + [i for r in reads.values() for i in r.issues]
    issues += supersede_resubmissions(list(reads.values()), {a.name: a.sent for a in arrivals})
    checked = {}
    for spec in forms.SHEETS:
        checked[spec.name], sheet_issues, memo[spec.name] = check_sheet(
            reads.values(), spec, year, memo.get(spec.name)
        )
        issues += sheet_issues
    sent_at = {a.name: a.sent for a in arrivals}
    ids = {(f, sheet, r): c for f, read in reads.items() for (sheet, r), c in read.codes.items()}
    if not roster:
        roster, sender_ids = _roster_from_senders(reads)
        ids |= sender_ids
    accepted, held_counts, unmapped, accept_issues = _accept(checked, issues, roster, sent_at, ids)
    return accepted, held_counts, unmapped, roster, issues + accept_issues


def _link_all(accepted: dict[str, pd.DataFrame], history: History, rules: LinkRules, carried):
    """Link each sheet's rows to earlier years (in place), then carry earlier quarters' rows."""
    issues = []
    for spec in forms.SHEETS:
        accepted[spec.name], link_issues = _link_years(accepted[spec.name], spec, history, rules)
        issues += link_issues
        kind = "registrations" if spec is forms.REGISTRATION else "results"
        earlier = (carried or {}).get(kind)
        if earlier is not None and not earlier.empty:
            accepted[spec.name] = _carry(accepted[spec.name], earlier, spec, history)
    return issues


def _roster_from_senders(reads: dict[str, ReadResult]):
    """Without the office's roster: the lower offices' consolidated annexes as nodes, and the
    code of each of their rows ((file, sheet, row) -> code)."""
    annexes = [
        (name, read.office, [provenance(r, "unit") for rows in read.rows.values() for r in rows])
        for name, read in sorted(reads.items())
        if read.office
    ]
    roster, codes = roster_from_senders(annexes)
    ids = {
        (name, provenance(r, "_sheet"), provenance(r, "_row")): code
        for name, read in reads.items()
        if read.office
        for rows in read.rows.values()
        for r in rows
        if (code := codes.get((name, comparison_key(provenance(r, "unit")))))
    }
    return roster, ids


def read_history(
    paths: list[Path], year: int, history: History, rules: LinkRules = DEFAULT_RULES
) -> RunResult:
    """An earlier year's consolidated Phụ lục 1 / 4 (or unit forms), as the registry keeps it.

    Leniently: a record of what was, not a submission to check, so every row with a unit and
    a name is kept and its problems are only reported. Sections are kept as the file gives
    them; rows are linked to years before `year` only to find the same model's id.
    """
    arrivals: list[Arrival] = []
    reads: dict[str, ReadResult] = {}
    for path in paths:
        (read,) = read_files([path], path.parent, year, DEFAULT_LIMITS, OFFICE_ZONE, workers=1)
        arrivals += read.arrivals
        reads |= read.reads
    _drop_identical_files(arrivals, reads)
    issues = [i for a in arrivals for i in a.issues] + [i for r in reads.values() for i in r.issues]
    kept = {}
    for spec in forms.SHEETS:
        rows, sheet_issues, _ = check_sheet(reads.values(), spec, year)
        rows = rows[rows["name"].ne("") & rows["unit"].ne("")]
        duplicate, duplicate_issues = find_duplicates(rows)
        rows = rows[~duplicate].reset_index(drop=True)
        links = link_years(rows, history, rules)
        kept[spec.name] = pd.concat([rows, links.drop(columns=["status"])], axis=1)
        issues += sheet_issues + duplicate_issues
    issues.sort(key=sort_key)
    given = {name: Counter(rows["_file"]) for name, rows in kept.items()}
    by_file = issues_by_file(issues)
    files = [_account(a, reads.get(a.name), by_file.get(a.name, []), given, 0) for a in arrivals]
    return RunResult(
        year=year,
        registrations=kept[forms.REGISTRATION.name],
        results=kept[forms.RESULTS.name],
        files=files,
        issues=issues,
        history=history,
    )


def _read_all(paths, inbox, year, limits, on_file, zone, cache=None, archive_to=None):
    """Every arrival, the reading of each workbook, and the bytes of each (to send back); each
    file read in isolation, in parallel (ingest.isolated)."""
    arrivals: list[Arrival] = []
    reads: dict[str, ReadResult] = {}
    data: dict[str, bytes] = {}
    found = read_files(
        paths, inbox, year, limits, zone, on_file, cache=cache, archive_to=archive_to
    )
    for read in found:
        arrivals += read.arrivals
        reads |= read.reads
        data |= read.data
    return arrivals, reads, data


def _accept(checked: dict[str, pd.DataFrame], found: list[Issue], roster: Roster, sent_at, ids):
    """The rows kept, per sheet, how many rows of each file were held back, the good rows of
    units the roster does not know (held until a person maps them), and what this step found.

    A row is held back by the errors `found` so far. Good rows get their roster unit (code and
    printed name); a unit sent in two files counts from the later one; a model repeated counts
    once.
    """
    held = _held_back(checked, found)
    issues: list[Issue] = []
    held_counts = Counter(
        file for name, rows in checked.items() for file in rows.loc[held[name], "_file"]
    )
    accepted, unmapped = {}, []
    for name, rows in checked.items():
        # Duplicates are looked for among good rows only, so a rejected row never hides a good one.
        good, unknown_units = _attach_roster(rows[~held[name]], roster, ids)
        issues += unknown_units
        if roster and not roster.from_senders:
            unknown = good["unit_code"].eq("")
            unmapped.append(good[unknown].assign(sheet=name))
            held_counts.update(good.loc[unknown, "_file"])
            good = good[~unknown]
        good, superseded = supersede_units(good, sent_at)
        issues += superseded
        duplicate, duplicate_issues = find_duplicates(good)
        issues += duplicate_issues
        accepted[name] = good[~duplicate].reset_index(drop=True)
    unmapped = pd.concat(unmapped, ignore_index=True) if unmapped else pd.DataFrame()
    return accepted, held_counts, unmapped, issues


def _carry(rows: pd.DataFrame, earlier: pd.DataFrame, spec, history: History) -> pd.DataFrame:
    """This quarter's rows, and the latest earlier-quarter row of every model not among them."""
    ids = set(rows["model_id"].dropna()) if "model_id" in rows else set()
    keys = {
        (history.canonical_unit(u), model_key(n))
        for u, n in zip(rows["unit"], rows["name"], strict=True)
    }
    keep = [
        model_id not in ids and (history.canonical_unit(u), model_key(n)) not in keys
        for model_id, u, n in zip(
            earlier["model_id"], earlier["unit"], earlier["name"], strict=True
        )
    ]
    old = earlier[keep].assign(_sheet=spec.name, _row=0, _form="", carried=True)
    old = old.reindex(columns=[*rows.columns, "carried"])
    return pd.concat([rows.assign(carried=False), old], ignore_index=True)


def _attach_roster(rows: pd.DataFrame, roster: Roster, ids) -> tuple[pd.DataFrame, list[Issue]]:
    """Each row's roster code, and the unit's name as the roster prints it; an unknown unit is
    reported once per file. Without a roster, units stay as written.

    A row of a lower office's annex made by this tool carries its unit's code (`ids`, keyed by
    file, sheet and row): when the code is in this roster too, it decides, not the name.
    """
    rows = rows.copy()
    if not roster:
        rows["unit_code"] = ""
        return rows, []
    codes = match_units(sorted(set(rows["unit"].tolist())), roster)
    by_name = rows["unit"].map(lambda u: codes.get(u) or "")
    places = zip(*column_lists(rows, "_file", "_sheet", "_row"), strict=True)
    carried = pd.Series([ids.get(p, "") for p in places], index=rows.index, dtype=object)
    rows["unit_code"] = carried.where(carried.isin(list(roster.units)), by_name)
    known = rows["unit_code"].ne("")
    rows.loc[known, "unit"] = rows.loc[known, "unit_code"].map(lambda c: roster.units[c].name)
    if roster.from_senders:  # no list of who should send: a unit of no node is no problem
        return rows, []
    issues = []
    for (_file, unit), group in rows[~known].groupby(["_file", "unit"], sort=True):
        first = group.index[0]
        issues.append(
            Issue.at_row(group, first, Code.UNIT_NOT_IN_ROSTER, value=unit, detail=str(len(group)))
        )
    return rows, issues


def _link_years(rows: pd.DataFrame, spec: forms.SheetSpec, history: History, rules: LinkRules):
    """Rows with their links to earlier years, and every disagreement with the unit's tick."""
    links = _ask_where_units_share_a_name(rows, link_years(rows, history, rules))
    linked = pd.concat([rows.drop(columns="status"), links], axis=1)
    labels = vocab.STATUSES if spec is forms.REGISTRATION else vocab.RESULT_STATUSES
    issues = []
    # Only the rows a person is told of are made into records: 50,000 were 0.35 s.
    told = linked["link"].eq(REVIEW) | linked["review_reason"].eq(CLAIMED)
    ticked = linked["status_ticked"]
    told |= ticked.map(bool).astype(bool) & linked["status"].ne(ticked)
    for row in records(linked[told]):
        if row["link"] == REVIEW:
            reason = vocab.REVIEW_REASONS[row["review_reason"]].format(**row)
            near = f", gần giống “{row['match']}”" if row["match"] else ""
            code, value, detail = Code.MODEL_NEEDS_REVIEW, row["status_ticked"], reason + near
        elif row["review_reason"] == CLAIMED:
            detail = f"“{row['match']}” đã được tính cho mô hình “{row['claimed_by']}” của đơn vị"
            code, value = Code.MODEL_CLAIMED, row["status"]
        elif row["status"] == row["status_ticked"] or not row["status_ticked"]:
            continue
        else:
            code = (
                Code.STATUS_CONTINUING if row["status"] == "DUY_TRI" else Code.STATUS_NOT_CONTINUING
            )
            value, detail = row["status_ticked"], evidence_text(row, history.years)
        issues.append(
            Issue(
                file=row["_file"],
                sheet=row["_sheet"],
                row=int(row["_row"]),
                column=spec.header("status"),
                code=code,
                value=labels.get(value, ""),
                detail=detail,
            )
        )
    return linked, issues


def _ask_where_units_share_a_name(rows: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Two units of one name under different nodes ("Hội Nông dân xã" of two communes) share
    one history, which the registry keeps by name: an earlier model near one of their models
    may be the other's. Such a row keeps its unit's tick and goes to review, unless a person
    decided it; "nothing near" stays strong evidence, since it holds for both."""
    if rows.empty or "unit_code" not in rows:
        return links
    codes = rows["unit_code"].fillna("").astype(str)
    names = rows["unit"].map(comparison_key)
    known = codes.ne("")
    shared = names.map(codes[known].groupby(names[known]).nunique()).fillna(0).gt(1)
    decided = links["link"].isin([DECIDED_OLD, DECIDED_NEW])
    asked = shared & links["match"].fillna("").ne("") & ~decided
    if asked.any():
        links = links.copy()
        links.loc[asked, "link"] = REVIEW
        links.loc[asked, "status"] = links.loc[asked, "status_ticked"]
        links.loc[asked, "model_id"] = None
        links.loc[asked, "review_reason"] = "shared-unit-name"
    return links


def _score(reads, accepted, arrivals, history: History, scoring: ScoringRules | None):
    """Every scoring sheet of the inbox, checked and judged against this year's registrations."""
    scoring = scoring or ScoringRules(load_score_sheet())
    records = [record for read in reads.values() for record in read.scores]
    if not records:
        return pd.DataFrame(), []
    # Only an e-mail's date says when a unit sent its registration; a file's time does not.
    registered_on = {a.name: a.sent.date() for a in arrivals if a.sender and a.sent}
    recognised = {
        (model_id, rung)
        for model_id, level in zip(
            history.recognitions["model_id"], history.recognitions["level"], strict=True
        )
        if (rung := level_rung(level, scoring.ladder)) is not None
    }
    return score_records(
        records,
        accepted[forms.REGISTRATION.name],
        accepted[forms.RESULTS.name],
        scoring,
        canonical_unit=history.canonical_unit,
        recognised_before=recognised,
        registered_on=registered_on,
        known_ids=history.own_ids(),
        earlier=history.blocks(),
    )


def _for_unit(issues: list[Issue]) -> bool:
    """Whether the unit must fix its file and send it again: a superseded file, or a warning
    already settled (a section corrected, a model counted once), sends nothing back."""
    return any(CATALOGUE[i.code].sent_back for i in issues)


def _refused(issues: list[Issue]) -> bool:
    return any(CATALOGUE[i.code].refuses_file for i in issues)


def _drop_identical_files(arrivals: list[Arrival], reads: dict[str, ReadResult]) -> None:
    """The same bytes twice count once: the copy sent first is kept, the others reported."""
    first_with: dict[str, str] = {}
    for arrival in sorted(arrivals, key=lambda a: (a.sent or dt.datetime.min, a.name)):
        if arrival.name not in reads:
            continue
        if arrival.sha256 in first_with:
            del reads[arrival.name]
            arrival.issues.append(
                Issue(
                    file=arrival.name, code=Code.FILE_DUPLICATE, detail=first_with[arrival.sha256]
                )
            )
        else:
            first_with[arrival.sha256] = arrival.name


def _held_back(accepted: dict[str, pd.DataFrame], issues: list[Issue]) -> dict[str, pd.Series]:
    """Rule: a row with an error is held back, and so is every row of a sheet or file with one.

    Warnings never hold a row back. The intake report counts what was held back per file.
    """
    errors = [i for i in issues if i.severity is Severity.ERROR]
    bad_rows = {(i.file, i.sheet, i.row) for i in errors if i.row is not None}
    bad_sheets = {(i.file, i.sheet) for i in errors if i.row is None and i.sheet}
    bad_files = {i.file for i in errors if i.row is None and not i.sheet}
    held = {}
    for name, rows in accepted.items():
        held[name] = pd.Series(
            [
                (f, s, r) in bad_rows or (f, s) in bad_sheets or f in bad_files
                for f, s, r in zip(rows["_file"], rows["_sheet"], rows["_row"], strict=True)
            ],
            index=rows.index,
            dtype=bool,
        )
    return held


def _account(arrival: Arrival, read: ReadResult | None, own: list[Issue], given, held_back: int):
    """One intake line; the status follows the worst that happened to the file."""
    codes = {i.code for i in own}
    registrations = given[forms.REGISTRATION.name][arrival.name]
    results = given[forms.RESULTS.name][arrival.name]
    scored = given.get("scored", Counter())[arrival.name]
    if Code.FILE_DUPLICATE in codes:
        status = DUPLICATE
    elif any(CATALOGUE[c].refuses_file for c in codes) or (read is not None and not read.readable):
        status = UNREADABLE
    elif any(i.severity is Severity.ERROR for i in own):
        status = HAS_ERRORS
    elif (
        codes & {Code.SHEET_SUPERSEDED, Code.UNIT_SUPERSEDED}
        and registrations + results + scored == 0
    ):
        status = SUPERSEDED
    else:
        status = ACCEPTED  # warnings, if any, are in the reason
    if own:
        reason = own[0].message + (f" (và {len(own) - 1} vấn đề khác)" if len(own) > 1 else "")
    elif arrival.kind == "container":
        reason = f"Có {len(arrival.members)} tệp bên trong: {', '.join(arrival.members)}."
    else:
        reason = ""
    return FileAccount(
        file=arrival.name,
        sha256=arrival.sha256,
        unit=read.unit if read else "",
        status=status,
        reason=reason,
        sender=arrival.sender,
        sent=arrival.sent.strftime("%d/%m/%Y %H:%M") if arrival.sent else "",
        registrations=registrations,
        results=results,
        held_back=held_back,
        scored=scored,
    )
