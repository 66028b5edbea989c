"""Seconds spent in each stage of a run, for the benchmark and for anyone asking where time goes."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


@contextlib.contextmanager
def stage(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the time spent inside the block to timings[name] (a stage may run in parts)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
