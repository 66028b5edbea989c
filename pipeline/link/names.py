"""Model names: what in a name says which model it is, and how much two names say they are one."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from rapidfuzz import fuzz

from pipeline.normalize import NameParts, name_parts
from pipeline.rules import DEFAULT_RULES, LinkRules


class Strength(IntEnum):
    """How much two names say they are one model."""

    AGAINST = 0  # different place, number or target group: a different model
    NONE = 1  # nothing in common worth a look
    PARTIAL = 2  # close, or words added or dropped: it may be the model, or a replication
    SAME = 3  # the same name once spelling habits are set aside


class Evidence(NamedTuple):
    """A tuple: linking builds half a million of them at a province's size."""

    strength: Strength
    score: float  # 0-100, to order candidates and to show a person
    why: str  # a key of vocab.LINK_EVIDENCE


def compare_names(a: object, b: object, rules: LinkRules = DEFAULT_RULES) -> Evidence:
    """What two names say about being one model (the order of a and b does not matter)."""
    x, y = name_parts(a), name_parts(b)
    if x.words == y.words and x.place == y.place:
        return Evidence(Strength.SAME, 100.0, "same")
    if x.place and y.place and x.place != y.place:
        return Evidence(Strength.AGAINST, _ratio(x, y), "other-place")
    if _replaced(x.numbers, y.numbers):
        return Evidence(Strength.AGAINST, _ratio(x, y), "other-number")
    if _replaced(x.groups, y.groups):
        return Evidence(Strength.AGAINST, _ratio(x, y), "other-group")
    score = _ratio(x, y)
    if x.words == y.words:  # the same words, a place added or dropped
        return Evidence(Strength.PARTIAL, score, "place-added")
    shorter, longer = sorted((set(x.words), set(y.words)), key=len)
    if shorter and shorter < longer:
        return Evidence(Strength.PARTIAL, max(score, rules.words_added_score), "words-added")
    if score >= rules.review_at:
        folded = fuzz.ratio(x.sorted_folded, y.sorted_folded)
        return Evidence(Strength.PARTIAL, score, "folded" if folded > _plain(x, y) else "close")
    return Evidence(Strength.NONE, score, "far")


def _plain(x: NameParts, y: NameParts) -> float:
    return fuzz.ratio(x.sorted_core, y.sorted_core)  # token_sort_ratio(x.core, y.core)


def _ratio(x: NameParts, y: NameParts) -> float:
    """How alike the two names' words are, 0-100, the better of as typed and without diacritics."""
    return float(max(_plain(x, y), fuzz.ratio(x.sorted_folded, y.sorted_folded)))


def _replaced(mine: frozenset, theirs: frozenset) -> bool:
    """Each side names something the other does not: one was replaced, not added."""
    return bool(mine - theirs) and bool(theirs - mine)
