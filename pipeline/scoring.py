"""Score stage: the 100-point sheet as declared data, its checks, the pass rule and the ladder.

The criteria, their maxima, the pass line and the criteria that must be at their maximum live in
a TOML table (pipeline/data/cham_diem.toml, or the office's own cham_diem.toml), never in code.
Everything here is pure: records in, scored rows and issues out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import pandas as pd

from pipeline import vocab
from pipeline.issues import Code, Issue, Severity
from pipeline.link import CLOSE, SAME_MODEL, link_models
from pipeline.normalize import clean_text, comparison_key, match_choice, model_key
from pipeline.records import Outcome, ScoreRecord
from pipeline.rules import ScoreSheet, ScoringRules, fmt

PASSED, FAILED, NOT_JUDGED = Outcome.PASSED, Outcome.FAILED, Outcome.NOT_JUDGED


_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def parse_points(value: object) -> float | str | None:
    """A point as typed: a number, None when blank, or the text itself when it is not one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return clean_text(value)
    if isinstance(value, int | float):
        return float(value)
    text = clean_text(value)
    if not text:
        return None
    return float(text.replace(",", ".")) if _NUMBER.match(text) else text


@dataclass(frozen=True)
class Verdict:
    passed: bool
    total: float
    subtotals: dict[str, float]
    reasons: tuple[str, ...]


def judge(points: dict[int, float], sheet: ScoreSheet) -> Verdict:
    """The pass rule of seed 004: total ≥ the pass line and every mandatory criterion at max."""
    total = round(sum(points.values()), 2)
    subtotals = {
        s.code: round(sum(points.get(c.number, 0.0) for c in sheet.in_section(s.code)), 2)
        for s in sheet.sections
    }
    reasons = [
        f"Tiêu chí {n} chưa đạt điểm tối đa ({fmt(points.get(n, 0.0))}/{fmt(c.maximum)})"
        for c in sheet.criteria
        if (n := c.number) in sheet.must_be_full and points.get(n, 0.0) < c.maximum
    ]
    if total < sheet.pass_line:
        reasons.append(f"Tổng điểm {fmt(total)} < {fmt(sheet.pass_line)}")
    return Verdict(not reasons, total, subtotals, tuple(reasons))


def check_record(record: ScoreRecord, sheet: ScoreSheet, subject: str) -> tuple[dict, list[Issue]]:
    """The points of one record and every problem with them (the record's subject decides II)."""
    issues: list[Issue] = []
    points: dict[int, float] = {}

    def problem(code: str, number: int | None, value: object = "", detail: str = "") -> None:
        issues.append(
            Issue(
                file=record.file,
                sheet=record.sheet,
                row=record.where.get(number, record.row) if number else record.row,
                column=record.columns.get(number, "") if number else "",
                code=code,
                value=clean_text(value),
                detail=detail,
            )
        )

    for criterion in sheet.criteria:
        n = criterion.number
        value = parse_points(record.raw.get(n))
        which = f"tiêu chí {n}"
        if value is None:
            problem(Code.SCORE_MISSING, n, detail=which)
        elif isinstance(value, str):
            problem(Code.SCORE_NOT_A_NUMBER, n, value, which)
        elif value < 0:
            problem(Code.SCORE_NEGATIVE, n, fmt(value), which)
        elif value > criterion.maximum:
            problem(
                Code.SCORE_ABOVE_MAX, n, fmt(value), f"{which} (tối đa {fmt(criterion.maximum)})"
            )
        else:
            points[n] = value
    for n in sorted(set(record.raw) - set(sheet.numbers)):
        if parse_points(record.raw[n]) is not None:
            problem(Code.SCORE_UNKNOWN_CRITERION, n, str(n))
    if record.variant == "BOTH":
        problem(Code.SCORE_BOTH_VARIANTS, None)
    elif record.variant and subject and record.variant != subject:
        problem(
            Code.SCORE_WRONG_VARIANT,
            None,
            vocab.SUBJECTS[subject],
            "II.2 (cá nhân)" if record.variant == "CA_NHAN" else "II.1 (tập thể)",
        )
    typed, total = parse_points(record.typed_total), sum(points.values())
    complete = len(points) == len(sheet.criteria)
    if isinstance(typed, float) and complete and abs(typed - total) > 0.01:
        problem(Code.SCORE_TOTAL_MISMATCH, None, fmt(typed), fmt(total))
    return points, issues


def level_rung(level: object, ladder: tuple[str, ...]) -> int | None:
    """Where a level sits on the office's ladder of recognition (0 = the lowest), if it does."""
    key = comparison_key(level)
    if not key:
        return None
    code = match_choice("level", level)
    for i, rung in enumerate(ladder):
        if comparison_key(rung) == key or (code and match_choice("level", rung) == code):
            return i
    return None


def check_ladder(
    scored: pd.DataFrame, recognised_before: set[tuple[object, int]], ladder: tuple[str, ...]
) -> list[tuple[int, str]]:
    """Rows proposed above the lowest rung without recognition at the rung below.

    `scored` has model (a key of the model: its id or its unit and name), rung and passed;
    `recognised_before` holds (model, rung) of earlier years. A recognition at the rung below
    in this run counts too (seed 002: "chọn ra từ các mô hình được công nhận … cấp dưới").
    Returns (row index, the level missing) for each violation.
    """
    this_run = {
        (m, r)
        for m, r, ok in zip(scored["model"], scored["rung"], scored["passed"], strict=True)
        if ok and r is not None and not pd.isna(r)
    }
    found = []
    for index, model, rung in zip(scored.index, scored["model"], scored["rung"], strict=True):
        if rung is None or pd.isna(rung) or rung == 0:
            continue
        below = (model, int(rung) - 1)
        if below not in recognised_before and below not in this_run:
            found.append((index, ladder[int(rung) - 1]))
    return found


def score_records(
    records: list[ScoreRecord],
    registrations: pd.DataFrame,
    results: pd.DataFrame,
    rules: ScoringRules,
    *,
    canonical_unit=comparison_key,
    recognised_before: set[tuple[object, int]] = frozenset(),
    registered_on: dict[str, dt.date] | None = None,
    known_ids: dict[tuple[str, str], int] | None = None,
    earlier: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Every scored model with its points, totals, verdict and reasons, and every problem.

    Each record is matched to this year's registration of the same unit by name (as models are
    linked across years), which gives its subject, level and model id. `registered_on` is the
    day each registration file was e-mailed, for the "registered from the start" criterion.
    A model scored without a registration this year keeps the id an earlier run gave it
    (`known_ids`), or the id of the earlier year's model its name continues (`earlier`: unit as
    a canonical key, name, model_id), so that its recognitions of earlier years count.
    """
    sheet = rules.sheet
    issues: list[Issue] = []
    kept = []
    for record in records:
        if record.signature and record.signature != sheet.signature:
            issues.append(Issue(file=record.file, code=Code.SCORE_TEMPLATE_OUTDATED))
        else:
            kept.append(record)
    matches = _match_registrations(kept, registrations, canonical_unit)
    continued = _earlier_ids(kept, earlier, canonical_unit)
    assessments = _self_assessments(results, canonical_unit)
    rows = []
    for record, registered, earlier_id in zip(kept, matches, continued, strict=True):
        subject = registered["subject"] if registered is not None else record.subject
        points, found = check_record(record, sheet, subject)
        found += _registration_checks(record, registered, points, rules, registered_on or {})
        issues += found
        errors = [i for i in found if i.severity is Severity.ERROR]
        verdict = judge(points, sheet)
        unit = registered["unit"] if registered is not None else record.unit
        name = registered["name"] if registered is not None else record.name
        level = record.level or (
            registered.get("level_label", "") if registered is not None else ""
        )
        key = (canonical_unit(unit), model_key(name))
        rows.append(
            {
                "unit": unit,
                "name": name,
                "subject": subject,
                "person": registered.get("person", "") if registered is not None else "",
                "model_id": registered.get("model_id")
                if registered is not None
                else (known_ids or {}).get(key, earlier_id),
                "registered": registered is not None,
                "key": key,
                **{f"c{n}": points.get(n) for n in sheet.numbers},
                **{f"section_{code}": t for code, t in verdict.subtotals.items()},
                "total": verdict.total,
                "verdict": NOT_JUDGED if errors else (PASSED if verdict.passed else FAILED),
                "reasons": "; ".join(i.message for i in errors)
                if errors
                else "; ".join(verdict.reasons),
                "level": level,
                "rung": level_rung(level, rules.ladder),
                "self_assessment": assessments.get(key, ""),
                "scorer": record.scorer,
                "_file": record.file,
                "_sheet": record.sheet,
                "_row": record.row,
                "ladder_note": "",
            }
        )
    scored = pd.DataFrame(rows, columns=_columns(sheet))
    scored, repeated = _drop_repeated(scored)
    issues += repeated + _ladder_issues(scored, rules, recognised_before)
    return scored, issues


def _drop_repeated(scored: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """A model scored twice for the same level counts once: the first by file and row."""
    if scored.empty:
        return scored, []
    ordered = scored.sort_values(["_file", "_row"], kind="stable")
    keys = pd.Series(
        [(k, lv) for k, lv in zip(ordered["key"], ordered["level"], strict=True)],
        index=ordered.index,
    )
    repeated = keys.duplicated()
    first = {key: i for i, key in zip(keys.index[~repeated], keys[~repeated], strict=True)}
    issues = []
    for i in keys.index[repeated]:
        kept = first[keys[i]]
        issues.append(
            Issue.at_row(
                scored,
                i,
                Code.SCORE_REPEATED,
                value=scored.at[i, "name"],
                detail=f"dòng {scored.at[kept, '_row']} của tệp {scored.at[kept, '_file']}",
            )
        )
    return scored.drop(index=keys.index[repeated]).reset_index(drop=True), issues


def _columns(sheet: ScoreSheet) -> list[str]:
    return [
        "unit", "name", "subject", "person", "model_id", "registered", "key",
        *(f"c{n}" for n in sheet.numbers),
        *(f"section_{s.code}" for s in sheet.sections),
        "total", "verdict", "reasons", "level", "rung", "self_assessment", "scorer",
        "_file", "_sheet", "_row", "ladder_note",
    ]  # fmt: skip


def _match_registrations(records, registrations: pd.DataFrame, canonical_unit) -> list:
    """For each record, the registration row of the same model this year, or None."""
    if not records or registrations.empty:
        return [None] * len(records)
    earlier = pd.DataFrame(
        {
            "unit": [canonical_unit(u) for u in registrations["unit"]],
            "name": registrations["name"].tolist(),
            "model_id": list(range(len(registrations))),
        }
    )
    current = pd.DataFrame(
        {"unit": [canonical_unit(r.unit) for r in records], "name": [r.name for r in records]}
    )
    links = link_models(current, earlier)
    table = registrations.reset_index(drop=True)
    matched = []
    for verdict_, position in zip(links["verdict"], links["model_id"], strict=True):
        if verdict_ in (SAME_MODEL, CLOSE):
            row = table.iloc[int(position)].to_dict()
            row["level_label"] = vocab.LEVELS.get(row.get("level") or "", row.get("level") or "")
            matched.append(row)
        else:
            matched.append(None)
    return matched


def _earlier_ids(records, earlier: pd.DataFrame | None, canonical_unit) -> list:
    """For each record, the id of an earlier year's model its name continues, or None."""
    if not records or earlier is None or earlier.empty:
        return [None] * len(records)
    current = pd.DataFrame(
        {"unit": [canonical_unit(r.unit) for r in records], "name": [r.name for r in records]}
    )
    links = link_models(current, earlier)
    return [
        m if v in (SAME_MODEL, CLOSE) else None
        for v, m in zip(links["verdict"], links["model_id"], strict=True)
    ]


def _self_assessments(results: pd.DataFrame, canonical_unit) -> dict[tuple[str, str], str]:
    if results.empty or "self_assessment" not in results:
        return {}
    return {
        (canonical_unit(u), model_key(n)): vocab.SELF_ASSESSMENTS.get(a, "") if a else ""
        for u, n, a in zip(
            results["unit"], results["name"], results["self_assessment"].fillna(""), strict=True
        )
    }


def _registration_checks(record, registered, points, rules, registered_on) -> list[Issue]:
    """Criterion 1: the model was registered this year, and before the deadline."""
    found = []
    for criterion in rules.sheet.criteria:
        given = points.get(criterion.number, 0.0)
        if not criterion.checks_registration or given <= 0:
            continue
        where = dict(
            file=record.file,
            sheet=record.sheet,
            row=record.where.get(criterion.number, record.row),
            column=record.columns.get(criterion.number, ""),
        )
        if registered is None:
            found.append(
                Issue(
                    **where,
                    code=Code.SCORE_NOT_REGISTERED,
                    value=fmt(given),
                    detail=f"tiêu chí {criterion.number}",
                )
            )
            continue
        day = registered_on.get(registered["_file"])
        deadline = rules.registration_deadline
        if day and deadline and day > deadline:
            found.append(
                Issue(
                    **where,
                    code=Code.SCORE_REGISTERED_LATE,
                    value=day.strftime("%d/%m/%Y"),
                    detail=f"{deadline:%d/%m/%Y} (tiêu chí {criterion.number})",
                )
            )
    return found


def _ladder_issues(scored: pd.DataFrame, rules: ScoringRules, recognised_before) -> list[Issue]:
    if scored.empty:
        return []
    scored["model"] = [
        m if m is not None and not pd.isna(m) else k
        for m, k in zip(scored["model_id"], scored["key"], strict=True)
    ]
    scored["passed"] = scored["verdict"] == PASSED
    issues = []
    for index, missing in check_ladder(scored, recognised_before, rules.ladder):
        scored.at[index, "ladder_note"] = f"Chưa được công nhận {missing}"
        issues.append(
            Issue.at_row(
                scored,
                index,
                Code.RECOGNITION_SKIPS_LEVEL,
                value=scored.at[index, "level"],
                detail=missing,
            )
        )
    unknown = scored["level"].ne("") & scored["rung"].isna()
    for index in scored.index[unknown]:
        issues.append(
            Issue.at_row(
                scored,
                index,
                Code.LEVEL_NOT_IN_LADDER,
                value=scored.at[index, "level"],
                detail=", ".join(rules.ladder),
            )
        )
    return issues
