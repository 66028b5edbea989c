"""Golden tests: a normalized dump of every workbook we write (values, merges, styles, print)."""

from __future__ import annotations

from pipeline.config import load_config
from pipeline.consolidate import consolidate
from pipeline.report import write_outputs
from pipeline.report.score_template import score_template_path, write_score_template
from pipeline.report.template import template_path, write_template
from tests.helpers import ROOT, SAMPLE, consolidate_with_last_year, workspace_roster
from tests.workbook_dump import dump_workbook


def test_sample_outputs_match_golden(sample_workspace, golden):
    cfg = load_config(sample_workspace / "dvk.toml")
    roster = workspace_roster(sample_workspace, cfg)
    result = consolidate(
        sample_workspace / "inbox", cfg.year, scoring=cfg.scoring_rules(), roster=roster
    )
    paths = write_outputs(result, cfg, sample_workspace / "outbox")
    returned = sorted(paths.pop("tra_lai").glob("*.xlsx"))
    assert paths.pop("thu_gui").is_dir()  # e-mail drafts: tests/test_drafts.py
    # Only units with something to fix get a file back: the appraisal team's sheet has warnings
    # the tool settled (a total re-added), so it gets none.
    assert [p.name for p in returned] == [
        "chi_bo_xom_nam_thinh_can_sua.xlsx",
        "hoi_cuu_chien_binh_xa_can_sua.xlsx",
    ]
    for name, path in paths.items():
        golden(name, _without_file_times(dump_workbook(path)))
    golden("tra_lai", dump_workbook(returned[0]))
    golden("tra_lai_cham_diem", dump_workbook(returned[1]))  # a hand-typed scoring sheet


def test_workbooks_across_years_match_golden(sample_workspace, golden):
    """With last year's annexes imported: the comparison and the review workbooks."""
    _, paths = consolidate_with_last_year(sample_workspace)
    golden("so_sanh_nam_truoc", dump_workbook(paths["so_sanh"]))
    golden("can_xem_xet", dump_workbook(paths["can_xem_xet"]))


def _without_file_times(dump: dict) -> dict:
    """A file's time is when git checked it out: not part of what the writer decides."""
    sheet = dump.get("Tiếp nhận")
    if sheet:
        for ref, cell in sheet["cells"].items():
            if ref.startswith("E") and ref[1:].isdigit() and int(ref[1:]) > 4:
                cell[0] = "<thời gian tệp>"
    return dump


def test_unit_template_matches_golden(tmp_path, cfg, golden):
    path = template_path(tmp_path, cfg.year)
    write_template(path, cfg)
    golden("bieu_mau_don_vi", dump_workbook(path))


def test_committed_template_is_up_to_date(tmp_path):
    """templates/xlsx/ in the repository is what `dvk templates` writes for its own config:
    the unit form and the scoring sheet."""
    cfg = load_config(ROOT / "dvk.toml")
    committed = template_path(ROOT / "templates" / "xlsx", cfg.year)
    fresh = template_path(tmp_path, cfg.year)
    write_template(fresh, cfg)
    assert committed.exists(), "run: dvk templates (in the repository root)"
    assert dump_workbook(committed) == dump_workbook(fresh)
    scores, fresh_scores = (score_template_path(d, cfg.year) for d in (committed.parent, tmp_path))
    write_score_template(fresh_scores, cfg, cfg.scoring_rules())
    assert dump_workbook(scores) == dump_workbook(fresh_scores)


def test_a_second_run_gives_the_same_outputs(sample_workspace):
    cfg = load_config(sample_workspace / "dvk.toml")
    dumps = []
    for _ in range(2):
        result = consolidate(sample_workspace / "inbox", cfg.year, scoring=cfg.scoring_rules())
        paths = write_outputs(result, cfg, sample_workspace / "outbox")
        files = [*(p for p in paths.values() if p.is_file()), *paths["tra_lai"].glob("*.xlsx")]
        dumps.append({path.name: dump_workbook(path) for path in files})
    assert dumps[0] == dumps[1]


def test_committed_sample_inbox_is_what_its_script_builds(tmp_path, cfg):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_sample", SAMPLE.parent / "build_sample.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    builder.main(tmp_path / "inbox")
    roster = "danh_muc_don_vi.xlsx"
    assert dump_workbook(SAMPLE / roster) == dump_workbook(tmp_path / roster)
    for annex in sorted((SAMPLE / "nam_truoc").glob("*.xlsx")):
        assert dump_workbook(annex) == dump_workbook(tmp_path / "nam_truoc" / annex.name)
    fresh = consolidate(tmp_path / "inbox", cfg.year, scoring=cfg.scoring_rules())
    committed = consolidate(SAMPLE / "inbox", cfg.year, scoring=cfg.scoring_rules())
    assert fresh.registrations.equals(committed.registrations)
    assert fresh.results.equals(committed.results)
    assert [(f.file, f.status, f.reason) for f in fresh.files] == [
        (f.file, f.status, f.reason) for f in committed.files
    ]
