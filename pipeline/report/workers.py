"""Workbooks written side by side, one process per core, when there are enough of them."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
from collections.abc import Callable
from pathlib import Path

PARALLEL_FROM = 8  # workbooks to write before starting writer processes pays (about 0.3 s each)
MAX_WRITERS = 4


def write_all(tasks: list[Callable[[], Path]], done: Callable[[Path], None]) -> None:
    """Run every task (each writes one workbook and returns its path), telling `done` of each.

    Each task must pickle (a module-level function with its arguments): on many tasks they run
    in writer processes, fork on Linux (sharing the run's rows at no cost) and spawn elsewhere
    (the only way on Windows). A task's error is raised here, as if it had run in this process.
    """
    workers = min(os.cpu_count() or 1, MAX_WRITERS, len(tasks))
    if len(tasks) < PARALLEL_FROM or workers < 2:
        for task in tasks:
            done(task())
        return
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        for future in concurrent.futures.as_completed([pool.submit(task) for task in tasks]):
            done(future.result())
