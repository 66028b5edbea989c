"""The registry: an SQLite file in the workspace that remembers units, models and years.

It keeps every unit, every model with a stable id, each year's registration and results of
each model, every submitted file, and the decisions staff took on uncertain links. Only a run
that finished writes to it, in one transaction, so a crash leaves it as it was. The schema is
versioned with SQLite's `user_version`; each migration below runs once, in order.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.frames import records
from pipeline.heap import collector_paused
from pipeline.link import History
from pipeline.normalize import model_key, unit_key
from pipeline.records import Decision
from pipeline.scoring import PASSED

REGISTRY_NAME = "dvk.sqlite"

# Append only: a migration that has shipped is never edited, a new one is added after it.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,      -- normalize.comparison_key of the name
        name TEXT NOT NULL             -- as first written
    );
    CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        name TEXT NOT NULL,            -- as first registered
        first_year INTEGER NOT NULL
    );
    CREATE TABLE registrations (
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        unit TEXT NOT NULL,
        name TEXT NOT NULL,
        field TEXT, field_other TEXT, subject TEXT, person TEXT, position TEXT,
        count INTEGER, place TEXT, lead TEXT, scale TEXT, level TEXT,
        start TEXT, "end" TEXT,
        status TEXT NOT NULL,          -- DUY_TRI / MOI after linking
        status_ticked TEXT,            -- what the unit ticked
        link TEXT,                     -- how the status was decided (link.LINK_OUTCOMES)
        source TEXT,                   -- the file it came from
        PRIMARY KEY (model_id, year)
    );
    CREATE TABLE results (
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        unit TEXT NOT NULL,
        name TEXT NOT NULL,
        field TEXT, field_other TEXT, subject TEXT, person TEXT,
        count INTEGER, place TEXT, lead TEXT, results TEXT, self_assessment TEXT,
        status TEXT NOT NULL,
        status_ticked TEXT,
        link TEXT,
        source TEXT,
        PRIMARY KEY (model_id, year)
    );
    CREATE TABLE files (
        sha256 TEXT NOT NULL,
        year INTEGER NOT NULL,
        name TEXT NOT NULL,
        unit TEXT, status TEXT, sender TEXT, sent TEXT,
        PRIMARY KEY (sha256, year)
    );
    CREATE TABLE years (
        year INTEGER PRIMARY KEY,
        source TEXT NOT NULL           -- "tong_hop" (dvk consolidate) or "lich_su" (history import)
    );
    CREATE TABLE decisions (
        year INTEGER NOT NULL,
        unit_key TEXT NOT NULL,
        name_key TEXT NOT NULL,
        is_old INTEGER NOT NULL,       -- 1: the model of an earlier year; 0: a new model
        model_id INTEGER,              -- the earlier model it continues, when is_old
        PRIMARY KEY (year, unit_key, name_key)
    );
    """,
    """
    CREATE TABLE appraisals (
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        level TEXT NOT NULL,           -- the level proposed ("" when none), a ladder label
        unit TEXT NOT NULL,
        name TEXT NOT NULL,
        subject TEXT,
        total REAL NOT NULL,
        verdict TEXT NOT NULL,         -- passed / failed / not-judged (records.Outcome)
        reasons TEXT,
        self_assessment TEXT,
        scorer TEXT,
        source TEXT,
        PRIMARY KEY (model_id, year, level)
    );
    CREATE TABLE scores (
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        level TEXT NOT NULL,
        criterion INTEGER NOT NULL,
        points REAL NOT NULL,
        PRIMARY KEY (model_id, year, level, criterion)
    );
    CREATE TABLE recognitions (
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        level TEXT NOT NULL,
        PRIMARY KEY (model_id, year, level)
    );
    """,
    """
    CREATE TABLE period_rows (
        kind TEXT NOT NULL,            -- registrations / results
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        period INTEGER NOT NULL,       -- the quarter, 1-4
        row TEXT NOT NULL,             -- the row as the run had it (JSON)
        PRIMARY KEY (kind, model_id, year, period)
    );
    """,
    # Two rows of one year may carry one model (a person said both continue it): `seq` keeps
    # them apart, so that every row the annex printed is stored.
    """
    CREATE TABLE registrations_4 (
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0, -- 0 for the model's first row of the year, then 1, 2…
        unit TEXT NOT NULL,
        name TEXT NOT NULL,
        field TEXT, field_other TEXT, subject TEXT, person TEXT, position TEXT,
        count INTEGER, place TEXT, lead TEXT, scale TEXT, level TEXT,
        start TEXT, "end" TEXT,
        status TEXT NOT NULL,
        status_ticked TEXT,
        link TEXT,
        source TEXT,
        PRIMARY KEY (model_id, year, seq)
    );
    INSERT INTO registrations_4 SELECT model_id, year, 0, unit, name, field, field_other,
        subject, person, position, count, place, lead, scale, level, start, "end", status,
        status_ticked, link, source FROM registrations;
    DROP TABLE registrations;
    ALTER TABLE registrations_4 RENAME TO registrations;
    CREATE TABLE results_4 (
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0,
        unit TEXT NOT NULL,
        name TEXT NOT NULL,
        field TEXT, field_other TEXT, subject TEXT, person TEXT,
        count INTEGER, place TEXT, lead TEXT, results TEXT, self_assessment TEXT,
        status TEXT NOT NULL,
        status_ticked TEXT,
        link TEXT,
        source TEXT,
        PRIMARY KEY (model_id, year, seq)
    );
    INSERT INTO results_4 SELECT model_id, year, 0, unit, name, field, field_other, subject,
        person, count, place, lead, results, self_assessment, status, status_ticked, link,
        source FROM results;
    DROP TABLE results;
    ALTER TABLE results_4 RENAME TO results;
    CREATE TABLE period_rows_4 (
        kind TEXT NOT NULL,
        model_id INTEGER NOT NULL REFERENCES models(id),
        year INTEGER NOT NULL,
        period INTEGER NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0,
        row TEXT NOT NULL,
        PRIMARY KEY (kind, model_id, year, period, seq)
    );
    INSERT INTO period_rows_4 SELECT kind, model_id, year, period, 0, row FROM period_rows;
    DROP TABLE period_rows;
    ALTER TABLE period_rows_4 RENAME TO period_rows;
    """,
    # A person's answer about a unit name the roster does not know (the review workbook).
    """
    CREATE TABLE unit_answers (
        name_key TEXT PRIMARY KEY,     -- normalize.comparison_key of the name as written
        name TEXT NOT NULL,
        code TEXT NOT NULL             -- the roster unit it is; "" for a new unit
    );
    """,
    # Codes, not the Vietnamese labels shown for them: a label may be reworded, a code stays.
    """
    UPDATE files SET status = CASE status
        WHEN 'đã tiếp nhận' THEN 'accepted' WHEN 'có lỗi' THEN 'has-errors'
        WHEN 'không đọc được' THEN 'unreadable' WHEN 'trùng' THEN 'duplicate'
        WHEN 'đã được thay thế' THEN 'superseded' ELSE status END;
    UPDATE appraisals SET verdict = CASE verdict
        WHEN 'Đạt' THEN 'passed' WHEN 'Không đạt' THEN 'failed'
        WHEN 'Chưa xét' THEN 'not-judged' ELSE verdict END;
    """,
)

# The columns each table stores besides model_id and year; both share the model's identity
# and the way its section was decided.
_MODEL = ("unit", "name", "field", "field_other", "subject", "person")
_DECIDED = ("status", "status_ticked", "link", "source")
_REGISTRATION_COLUMNS = [
    *_MODEL, "position", "count", "place", "lead", "scale", "level", "start", "end", *_DECIDED
]  # fmt: skip
_RESULT_COLUMNS = [*_MODEL, "count", "place", "lead", "results", "self_assessment", *_DECIDED]
TABLES = {"registrations": _REGISTRATION_COLUMNS, "results": _RESULT_COLUMNS}


class RegistryError(Exception):
    "The registry file cannot be used (message in Vietnamese)"


@dataclass(frozen=True)
class FileRecord:
    sha256: str
    name: str
    unit: str
    status: str
    sender: str
    sent: str


def open_registry(path: Path) -> sqlite3.Connection:
    """Open (or create) the registry and bring its schema up to date."""
    try:
        conn = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise RegistryError(
            f"Tệp dữ liệu {path.name} bị hỏng hoặc không phải dữ liệu của dvk ({e}). "
            "Lấy lại bản sao lưu gần nhất của tệp này."
        ) from e
    if version > len(MIGRATIONS):
        conn.close()
        raise RegistryError(
            f"Tệp dữ liệu {path.name} được tạo bởi phiên bản dvk mới hơn. "
            "Cập nhật dvk rồi chạy lại."
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first; BEGIN … COMMIT makes each migration all-or-nothing.
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def load_history(
    conn: sqlite3.Connection, year: int, renames: dict[str, str] | None = None
) -> History:
    """What the registry knows before `year`: each earlier model's names, and this year's own
    models from an earlier run (so that a rerun gives them the same ids), and the decisions."""
    # Only what is needed is read: a province's registry holds this year's 50,000 rows too.
    earlier = _joined(
        [
            pd.read_sql_query(
                f"SELECT model_id, year, unit, name, field, status, '{table}' AS kind "
                f"FROM {table} WHERE year < ? ORDER BY year, model_id",
                conn,
                params=(year,),
            )
            for table in TABLES
        ]
    )
    # This year's own models (first registered this year), and one only scored (never
    # registered) this year: each keeps its id on a rerun.
    own_models = "model_id IN (SELECT id FROM models WHERE first_year = ?)"
    mine = [
        pd.read_sql_query(
            f"SELECT model_id, unit, name FROM {table} WHERE year = ? AND {own_models} "
            "ORDER BY model_id",
            conn,
            params=(year, year),
        )
        for table in TABLES
    ]
    mine.append(
        pd.read_sql_query(
            f"SELECT model_id, unit, name FROM appraisals WHERE year = ? AND {own_models}",
            conn,
            params=(year, year),
        )
    )
    own = pd.concat(mine, ignore_index=True).drop_duplicates("model_id")
    decisions = {
        (unit, name): Decision(bool(is_old), model_id)
        for unit, name, is_old, model_id in conn.execute(
            "SELECT unit_key, name_key, is_old, model_id FROM decisions WHERE year = ?", (year,)
        )
    }
    years = [
        y for (y,) in conn.execute("SELECT year FROM years WHERE year < ? ORDER BY year", (year,))
    ]
    recognitions = pd.read_sql_query(
        "SELECT model_id, year, level FROM recognitions WHERE year < ? ORDER BY year, model_id",
        conn,
        params=(year,),
    )
    return History(
        year=year,
        earlier=earlier,
        this_year=own.reset_index(drop=True),
        decisions=decisions,
        years=tuple(years),
        renames={unit_key(old): unit_key(new) for old, new in (renames or {}).items()},
        recognitions=recognitions,
    )


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after another; an empty one (a table with no rows for these years) is
    left out, so that it does not turn the others' columns into objects."""
    found = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(found, ignore_index=True)


def record_year(
    conn: sqlite3.Connection,
    year: int,
    source: str,
    *,
    before_commit: Callable[[], None] | None = None,
    **rows,
) -> None:
    """Store one year's models in one transaction (see `recording`, which takes the same
    keywords). `before_commit` runs last inside the transaction (the outputs moved into
    place): when it raises, nothing is stored."""
    with recording(conn, year, source, **rows):
        if before_commit is not None:
            before_commit()


@contextlib.contextmanager
def recording(
    conn: sqlite3.Connection,
    year: int,
    source: str,
    *,
    registrations: pd.DataFrame | None,
    results: pd.DataFrame | None,
    files: Iterable[FileRecord] = (),
    scored: pd.DataFrame | None = None,
    decisions: dict[tuple[str, str], Decision | None] | None = None,
    replace: bool = True,
    period: int | None = None,
    unit_answers: dict[str, tuple[str, str]] | None = None,
) -> Iterator[None]:
    """Store one year's models in a transaction that stays open while the block runs: it
    commits when the block ends, and stores nothing when the block raises.

    A consolidate run is the whole picture of its year, so it replaces the year's rows
    (`replace`); a history import adds to them. Rows whose `model_id` is None are new models:
    one model per unit and name, shared by its registration and its results. A decision of
    None deletes a stored one (the person cleared the cell).

    A run for a quarter (`period`) adds to the year instead of replacing it, and keeps its own
    rows per quarter, so that a later quarter can show the latest rows of every model.

    A run's outputs are written, and moved into place, inside the block: the registry and the
    outbox change together or not at all.
    """
    replace = replace and period is None
    with _transaction(conn):
        conn.execute("INSERT OR REPLACE INTO years (year, source) VALUES (?, ?)", (year, source))
        ids: dict[tuple[str, str], int] = {}
        # Looked up once, not once per row: a province records 100,000 rows at every run.
        known = {model_id for (model_id,) in conn.execute("SELECT id FROM models")}
        for table, frame in (("registrations", registrations), ("results", results)):
            seqs: Counter = Counter()  # rows of this model so far: none is written over
            if frame is None:
                continue
            if period is not None:
                conn.execute(
                    "DELETE FROM period_rows WHERE kind = ? AND year = ? AND period = ?",
                    (table, year, period),
                )
            columns = TABLES[table]
            stored = []
            # Each column made plain once, not value by value: 100,000 rows at every run.
            values = zip(*(_plain_column(frame, c) for c in columns), strict=True)
            rows = records(frame) if period is not None else _model_fields(frame)
            for row, plain in zip(rows, values, strict=True):
                model_id = _model_for(conn, row, year, ids, known)
                seq = seqs[model_id]
                seqs[model_id] += 1
                stored.append((model_id, year, seq, *plain))
                if period is not None and not row.get("carried"):
                    conn.execute(
                        "INSERT OR REPLACE INTO period_rows VALUES (?, ?, ?, ?, ?, ?)",
                        (table, model_id, year, period, seq, _as_json(row)),
                    )
            _store_rows(conn, table, year, columns, stored, replace)
        if scored is not None:
            _record_scores(conn, year, scored, ids, known, replace)
        for f in files:
            conn.execute(
                "INSERT OR REPLACE INTO files (sha256, year, name, unit, status, sender, sent) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (f.sha256, year, f.name, f.unit, f.status, f.sender, f.sent),
            )
        for key, (name, code) in (unit_answers or {}).items():
            conn.execute("INSERT OR REPLACE INTO unit_answers VALUES (?, ?, ?)", (key, name, code))
        for (unit, name), decision in (decisions or {}).items():
            if decision is None:
                conn.execute(
                    "DELETE FROM decisions WHERE year = ? AND unit_key = ? AND name_key = ?",
                    (year, unit, name),
                )
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?)",
                    (year, unit, name, int(decision.is_old), decision.model_id),
                )
        # A model no longer registered, reported or kept by a quarter (its unit dropped it on
        # a rerun). A quarter's rows keep their models: a year run after a quarter's must not
        # break them.
        conn.execute(
            "DELETE FROM models WHERE id NOT IN (SELECT model_id FROM registrations) "
            "AND id NOT IN (SELECT model_id FROM results) "
            "AND id NOT IN (SELECT model_id FROM appraisals) "
            "AND id NOT IN (SELECT model_id FROM period_rows)"
        )
        yield


def _record_scores(conn, year: int, scored: pd.DataFrame, ids, known: set, replace: bool) -> None:
    """Appraisals and points of the year; a model that passed within the ladder is recognised."""
    if replace:
        for table in ("scores", "appraisals", "recognitions"):
            conn.execute(f"DELETE FROM {table} WHERE year = ?", (year,))
    criteria = [c for c in scored.columns if c.startswith("c") and c[1:].isdigit()]
    for row in records(scored):
        model_id = _model_for(conn, row, year, ids, known)
        level = row.get("level") or ""
        conn.execute(
            "INSERT OR REPLACE INTO appraisals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                model_id,
                year,
                level,
                row["unit"],
                row["name"],
                row.get("subject"),
                float(row["total"]),
                row["verdict"],
                row.get("reasons"),
                row.get("self_assessment"),
                row.get("scorer"),
                row.get("_file"),
            ),
        )
        for column in criteria:
            if _plain(row[column]) is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?, ?)",
                    (model_id, year, level, int(column[1:]), float(row[column])),
                )
        if row["verdict"] == PASSED and level and not _plain(row.get("ladder_note")):
            conn.execute(
                "INSERT OR REPLACE INTO recognitions VALUES (?, ?, ?)", (model_id, year, level)
            )


class _transaction:
    """BEGIN … COMMIT, or ROLLBACK on any exception: all of a run or nothing."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, error, traceback):
        self.conn.execute("ROLLBACK" if kind else "COMMIT")
        return False


def _model_fields(frame: pd.DataFrame) -> Iterator[dict]:
    """Each row's model id, unit and name: all that _model_for reads, without a whole record
    for each of a province's 64,000 rows."""
    ids = frame["model_id"].tolist() if "model_id" in frame else [None] * len(frame)
    units, names = frame["unit"].tolist(), frame["name"].tolist()
    for model_id, unit, name in zip(ids, units, names, strict=True):
        yield {"model_id": model_id, "unit": unit, "name": name}


def _model_for(conn, row: dict, year: int, ids: dict[tuple[str, str], int], known: set) -> int:
    """The row's model id, its model stored first when new (`known`: the ids stored)."""
    if row.get("model_id") is not None and not pd.isna(row["model_id"]):
        model_id = int(row["model_id"])
        # An earlier model, or one new this year given its id before the outputs were written
        # (new_model_ids): stored under that id. Keyed only then: most rows' models are known.
        if model_id not in known:
            _new_model(conn, row, year, model_id)
            known.add(model_id)
            ids[unit_key(row["unit"]), model_key(row["name"])] = model_id
        return model_id
    key = (unit_key(row["unit"]), model_key(row["name"]))
    if key not in ids:
        ids[key] = _new_model(conn, row, year)
        known.add(ids[key])
    return ids[key]


def _new_model(conn, row: dict, year: int, model_id: int | None = None) -> int:
    key = unit_key(row["unit"])
    conn.execute("INSERT OR IGNORE INTO units (key, name) VALUES (?, ?)", (key, row["unit"]))
    (unit_id,) = conn.execute("SELECT id FROM units WHERE key = ?", (key,)).fetchone()
    cursor = conn.execute(
        "INSERT INTO models (id, unit_id, name, first_year) VALUES (?, ?, ?, ?)",
        (model_id, unit_id, row["name"], year),
    )
    return cursor.lastrowid


def new_model_ids(conn: sqlite3.Connection, frames: Iterable[pd.DataFrame]) -> None:
    """Give each model new this year (no model_id yet) the id record_year will store it under,
    in place, one per (unit, model) across the frames: the annexes, written before the run is
    recorded, then carry the same ids on their hidden sheet as the annexes of a rerun."""
    (last,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM models").fetchone()
    given: dict[tuple[str, str], int] = {}
    for frame in frames:
        if frame.empty or "model_id" not in frame:
            continue
        missing = frame["model_id"].isna()
        keys = [
            (unit_key(u), model_key(n))
            for u, n in zip(frame.loc[missing, "unit"], frame.loc[missing, "name"], strict=True)
        ]
        for key in keys:
            if key not in given:
                last += 1
                given[key] = last
        frame["model_id"] = frame["model_id"].astype(object)
        frame.loc[missing, "model_id"] = [given[k] for k in keys]


def _as_json(row: dict) -> str:
    kept = {k: _plain(v) for k, v in row.items() if not k.startswith("_") or k == "_file"}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True, default=str)


def load_carried(conn: sqlite3.Connection, year: int, period: int) -> dict[str, pd.DataFrame]:
    """Per kind, the latest row of each model from the year's earlier quarters."""
    carried = {}
    for kind in TABLES:
        found = conn.execute(
            "SELECT model_id, seq, period, row FROM period_rows WHERE kind = ? AND year = ? "
            "AND period < ? ORDER BY model_id, seq, period",
            (kind, year, period),
        ).fetchall()
        latest = {(model_id, seq): (quarter, row) for model_id, seq, quarter, row in found}
        rows = [
            json.loads(row) | {"model_id": model_id, "period": quarter}
            for (model_id, _), (quarter, row) in sorted(latest.items())
        ]
        carried[kind] = pd.DataFrame(rows)
    return carried


def _store_rows(conn, table: str, year: int, columns, rows: list[tuple], replace: bool) -> None:
    """Store `rows` (model_id, year, seq, *columns) in `table`. To `replace` the year's rows,
    only those that changed are deleted and written: the registry ends as if every row had
    been deleted and written again, and a re-run after a late file, which changes a few of a
    province's 100,000 rows, no longer writes them all (that was a third of the time it spent
    storing). A row's place, (model_id, year, seq), is unique among `rows` (recording)."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    insert = (
        f"INSERT OR REPLACE INTO {table} (model_id, year, seq, {quoted}) "
        f"VALUES (?, ?, ?, {', '.join('?' for _ in columns)})"
    )
    if not replace:
        conn.executemany(insert, rows)
        return
    with collector_paused():  # 100,000 tuples read back: none of them garbage
        found = conn.execute(
            f"SELECT rowid, model_id, year, seq, {quoted} FROM {table} WHERE year = ?", (year,)
        ).fetchall()
        wanted = set(rows)
        gone = [(row[0],) for row in found if row[1:] not in wanted]
        kept = {row[1:] for row in found}
        added = [row for row in rows if row not in kept]
    conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", gone)
    conn.executemany(insert, added)


def _plain_column(frame: pd.DataFrame, column: str) -> list:
    """_plain of each of a column's values (None for a column the frame lacks); a column of
    text and whole numbers only is stored as it is."""
    if column not in frame:
        return [None] * len(frame)
    values = frame[column].tolist()
    if all(type(v) is str or type(v) is int for v in values):
        return values
    return [_plain(v) for v in values]


def _plain(value):
    """A value SQLite stores as is: dates as ISO text, pandas' missing values as NULL."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def store_answers(
    conn: sqlite3.Connection,
    year: int,
    decisions: dict[tuple[str, str], Decision | None],
    unit_answers: dict[str, tuple[str, str]],
) -> None:
    """A person's answers from the review workbook, stored at once, before any workbook is
    rewritten: a run killed later loses none of them. Cleared cells wait for the run's end."""
    given = {key: d for key, d in decisions.items() if d is not None}
    if not given and not unit_answers:
        return
    with _transaction(conn):
        for (unit, name), decision in given.items():
            conn.execute(
                "INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?)",
                (year, unit, name, int(decision.is_old), decision.model_id),
            )
        for key, (name, code) in unit_answers.items():
            conn.execute("INSERT OR REPLACE INTO unit_answers VALUES (?, ?, ?)", (key, name, code))


def backup_registry(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of the registry (SQLite's backup), to restore it from."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.dang_chep")
    copy = sqlite3.connect(partial)
    try:
        conn.backup(copy)
    finally:
        copy.close()
    partial.replace(target)


def load_unit_answers(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Every answer stored about a unit name the roster did not know: key -> (name, code)."""
    rows = conn.execute("SELECT name_key, name, code FROM unit_answers ORDER BY name_key")
    return {key: (name, code) for key, name, code in rows}


def registered_models(conn: sqlite3.Connection, year: int) -> pd.DataFrame:
    """This year's registered models (unit, name, subject), to pre-fill the scoring template."""
    return pd.read_sql_query(
        "SELECT unit, name, subject FROM registrations WHERE year = ? ORDER BY unit, name",
        conn,
        params=(year,),
    )


def years_on_record(conn: sqlite3.Connection) -> list[tuple[int, str, int, int]]:
    """(year, source, registrations, results) for every year the registry holds."""
    return conn.execute(
        "SELECT y.year, y.source, "
        "(SELECT COUNT(*) FROM registrations r WHERE r.year = y.year), "
        "(SELECT COUNT(*) FROM results s WHERE s.year = y.year) "
        "FROM years y ORDER BY y.year"
    ).fetchall()


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every table's rows in a stable order, to compare two states of the registry."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
