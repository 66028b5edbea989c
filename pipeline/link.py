"""Link stage: a model counts once in the inbox, and is linked to itself across years."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

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


def supersede_units(
    rows: pd.DataFrame, sent_at: dict[str, dt.datetime | None]
) -> tuple[pd.DataFrame, list[Issue]]:
    """When two files bring rows of the same unit (a lower office's roll-up and the unit's own
    form), the rows of the file sent later are kept for that unit; the others are reported."""
    if rows.empty:
        return rows, []
    keys = rows["unit"].map(comparison_key)
    dropped = pd.Series(False, index=rows.index)
    issues = []
    for unit, group in rows.groupby(keys, sort=True):
        files = sorted(set(group["_file"]))
        if len(files) < 2:
            continue
        latest = max(files, key=lambda f: (sent_at.get(f) or dt.datetime.min, f))
        for file in files:
            if file == latest:
                continue
            mine = (keys == unit) & (rows["_file"] == file)
            dropped |= mine
            first = rows.index[mine][0]
            issues.append(
                Issue(
                    file=file,
                    sheet=rows.at[first, "_sheet"],
                    code="unit-superseded",
                    value=rows.at[first, "unit"],
                    detail=latest,
                )
            )
    return rows[~dropped], issues


@dataclass(frozen=True)
class LinkRules:
    """Where a name score becomes "the same model" or "ask a person" (0-100)."""

    link_at: float = 90.0
    review_at: float = 75.0


DEFAULT_RULES = LinkRules()
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


def verdict(score: float, rules: LinkRules = DEFAULT_RULES) -> str:
    if score >= rules.link_at:
        return LINKED
    return REVIEW if score >= rules.review_at else NEW


def link_models(
    current: pd.DataFrame, earlier: pd.DataFrame, rules: LinkRules = DEFAULT_RULES
) -> pd.DataFrame:
    """For each model of this year, the model of an earlier year it continues, if any.

    Both frames have `unit` and `name`; `earlier` also has `model_id`. Names are compared only
    within the same unit (blocking), so the same name in two units is two models and the cost
    grows with the units' sizes, not with the whole inbox. Returns, per row of `current`
    (same index): `verdict` (linked / review / new), `model_id` of the best candidate, `score`,
    `candidates` ("name (score)" of every candidate worth a look, best first), and `match`, the
    best candidate's name.
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
        model_id = best[2] if decision != NEW else None
        out.append((decision, model_id, best[0], "; ".join(shown), best[1]))
    links = pd.DataFrame(
        out, columns=["verdict", "model_id", "score", "candidates", "match"], index=current.index
    )
    # model_id stays None for a new model (pandas would turn it into NaN).
    links["model_id"] = pd.Series([row[1] for row in out], index=current.index, dtype=object)
    return links


def unit_key(unit: object) -> str:
    """How a unit is known in the registry: its comparison key."""
    return comparison_key(unit)


def model_key(name: object) -> str:
    """How a model is known within its unit: the core of its name and the place it names."""
    return "|".join(name_core(name))


@dataclass(frozen=True)
class Decision:
    """A person's answer to "is this last year's model?" in the review workbook."""

    is_old: bool
    model_id: int | None = None  # the earlier model it continues, when is_old


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

    def own_ids(self) -> dict[tuple[str, str], int]:
        """(unit key, model key) -> id of the models an earlier run of this year created."""
        frame = self.this_year
        return {
            (self.canonical_unit(u), model_key(n)): int(i)
            for i, u, n in zip(frame["model_id"], frame["unit"], frame["name"], strict=True)
        }

    def blocks(self) -> pd.DataFrame:
        """Every name of every earlier model, under its unit's canonical key, to link against."""
        earlier = self.earlier.drop_duplicates(["model_id", "name"])
        return pd.DataFrame(
            {
                "unit": [self.canonical_unit(u) for u in earlier["unit"]],
                "name": earlier["name"].tolist(),
                "model_id": earlier["model_id"].tolist(),
            }
        )

    def canonical_unit(self, unit: object) -> str:
        key = unit_key(unit)
        seen = set()
        while key in self.renames and key not in seen:  # merged twice: follow the chain
            seen.add(key)
            key = self.renames[key]
        return key


# How a model's section was decided; stored with each row in the registry.
DECIDED_OLD, DECIDED_NEW, NO_HISTORY = "decided-old", "decided-new", "no-history"
LINK_OUTCOMES = (LINKED, NEW, REVIEW, DECIDED_OLD, DECIDED_NEW, NO_HISTORY)


def link_years(
    rows: pd.DataFrame, history: History, rules: LinkRules = DEFAULT_RULES
) -> pd.DataFrame:
    """Decide, for each row (unit, name, status as ticked), whether it continues an earlier model.

    The registry's evidence wins over the tick: a linked model is "DUY_TRI", a model with no
    earlier match is "MOI". An uncertain match keeps the tick until a person decides, and a
    person's decision wins over both. With no earlier year on record there is no evidence, and
    the tick stands. Returns per row (same index): model_id (None for a model not seen before),
    link (one of LINK_OUTCOMES), score, candidates, status, status_ticked.
    """
    keys = [
        (history.canonical_unit(u), model_key(n))
        for u, n in zip(rows["unit"], rows["name"], strict=True)
    ]
    own = history.own_ids()
    blocks = history.blocks()
    current = pd.DataFrame({"unit": [k[0] for k in keys], "name": rows["name"].tolist()})
    links = link_models(current, blocks, rules)
    known_units = set(blocks["unit"])
    out = []
    for i, (key, ticked) in enumerate(zip(keys, rows["status"], strict=True)):
        verdict_, candidate = links["verdict"].iat[i], links["model_id"].iat[i]
        decision = history.decisions.get(key)
        if not history.years and blocks.empty:
            outcome = (NO_HISTORY, ticked, own.get(key))
        elif decision is not None and decision.is_old:
            outcome = (DECIDED_OLD, "DUY_TRI", decision.model_id or candidate or own.get(key))
        elif decision is not None:
            outcome = (DECIDED_NEW, "MOI", own.get(key))
        elif verdict_ == LINKED:
            outcome = (LINKED, "DUY_TRI", candidate)
        elif verdict_ == REVIEW or (ticked == "DUY_TRI" and key[0] not in known_units):
            # Uncertain, or a unit the registry has never seen says "continuing": ask.
            outcome = (REVIEW, ticked, own.get(key))
        else:
            outcome = (NEW, "MOI", own.get(key))
        out.append(outcome)
    result = pd.DataFrame(index=rows.index)
    result["model_id"] = pd.Series([o[2] for o in out], index=rows.index, dtype=object)
    result["link"] = [o[0] for o in out]
    result["score"] = links["score"].to_numpy()
    result["candidates"] = links["candidates"].to_numpy()
    result["candidate_id"] = links["model_id"].to_numpy()
    result["match"] = links["match"].to_numpy()
    result["status"] = [o[1] for o in out]
    result["status_ticked"] = rows["status"].to_numpy()
    return result
