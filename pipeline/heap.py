"""The cyclic garbage collector, kept from walking a run's large and long-lived heap."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_long_lived_depth = 0  # how many long_lived() blocks are open: only the outermost unfreezes


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while kept entries are unpickled: each of the thousands of
    objects a load makes counts towards a collection of the whole heap, and a late run's 5,000
    readings loaded 9× slower for it (2.0 s against 0.2 s). Nothing unpickled is garbage.

    Inside long_lived(), what the block made is left out of collections too (settle): else
    the first collection after it walked all of it, a third of a second of a late run."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        settle()
        if was_on:
            gc.enable()


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """What is alive now stays alive to the block's end, and the collector leaves it out until
    then; `settle()` inside the block adds what is alive at that point (a stage's output).

    A province's run holds millions of objects (the rows, their values, the readings), and each
    full collection walked them all: checking and linking a late file took about a third
    longer for it. A writer process forked from this one walked them too, and so copied the
    pages the walk wrote to: the province's Phụ lục 1 took 6.0 s instead of 5.1 s. Freezing
    before forking is what the gc module's documentation advises."""
    global _long_lived_depth
    gc.freeze()
    _long_lived_depth += 1
    try:
        yield
    finally:
        _long_lived_depth -= 1
        if not _long_lived_depth:
            gc.unfreeze()


def settle() -> None:
    """Inside long_lived(): what is alive now is left out of collections too."""
    if _long_lived_depth:
        gc.freeze()
