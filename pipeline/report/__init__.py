"""Report stage: the writers, one module per workbook, which alone touch output files."""

from __future__ import annotations

from pathlib import Path

from pipeline import forms
from pipeline.config import Config
from pipeline.consolidate import RunResult
from pipeline.report.comparison import write_comparison
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


RETURNS_FOLDER = "tra_lai"  # error workbooks to e-mail back, one per unit with problems


def write_outputs(
    result: RunResult, cfg: Config, outbox: Path, scoring: ScoringRules | None = None
) -> dict[str, Path]:
    """Write the annexes, the intake workbook and the error workbooks into outbox/<year>/;
    with last year on record, the comparison and review; with scoring sheets, their results."""
    folder = outbox / str(cfg.year)
    paths = {key: folder / name.format(year=cfg.year) for key, name in OUTPUT_NAMES.items()}
    write_phu_luc_1(paths["phu_luc_1"], result.registrations, cfg)
    write_phu_luc_4(paths["phu_luc_4"], result.results, cfg)
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
