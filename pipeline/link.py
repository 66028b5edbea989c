"""Link stage: within this inbox, a model counts once and a resubmitted form replaces the old."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz

from pipeline import vocab
from pipeline.ingest.workbook_reader import ReadResult, provenance
from pipeline.issues import Issue
from pipeline.normalize import comparison_key


def find_duplicates(rows: pd.DataFrame) -> tuple[pd.Series, list[Issue]]:
    """A mask of the rows that repeat an earlier row (same unit, same model name), and why.

    "Earlier" is the first by file name and Excel row, so the answer does not depend on the
    order in which files were read.
    """
    if rows.empty:
        return pd.Series(False, index=rows.index, dtype=bool), []
    # By core: "Mô hình “Tuyến đường hoa”" is "Tuyến đường hoa"; "… thôn 3" is not "… thôn 5".
    names = rows["name"].map(lambda name: "|".join(name_core(name)))
    keys = pd.DataFrame({"unit": rows["unit"].map(comparison_key), "name": names}, index=rows.index)
    ordered = rows.sort_values(["_file", "_row"], kind="stable").index
    keys = keys.loc[ordered]
    repeated = keys.duplicated(keep="first")
    first_of = keys.reset_index().groupby(["unit", "name"])["index"].first()
    issues = []
    for i in keys.index[repeated]:
        first = first_of[(keys.at[i, "unit"], keys.at[i, "name"])]
        where = f"{rows.at[first, '_row']}"
        if rows.at[first, "_file"] != rows.at[i, "_file"]:
            where += f" của tệp {rows.at[first, '_file']}"
        issues.append(
            Issue(
                file=rows.at[i, "_file"],
                sheet=rows.at[i, "_sheet"],
                row=int(rows.at[i, "_row"]),
                column="Tên mô hình",
                code="duplicate-model",
                value=rows.at[i, "name"],
                detail=where,
            )
        )
    return repeated.reindex(rows.index), issues


def supersede_resubmissions(
    reads: list[ReadResult], sent_at: dict[str, dt.datetime | None]
) -> list[Issue]:
    """A unit's later file replaces its earlier one, form by form (sheet by sheet).

    The later is the one sent later (the e-mail's date, else the file's time), then the one
    whose name sorts last. The earlier file's rows of that sheet are dropped, with a warning
    that names the file that replaced it. Rows without a unit name are left alone.
    """
    issues = []
    for sheet in {name for read in reads for name in read.rows}:
        by_unit: dict[frozenset, list] = {}
        for read in reads:
            # The units its rows belong to: a file listing several units (a lower office's
            # annex) only replaces a file that lists the very same units.
            rows = read.rows.get(sheet, [])
            units = frozenset(comparison_key(provenance(row, "unit")) for row in rows)
            if units and "" not in units:
                by_unit.setdefault(units, []).append(read)
        for group in by_unit.values():
            group.sort(key=lambda r: (sent_at.get(r.file) or dt.datetime.min, r.file))
            latest = group[-1]
            for earlier in group[:-1]:
                earlier.rows[sheet] = []
                issues.append(
                    Issue(
                        file=earlier.file,
                        sheet=sheet,
                        code="sheet-superseded",
                        value=sheet,
                        detail=latest.file,
                    )
                )
    return issues


@dataclass(frozen=True)
class LinkRules:
    """Where a name score becomes "the same model" or "ask a person" (0-100)."""

    link_at: float = 90.0
    review_at: float = 75.0


LINKED, REVIEW, NEW = "linked", "review", "new"
_PUNCTUATION = re.compile(r"[\"'“”‘’«»,.;:!?()\[\]{}/\\]+")
_NUMBER = re.compile(r"\d+")
_PLACE = re.compile(r"\s(" + "|".join(map(re.escape, vocab.PLACE_MARKERS)) + r")\s+(\S+)$")


def name_core(name: object) -> tuple[str, str]:
    """The words that say which model it is, and the place it names at its end, if any."""
    key = _PUNCTUATION.sub(" ", comparison_key(name))
    key = " ".join(vocab.NAME_ABBREVIATIONS.get(word, word) for word in key.split())
    for prefix in vocab.NAME_PREFIXES:
        if key.startswith(prefix + " "):
            key = key[len(prefix) :].strip()
            break
    place = _PLACE.search(" " + key)
    if place and f"{place[1]} {place[2]}" not in vocab.NOT_PLACES:
        key = key[: place.start()].strip() if place.start() > 0 else key
        return key, f"{place[1]} {place[2]}"
    return key, ""


def name_score(a: object, b: object) -> float:
    """How surely two names are one model, 0-100. Different places or numbers: 0."""
    core_a, place_a = name_core(a)
    core_b, place_b = name_core(b)
    if place_a and place_b and place_a != place_b:
        return 0.0
    numbers_a, numbers_b = set(_NUMBER.findall(core_a)), set(_NUMBER.findall(core_b))
    if numbers_a != numbers_b and numbers_a and numbers_b:
        return 0.0
    score = fuzz.token_sort_ratio(core_a, core_b)
    words_a, words_b = set(core_a.split()), set(core_b.split())
    shorter = min(words_a, words_b, key=len)
    if len(shorter) >= 2 and (words_a <= words_b or words_b <= words_a):
        score = max(score, 95.0)  # last year's name, retyped with words added
    return float(score)


def verdict(score: float, rules: LinkRules = LinkRules()) -> str:
    if score >= rules.link_at:
        return LINKED
    return REVIEW if score >= rules.review_at else NEW


def link_models(
    current: pd.DataFrame, earlier: pd.DataFrame, rules: LinkRules = LinkRules()
) -> pd.DataFrame:
    """For each model of this year, the model of an earlier year it continues, if any.

    Both frames have `unit` and `name`; `earlier` also has `model_id`. Names are compared only
    within the same unit (blocking), so the same name in two units is two models and the cost
    grows with the units' sizes, not with the whole inbox. Returns, per row of `current`
    (same index): `verdict` (linked / review / new), `model_id` of the best candidate, `score`,
    and `candidates` ("name (score)" of every candidate worth a look, best first).
    """
    blocks: dict[str, list[tuple[str, object]]] = {}
    for unit, name, model_id in zip(
        earlier["unit"], earlier["name"], earlier["model_id"], strict=True
    ):
        blocks.setdefault(comparison_key(unit), []).append((name, model_id))
    out = []
    for unit, name in zip(current["unit"], current["name"], strict=True):
        scored = sorted(
            (
                (name_score(name, old), str(old), model_id)
                for old, model_id in blocks.get(comparison_key(unit), [])
            ),
            key=lambda c: (-c[0], c[1], str(c[2])),
        )
        best = scored[0] if scored else (0.0, "", None)
        decision = verdict(best[0], rules)
        if decision == LINKED and len(scored) > 1 and scored[1][0] >= rules.link_at:
            decision = REVIEW  # two earlier models fit as well: a person decides
        shown = [f"{old} ({score:.0f})" for score, old, _ in scored if score >= rules.review_at]
        out.append((decision, best[2] if decision != NEW else None, best[0], "; ".join(shown)))
    links = pd.DataFrame(
        out, columns=["verdict", "model_id", "score", "candidates"], index=current.index
    )
    # model_id stays None for a new model (pandas would turn it into NaN).
    links["model_id"] = pd.Series([row[1] for row in out], index=current.index, dtype=object)
    return links
