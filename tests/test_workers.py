"""Writing side by side: the heaviest workbook is handed out as soon as it is made."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from pipeline.report import workers
from pipeline.report.workers import Task, write_all


class _Pool:
    """Stands for the process pool: says what it was given, and runs it at once."""

    def __init__(self, events: list[str], starts: int | None = None):
        self.events = events
        self.starts = starts  # how many tasks its writers start; None: every one

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def submit(self, fn, *args) -> concurrent.futures.Future:
        # The tasks made before the writers started are handed by their place (fork).
        task = workers._INHERITED[args[0]] if fn is workers._run_inherited else fn
        self.events.append(f"write {task.kind}")
        future = concurrent.futures.Future()
        if self.starts is None or self.starts > 0:
            self.starts = None if self.starts is None else self.starts - 1
            future.set_result(task())
        return future


def _only_done(futures):
    assert all(future.done() for future in futures), "waits for a task no writer started"
    return list(futures)


def _run(monkeypatch, weights: dict[str, int], starts: int | None = None, cpus=2) -> list[str]:
    events: list[str] = []
    monkeypatch.setattr(workers.os, "cpu_count", lambda: cpus)
    monkeypatch.setattr(
        workers.concurrent.futures, "ProcessPoolExecutor", lambda *a, **k: _Pool(events, starts)
    )
    # Waiting for a task no writer started would wait for ever: fail instead.
    monkeypatch.setattr(workers.concurrent.futures, "as_completed", _only_done)

    def tasks():
        for kind, weight in weights.items():
            events.append(f"make {kind}")
            yield Task(kind, weight, lambda kind=kind: events.append(f"ran {kind}") or Path(kind))

    timings: dict[str, float] = {}
    write_all(
        tasks(),
        lambda path: events.append(f"done {path}"),
        timings,
        lambda: events.append("beside"),
    )
    assert set(timings) == {f"write {kind}" for kind in weights}
    return events


def _handed_out(events: list[str]) -> list[str]:
    return [e for e in events if not e.startswith(("ran", "done"))]


def test_the_province_annex_is_written_while_the_rest_is_decided(monkeypatch):
    events = _handed_out(_run(monkeypatch, {"phu_luc_1": workers.PARALLEL_FROM, "tra_lai": 250}))
    assert events == [
        "make phu_luc_1",
        "write phu_luc_1",
        "make tra_lai",
        "write tra_lai",
        "beside",
    ]


def test_until_there_is_enough_the_tasks_wait_and_the_heaviest_goes_first(monkeypatch):
    events = _handed_out(_run(monkeypatch, {"a": 10, "b": workers.PARALLEL_FROM - 5, "c": 1}))
    assert events == ["make a", "make b", "write b", "write a", "make c", "write c", "beside"]


def test_too_little_is_written_here_then_the_rest(monkeypatch):
    events = _run(monkeypatch, {"a": 10, "b": 20})
    # No pool: each written in this process, before the whole-run workbooks.
    assert events == ["make a", "make b", "ran a", "done a", "ran b", "done b", "beside"]


def test_what_no_writer_has_started_is_written_here_from_the_lightest(monkeypatch):
    weights = {"phu_luc_1": workers.PARALLEL_FROM, "a": 300, "b": 200, "c": 100}
    events = _run(monkeypatch, weights, starts=1)
    beside = events.index("beside")
    # The writer started the province's annex; after `beside`, this process takes the rest.
    assert "ran phu_luc_1" in events[:beside]
    assert [e for e in events[beside:] if e.startswith("ran")] == ["ran c", "ran b", "ran a"]
    assert sorted(e for e in events if e.startswith("done")) == [
        f"done {kind}" for kind in sorted(weights)
    ]


def test_one_core_writes_everything_here(monkeypatch):
    events = _run(monkeypatch, {"phu_luc_1": workers.PARALLEL_FROM, "a": 10}, cpus=1)
    # No writer process to hand anything to: each in turn here, then the whole-run workbooks.
    assert events == [
        "make phu_luc_1",
        "make a",
        "ran phu_luc_1",
        "done phu_luc_1",
        "ran a",
        "done a",
        "beside",
    ]


@pytest.mark.skipif(workers.START_METHOD != "fork", reason="writers fork on Linux only")
def test_a_forked_writer_is_not_sent_the_tasks_it_already_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)  # one writer process
    # A lambda does not pickle: the writer can run it only from its own copy of this memory.
    written = tmp_path / "a.xlsx"
    heavy = Task("phu_luc_1", workers.PARALLEL_FROM, lambda: written.write_bytes(b"x") and written)
    done: list[Path] = []
    timings: dict[str, float] = {}
    write_all([heavy], done.append, timings)
    assert done == [written] and written.read_bytes() == b"x"
    assert "write phu_luc_1" in timings
    assert workers._INHERITED == []  # nothing kept here after the run
