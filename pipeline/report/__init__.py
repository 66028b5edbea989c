"""Report stage: the writers, one module per workbook, which alone touch output files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline import forms
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.normalize import ascii_slug
from pipeline.report.comparison import write_comparison
from pipeline.report.completeness import write_completeness
from pipeline.report.intake import write_intake
from pipeline.report.phu_luc import write_phu_luc_1, write_phu_luc_4
from pipeline.report.returns import write_returns
from pipeline.report.review import changed_rows, review_rows, write_review
from pipeline.report.scores import write_scores
from pipeline.scoring import ScoringRules

OUTPUT_NAMES = {
    "phu_luc_1": "Phu_luc_1_dang_ky_{year}.xlsx",
    "phu_luc_4": "Phu_luc_4_ket_qua_{year}.xlsx",
    "tiep_nhan": "Tiep_nhan_{year}.xlsx",
}
COMPARISON_NAME = "So_sanh_nam_truoc_{year}.xlsx"
SCORES_NAME = "Ket_qua_cham_diem_{year}.xlsx"
COMPLETENESS_NAME = "Tinh_hinh_tong_hop_{year}.xlsx"
BY_NODE_FOLDER = "theo_don_vi"  # one Phụ lục 1 and 4 per node of the roster


RETURNS_FOLDER = "tra_lai"  # error workbooks to e-mail back, one per unit with problems


def output_folder(outbox: Path, year: int, period: int | None = None) -> Path:
    """outbox/<year>/, or outbox/<year>/Q<n>/ for a quarter's run: each period keeps its own."""
    folder = outbox / str(year)
    return folder / f"Q{period}" if period else folder


def write_outputs(
    result: RunResult,
    cfg: Config,
    outbox: Path,
    scoring: ScoringRules | None = None,
    period: int | None = None,
) -> dict[str, Path]:
    """Write the annexes, the intake workbook and the error workbooks into outbox/<year>/;
    with last year on record, the comparison and review; with scoring sheets, their results."""
    folder = output_folder(outbox, cfg.year, period)
    paths = {key: folder / name.format(year=cfg.year) for key, name in OUTPUT_NAMES.items()}
    roster = result.roster
    write_phu_luc_1(paths["phu_luc_1"], result.registrations, cfg, roster)
    write_phu_luc_4(paths["phu_luc_4"], result.results, cfg, roster)
    if roster:
        if roster.nodes():
            paths["theo_don_vi"] = _write_nodes(folder / BY_NODE_FOLDER, result, cfg)
        paths["tinh_hinh"] = folder / COMPLETENESS_NAME.format(year=cfg.year)
        write_completeness(paths["tinh_hinh"], result, roster, cfg)
    returns = folder / RETURNS_FOLDER
    for stale in returns.glob("*_can_sua.xlsx"):  # a unit that fixed its file gets nothing back
        stale.unlink()
    returned = write_returns(result, returns, cfg.office_name)
    write_intake(paths["tiep_nhan"], result, cfg.office_name, returned)
    if returned:
        paths["tra_lai"] = returns
    history = result.history
    if history is not None and cfg.year - 1 in history.years:
        paths["so_sanh"] = folder / COMPARISON_NAME.format(year=cfg.year)
        write_comparison(paths["so_sanh"], result, cfg.office_name)
    scores = folder / SCORES_NAME.format(year=cfg.year)
    if not result.scores.empty:
        write_scores(scores, result, cfg, scoring or cfg.scoring_rules())
        paths["cham_diem"] = scores
    else:
        scores.unlink(missing_ok=True)  # no scoring sheet this time: no stale results
    review = folder / forms.REVIEW_FILENAME.format(year=cfg.year)
    if history is not None and (not review_rows(result).empty or changed_rows(result)):
        write_review(review, result, cfg.office_name)
        paths["can_xem_xet"] = review
    else:  # nothing left to decide; its decisions, if any, are in the registry
        review.unlink(missing_ok=True)
    return paths


def _write_nodes(folder: Path, result: RunResult, cfg: Config) -> Path:
    """For every node of the roster (a unit with units under it), its own Phụ lục 1 and 4."""
    roster = result.roster
    for node in roster.nodes():
        inside = [u.code for u in roster.subtree(node.code)]
        own_cfg = dataclasses.replace(
            cfg, office_name=node.name.upper(), parent_name=cfg.office_name
        )
        target = folder / ascii_slug(node.name)
        for key, rows, write in (
            ("phu_luc_1", result.registrations, write_phu_luc_1),
            ("phu_luc_4", result.results, write_phu_luc_4),
        ):
            mine = rows[rows["unit_code"].isin(inside)] if "unit_code" in rows else rows[:0]
            path = target / OUTPUT_NAMES[key].format(year=cfg.year)
            write(path, mine, own_cfg, _subroster(roster, node.code))
    return folder


def _subroster(roster, code: str):
    """The part of the roster under a node, with the node's children at its top."""
    from pipeline.roster import ROOT, Roster, Unit

    units = {
        u.code: Unit(**{**vars(u), "parent": ROOT if u.parent == code else u.parent})
        for u in roster.subtree(code)
        if u.code != code
    }
    return Roster(units)
