"""Model names: what in a name says which model it is, and how much two names say they are one."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from rapidfuzz import fuzz

from pipeline import vocab
from pipeline.normalize import clean_text, comparison_key

_PUNCTUATION = re.compile(r"[\"'“”‘’«»,.;:!?()\[\]{}/\\…]+|(?<!\S)-(?!\S)")
_NUMBER = re.compile(r"\d+")
# "năm 2026", "giai đoạn 2025 - 2030", "(2025-2026)" say when, not which model.
_YEAR = r"(?:19|20)\d\d(?:\s*[-–]\s*(?:(?:19|20)\d\d|\d\d))?"
_YEAR_PHRASE = re.compile(rf"\(?\s*(?:giai đoạn|năm)\s+{_YEAR}\s*\)?", re.IGNORECASE)
_YEAR_AT_END = re.compile(rf"[\s(]+{_YEAR}\s*\)?$")
_TRAILING = re.compile(r"[\s.,;:!?\-–]+$")
_BEFORE_PLACE = ("ở", "tại")
_TONES = "\u0300\u0301\u0309\u0303\u0323"


def fold(text: str) -> str:
    """Without any diacritics ("Mẹ đỡ đầu" → "me do dau"): how a slip of the keyboard reads."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in plain if not unicodedata.combining(c)))


def _folded(table):
    return tuple(fold(p) for p in table)


_PREFIXES = {False: vocab.NAME_PREFIXES, True: _folded(vocab.NAME_PREFIXES)}
_FILLERS = {False: vocab.NAME_FILLERS, True: _folded(vocab.NAME_FILLERS)}
_ABBREVIATIONS = {
    False: vocab.NAME_ABBREVIATIONS,
    True: {fold(k): fold(v) for k, v in vocab.NAME_ABBREVIATIONS.items()},
}
_MARKERS = sorted((tuple(m.split()) for m in vocab.PLACE_MARKERS), key=len, reverse=True)
_GROUPS = tuple(f" {g} " for g in vocab.TARGET_GROUPS)
_PLACE_ABBREVIATIONS = {
    short: full for short, full in vocab.NAME_ABBREVIATIONS.items() if full in vocab.PLACE_MARKERS
}


@dataclass(frozen=True)
class NameParts:
    """A model's name taken apart: its own words, the place at its end, its groups and numbers."""

    words: tuple[str, ...]  # comparison words: prefixes, fillers, years, punctuation dropped
    place: str  # "thôn đông hồ" for "… ở thôn Đông Hồ"; "" when the name ends in no place
    folded: str  # the words without diacritics
    groups: frozenset[str]
    numbers: frozenset[str]

    @property
    def core(self) -> str:
        return " ".join(self.words)

    @property
    def key(self) -> str:
        """One spelling per model within its unit: equal keys are the same model."""
        return f"{self.core}|{self.place}"


@lru_cache(maxsize=200_000)
def name_parts(name: object) -> NameParts:
    text = _without_years(clean_text(name))
    head, place = _split_place(text)
    key = comparison_key(head)
    words = _comparison_words(key, folded=False)
    folded_words = _comparison_words(fold(key), folded=True)
    place_key = " ".join(_PUNCTUATION.sub(" ", comparison_key(place)).split())
    padded = f" {' '.join(words)} "
    return NameParts(
        words=tuple(words),
        place=place_key,
        folded=" ".join(folded_words),
        groups=frozenset(g.strip() for g in _GROUPS if g in padded),
        numbers=frozenset(_NUMBER.findall(" ".join(words))),
    )


def _without_years(text: str) -> str:
    text = _YEAR_PHRASE.sub(" ", text)
    text = _YEAR_AT_END.sub("", text)
    return _TRAILING.sub("", " ".join(text.split()))


def _split_place(text: str) -> tuple[str, str]:
    """The name without its place, and the place ("thôn Đông Hồ", "tổ dân phố 4") if it ends in one.

    A place is a marker followed by one to three words that are numbers or capitalised. When the
    name carries no case (all capitals or none), only one word may follow, as before.
    """
    # "TDP 4", "KDC 3": a declared abbreviation of a place marker is the marker.
    tokens = [_PLACE_ABBREVIATIONS.get(comparison_key(t), t) for t in text.split()]
    tokens = " ".join(tokens).split()
    keys = [comparison_key(t) for t in tokens]
    letters = [c for c in text if c.isalpha()]
    has_case = any(c.isupper() for c in letters) and any(c.islower() for c in letters)
    for start in range(max(1, len(tokens) - 6), len(tokens)):
        for marker in _MARKERS:
            end = start + len(marker)
            after = tokens[end:]
            if tuple(keys[start:end]) != marker or not 1 <= len(after) <= (3 if has_case else 1):
                continue
            if has_case and not all(t[0].isupper() or t[0].isdigit() for t in after):
                continue
            phrase = " ".join(keys[start : end + 1])
            if any(phrase.startswith(p) for p in vocab.NOT_PLACES):
                continue
            cut = start - 1 if keys[start - 1] in _BEFORE_PLACE and start > 1 else start
            return " ".join(tokens[:cut]), " ".join(tokens[start:])
    return text, ""


def _comparison_words(key: str, folded: bool) -> list[str]:
    key = _PUNCTUATION.sub(" ", key)
    abbreviations = _ABBREVIATIONS[folded]
    key = " ".join(abbreviations.get(word, word) for word in key.split())
    for filler in _FILLERS[folded]:
        key = f" {key} ".replace(f" {filler} ", " ").strip()
    stripped = True
    while stripped:  # "Xây dựng mô hình Dân vận khéo …": every prefix in turn
        stripped = False
        for prefix in _PREFIXES[folded]:
            if key.startswith(prefix + " "):
                key, stripped = key[len(prefix) :].strip(), True
                break
    return key.split()


def name_core(name: object) -> tuple[str, str]:
    """The words that say which model it is, and the place it names at its end, if any."""
    parts = name_parts(name)
    return parts.core, parts.place


def model_key(name: object) -> str:
    """How a model is known within its unit: the core of its name and the place it names."""
    return name_parts(name).key


class Strength(IntEnum):
    """How much two names say they are one model."""

    AGAINST = 0  # different place, number or target group: a different model
    NONE = 1  # nothing in common worth a look
    PARTIAL = 2  # close, or words added or dropped: it may be the model, or a replication
    SAME = 3  # the same name once spelling habits are set aside


@dataclass(frozen=True)
class Evidence:
    strength: Strength
    score: float  # 0-100, to order candidates and to show a person
    why: str  # a key of vocab.LINK_EVIDENCE


@dataclass(frozen=True)
class NameRules:
    """The numbers of the name comparison (dvk.toml, [lien_ket_nam_truoc])."""

    review_at: float = 75.0  # from this score a name is partial evidence
    words_added_score: float = 95.0  # a name that only adds or drops words scores at least this


def compare_names(a: object, b: object, rules: NameRules = NameRules()) -> Evidence:
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
        folded = fuzz.token_sort_ratio(x.folded, y.folded)
        return Evidence(Strength.PARTIAL, score, "folded" if folded > _plain(x, y) else "close")
    return Evidence(Strength.NONE, score, "far")


def _plain(x: NameParts, y: NameParts) -> float:
    return fuzz.token_sort_ratio(x.core, y.core)


def _ratio(x: NameParts, y: NameParts) -> float:
    """How alike the two names' words are, 0-100, the better of as typed and without diacritics."""
    return float(max(_plain(x, y), fuzz.token_sort_ratio(x.folded, y.folded)))


def _replaced(mine: frozenset, theirs: frozenset) -> bool:
    """Each side names something the other does not: one was replaced, not added."""
    return bool(mine - theirs) and bool(theirs - mine)
