"""The registry: migrations, one transaction per run, stable ids, and reruns that change nothing."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import registry
from pipeline.frames import records
from pipeline.link import link_years
from pipeline.normalize import model_key
from pipeline.records import Decision
from pipeline.registry import (
    MIGRATIONS,
    RegistryError,
    dump,
    load_history,
    open_registry,
    record_year,
    schema_version,
)


def rows(*models: tuple[str, str, str]) -> pd.DataFrame:
    """(unit, name, status) rows shaped like the run's accepted registrations."""
    frame = pd.DataFrame(models, columns=["unit", "name", "status"])
    frame["field"] = "KT"
    frame["subject"] = "TAP_THE"
    frame["source"] = "a.xlsx"
    return frame


def run_year(conn, year: int, frame: pd.DataFrame, renames=None) -> pd.DataFrame:
    """What `dvk consolidate` does with the registry: load, link, record."""
    history = load_history(conn, year, renames)
    linked = pd.concat([frame.drop(columns="status"), link_years(frame, history)], axis=1)
    record_year(conn, year, "tong_hop", registrations=linked, results=None)
    return linked


def test_a_new_registry_has_every_migration(tmp_path):
    conn = open_registry(tmp_path / "dvk.sqlite")
    assert schema_version(conn) == len(MIGRATIONS)
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"units", "models", "registrations", "results", "files", "years", "decisions"} <= tables
    conn.close()
    again = open_registry(tmp_path / "dvk.sqlite")  # reopening migrates nothing twice
    assert schema_version(again) == len(MIGRATIONS)


def test_a_registry_from_a_newer_dvk_is_refused(tmp_path):
    path = tmp_path / "dvk.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(RegistryError, match="phiên bản dvk mới hơn"):
        open_registry(path)


def test_a_damaged_registry_is_reported_in_vietnamese(tmp_path):
    path = tmp_path / "dvk.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RegistryError, match="bị hỏng"):
        open_registry(path)


def test_a_failure_mid_run_leaves_the_registry_as_it_was(tmp_path):
    conn = open_registry(tmp_path / "dvk.sqlite")
    run_year(conn, 2025, rows(("Chi bộ A", "Tuyến đường hoa", "MOI")))
    before = dump(conn)
    # The disk "fills" at the second model of the run: the database itself refuses the row.
    conn.execute(
        "CREATE TEMP TRIGGER disk_full BEFORE INSERT ON registrations "
        "WHEN NEW.name = 'Nhà sạch' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    frame = rows(("Chi bộ A", "Tuyến đường hoa", "DUY_TRI"), ("Chi bộ A", "Nhà sạch", "MOI"))
    with pytest.raises(sqlite3.DatabaseError, match="disk full"):
        run_year(conn, 2026, frame)
    conn.execute("DROP TRIGGER disk_full")
    assert dump(conn) == before
    assert conn.execute("SELECT count(*) FROM registrations WHERE year = 2026").fetchone() == (0,)


def test_a_continuing_model_keeps_its_id_and_a_new_one_gets_its_own(tmp_path):
    conn = open_registry(tmp_path / "dvk.sqlite")
    run_year(conn, 2025, rows(("Chi bộ A", "Tuyến đường hoa", "MOI")))
    (old_id,) = conn.execute("SELECT id FROM models").fetchone()
    linked = run_year(
        conn,
        2026,
        rows(
            ("Chi bộ A", "Mô hình “TUYẾN ĐƯỜNG HOA”", "MOI"),  # retyped, wrong tick
            ("Chi bộ B", "Tuyến đường hoa", "DUY_TRI"),  # same name, another unit
        ),
    )
    assert linked["status"].tolist() == ["DUY_TRI", "DUY_TRI"]
    assert linked["link"].tolist() == ["linked", "review"]  # B is unknown: a person decides
    ids = dict(conn.execute("SELECT unit, model_id FROM registrations WHERE year = 2026"))
    assert ids["Chi bộ A"] == old_id
    assert ids["Chi bộ B"] != old_id


def test_every_accepted_row_is_stored_even_two_that_continue_one_earlier_model(tmp_path):
    """A person said both of this year's rows continue last year's model: both are kept."""
    conn = open_registry(tmp_path / "dvk.sqlite")
    run_year(
        conn, 2025, rows(("Chi bộ A", "Bữa sáng 0 đồng", "MOI"), ("Chi bộ A", "Nhà sạch", "MOI"))
    )
    (old_id,) = conn.execute("SELECT id FROM models WHERE name = 'Bữa sáng 0 đồng'").fetchone()
    answers = {
        ("chi bộ a", model_key("Bữa sáng 0 đồng ở thôn Đông")): Decision(True, old_id),
        ("chi bộ a", model_key("Bữa sáng 0 đồng")): Decision(True, old_id),
    }
    history = load_history(conn, 2026).with_decisions(answers)
    frame = rows(
        ("Chi bộ A", "Bữa sáng 0 đồng", "DUY_TRI"),
        ("Chi bộ A", "Bữa sáng 0 đồng ở thôn Đông", "MOI"),
        ("Chi bộ A", "Nhà sạch", "DUY_TRI"),
        ("Chi bộ A", "Thư viện số", "MOI"),
    )
    linked = pd.concat([frame.drop(columns="status"), link_years(frame, history)], axis=1)
    assert linked["model_id"].tolist()[:2] == [old_id, old_id]
    for _ in range(2):  # and a rerun stores the same rows again, not twice as many
        record_year(conn, 2026, "tong_hop", registrations=linked, results=None)
        stored = conn.execute(
            "SELECT name FROM registrations WHERE year = 2026 ORDER BY name"
        ).fetchall()
        assert sorted(n for (n,) in stored) == sorted(frame["name"])


def registry_of_version(path: Path, version: int) -> sqlite3.Connection:
    """A registry as an earlier release left it: its first `version` migrations only."""
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:version], start=1):
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    return conn


def test_a_registry_of_three_migrations_keeps_its_rows_through_the_fourth(tmp_path):
    path = tmp_path / "dvk.sqlite"
    conn = registry_of_version(path, 3)
    conn.executescript(
        "INSERT INTO units VALUES (1, 'chi bộ a', 'Chi bộ A');"
        "INSERT INTO models VALUES (1, 1, 'Nhà sạch', 2025);"
        "INSERT INTO registrations (model_id, year, unit, name, status) "
        "VALUES (1, 2025, 'Chi bộ A', 'Nhà sạch', 'MOI');"
        "INSERT INTO period_rows VALUES ('registrations', 1, 2025, 1, '{}');"
    )
    conn.close()
    migrated = open_registry(path)
    assert schema_version(migrated) == len(MIGRATIONS)
    assert migrated.execute("SELECT model_id, year, seq, name FROM registrations").fetchall() == [
        (1, 2025, 0, "Nhà sạch")
    ]
    assert migrated.execute("SELECT period, seq FROM period_rows").fetchall() == [(1, 0)]


def test_renamed_units_link_to_their_former_selves(tmp_path):
    conn = open_registry(tmp_path / "dvk.sqlite")
    run_year(conn, 2025, rows(("Chi bộ xóm 3", "Tuyến đường hoa", "MOI")))
    frame = rows(("Chi bộ xóm Đông", "Tuyến đường hoa", "DUY_TRI"))
    without = link_years(frame, load_history(conn, 2026))
    renamed = link_years(frame, load_history(conn, 2026, {"chi bộ xóm 3": "chi bộ xóm đông"}))
    assert without["link"].tolist() == ["review"]
    assert renamed["link"].tolist() == ["linked"]


def test_decisions_are_stored_and_a_cleared_answer_removes_one(tmp_path):
    conn = open_registry(tmp_path / "dvk.sqlite")
    key = ("chi bộ a", "bao tiêu lúa|")
    record_year(
        conn, 2026, "tong_hop", registrations=None, results=None, decisions={key: Decision(True, 7)}
    )
    assert load_history(conn, 2026).decisions == {key: Decision(True, 7)}
    assert load_history(conn, 2027).decisions == {}  # a decision belongs to its year
    record_year(conn, 2026, "tong_hop", registrations=None, results=None, decisions={key: None})
    assert load_history(conn, 2026).decisions == {}


# Names a unit may write: a few models, each in several spellings, and near-misses.
_NAMES = [
    "Tuyến đường hoa",
    "Mô hình “Tuyến đường hoa”",
    "TUYẾN ĐƯỜNG HOA",
    "Camera an ninh thôn 3",
    "Camera an ninh thôn 5",
    "Hũ gạo tình thương",
    "Hủ gạo tình thương",
    "Nhà sạch, vườn đẹp",
    "Bao tiêu lúa giống cho hội viên",
    "Dịch vụ bao tiêu lúa giống",
]
_UNITS = ["Chi bộ A", "Chi bộ B", "Hội Nông dân"]
_model = st.tuples(
    st.sampled_from(_UNITS), st.sampled_from(_NAMES), st.sampled_from(["MOI", "DUY_TRI"])
)


def _one_per_model(models: list[tuple]) -> pd.DataFrame:
    """A run's rows after its own duplicate check: one row per unit and model."""
    frame = rows(*models)
    keys = frame["unit"] + "#" + frame["name"].map(model_key)
    return frame[~keys.duplicated()].reset_index(drop=True)


@given(st.lists(_model, max_size=8), st.lists(_model, min_size=1, max_size=8))
def test_consolidating_twice_changes_nothing_in_the_registry(earlier, current):
    conn = open_registry(Path(":memory:"))
    run_year(conn, 2025, _one_per_model(earlier))
    run_year(conn, 2026, _one_per_model(current))
    once = dump(conn)
    run_year(conn, 2026, _one_per_model(current))
    assert dump(conn) == once


@given(
    st.lists(_model, max_size=8),
    st.lists(_model, min_size=1, max_size=8),
    st.randoms(use_true_random=False),
)
def test_linking_does_not_depend_on_row_order(earlier, current, random):
    conn = open_registry(Path(":memory:"))
    run_year(conn, 2025, _one_per_model(earlier))
    history = load_history(conn, 2026)
    frame = _one_per_model(current)
    shuffled = frame.sample(frac=1, random_state=random.randint(0, 2**31))
    reordered = history.earlier.sample(frac=1, random_state=random.randint(0, 2**31))
    expected = link_years(frame, history)
    actual = link_years(shuffled, dataclasses.replace(history, earlier=reordered))
    columns = ["model_id", "link", "status", "score"]
    assert actual.loc[frame.index, columns].equals(expected[columns])


def test_labels_stored_by_earlier_versions_become_codes(tmp_path):
    """Version 6 stores what became of a file and a scored model by code; a registry written
    with the Vietnamese labels keeps its rows, now keyed by code."""
    path = tmp_path / "dvk.sqlite"
    conn = registry_of_version(path, 5)
    conn.executescript(
        "INSERT INTO units VALUES (1, 'chi bộ a', 'Chi bộ A');"
        "INSERT INTO models VALUES (1, 1, 'Nhà sạch', 2025), (2, 1, 'Ngõ xanh', 2025);"
        "INSERT INTO files VALUES ('a1', 2025, 'a.xlsx', 'Chi bộ A', 'đã tiếp nhận', '', ''),"
        " ('b2', 2025, 'b.xlsx', 'Chi bộ A', 'không đọc được', '', ''),"
        " ('c3', 2025, 'c.xlsx', 'Chi bộ A', 'đã được thay thế', '', '');"
        "INSERT INTO appraisals VALUES (1, 2025, '', 'Chi bộ A', 'Nhà sạch', 'TAP_THE', 80,"
        " 'Đạt', '', '', '', 'a.xlsx'), (2, 2025, '', 'Chi bộ A', 'Ngõ xanh', 'TAP_THE', 60,"
        " 'Không đạt', '', '', '', 'a.xlsx');"
    )
    conn.close()
    migrated = open_registry(path)
    assert schema_version(migrated) == len(MIGRATIONS)
    statuses = migrated.execute("SELECT name, status FROM files ORDER BY name").fetchall()
    assert statuses == [("a.xlsx", "accepted"), ("b.xlsx", "unreadable"), ("c.xlsx", "superseded")]
    verdicts = migrated.execute("SELECT name, verdict FROM appraisals ORDER BY name").fetchall()
    assert verdicts == [("Ngõ xanh", "failed"), ("Nhà sạch", "passed")]


_CELLS = st.one_of(
    st.text(max_size=5),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.none(),
    st.booleans(),
    st.dates(),
    st.just(pd.NA),
)


@given(st.lists(_CELLS, max_size=8), st.sampled_from([None, "object", "string"]))
def test_a_column_is_stored_as_each_of_its_values_would_be(values, dtype):
    if dtype == "string":
        values = [v if isinstance(v, str) or v is None else str(v) for v in values]
    frame = pd.DataFrame({"name": pd.Series(values, dtype=dtype)}, index=range(len(values)))
    expected = [registry._plain(row.get("name")) for row in records(frame)]
    assert registry._plain_column(frame, "name") == expected
    assert registry._plain_column(frame, "absent") == [None] * len(values)


_STORED_ROW = st.tuples(
    st.integers(1, 6),  # model_id
    st.sampled_from([2025, 2026]),
    st.integers(0, 1),  # seq
    st.sampled_from(["Xã A", "Xã B"]),
    st.sampled_from(["Mô hình 1", "Mô hình 2", ""]),
    st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["3", "3.0"]), st.floats(0, 3)),
)


def _unique_places(rows: list[tuple]) -> list[tuple]:
    return list({row[:3]: row for row in rows}.values())


@given(
    st.lists(_STORED_ROW, max_size=12).map(_unique_places),
    st.lists(_STORED_ROW, max_size=12).map(_unique_places),
)
def test_storing_a_years_rows_again_ends_as_deleting_and_writing_them_all(before, after):
    """Only the changed rows are written, and the table ends as the plain way leaves it."""

    def stored(write) -> list[tuple]:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE t (model_id, year, seq, unit TEXT, name TEXT, count INTEGER,"
                     " PRIMARY KEY (model_id, year, seq))")  # fmt: skip
        insert = "INSERT OR REPLACE INTO t VALUES (?, ?, ?, ?, ?, ?)"
        conn.executemany(insert, before)
        write(conn, [row for row in after if row[1] == 2026])
        found = conn.execute("SELECT *, typeof(count) FROM t ORDER BY model_id, year, seq")
        return found.fetchall()

    def plainly(conn, rows):
        conn.execute("DELETE FROM t WHERE year = 2026")
        conn.executemany("INSERT OR REPLACE INTO t VALUES (?, ?, ?, ?, ?, ?)", rows)

    def changes_only(conn, rows):
        registry._store_rows(conn, "t", 2026, ("unit", "name", "count"), rows, replace=True)

    assert stored(changes_only) == stored(plainly)
