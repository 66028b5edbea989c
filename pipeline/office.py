"""The run API: an office's workspace opened once, and every job of `dvk` as a call on it.

The CLI, the tests and (later) the control workbook's buttons all call this, so that a run
gives the same result, the same files and the same exit code whoever starts it::

    office = Office.open("D:/DanVanKheo")
    run = office.consolidate(year=2026)
    run.publish()            # the outbox and the registry, together or not at all
    run.report.exit_code     # 0 clean, 1 something held back

Every policy of a run lives here: which registry may be used, what the review answers
decide, what is recorded. Problems that stop a run are a `DvkError` in Vietnamese.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import forms
from pipeline.analysis import completeness
from pipeline.config import Config, ConfigError, Workspace, load_config, write_default_config
from pipeline.consolidate import RunFailed, RunResult, consolidate, read_history
from pipeline.heap import long_lived
from pipeline.ingest import find_inbox_files
from pipeline.ingest.decisions import read_decisions, read_unit_answers
from pipeline.ingest.roster_reader import read_roster
from pipeline.issues import Issue
from pipeline.letters import letters, letters_summary
from pipeline.link import History
from pipeline.records import Decision
from pipeline.registry import (
    FileRecord,
    RegistryError,
    backup_registry,
    load_carried,
    load_history,
    load_unit_answers,
    new_model_ids,
    open_registry,
    recording,
    registered_models,
    store_answers,
    years_on_record,
)
from pipeline.report import (
    OUTPUT_NAMES,
    output_folder,
    output_stamp,
    owned_outputs,
    review_path,
    write_outputs,
)
from pipeline.report.desk_workbook import write_desk
from pipeline.report.intake import write_intake
from pipeline.report.keeping import write_keeping_filled
from pipeline.report.reuse import Earlier
from pipeline.report.roster_template import write_roster_template
from pipeline.report.score_template import score_template_path, write_score_template
from pipeline.report.staging import OutputLocked, Staging
from pipeline.report.template import template_path, write_template
from pipeline.roster import Roster, build_roster
from pipeline.rules import DEFAULT_SHEET, ScoreSheetError, ScoringRules, load_score_sheet
from pipeline.timing import stage

OUTPUTS_MANIFEST = "ket_qua.json"  # what each output was made from (report/reuse.py)
REGISTRY_BACKUP = "dvk_sao_luu.sqlite"  # in luu_tru/: the registry as it was before the last run
CONSOLIDATED, IMPORTED = "tong_hop", "lich_su"
DESK_DATA = (
    Path(__file__).resolve().parent / "data"
)  # the files `dvk init` copies as they are  # how a year came into the registry


class DvkError(Exception):
    """A run that cannot start or finish (exit code 3); the message says why and what to do,
    in Vietnamese. Nothing in the outbox or the registry was changed."""

    exit_code = 3


@dataclass(frozen=True)
class Written:
    """One workbook a job wrote: where it belongs, where it went, and whether it replaced the
    one there (False: that one was filled in by someone, so the new one got another name)."""

    what: str  # "template", "score_template", "roster"
    path: Path
    written: Path
    replaced: bool
    listed: int = 0  # the scoring sheet: this year's registered models written in, to score


@dataclass
class Report:
    """What a run found, for a person (the CLI's summary) and for a machine (`to_json`)."""

    stats: dict
    issues: list[Issue]
    exit_code: int  # 0: every file and row used; 1: something was held back
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.exit_code == 0

    def to_dict(self) -> dict:
        return self.stats | {"tep_ket_qua": {key: str(p) for key, p in self.outputs.items()}}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


@dataclass
class Run:
    """One consolidation (or history import), read and checked, not yet written anywhere."""

    office: Office
    config: Config  # with the run's year and quarter
    result: RunResult
    source: str = CONSOLIDATED
    answers: dict[tuple[str, str], Decision | None] = field(default_factory=dict)
    unit_answers: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def report(self) -> Report:
        stats = self.result.summary()
        if self.result.roster and not self.result.roster.from_senders:
            stats["tinh_hinh"] = completeness(self.result, self.config)
        stats["thu_gui"] = letters_summary(
            letters(self.result, self.config, list(self.result.returned), dt.date.today())
        )
        return Report(stats, self.result.issues, self.result.exit_code, dict(self.outputs))

    def write(
        self,
        outbox: Path,
        earlier: Earlier | None = None,
        on_output: Callable[[Path], None] | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> dict[str, Path]:
        """Every output workbook into `outbox`, the registry untouched (a preview, a test);
        with `earlier`, outputs made from unchanged inputs are copied from it. `meanwhile`
        runs in this process while writer processes write the largest workbooks."""
        with _writing(outbox):
            scoring = self.office.scoring_rules()
            return write_outputs(
                self.result, self.config, outbox, scoring, earlier, on_output, meanwhile=meanwhile
            )

    def record(self, before_commit: Callable[[], None] | None = None) -> None:
        """The run into the registry, in one transaction; `before_commit` runs inside it, so
        that what it does and the registry's change happen together or not at all."""
        with self._recording():
            if before_commit is not None:
                before_commit()

    @contextlib.contextmanager
    def _recording(self) -> Iterator[None]:
        """The run's rows stored in a registry transaction that commits when the block ends,
        and stores nothing when it raises (registry.recording)."""
        conn = self.office.registry()
        timings = self.result.timings
        try:
            with _changing_registry(self.office.workspace), contextlib.ExitStack() as stack:
                with stage(timings, "registry"):
                    stack.enter_context(_recorded(conn, self))
                yield
                with stage(timings, "registry"):
                    stack.close()  # the commit
        finally:
            conn.close()

    def publish(self, on_output: Callable[[Path], None] | None = None) -> dict[str, Path]:
        """The outputs and the registry together: written aside, locks checked, moved into the
        outbox inside the registry's transaction, moved back if the commit fails. `on_output`
        is told of each workbook as it is written."""
        ws, cfg = self.office.workspace, self.config
        staging = Staging(ws.root, ws.outbox)
        earlier = Earlier.load(ws.outbox, ws.read_cache / OUTPUTS_MANIFEST)
        try:
            # The run's rows live to its end: no collection walks them.
            with long_lived(), contextlib.ExitStack() as registry:
                stored = []

                def meanwhile() -> None:
                    # Stored while writer processes write the province's annexes, in a
                    # transaction that commits once the outputs are in place. Called after
                    # every task is handed out: forked writers are all started by then
                    # (ProcessPoolExecutor starts them at its first task), so none inherits
                    # the open connection.
                    if not stored:
                        registry.enter_context(self._recording())
                        stored.append(True)

                try:
                    staged = self.write(staging.staged_outbox, earlier, on_output, meanwhile)
                    meanwhile()  # if the writing did not call it
                    ours = owned_outputs(ws.outbox, cfg.year, cfg.period)
                    stale = [p for p in ours if staging.final_of(p) is None]
                    try:
                        staging.check_unlocked(stale)
                    except OutputLocked as e:
                        raise DvkError(str(e)) from e
                    with _writing(ws.outbox):
                        staging.publish(stale)
                    registry.close()  # the commit: the registry and the outbox change together
                except BaseException:
                    staging.undo()  # the registry did not commit: the outbox goes back as it was
                    raise
        finally:
            staging.clean()
        earlier.save()
        self.result.outputs_kept = earlier.kept
        self.outputs = {key: staging.final(path) for key, path in staged.items()}
        return self.outputs


@dataclass
class Office:
    """A workspace (inbox/, outbox/, dvk.toml, the registry) and its configuration."""

    workspace: Workspace
    config: Config

    @classmethod
    def open(cls, root: Path | str, year: int | None = None) -> Office:
        ws = Workspace(Path(root))
        try:
            cfg = load_config(ws.config_path)
        except ConfigError as e:
            raise DvkError(str(e)) from e
        return cls(ws, dataclasses.replace(cfg, year=year) if year else cfg)

    def scoring_rules(self) -> ScoringRules:
        """The office's own criteria table if it has one, else seed 004's."""
        own = self.workspace.score_sheet
        try:
            sheet = load_score_sheet(own if own.exists() else None)
        except ScoreSheetError as e:
            raise DvkError(str(e)) from e
        return self.config.scoring_rules(sheet)

    def inbox_files(self) -> list[Path]:
        self._check_inbox()
        return find_inbox_files(self.workspace.inbox)

    def _check_inbox(self) -> None:
        if not self.workspace.inbox.is_dir():
            raise DvkError(f"Không thấy thư mục {self.workspace.inbox}. Chạy “dvk init” trước.")

    def consolidate(
        self,
        year: int | None = None,
        quarter: int | None = None,
        on_file: Callable[[Path], None] | None = None,
    ) -> Run:
        """Read, check, link and score every file in the inbox; nothing is written yet."""
        cfg = dataclasses.replace(self.config, year=year or self.config.year, period=quarter)
        ws = self.workspace
        self._check_inbox()  # consolidate lists the files itself
        conn = self.registry(guarded=True)
        review = review_path(ws.outbox, cfg.year, quarter)
        answers, answer_issues = read_decisions(review)
        typed_units = read_unit_answers(review)
        # A person's answers are stored first: a run stopped later, at any point, keeps them.
        with _changing_registry(ws):
            store_answers(conn, cfg.year, answers, typed_units)
        # Which unit a name the roster lacks is: answered once, kept in the registry.
        units_answered = load_unit_answers(conn) | typed_units
        roster, roster_issues = self.roster(units_answered, review.name)
        history = self._history(conn, cfg.year, roster).with_decisions(answers)
        carried = load_carried(conn, cfg.year, quarter) if quarter else None
        conn.close()
        with self._what_was_read(cfg):
            result = consolidate(
                ws.inbox,
                cfg.year,
                on_file=on_file,
                archive_to=ws.archive / dt.date.today().isoformat(),
                history=history,
                rules=cfg.link_rules,
                scoring=self.scoring_rules(),
                roster=roster,
                carried=carried,
                zone=cfg.zone,
                cache=ws.read_cache,
            )
        result.issues += roster_issues + answer_issues
        conn = self.registry()
        try:
            new_model_ids(conn, [result.registrations, result.results])
        finally:
            conn.close()
        return Run(self, cfg, result, CONSOLIDATED, answers, units_answered)

    def latest_annexes(self, quarter: int | None = None) -> list[Path]:
        """Phụ lục 1 and 4 as the last consolidation of this year (or quarter) left them."""
        folder = output_folder(self.workspace.outbox, self.config.year, quarter)
        stamp = output_stamp(self.config.year, quarter)
        paths = [
            folder / OUTPUT_NAMES[key].format(year=stamp) for key in ("phu_luc_1", "phu_luc_4")
        ]
        if not all(p.is_file() for p in paths):
            raise DvkError(
                f"Chưa có kết quả tổng hợp trong {folder}. Chạy “dvk consolidate” trước."
            )
        return paths

    def import_history(self, files: list[Path], year: int) -> Run:
        """An earlier year's consolidated annexes, read as a record of what was (see
        consolidate.read_history); `run.record()` adds them to the registry."""
        cfg = dataclasses.replace(self.config, year=year)
        conn = self.registry(guarded=True)
        history = self._history(conn, year)
        conn.close()
        result = read_history(list(files), year, history, cfg.link_rules)
        return Run(self, cfg, result, IMPORTED)

    def years_on_record(self) -> list[tuple[int, str, int, int]]:
        """(year, source, registrations, results) of every year the registry holds."""
        if not self.workspace.registry.exists():
            return []
        conn = self.registry()
        try:
            return years_on_record(conn)
        finally:
            conn.close()

    def write_templates(self) -> list[Written]:
        """The unit form, the scoring sheet (pre-filled with this year's registered models) and,
        once, the roster; a workbook someone filled in is never written over."""
        ws, cfg = self.workspace, self.config
        rules = self.scoring_rules()
        path = template_path(ws.templates, cfg.year)
        with _writing(path):
            done = [Written("template", path, *write_keeping_filled(path, self._template))]
        models = None
        if ws.registry.exists():  # this year's registered models, one row each to score
            conn = self.registry()
            models = registered_models(conn, cfg.year)
            conn.close()
        scores = score_template_path(ws.templates, cfg.year)
        with _writing(scores):
            written = write_keeping_filled(
                scores, lambda p: write_score_template(p, cfg, rules, models)
            )
        listed = len(models) if models is not None else 0
        done.append(Written("score_template", scores, *written, listed=listed))
        roster = ws.root / forms.ROSTER_FILENAME
        if roster.exists():  # the office's own data: never written over
            done.append(Written("roster", roster, roster, replaced=False))
        else:
            with _writing(roster):
                write_roster_template(roster, cfg)
            done.append(Written("roster", roster, roster, replaced=True))
        return done

    def _template(self, path: Path) -> None:
        write_template(path, self.config)

    def roster(self, answered: dict[str, str] | None = None, review: str = ""):
        """The office's units (empty without a roster file), with the units a person mapped in
        the review workbook, and the problems of both."""
        rows, issues = read_roster(self.workspace.root / forms.ROSTER_FILENAME)
        roster, found = build_roster(rows, self.config.quotas, forms.ROSTER_FILENAME)
        if roster and answered:
            roster, unknown = roster.with_answers(answered, review)
            found += unknown
        return roster, issues + found

    def _history(
        self, conn: sqlite3.Connection, year: int, roster: Roster | None = None
    ) -> History:
        # Former names come from dvk.toml and from the roster's "Tên cũ" column.
        renames = self.config.renamed_units() | (roster.renames() if roster else {})
        return load_history(conn, year, renames)

    def registry(self, guarded: bool = False) -> sqlite3.Connection:
        """The registry. With `guarded`, a registry gone or emptied while the workspace shows it
        had one (earlier outputs, or its backup) stops the run: recreating it would lose the
        history silently. Then the registry is backed up before the run changes it."""
        ws = self.workspace
        backup = ws.archive / REGISTRY_BACKUP
        lost = not ws.registry.exists() or ws.registry.stat().st_size == 0
        if guarded and lost and (backup.exists() or any(ws.outbox.glob("*/*.xlsx"))):
            how = (
                f"chép {backup} thành {ws.registry} (bản sao tự động trước lần chạy gần nhất)"
                if backup.exists()
                else f"chép lại {ws.registry.name} từ bản sao lưu của văn phòng"
            )
            raise DvkError(
                f"Không thấy sổ theo dõi {ws.registry} (hoặc tệp rỗng), trong khi thư mục làm "
                f"việc đã có kết quả các lần trước. Để khôi phục: {how}, rồi chạy lại. Nếu muốn "
                "bắt đầu lại từ đầu, đổi tên thư mục outbox và luu_tru trước."
            )
        try:
            conn = open_registry(ws.registry)
            if guarded and not lost:
                backup_registry(conn, backup)
            return conn
        except RegistryError as e:
            raise DvkError(str(e)) from e
        except (sqlite3.Error, OSError) as e:
            raise DvkError(f"Không mở được sổ theo dõi {ws.registry.name} ({e}).") from e

    @contextlib.contextmanager
    def _what_was_read(self, cfg: Config) -> Iterator[None]:
        """A fault of the tool after reading: the intake of what it had read, in a file of its
        own (no output of an earlier run is touched), and a message that says where it is."""
        try:
            yield
        except RunFailed as failed:
            stamp = output_stamp(cfg.year, cfg.period)
            folder = output_folder(self.workspace.outbox, cfg.year, cfg.period)
            path = folder / f"Tiep_nhan_{stamp}_chua_xong.xlsx"
            partial = RunResult(cfg.year, pd.DataFrame(), pd.DataFrame(), failed.files, [])
            error = failed.__cause__
            with contextlib.suppress(OSError):
                write_intake(path, partial, cfg)
            raise DvkError(
                f"công cụ gặp sự cố sau khi đọc {len(failed.files)} tệp "
                f"({type(error).__name__}: {error}). Chưa thay đổi gì trong outbox và sổ theo "
                f"dõi; danh sách các tệp đã đọc ở {path}. Chạy lại với DVK_DEBUG=1 và gửi toàn "
                "bộ thông báo cho người phụ trách kỹ thuật."
            ) from error


def init_workspace(
    root: Path, year: int | None = None, office: str = "", place: str = ""
) -> list[tuple[Path, bool]]:
    """The folders, dvk.toml and the office's copy of the criteria table; each file with
    whether it was created now (False: it was there and is kept as it is)."""
    ws = Workspace(Path(root))
    for folder in (ws.inbox, ws.outbox, ws.templates):
        folder.mkdir(parents=True, exist_ok=True)
    made = []
    config_is_new = not ws.config_path.exists()
    if config_is_new:
        write_default_config(ws.config_path, year or dt.date.today().year, office, place)
    made.append((ws.config_path, config_is_new))
    sheet_is_new = not ws.score_sheet.exists()
    if sheet_is_new:  # the office's own copy of the criteria, to change if need be
        ws.score_sheet.write_bytes(DEFAULT_SHEET.read_bytes())
    made.append((ws.score_sheet, sheet_is_new))
    cfg = load_config(ws.config_path)
    return made + write_desk_files(ws.root, cfg)


def write_desk_files(root: Path, cfg: Config) -> list[tuple[Path, bool]]:
    """The control workbook, the Python module its buttons call and the double-click
    launcher; each written only where it is missing (an office may have changed its own)."""
    made = []
    for name in (forms.DESK_FILENAME, forms.DESK_MODULE, forms.DESK_LAUNCHER):
        path = root / name
        is_new = not path.exists()
        if is_new and name == forms.DESK_FILENAME:
            write_desk(path, cfg)
        elif is_new:  # the module and the launcher are written as they are kept
            path.write_bytes((DESK_DATA / f"{name}.txt").read_bytes())
        made.append((path, is_new))
    return made


def _recorded(conn: sqlite3.Connection, run: Run) -> contextlib.AbstractContextManager:
    """Registry policy: an empty inbox (files moved away by mistake) must not wipe the year;
    only a consolidation records scores; a history import adds to a year, never replaces it."""
    result = run.result
    files = [FileRecord(f.sha256, f.file, f.unit, f.status, f.sender, f.sent) for f in result.files]
    keep = not result.files
    consolidating = run.source == CONSOLIDATED
    return recording(
        conn,
        result.year,
        run.source,
        registrations=None if keep else result.registrations,
        results=None if keep else result.results,
        scored=None if keep or not consolidating else result.scores,
        files=files,
        decisions=run.answers,
        replace=consolidating,
        period=run.config.period,
        unit_answers=run.unit_answers or None,
    )


@contextlib.contextmanager
def _changing_registry(ws: Workspace) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as e:
        raise DvkError(
            f"Không ghi được sổ theo dõi {ws.registry.name} ({e}); sổ vẫn giữ như trước lần chạy "
            "này. Đóng các chương trình đang mở tệp đó rồi chạy lại."
        ) from e


@contextlib.contextmanager
def _writing(where: Path) -> Iterator[None]:
    try:
        yield
    except PermissionError as e:
        raise DvkError(
            f"Không ghi được {e.filename or where}: tệp đang mở trong Excel hoặc thư mục "
            "không cho phép ghi. Đóng tệp rồi chạy lại."
        ) from e
    except OSError as e:
        raise DvkError(f"Không ghi được {where}: {e}") from e
