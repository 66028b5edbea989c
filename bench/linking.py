"""Linking alone: a year's models against last year's, blocked by unit and (small) every pair."""

from __future__ import annotations

import time

import pandas as pd

from pipeline.link import compare_names, link_models
from tests.fixtures.build_linking_set import pairs


def models(units: int, per_unit: int, year: int) -> pd.DataFrame:
    """Published-style names, each unit with its own; next year's are retyped."""
    names = sorted({old for old, _, same, _ in pairs() if same})
    rows = []
    for u in range(units):
        for m in range(per_unit):
            name = names[(u * per_unit + m) % len(names)]
            rows.append((f"Chi bộ thôn {u}", f"Mô hình “{name}”" if year > 2025 else name))
    frame = pd.DataFrame(rows, columns=["unit", "name"])
    frame["model_id"] = range(len(frame))
    return frame


def link_times(units: int, per_unit: int = 10, every_pair: bool = False) -> dict:
    earlier, current = models(units, per_unit, 2025), models(units, per_unit, 2026)
    start = time.perf_counter()
    link_models(current, earlier)
    found = {"models": len(current), "blocked": time.perf_counter() - start}
    if every_pair:  # the naive way: each model against every earlier one, then the same unit
        start = time.perf_counter()
        for unit, name in zip(current["unit"], current["name"], strict=True):
            scores = [
                (compare_names(name, old).score, old_unit == unit)
                for old_unit, old in zip(earlier["unit"], earlier["name"], strict=True)
            ]
            max((s for s, same in scores if same), default=0)
        found["every_pair"] = time.perf_counter() - start
    return found
