"""The collector paused for loads and kept from walking the run's long-lived heap."""

from __future__ import annotations

import gc

import pytest

from pipeline import heap


def test_loading_pauses_the_collector_and_gives_it_back_as_it_was():
    assert gc.isenabled()
    with pytest.raises(ValueError), heap.collector_paused():
        assert not gc.isenabled()
        raise ValueError("a broken entry")
    assert gc.isenabled()
    gc.disable()
    try:
        with heap.collector_paused():
            pass
        assert not gc.isenabled()  # a caller's own choice is left alone
    finally:
        gc.enable()


class _Cycle:
    def __init__(self):
        self.me = self


def test_what_lives_before_and_at_settling_is_left_out_until_the_outermost_block_ends():
    gc.collect()
    with pytest.raises(ValueError), heap.long_lived():
        frozen_at_start = gc.get_freeze_count()
        assert frozen_at_start > 0
        made = [_Cycle() for _ in range(100)]
        heap.settle()
        assert gc.get_freeze_count() >= frozen_at_start + len(made)
        with heap.long_lived():
            pass
        # An inner block's end leaves the outer block's objects frozen.
        assert gc.get_freeze_count() >= frozen_at_start + len(made)
        del made
        raise ValueError("a stage failed")
    assert gc.get_freeze_count() == 0
    # Given back to the collector: the cycles made inside, now garbage, are collected.
    assert gc.collect() >= 100


def test_settling_outside_a_block_freezes_nothing():
    heap.settle()
    assert gc.get_freeze_count() == 0
