"""Across years: which earlier model each of this year's models continues, and how sure that is.

The registry overrides a unit's tick only on strong evidence: the same name once spelling habits
are set aside (the model continues), or no earlier model of the unit anywhere near (it is new).
Partial evidence (a close name, words or a place added or dropped) follows the tick where they
agree and asks a person where they do not. Within a unit an earlier model continues into one
model at most. A person's decision wins over everything.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import sys
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

import pandas as pd

from pipeline import vocab
from pipeline.frames import column_lists
from pipeline.heap import long_lived
from pipeline.link.names import Evidence, Strength, compare_names
from pipeline.normalize import comparison_key, model_key, unit_key
from pipeline.records import Decision
from pipeline.rules import DEFAULT_RULES, LinkRules

# How a row's section was decided; stored with each row in the registry.
LINKED = "linked"  # strong evidence: the same model as an earlier year's
AGREED = "agreed"  # partial evidence, and the unit ticked "Duy trì": as ticked
NEW = "new"  # no earlier model of the unit near it: a new model
REVIEW = "review"  # a person must decide; the unit's tick stands until then
DECIDED_OLD, DECIDED_NEW = "decided-old", "decided-new"  # a person decided
NO_HISTORY = "no-history"  # no earlier year on record: the tick stands
LINK_OUTCOMES = (LINKED, AGREED, NEW, REVIEW, DECIDED_OLD, DECIDED_NEW, NO_HISTORY)

# Why a row is in the review list (keys of vocab.REVIEW_REASONS).
PARTIAL_AGAINST_TICK = "partial-against-tick"
TWO_CANDIDATES = "two-candidates"
UNKNOWN_UNIT = "unknown-unit"
NEAR_BUT_DIFFERENT = "near-but-different"
CLAIMED = "claimed"

# Verdicts of link_models, for callers that only need the closest earlier model.
SAME_MODEL, CLOSE = "linked", "close"


class Candidate(NamedTuple):
    """An earlier model near a name: a tuple, as Evidence is (a province makes 400,000)."""

    model_id: object
    name: str
    evidence: Evidence

    @property
    def order(self) -> tuple:
        """Closest first; ties by name and id, so that input order never matters."""
        return (-self.evidence.strength, -self.evidence.score, self.name, str(self.model_id))


def candidates(name: object, block: list[tuple[str, object]], rules: LinkRules) -> list[Candidate]:
    """Every earlier model of the block with the best evidence over its names, closest first."""
    best: dict[object, Candidate] = {}
    for old, model_id in block:
        found = Candidate(model_id, str(old), compare_names(name, old, rules))
        if model_id not in best or found.order < best[model_id].order:
            best[model_id] = found
    return sorted(best.values(), key=lambda c: c.order)


# Each unit's outcomes, by all they rest on: the unit's earlier names, its rows (name, tick,
# place in the inbox, a person's decision) and whether any history exists. A re-run after one
# late file links again only the units whose rows or history changed; every other unit's rows
# are decided as before, without comparing a name. The ids a run gives a unit's new models
# (History.own_ids) are not part of it: an outcome says OWN, and link_years puts the id in.
# ingest.cache keeps it between runs, as plain tuples, for the rules in _MEMO_RULES.
_MEMO: dict[tuple, tuple[tuple, ...]] = {}
_MEMO_RULES: list[LinkRules] = []
_USED: set[tuple] = set()  # since add_kept_outcomes
OWN = "<own id>"  # in a kept outcome: the id this year's run gave the model (never an id)


def used_outcomes() -> tuple[LinkRules, dict] | None:
    """The rules and the outcomes of the units linked since add_kept_outcomes, to keep."""
    if not _MEMO_RULES:
        return None
    return _MEMO_RULES[0], {key: _MEMO[key] for key in _USED & _MEMO.keys()}


def add_kept_outcomes(rules: LinkRules | None, kept: dict) -> None:
    """Outcomes decided by an earlier run with the same code (the caller checks that), or
    none (None): a run begins."""
    _USED.clear()
    if rules is not None:
        _memo_for(rules)
        _MEMO.update(kept)


def _memo_for(rules: LinkRules) -> None:
    """Forget the outcomes decided by other rules (dvk.toml changed)."""
    if [rules] != _MEMO_RULES:
        _MEMO.clear()
        _MEMO_RULES[:] = [rules]


def _usable(found: list[Candidate]) -> list[Candidate]:
    return [c for c in found if c.evidence.strength >= Strength.PARTIAL]


def _two_fit(found: list[Candidate], rules: LinkRules) -> bool:
    """Whether the two closest earlier models are equally good answers."""
    if len(found) < 2 or found[0].evidence.strength != found[1].evidence.strength:
        return False
    if found[0].evidence.strength == Strength.SAME:
        return True
    return min(found[0].evidence.score, found[1].evidence.score) >= rules.link_at


def _shown(found: list[Candidate], rules: LinkRules) -> str:
    """ "name (score)" of every earlier model worth a look, closest first."""
    return "; ".join(
        f"{c.name} ({c.evidence.score:.0f})"
        for c in found
        if c.evidence.strength >= Strength.PARTIAL or c.evidence.score >= rules.review_at
    )


def link_models(
    current: pd.DataFrame, earlier: pd.DataFrame, rules: LinkRules = DEFAULT_RULES
) -> pd.DataFrame:
    """For each row of `current`, the closest model of `earlier` in the same unit.

    Both frames have `unit` and `name`; `earlier` also has `model_id`. Names are compared only
    within the same unit (blocking), so the same name in two units is two models and the cost
    grows with the units' sizes. Returns, per row (same index): `verdict` (SAME_MODEL for
    strong evidence, CLOSE for partial evidence from `link_at`, REVIEW for other partial
    evidence or two equally good models, NEW), `model_id`, `score`, `candidates`, `match`.
    """
    blocks = _blocks(earlier)
    out = []
    for unit, name in zip(current["unit"], current["name"], strict=True):
        found = _usable(candidates(name, blocks.get(comparison_key(unit), []), rules))
        best = found[0] if found else None
        if best is None:
            verdict = NEW
        elif _two_fit(found, rules):
            verdict = REVIEW
        elif best.evidence.strength == Strength.SAME:
            verdict = SAME_MODEL
        else:
            verdict = CLOSE if best.evidence.score >= rules.link_at else REVIEW
        out.append(
            (
                verdict,
                best.model_id if best and verdict != NEW else None,
                best.evidence.score if best else 0.0,
                _shown(found, rules),
                best.name if best else "",
            )
        )
    links = pd.DataFrame(
        out, columns=["verdict", "model_id", "score", "candidates", "match"], index=current.index
    )
    # model_id stays None for a new model (pandas would turn it into NaN).
    links["model_id"] = pd.Series([row[1] for row in out], index=current.index, dtype=object)
    return links


def _blocks(earlier: pd.DataFrame) -> dict[str, list[tuple[str, object]]]:
    blocks: dict[str, list[tuple[str, object]]] = {}
    columns = column_lists(earlier, "unit", "name", "model_id")
    for unit, name, model_id in zip(*columns, strict=True):
        blocks.setdefault(comparison_key(unit), []).append((name, model_id))
    return blocks


@dataclass(frozen=True)
class History:
    """What the registry knows before this run's year, as plain frames (no database here)."""

    year: int
    # One row per name an earlier model had in a year: model_id, year, unit, name, field,
    # status, kind ("registrations" / "results").
    earlier: pd.DataFrame
    # Models first seen this year by an earlier run: model_id, unit, name. A rerun reuses them.
    this_year: pd.DataFrame
    decisions: dict[tuple[str, str], Decision]  # (unit key, model key) -> decision
    years: tuple[int, ...]  # earlier years on record
    renames: dict[str, str]  # unit key -> unit key it is now known by (renamed, merged)
    # Recognitions of earlier years: model_id, year, level (a label of the office's ladder).
    recognitions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["model_id", "year", "level"])
    )

    @classmethod
    def empty(cls, year: int) -> History:
        columns = ["model_id", "year", "unit", "name", "field", "status", "kind"]
        return cls(
            year=year,
            earlier=pd.DataFrame(columns=columns),
            this_year=pd.DataFrame(columns=["model_id", "unit", "name"]),
            decisions={},
            years=(),
            renames={},
        )

    def with_decisions(self, answers: dict[tuple[str, str], Decision | None]) -> History:
        """The stored decisions updated with a person's answers (None clears one)."""
        decisions = dict(self.decisions)
        for key, answer in answers.items():
            if answer is None:
                decisions.pop(key, None)
            else:
                decisions[key] = answer
        return replace(self, decisions=decisions)

    # Each worked out once per History (it is not changed once made), and shared: not to be
    # changed by callers. Linking both sheets and scoring each asked for them (0.1 s each).
    def own_ids(self) -> dict[tuple[str, str], int]:
        """(unit key, model key) -> id of the models an earlier run of this year created."""
        return self._own_ids

    def blocks(self) -> pd.DataFrame:
        """Every name of every earlier model, under its unit's canonical key, to link against."""
        return self._blocks_frame

    @cached_property
    def _own_ids(self) -> dict[tuple[str, str], int]:
        frame = self.this_year
        return {
            (self.canonical_unit(u), model_key(n)): int(i)
            for i, u, n in zip(frame["model_id"], frame["unit"], frame["name"], strict=True)
        }

    @cached_property
    def _blocks_frame(self) -> pd.DataFrame:
        earlier = self.earlier.drop_duplicates(["model_id", "name"])
        return pd.DataFrame(
            {
                "unit": [self.canonical_unit(u) for u in earlier["unit"].tolist()],
                "name": earlier["name"].tolist(),
                "model_id": earlier["model_id"].tolist(),
            }
        )

    @cached_property
    def unit_blocks(self) -> dict[str, list[tuple[str, object]]]:
        """blocks() by unit: each unit's earlier (name, model_id) pairs."""
        return _blocks(self._blocks_frame)

    def canonical_unit(self, unit: object) -> str:
        key = unit_key(unit)
        seen = set()
        while key in self.renames and key not in seen:  # merged twice: follow the chain
            seen.add(key)
            key = self.renames[key]
        return key


@dataclass
class _Row:
    """One row being linked: what it has to go on, and what was decided."""

    unit: str
    ticked: str
    order: tuple
    found: list[Candidate]  # every earlier model of the unit, closest first
    decision: Decision | None
    claimed_by: str = ""  # the row of this year that kept this row's closest earlier model
    available: list[Candidate] = field(default_factory=list)


def link_years(
    rows: pd.DataFrame, history: History, rules: LinkRules = DEFAULT_RULES
) -> pd.DataFrame:
    """Decide, for each row (unit, name, status as ticked), whether it continues an earlier model.

    Returns per row (same index): model_id (None for a model not seen before), link (one of
    LINK_OUTCOMES), status (DUY_TRI / MOI as decided), status_ticked, and what it rests on:
    score, match and candidate_id (the closest earlier model), candidates, evidence (a key of
    vocab.LINK_EVIDENCE), review_reason (a key of vocab.REVIEW_REASONS, "" when not listed) and
    claimed_by (the row that kept the closest earlier model).
    """
    _memo_for(rules)
    blocks = history.unit_blocks
    no_history = not history.years and not blocks
    places = zip(
        rows.get("_file", [""] * len(rows)), rows.get("_row", [0] * len(rows)), strict=True
    )
    by_unit: dict[str, list[int]] = {}
    keys, inputs = [], []
    for i, (unit, name, ticked, (file, row)) in enumerate(
        zip(*column_lists(rows, "unit", "name", "status"), places, strict=True)
    ):
        unit_ = history.canonical_unit(unit)
        key = (unit_, model_key(name))
        of_unit = by_unit.setdefault(unit_, [])
        # Its place among its unit's rows: the same whatever order the files come in.
        order = (str(file), int(row or 0), str(name), len(of_unit))
        of_unit.append(i)
        keys.append(key)
        inputs.append((name, ticked, order, history.decisions.get(key)))
    own = history.own_ids()
    out: list[tuple] = [()] * len(rows)
    units = [
        (unit, tuple(blocks.get(unit, ())), tuple(inputs[i] for i in positions))
        for unit, positions in by_unit.items()
    ]
    _decide_beside(units, rules, no_history)
    for (unit, block, given), positions in zip(units, by_unit.values(), strict=True):
        outcomes = _unit_outcomes(unit, block, given, rules, no_history)
        for i, outcome in zip(positions, outcomes, strict=True):
            out[i] = outcome if outcome[0] != OWN else (own.get(keys[i]), *outcome[1:])
    result = pd.DataFrame(out, index=rows.index, columns=_LINK_COLUMNS)
    for column in ("model_id", "candidate_id"):  # None stays None (pandas would make it NaN)
        at = _LINK_COLUMNS.index(column)
        result[column] = pd.Series([o[at] for o in out], index=rows.index, dtype=object)
    result["status_ticked"] = rows["status"].to_numpy()
    return result


def _unit_outcomes(unit: str, block: tuple, inputs: tuple, rules: LinkRules, no_history: bool):
    """The outcomes of one unit's rows, decided once for all they rest on (_MEMO)."""
    key = (unit, block, inputs, no_history)
    _USED.add(key)
    found = _MEMO.get(key)
    if found is None:
        found = _MEMO[key] = _decide_unit(unit, block, inputs, rules, no_history)
    return found


# A province's units take seconds to decide on one core while the other waits: from this many
# rows to decide, half the units (by the names to compare) are decided in a forked process.
# Only where processes fork (Linux): a spawned one would be sent every unit's earlier names,
# and start slower than it would help. Each unit's outcomes depend on its own inputs alone, so
# the result is the same wherever a unit was decided.
PARALLEL_FROM = 5_000
FORKS = sys.platform.startswith("linux")
_BESIDE: list[tuple] = []  # the units the forked process decides, found in its own memory


def _decide_beside(units: list[tuple], rules: LinkRules, no_history: bool) -> None:
    """Decide, into _MEMO, the `units` (unit, block, inputs) not decided yet, half of them in
    a forked process when there are many. Nothing is lost if it fails: what it did not give
    back is decided here, as it would have been."""
    todo = [u for u in units if (*u, no_history) not in _MEMO]
    if not FORKS or sum(len(inputs) for _, _, inputs in todo) < PARALLEL_FROM:
        return
    mine, theirs = _halves(todo)
    _BESIDE[:] = [(theirs, rules, no_history)]
    context = multiprocessing.get_context("fork")
    try:
        with long_lived(), concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
            future = pool.submit(_decide_inherited)
            for unit, block, inputs in mine:
                _unit_outcomes(unit, block, inputs, rules, no_history)
            decided = future.result()
    except Exception:  # a process that could not start or died: its units are decided here
        decided = {}
    finally:
        _BESIDE.clear()
    _MEMO.update(decided)


def _halves(todo: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Two shares of about the same work: a unit costs its rows times its earlier names."""
    shares: tuple[list, list] = ([], [])
    work = [0, 0]
    for unit in sorted(todo, key=lambda u: -len(u[2]) * max(1, len(u[1]))):
        lighter = work.index(min(work))
        shares[lighter].append(unit)
        work[lighter] += len(unit[2]) * max(1, len(unit[1]))
    return shares


def _decide_inherited() -> dict[tuple, tuple]:
    (units, rules, no_history), *_ = _BESIDE
    return {
        (unit, block, inputs, no_history): _decide_unit(unit, block, inputs, rules, no_history)
        for unit, block, inputs in units
    }


def _decide_unit(unit: str, block: tuple, inputs: tuple, rules: LinkRules, no_history: bool):
    items = [
        _Row(unit, ticked, order, candidates(name, block, rules), decision)
        for name, ticked, order, decision in inputs
    ]
    _one_to_one(items, [name for name, *_ in inputs])
    return tuple(_decide(item, bool(block), rules, no_history) for item in items)


_LINK_COLUMNS = [
    "model_id", "link", "status", "score", "match", "candidate_id", "candidates", "evidence",
    "review_reason", "claimed_by", "earlier_count",
]  # fmt: skip


def _one_to_one(items: list[_Row], names: list[str]) -> None:
    """Within a unit, each earlier model goes to the closest row that claims it; the other rows
    are decided as if it were not there. A person's "Có" keeps its model whatever the others."""
    owner: dict[tuple[str, object], int] = {}
    for i, item in enumerate(items):
        if item.decision is not None and item.decision.is_old:
            chosen = item.decision.model_id or next((c.model_id for c in _usable(item.found)), None)
            if chosen is not None:
                owner.setdefault((item.unit, chosen), i)
    pairs = sorted(
        (_claim_order(item, c), c.order, i, c)
        for i, item in enumerate(items)
        if item.decision is None
        for c in _usable(item.found)
    )
    assigned: set[int] = set()
    for _, _, i, c in pairs:
        if i in assigned or (items[i].unit, c.model_id) in owner:
            continue
        owner[(items[i].unit, c.model_id)] = i
        assigned.add(i)
    for i, item in enumerate(items):
        usable = _usable(item.found)
        item.available = [c for c in usable if owner.get((item.unit, c.model_id), i) == i]
        if item.decision is None and usable and owner.get((item.unit, usable[0].model_id), i) != i:
            item.claimed_by = names[owner[(item.unit, usable[0].model_id)]]


def _claim_order(item: _Row, c: Candidate) -> tuple:
    """Who keeps an earlier model two rows claim: the same name first; among close names, the
    row its unit ticked "Duy trì" (partial evidence follows the tick), then the closer name."""
    strong = c.evidence.strength == Strength.SAME
    return (-c.evidence.strength, strong or item.ticked != "DUY_TRI", -c.evidence.score, item.order)


def _decide(item: _Row, unit_known: bool, rules: LinkRules, no_history: bool) -> tuple:
    """The outcome of one row, by the rule in the module docstring, in _LINK_COLUMNS' order;
    OWN for the id this year's run gave the model, if any."""
    ticked, found, available = item.ticked, item.found, item.available
    best = available[0] if available else None
    mine = OWN
    reason = ""
    if no_history:
        link, status, model_id = NO_HISTORY, ticked, mine
    elif item.decision is not None and item.decision.is_old:
        chosen = item.decision.model_id or (best.model_id if best else None)
        link, status, model_id = DECIDED_OLD, "DUY_TRI", chosen or mine
    elif item.decision is not None:
        link, status, model_id = DECIDED_NEW, "MOI", mine
    elif best is not None and _two_fit(available, rules):
        link, status, model_id, reason = REVIEW, ticked, mine, TWO_CANDIDATES
    elif best is not None and best.evidence.strength == Strength.SAME:
        link, status, model_id = LINKED, "DUY_TRI", best.model_id
    elif best is not None and ticked == "DUY_TRI":
        link, status, model_id = AGREED, "DUY_TRI", best.model_id
    elif best is not None:
        link, status, model_id, reason = REVIEW, ticked, mine, PARTIAL_AGAINST_TICK
    elif ticked == "DUY_TRI" and not unit_known:
        # A unit the registry has never seen says "continuing": renamed, perhaps. Ask.
        link, status, model_id, reason = REVIEW, ticked, mine, UNKNOWN_UNIT
    elif ticked == "DUY_TRI" and _near_but_different(found, rules):
        link, status, model_id, reason = REVIEW, ticked, mine, NEAR_BUT_DIFFERENT
    else:
        link, status, model_id = NEW, "MOI", mine
    if item.claimed_by and not reason:
        reason = CLAIMED
        if status != ticked:  # decided so only because another row kept the model: ask
            link, status, model_id = REVIEW, ticked, mine
    near = _near_but_different(found, rules)
    shown = best or (found[0] if found and item.claimed_by else None) or (near if reason else None)
    return (
        model_id,
        link,
        status,
        shown.evidence.score if shown else 0.0,
        shown.name if shown else "",
        shown.model_id if shown else None,
        _shown(found, rules),
        shown.evidence.why if shown else "",
        reason,
        item.claimed_by,
        len({c.model_id for c in found}),
    )


def _near_but_different(found: list[Candidate], rules: LinkRules) -> Candidate | None:
    """The closest earlier model that differs only in its place, number or target group."""
    return next(
        (
            c
            for c in sorted(found, key=lambda c: -c.evidence.score)
            if c.evidence.strength == Strength.AGAINST and c.evidence.score >= rules.review_at
        ),
        None,
    )


def evidence_text(row: dict, years: tuple[int, ...]) -> str:
    """Why a row is in the section it is in, in the words of vocab.LINK_EVIDENCE."""
    label = vocab.LINK_EVIDENCE.get(row.get("evidence") or "", "")
    if row["link"] in (DECIDED_OLD, DECIDED_NEW):
        return vocab.LINK_DECIDED
    if row["link"] == NEW:
        count = int(row.get("earlier_count") or 0)
        when = ", ".join(map(str, years)) or "trước"
        return vocab.LINK_NOTHING_NEAR.format(count=count, years=when)
    return f"{label}: “{row['match']}”" if row.get("match") else label
