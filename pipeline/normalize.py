"""Normalize stage: clean Vietnamese text and parse raw cells into typed values before pandera."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import pandas as pd

from pipeline import vocab
from pipeline.forms import CHOICE_LISTS, MAX_UNIT_NAME, SheetSpec
from pipeline.issues import Code, Issue

T = TypeVar("T")

# Texts are tidied with regexes, not str.translate: translate looks every character of a text
# up in its table, and was most of cleaning 100,000 Vietnamese texts (0.36 s, now 0.11 s).
_INVISIBLE = "\u200b\u200c\u200d\ufeff\u00ad"
# Control characters (Excel's _x0002_): no workbook may hold them, and no unit meant them.
# Tab, newline and carriage return are spaces, tidied as such.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSEEN = re.compile(f"[{_INVISIBLE}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # both, dropped
_SPACES = re.compile(r"\s{2,}|[^\S ]")  # what is not one plain space, where \s+ would be
_DOUBLE_QUOTES = re.compile("[“”„‟″«»]")
_SINGLE_QUOTES = re.compile("[‘’‚‛′`]")
_DASH = re.compile(r"\s*[-‐‑‒–—―−]\s*")

# Tone placement: "hoá"/"hóa", "thuỷ"/"thủy" are the same word in two spelling habits.
# Comparison keys put the tone on the second vowel of oa, oe, uy at the end of a syllable.
_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
_TONE_PAIRS = {
    unicodedata.normalize("NFC", first + mark) + second: first
    + unicodedata.normalize("NFC", second + mark)
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"))
    for mark in _TONE_MARKS
}
_OLD_TONE = re.compile("(" + "|".join(_TONE_PAIRS) + r")(?!\w)")

# Vietnamese alphabetical order: ă and â after a, đ after d, and so on; tones break ties.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {c: 200 + i for i, c in enumerate(_ALPHABET)}
# A regex takes the marks out 2.5× quicker than str.translate, which looks every character
# of the text up in its table (0.34 s of a province annex's 50,000 names).
_TONE = re.compile(f"[{_TONE_MARKS}]")


class _Ranks(dict):
    """str.translate's table: each character to the one whose code is its place in _ALPHABET's
    order (letters outside it after those below 200), so that keys compare as plain text."""

    def __missing__(self, code: int) -> str:
        rank = _RANK.get(chr(code), code if code < 200 else 1000 + code)
        self[code] = ranked = chr(min(rank, sys.maxunicode))
        return ranked


_RANKED = _Ranks()

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(?:(\d{1,2})[/.\-])?(?:(\d{1,2})[/.\-])?(\d{4})$")


def clean_text(value: object) -> str:
    """The text as the unit typed it, in NFC with spaces tidied: what the annexes display."""
    if isinstance(value, str):
        return _clean(value)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # calamine gives 1.0 for a typed 1
    return _clean(str(value))


# A province's inbox repeats the same few hundred thousand texts (unit names, labels) across
# stages: each is cleaned and keyed once per run.
@lru_cache(maxsize=2**18)
def _clean(text: str) -> str:
    text = _UNSEEN.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def comparison_key(value: object) -> str:
    """One spelling for comparing: case, spaces, quotes, dashes and tone placement folded."""
    return _comparison_key(clean_text(value))


@lru_cache(maxsize=2**18)
def _comparison_key(text: str) -> str:
    text = _SINGLE_QUOTES.sub("'", _DOUBLE_QUOTES.sub('"', text.casefold()))
    text = _DASH.sub(" - ", text)
    return _OLD_TONE.sub(lambda m: _TONE_PAIRS[m.group(1)], text).strip()


def unit_key(unit: object) -> str:
    """How a unit is known in the registry: its comparison key."""
    return comparison_key(unit)


def ascii_slug(value: object) -> str:
    """A file name that any Windows, zip or e-mail client keeps: ASCII words joined by "_"."""
    plain = comparison_key(value).replace("đ", "d")
    plain = "".join(c for c in unicodedata.normalize("NFD", plain) if c.isascii())
    return "_".join("".join(c if c.isalnum() else " " for c in plain).split())[:60] or "don_vi"


def sort_key(value: object) -> tuple:
    """Order Vietnamese text as a Vietnamese reader expects (a < ă < â < b … d < đ)."""
    if not isinstance(value, str):
        return _sort_key(value)
    # An annex sorts each model at least twice (by unit, then by level): worked out once, and
    # kept for the next run with the names (ingest.cache).
    return _remembered(_SORT_KEYS, value, _sort_key)


_SORT_KEYS: dict[str, tuple] = {}


def known_sort_keys() -> dict[str, tuple]:
    """Every text's sort key worked out so far in this process (or known from an earlier run)."""
    return _SORT_KEYS


def add_known_sort_keys(known: dict[str, tuple]) -> None:
    """Sort keys worked out by an earlier run, by the same rules (the caller checks that)."""
    _SORT_KEYS.update(known)


def _sort_key(value: object) -> tuple:
    nfd = unicodedata.normalize("NFD", clean_text(value).casefold())
    base = unicodedata.normalize("NFC", _TONE.sub("", nfd))
    return base.translate(_RANKED), nfd


def _choice_lookup(list_name: str) -> dict[str, str]:
    labels, synonyms = CHOICE_LISTS[list_name]
    lookup = {comparison_key(label): code for code, label in labels.items()}
    for code, words in synonyms.items():
        lookup.update({comparison_key(w): code for w in words if code in labels})
    return lookup


_LOOKUPS = {name: _choice_lookup(name) for name in CHOICE_LISTS}


def match_choice(list_name: str, value: object) -> str | None:
    """The canonical code for a closed-list value, or None when it is not in the list."""
    key = comparison_key(value)
    key = key.removeprefix("lĩnh vực ").removeprefix("lãnh vực ") if list_name == "field" else key
    return _LOOKUPS[list_name].get(key)


def parse_count(value: object) -> int | None:
    """A whole number from 1.0, 2, "02"; None when it is not one. Blank means one model."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # Past 2**31 it is no count of models (1E+20 typed by mistake): not a whole number here.
        return int(value) if float(value).is_integer() and abs(value) < 2**31 else None
    text = clean_text(value)
    if not text:
        return 1
    return int(text) if re.fullmatch(r"-?\d{1,9}", text) else None


def parse_date(value: object, *, end_of_period: bool = False) -> dt.date | None:
    """A date from an Excel date, a serial number or text "15/3/2026", "3/2026", "2026"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer():
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    text = clean_text(value).lower().removeprefix("năm ").removeprefix("tháng ").strip()
    match = _DATE_TEXT.match(text.replace(" ", ""))
    if not match:
        return None
    first, second, year = match.groups()
    day, month = (first, second) if second else (None, first)
    try:
        if day:
            return dt.date(int(year), int(month), int(day))
        if month:
            start = dt.date(int(year), int(month), 1)
            return _month_end(start) if end_of_period else start
        return dt.date(int(year), 12, 31) if end_of_period else dt.date(int(year), 1, 1)
    except ValueError:
        return None


def _month_end(day: dt.date) -> dt.date:
    following = day.replace(day=28) + dt.timedelta(days=4)
    return following - dt.timedelta(days=following.day)


def normalize_rows(
    raw: pd.DataFrame, spec: SheetSpec, year: int
) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed rows from raw cells. Unparseable cells become issues and missing values.

    `raw` has one column per spec column key plus the provenance columns
    `_file`, `_sheet`, `_row` and `unit`. Closed-list values that match no entry are kept
    as typed so that the schema reports them with the unit's own words.
    """
    out = raw.copy()
    problems: list[Issue] = []
    out["unit"] = out["unit"].map(clean_text)
    problems += _long_unit_names(out)
    for column in spec.columns:
        values = raw[column.key]
        if column.kind == "text":
            problems += _control_characters(raw, values, column.header)
            out[column.key] = values.map(clean_text)
        elif column.key == "field":
            out["field"], out["field_other"], other = _fields(raw, values, column.header)
            problems += other
        elif column.kind == "choice":
            out[column.key] = values.map(
                lambda v, n=column.choices: match_choice(n, v) or clean_text(v)
            )
        elif column.kind == "count":
            parsed = values.map(parse_count)
            problems += _unparsed(raw, values, parsed, column.header, Code.NOT_WHOLE_NUMBER)
            out[column.key] = pd.array(parsed.tolist(), dtype="Int64")
        elif column.kind == "date":
            parsed = values.map(lambda v, k=column.key: parse_date(v, end_of_period=k == "end"))
            problems += _unparsed(raw, values, parsed, column.header, Code.NOT_A_DATE, str(year))
            out[column.key] = pd.to_datetime(parsed.astype(object), errors="coerce")
    return out, problems


def _fields(raw, values, header: str) -> tuple[pd.Series, pd.Series, list[Issue]]:
    """Canonical field codes; a field outside the list is "Khác" and keeps the unit's words."""
    codes, others, issues = [], [], []
    prefix = comparison_key(vocab.OTHER_FIELD_PREFIX).rstrip(": ")
    for i, value in values.items():
        text = clean_text(value)
        code = match_choice("field", text)
        other = ""
        if code is None and text:
            key = comparison_key(text)
            if key.startswith(prefix):  # "Khác: Bảo vệ môi trường" is what the unit meant
                other = text[len(prefix) :].lstrip(" :-").strip()
            else:
                other = text
                issues.append(Issue.at_row(raw, i, Code.FIELD_OTHER, header, text))
            code = "KHAC"
        codes.append(code or "")
        others.append(other)
    return pd.Series(codes, index=values.index), pd.Series(others, index=values.index), issues


def _cell_issues(rows, where: pd.Series, column: str, code: str, values=None, detail=""):
    """One problem per row where `where` holds, at that row's cell of `column`."""
    return [
        Issue.at_row(rows, i, code, column, "" if values is None else clean_text(values[i]), detail)
        for i in rows.index[where]
    ]


def _control_characters(raw, values, header: str) -> list[Issue]:
    """Cells that held control characters: removed from the text, and said."""
    held = values.map(lambda v: isinstance(v, str) and _CONTROL.search(v) is not None)
    return _cell_issues(raw, held, header, Code.TEXT_CONTROL_CHARACTER, values)


def _long_unit_names(out: pd.DataFrame) -> list[Issue]:
    """A unit's name past MAX_UNIT_NAME is no name (a pasted document): its rows are held."""
    long = out["unit"].str.len() > MAX_UNIT_NAME
    issues = _cell_issues(out, long, "Tên đơn vị", Code.TOO_LONG, detail=str(MAX_UNIT_NAME))
    out.loc[long, "unit"] = out.loc[long, "unit"].str[:MAX_UNIT_NAME]
    return issues


def _unparsed(raw, values, parsed, header: str, code: str, detail: str = "") -> list[Issue]:
    failed = parsed.isna() & values.map(clean_text).ne("")
    return _cell_issues(raw, failed, header, code, values, detail)


# Model names: what in a name says which model it is (the keys linking and scoring use).

_PUNCTUATION = re.compile(r"[\"'“”‘’«»,.;:!?()\[\]{}/\\…]+|(?<!\S)-(?!\S)")
_NUMBER = re.compile(r"\d+")
# "năm 2026", "giai đoạn 2025 - 2030", "(2025-2026)" say when, not which model.
_YEAR = r"(?:19|20)\d\d(?:\s*[-–]\s*(?:(?:19|20)\d\d|\d\d))?"
_YEAR_PHRASE = re.compile(rf"\(?\s*(?:giai đoạn|năm)\s+{_YEAR}\s*\)?", re.IGNORECASE)
_YEAR_AT_END = re.compile(rf"[\s(]+{_YEAR}\s*\)?$")
_A_YEAR = re.compile(r"(?:19|20)\d\d")
_TRAILING = re.compile(r"[\s.,;:!?\-–]+$")
_BEFORE_PLACE = ("ở", "tại")
_TONES = "\u0300\u0301\u0309\u0303\u0323"


def fold(text: str) -> str:
    """Without any diacritics ("Mẹ đỡ đầu" → "me do dau"): how a slip of the keyboard reads."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = _COMBINING_MARKS.sub("", plain)  # Vietnamese marks: one C pass, not one call per letter
    if not bare.isascii():  # another script's marks: looked up one by one, as before
        bare = "".join(c for c in bare if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


# The combining marks of U+0300-U+036F (U+034F, the grapheme joiner, is not one of them).
_COMBINING_MARKS = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]"
)


def _folded(table):
    return tuple(fold(p) for p in table)


_PREFIXES = {False: vocab.NAME_PREFIXES, True: _folded(vocab.NAME_PREFIXES)}
_FILLERS = {False: vocab.NAME_FILLERS, True: _folded(vocab.NAME_FILLERS)}
_ABBREVIATIONS = {
    False: vocab.NAME_ABBREVIATIONS,
    True: {fold(k): fold(v) for k, v in vocab.NAME_ABBREVIATIONS.items()},
}
_MARKERS = sorted((tuple(m.split()) for m in vocab.PLACE_MARKERS), key=len, reverse=True)
_MARKER_HEADS = frozenset(marker[0] for marker in _MARKERS)
# Padded once: a name is looked through for each filler and prefix (a province has 90,000).
_PADDED_FILLERS = {folded: tuple((f, f" {f} ") for f in _FILLERS[folded]) for folded in _FILLERS}
_SPACED_PREFIXES = {folded: tuple(f"{p} " for p in _PREFIXES[folded]) for folded in _PREFIXES}
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
    core: str  # the words, as one text
    # The words and the folded words in sorted order: rapidfuzz's token_sort_ratio of two
    # names is the plain ratio of these, sorted once per name instead of at every comparison.
    sorted_core: str
    sorted_folded: str

    @property
    def key(self) -> str:
        """One spelling per model within its unit: equal keys are the same model."""
        return f"{self.core}|{self.place}"


# Each name's parts, worked out once per name in a process. Between runs only each name's key
# is kept (ingest.cache): a re-run looks every model up by its key, but compares only the
# names of the units whose links were not kept (a late file's), and loading the parts of a
# province's 90,000 names took longer (0.5 s) than taking those few apart again.
_PARTS: dict[str, NameParts] = {}
_KEYS: dict[str, str] = {}  # name -> model_key(name)
MAX_KNOWN_NAMES = 400_000


def name_parts(name: object) -> NameParts:
    """The name taken apart (see NameParts), from the names known when it was seen before."""
    if not isinstance(name, str):
        return _name_parts(name)
    return _remembered(_PARTS, name, _name_parts)


def _remembered(memo: dict, text: str, make: Callable[[str], T]) -> T:
    """`make(text)`, worked out once per text in `memo` (emptied past MAX_KNOWN_NAMES)."""
    found = memo.get(text)
    if found is None:
        if len(memo) >= MAX_KNOWN_NAMES:
            memo.clear()
        found = memo[text] = make(text)
    return found


def known_model_keys() -> dict[str, str]:
    """Every name's key worked out so far in this process (or known from an earlier run)."""
    return _KEYS


def add_known_model_keys(known: dict[str, str]) -> None:
    """Names' keys worked out by an earlier run, by the same rules (the caller checks that)."""
    _KEYS.update(known)


def add_known_name_parts(known: dict[str, NameParts]) -> None:
    """Names taken apart by another process of this run (a reader: ingest.isolated), by the
    same code: as many as the memo has room for."""
    room = MAX_KNOWN_NAMES - len(_PARTS)
    _PARTS.update(known if len(known) <= room else dict(list(known.items())[:room]))


def _name_parts(name: object) -> NameParts:
    text = _without_years(clean_text(name))
    head, place = _split_place(text)
    key = comparison_key(head)
    words = _comparison_words(key, folded=False)
    folded_words = _comparison_words(fold(key), folded=True)
    place_key = " ".join(_PUNCTUATION.sub(" ", comparison_key(place)).split())
    core = " ".join(words)
    padded = f" {core} "
    return NameParts(
        words=tuple(words),
        place=place_key,
        folded=" ".join(folded_words),
        groups=frozenset(g.strip() for g in _GROUPS if g in padded),
        numbers=frozenset(_NUMBER.findall(core)),
        core=core,
        sorted_core=" ".join(sorted(words)),
        sorted_folded=" ".join(sorted(folded_words)),
    )


def _without_years(text: str) -> str:
    if _A_YEAR.search(text):  # both patterns hold a year: most names have none
        text = _YEAR_PHRASE.sub(" ", text)
        text = _YEAR_AT_END.sub("", text)
    return _TRAILING.sub("", " ".join(text.split()))


def _split_place(text: str) -> tuple[str, str]:
    """The name without its place, and the place ("thôn Đông Hồ", "tổ dân phố 4") if it ends in one.

    A place is a marker followed by one to three words that are numbers or capitalised. When the
    name carries no case (all capitals or none), only one word may follow, as before.
    """
    # "TDP 4", "KDC 3": a declared abbreviation of a place marker is the marker.
    tokens = [_PLACE_ABBREVIATIONS.get(_word_key(t), t) for t in text.split()]
    tokens = " ".join(tokens).split()
    keys = [_word_key(t) for t in tokens]
    # Only a word that begins a marker can begin a place: most names have none near their end.
    starts = [s for s in range(max(1, len(tokens) - 6), len(tokens)) if keys[s] in _MARKER_HEADS]
    if not starts:
        return text, ""
    has_case = _has_case(text)
    for start in starts:
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


@lru_cache(maxsize=2**17)
def _word_key(word: str) -> str:
    """One word's comparison key: names repeat their words ("thôn", "mô", "hình") endlessly."""
    return comparison_key(word)


def _has_case(text: str) -> bool:
    """Whether the text mixes capitals and small letters (a name typed all in capitals has none)."""
    letters = "".join(filter(str.isalpha, text))
    return any(map(str.isupper, letters)) and any(map(str.islower, letters))


def _comparison_words(key: str, folded: bool) -> list[str]:
    key = _PUNCTUATION.sub(" ", key)
    abbreviations = _ABBREVIATIONS[folded]
    key = " ".join(abbreviations.get(word, word) for word in key.split())
    for filler, padded in _PADDED_FILLERS[folded]:
        if filler in key:  # " filler " can only be in " key " where the filler is in the key
            key = f" {key} ".replace(padded, " ").strip()
    prefixes = _SPACED_PREFIXES[folded]
    while key.startswith(prefixes):  # "Xây dựng mô hình Dân vận khéo …": every prefix in turn
        prefix = next(p for p in prefixes if key.startswith(p))  # the first declared, as before
        key = key[len(prefix) :].strip()
    return key.split()


def name_core(name: object) -> tuple[str, str]:
    """The words that say which model it is, and the place it names at its end, if any."""
    parts = name_parts(name)
    return parts.core, parts.place


def model_key(name: object) -> str:
    """How a model is known within its unit: the core of its name and the place it names."""
    if not isinstance(name, str):
        return name_parts(name).key
    return _remembered(_KEYS, name, _key_of)


def _key_of(name: str) -> str:
    return name_parts(name).key
