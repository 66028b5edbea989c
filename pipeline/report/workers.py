"""Workbooks written side by side, on every core, when there is enough to write."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.heap import long_lived

# Starting writer processes costs about 0.3 s each (more on Windows, which spawns): it pays
# from this much work, in annex rows (a returned form is about as much as 250 rows).
PARALLEL_FROM = 3_000
MAX_WRITERS = 4
# fork is quick on Linux and shares the run's rows; elsewhere spawn, the only way on Windows,
# which pickles each task with its rows (tests/test_reuse.py runs both).
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


@dataclass(frozen=True)
class Task:
    """One workbook to write: `write()` writes it and returns its path. `kind` names the
    stage its time counts to; `weight` says how much there is to write (annex rows)."""

    kind: str
    weight: int
    write: Callable[[], Path]

    def __call__(self) -> tuple[Path, str, float]:
        start = time.perf_counter()
        path = self.write()
        return path, self.kind, time.perf_counter() - start


# The tasks made before the writers start, which a forked writer finds in its own memory:
# handed out by their place in it, not pickled through the pool's queue (the province's annex
# with its 50,000 rows took 0.3 s to pickle here, as long again to unpickle there).
_INHERITED: list[Task] = []


def _run_inherited(index: int) -> tuple[Path, str, float]:
    return _INHERITED[index]()


def write_all(
    tasks: Iterable[Task],
    done: Callable[[Path], None],
    timings: dict[str, float],
    beside: Callable[[], None] = lambda: None,
) -> None:
    """Run every task, telling `done` of each workbook and adding each task's seconds to
    timings["write <kind>"]; `beside` runs in this process meanwhile, once every task is made,
    and then this process writes the tasks no writer process has started.

    `tasks` may be made as they are asked for, the heaviest first: once they add up to
    PARALLEL_FROM, each is handed to a writer process as soon as it is made, so the province's
    annex is being written while the smaller outputs are still being decided. Each task must
    pickle (a module-level function with its arguments): writer processes fork on Linux and
    spawn elsewhere (the only way on Windows), and only a forked writer finds the tasks made
    before it started in its own memory. A task's error is raised here, as if it had run in
    this process.
    """

    def finished(path: Path, kind: str, seconds: float) -> None:
        timings[f"write {kind}"] = timings.get(f"write {kind}", 0.0) + seconds
        done(path)

    # This process writes too, once `beside` is done: a writer for every other core, so that
    # the province's annex, the longest task, has a core to itself.
    workers = min((os.cpu_count() or 1) - 1, MAX_WRITERS)
    stream = iter(tasks)
    first: list[Task] = []  # made before there was enough to start writer processes for
    weight = 0
    for task in stream:
        first.append(task)
        weight += task.weight
        if weight >= PARALLEL_FROM and workers > 0:
            break
    else:  # too little to write to be worth starting processes
        for task in first:
            finished(*task())
        beside()
        return
    context = multiprocessing.get_context(START_METHOD)
    first.sort(key=lambda t: -t.weight)
    inherited = START_METHOD == "fork"
    _INHERITED[:] = first if inherited else []
    # Frozen before forking: a writer's collections would walk this process's rows, and copy
    # every page they touch.
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context)
    with long_lived(), pool, contextlib.ExitStack() as forget:
        forget.callback(_INHERITED.clear)  # once every writer is done with them
        handed = [
            (pool.submit(_run_inherited, i) if inherited else pool.submit(task), task)
            for i, task in enumerate(first)
        ]
        handed += [(pool.submit(task), task) for task in stream]
        beside()
        # Then this process takes what no writer has started, from the last (the lightest) on,
        # while the writers go on from the first.
        for future, task in reversed(handed):
            if future.cancel():
                finished(*task())
        started = [future for future, _ in handed if not future.cancelled()]
        for future in concurrent.futures.as_completed(started):
            finished(*future.result())
