"""Report stage: the writers, one module per workbook, which alone touch output files."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import itertools
import marshal
import operator
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import forms
from pipeline.analysis import review_rows
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.letters import Letter, letters
from pipeline.normalize import ascii_slug
from pipeline.report.comparison import write_comparison
from pipeline.report.completeness import write_completeness
from pipeline.report.drafts import DRAFTS_FOLDER, draft_paths, write_drafts
from pipeline.report.intake import write_intake
from pipeline.report.phu_luc import write_phu_luc_1, write_phu_luc_4
from pipeline.report.returns import return_tasks
from pipeline.report.reuse import Earlier, fingerprint
from pipeline.report.review import changed_rows, write_review
from pipeline.report.scores import write_scores
from pipeline.report.workers import Task, write_all
from pipeline.roster import Roster
from pipeline.rules import ScoringRules
from pipeline.timing import stage

OUTPUT_NAMES = {
    "phu_luc_1": "Phu_luc_1_dang_ky_{year}.xlsx",
    "phu_luc_4": "Phu_luc_4_ket_qua_{year}.xlsx",
    "tiep_nhan": "Tiep_nhan_{year}.xlsx",
}
COMPARISON_NAME = "So_sanh_nam_truoc_{year}.xlsx"
SCORES_NAME = "Ket_qua_cham_diem_{year}.xlsx"
COMPLETENESS_NAME = "Tinh_hinh_tong_hop_{year}.xlsx"
BY_NODE_FOLDER = "theo_don_vi"  # one Phụ lục 1 and 4 per node of the roster


RETURNS_FOLDER = "tra_lai"  # error workbooks to e-mail back, one per unit with problems


def output_folder(outbox: Path, year: int, period: int | None = None) -> Path:
    """outbox/<year>/, or outbox/<year>/Q<n>/ for a quarter's run: each period keeps its own."""
    folder = outbox / str(year)
    return folder / f"Q{period}" if period else folder


def output_stamp(year: int, period: int | None = None) -> str:
    """What output file names carry: "2026", or "2026_Q2" for a quarter's run."""
    return f"{year}_Q{period}" if period else str(year)


def review_path(outbox: Path, year: int, period: int | None = None) -> Path:
    """The review workbook, where the office's answers are read from and written back."""
    stamp = output_stamp(year, period)
    return output_folder(outbox, year, period) / forms.REVIEW_FILENAME.format(year=stamp)


def owned_outputs(outbox: Path, year: int, period: int | None = None) -> list[Path]:
    """Every file an earlier run of this year (or quarter) may have left in its folder: the
    only files a run replaces or removes. A person's own files in the outbox stay."""
    folder = output_folder(outbox, year, period)
    stamp = output_stamp(year, period)
    names = [*OUTPUT_NAMES.values(), COMPARISON_NAME, SCORES_NAME, COMPLETENESS_NAME]
    found = [folder / n.format(year=stamp) for n in [*names, forms.REVIEW_FILENAME]]
    found += folder.glob(f"{RETURNS_FOLDER}/*_can_sua.xlsx")
    found += folder.glob(f"{DRAFTS_FOLDER}/*.eml")
    found += folder.glob(f"{BY_NODE_FOLDER}/*/*.xlsx")
    return sorted(p for p in found if p.is_file())


def write_outputs(
    result: RunResult,
    cfg: Config,
    outbox: Path,
    scoring: ScoringRules | None = None,
    earlier: Earlier | None = None,
    on_output: Callable[[Path], None] | None = None,
    today: dt.date | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, Path]:
    """Write the annexes, the intake workbook and the error workbooks into outbox/<year>/;
    with last year on record, the comparison and review; with scoring sheets, their results.

    Only writes: the caller stages them (report.staging) and removes an earlier run's outputs
    that this run does not make again (a unit that fixed its file gets nothing back). With
    `earlier` (the outbox as last published), an output made from the same inputs is copied.
    `on_output` is told of each workbook once it is written (a progress bar). `meanwhile`
    runs here once the whole-run workbooks are written, while writer processes may still be
    writing (the registry's rows, stored)."""
    period = cfg.period
    folder = output_folder(outbox, cfg.year, period)
    stamp = output_stamp(cfg.year, period)
    paths = {key: folder / name.format(year=stamp) for key, name in OUTPUT_NAMES.items()}
    roster = result.roster
    timings = result.timings
    done = on_output or (lambda _path: None)

    @contextlib.contextmanager
    def timed(key: str):
        with stage(timings, f"write {key}"):
            yield
        if key in paths and paths[key].suffix == ".xlsx":
            done(paths[key])

    jobs = _annex_jobs(paths, result, cfg, folder / BY_NODE_FOLDER, stamp)
    if roster.nodes():
        paths["theo_don_vi"] = folder / BY_NODE_FOLDER
    returns = folder / RETURNS_FOLDER
    today = today or dt.date.today()
    returned: dict[str, Path] = {}
    drafts: list[tuple[Letter, Path]] = []

    def tasks() -> Iterator[Task]:
        """The annexes, the office's own (the largest) first, then the returns: each is being
        written while the next is decided (written, or copied from the last run)."""
        yield from _annex_tasks(jobs, outbox, earlier, done)
        found, writes = return_tasks(result, returns, cfg.office_name, earlier, outbox, done)
        returned.update(found)
        drafts.extend(
            draft_paths(folder / DRAFTS_FOLDER, letters(result, cfg, list(returned), today))
        )
        yield from writes

    def the_rest() -> None:
        """The workbooks made from the whole run, written here while the writers work, and
        the reminders, which attach nothing the writers make."""
        # Until now this process decided the tasks (their fingerprints, the returns' and the
        # letters' contents) while the writers began: its share of the wall time, for the bench.
        timings["write deciding"] = time.perf_counter() - started
        reminders = [(letter, path) for letter, path in drafts if not letter.files_to_fix]
        with timed("thu_gui nhac"):
            if write_drafts(reminders, returned, cfg, today, earlier, outbox):
                paths["thu_gui"] = folder / DRAFTS_FOLDER
        if roster and not roster.from_senders:  # who was expected to send: only a roster says
            paths["tinh_hinh"] = folder / COMPLETENESS_NAME.format(year=stamp)
            with timed("tinh_hinh"):
                write_completeness(paths["tinh_hinh"], result, roster, cfg)
        with timed("tiep_nhan"):
            write_intake(paths["tiep_nhan"], result, cfg, returned)
        if returned:
            paths["tra_lai"] = returns
        history = result.history
        if history is not None and cfg.year - 1 in history.years:
            paths["so_sanh"] = folder / COMPARISON_NAME.format(year=stamp)
            with timed("so_sanh"):
                write_comparison(paths["so_sanh"], result, cfg)
        if not result.scores.empty:
            paths["cham_diem"] = folder / SCORES_NAME.format(year=stamp)
            with timed("cham_diem"):
                write_scores(paths["cham_diem"], result, cfg, scoring or cfg.scoring_rules())
        # Nothing left to decide: no review workbook; its decisions, if any, are in the registry.
        asked = not review_rows(result).empty or changed_rows(result) or not result.unmapped.empty
        if history is not None and asked:
            paths["can_xem_xet"] = review_path(outbox, cfg.year, period)
            with timed("can_xem_xet"):
                write_review(paths["can_xem_xet"], result, cfg)
        if meanwhile is not None:
            meanwhile()

    # Annexes and returns in writer processes when there are many; the rest meanwhile, here.
    started = time.perf_counter()
    with stage(timings, "write (wall)"):
        write_all(tasks(), done, timings, beside=the_rest)
    # A letter to fix a file attaches the workbook just written for it: those go last.
    fixes = [(letter, path) for letter, path in drafts if letter.files_to_fix]
    with stage(timings, "write thu_gui"):
        if write_drafts(fixes, returned, cfg, today, earlier, outbox):
            paths["thu_gui"] = folder / DRAFTS_FOLDER
    return paths


@dataclass(frozen=True)
class _Annex:
    """One Phụ lục to write: the office's own, or a node's, with what it is made from: the
    rows of the run's `frame` at `positions` (None: all of it)."""

    key: str  # phu_luc_1 | phu_luc_4
    path: Path
    frame: pd.DataFrame
    cfg: Config
    roster: Roster
    positions: list[int] | None = None

    @functools.cached_property
    def rows(self) -> pd.DataFrame:
        """Its own rows, taken out of the frame only when it is written: after a late file,
        most nodes' annexes are kept, and taking their rows out was a tenth of deciding."""
        return self.frame if self.positions is None else self.frame.iloc[self.positions]

    def task(self) -> Task:
        """Writing it, carrying its own rows only (a writer process is sent them)."""
        own = dataclasses.replace(self, frame=self.rows, positions=None)
        return Task(self.key, len(own.frame) + 50, own.write)

    def inputs(self, columns: list[list]) -> str:
        """Its fingerprint, from `columns`: the run's frame's values (_columns), made once for
        all the annexes that list its rows."""
        rows = hashlib.sha256(b"".join(_column_bytes(c, self.positions) for c in columns))
        return fingerprint(
            self.key, list(self.frame.columns), rows.hexdigest(), repr(self.cfg), repr(self.roster)
        )

    def write(self) -> Path:
        write = write_phu_luc_1 if self.key == "phu_luc_1" else write_phu_luc_4
        write(self.path, self.rows, self.cfg, self.roster)
        return self.path


def _columns(rows: pd.DataFrame) -> list[list]:
    """The frame's values, column by column, as a fingerprint takes them (_column_bytes)."""
    columns = []
    for name in rows.columns:
        column = rows[name]
        if column.dtype.kind in "mM":  # dates and times: their count of ticks, with the unit
            ticks = column.array.asi8.tolist()  # NaT too: the smallest int64
            columns.append(list(zip(itertools.repeat(("\0", str(column.dtype))), ticks)))
        else:
            columns.append(column.tolist())
    return columns


def _column_bytes(values: list, positions: list[int] | None) -> bytes:
    """The values at `positions` (None: all), as marshal (version 2) writes a tuple of them:
    by value and type, not by which equal values are one object (as a pickle's bytes say),
    whatever their place in the whole inbox, and self-delimiting, so columns joined stay
    apart. Taken and written in C, a column at a time: one marshal call per row was a third
    of deciding the writers' tasks. A value marshal cannot write (a missing number, a date
    in a column of text) goes as a tuple of its repr, which no cell of a frame holds."""
    if positions is None:
        taken = tuple(values)
    elif len(positions) == 1:
        taken = (values[positions[0]],)
    else:
        taken = operator.itemgetter(*positions)(values) if positions else ()
    try:
        return marshal.dumps(taken, 2)
    except ValueError:
        return marshal.dumps(tuple(map(_tagged, taken)), 2)


def _tagged(value: object) -> object:
    return value if type(value) in (str, int, float, bool, type(None)) else ("\0", repr(value))


def _annex_jobs(
    paths, result: RunResult, cfg: Config, by_node: Path, stamp: str
) -> Iterator[_Annex]:
    """The office's Phụ lục 1 and 4, then for every node of the roster (a unit with units
    under it) its own, made from the rows of its subtree. Made as they are asked for: the
    office's own is being written while the nodes' are worked out."""
    frames = {"phu_luc_1": result.registrations, "phu_luc_4": result.results}
    roster = result.roster
    for key, rows in frames.items():
        yield _Annex(key, paths[key], rows, cfg, roster)
    # Each unit's rows found once, not filtered out of the whole frame again for every node.
    places = {key: _positions_by_unit(rows) for key, rows in frames.items()}
    subtrees = roster.subtrees()
    for node in roster.nodes():
        inside = [u.code for u in subtrees[node.code]]
        own_cfg = dataclasses.replace(
            cfg, office_name=node.name.upper(), parent_name=cfg.office_name
        )
        own_roster = roster.under(node.code, subtrees[node.code])
        for key, rows in frames.items():
            where = sorted(i for code in inside for i in places[key].get(code, ()))
            path = by_node / ascii_slug(node.name) / OUTPUT_NAMES[key].format(year=stamp)
            yield _Annex(key, path, rows, own_cfg, own_roster, where)


def _positions_by_unit(rows: pd.DataFrame) -> dict[str, list[int]]:
    """unit code -> the positions of its rows, in the frame's order."""
    if "unit_code" not in rows:
        return {}
    found: dict[str, list[int]] = {}
    for position, code in enumerate(rows["unit_code"].tolist()):
        found.setdefault(code, []).append(position)
    return found


def _annex_tasks(
    jobs: Iterable[_Annex], outbox: Path, earlier: Earlier | None, done
) -> Iterator[Task]:
    """A task for each annex not made from the same inputs as last run's; those are copied.
    `jobs` give the office's own annexes first."""
    whole: dict[str, pd.DataFrame] = {}  # the office's own, made from the whole frame
    columns: dict[str, list[list]] = {}  # each frame's values, taken once for its annexes
    for job in jobs:
        if job.positions is None:
            whole[job.key] = job.rows
        if earlier is not None:
            if job.key not in columns:
                columns[job.key] = _columns(whole[job.key])
            if earlier.reuse(job.path, outbox, job.inputs(columns[job.key])):
                done(job.path)
                continue
        yield job.task()


def expected_outputs(result: RunResult) -> int:
    """About how many workbooks write_outputs will write (for a progress bar)."""
    return 6 + 2 * len(result.roster.nodes()) + len(result.returned)
