"""Real spreadsheet software: LibreOffice headless opens, recalculates and prints our workbooks."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from pipeline.config import load_config
from pipeline.consolidate import consolidate
from pipeline.report import write_outputs
from tests.helpers import convert, needs_office, page_sizes, squeezed_text, to_pdf


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    from tests.helpers import SAMPLE

    workdir = tmp_path_factory.mktemp("lo")
    cfg = load_config(SAMPLE / "dvk.toml")
    result = consolidate(SAMPLE / "inbox", cfg.year, scoring=cfg.scoring_rules())
    return result, write_outputs(result, cfg, workdir / "outbox"), workdir


@needs_office
@pytest.mark.parametrize(
    ("key", "frame"), [("phu_luc_1", "registrations"), ("phu_luc_4", "results")]
)
def test_annex_prints_landscape_with_every_model(outputs, key, frame):
    result, paths, workdir = outputs
    pdf = to_pdf(paths[key], workdir)
    sizes = page_sizes(pdf)
    assert sizes and all(w > h for w, h in sizes), sizes  # every page A4 landscape
    assert all(abs(w - 841.9) < 1 and abs(h - 595.3) < 1 for w, h in sizes)
    text = squeezed_text(pdf)
    models = getattr(result, frame)
    names = models["name"].map(lambda n: re.sub(r"\s+", "", n)).value_counts()
    short = {n: (text.count(n), k) for n, k in names.items() if text.count(n) < k}
    assert short == {}  # every model row's name is printed as often as there are rows
    assert len(models) > 40
    # The footer was printed with values: nothing to recalculate.
    assert (
        re.sub(r"\s+", "", f"- Tập thể: {(models['subject'] == 'TAP_THE').sum()} mô hình") in text
    )


@needs_office
def test_intake_workbook_and_template_open(outputs, blank_template):
    _, paths, workdir = outputs
    for path in (paths["tiep_nhan"], blank_template):
        assert page_sizes(to_pdf(path, workdir))


@needs_office
def test_the_instructions_print_whole_on_a_portrait_page(blank_template, tmp_path):
    """The first page is the "Hướng dẫn" sheet: every line from its first word."""
    from pipeline import forms

    pdf = to_pdf(blank_template, tmp_path)
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    printed = re.sub(r"\s+", "", first_page)
    for line in forms.INSTRUCTIONS:
        start = re.sub(r"\s+", "", line.split("{")[0])[:25]
        assert start in printed, start
    width, height = page_sizes(pdf)[0]
    assert width < height  # portrait


@needs_office
def test_template_dropdowns_survive_a_save_in_libreoffice(blank_template, tmp_path):
    from openpyxl import load_workbook

    convert([blank_template], "xlsx", tmp_path / "saved", tmp_path)
    saved = load_workbook(tmp_path / "saved" / blank_template.name)
    ws = saved["Đăng ký"]
    lists = {
        str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"
    }
    assert lists == {
        "C7:C306": "ds_field",
        "D7:D306": "ds_subject",
        "K7:K306": "ds_status",
        "L7:L306": "ds_level",
    }
    assert set(lists.values()) <= set(saved.defined_names)
    assert saved["Đăng ký"].protection.sheet


@needs_office
def test_error_workbook_opens_and_prints_its_problems(outputs):
    _, paths, workdir = outputs
    returned = paths["tra_lai"] / "chi_bo_xom_nam_thinh_can_sua.xlsx"
    text = squeezed_text(to_pdf(returned, workdir))
    assert re.sub(r"\s+", "", "CÁC VẤN ĐỀ CẦN SỬA TRONG BIỂU MẪU CỦA CHI BỘ XÓM NAM THỊNH") in text
    assert re.sub(r"\s+", "", "“hai” không phải số nguyên dương.") in text


@needs_office
@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_legacy_and_open_formats_read_like_xlsx(tmp_path, cfg, blank_template, suffix):
    """The same forms saved by real spreadsheet software as .xls and .ods give the same rows."""
    from pipeline.report.template import fill_template
    from tests.fixtures.build_annexes import build_annexes
    from tests.fixtures.build_inbox import MODEL

    source = tmp_path / "source"
    build_annexes(source)
    fill_template(blank_template, source / "bieu_mau.xlsx", "Chi bộ thôn 1", {"Đăng ký": [MODEL]})
    originals = [source / "bieu_mau.xlsx", source / "pl1_dang_uy_xa.xlsx"]
    converted = tmp_path / "inbox"
    convert(originals, suffix, converted, tmp_path)
    (tmp_path / "xlsx").mkdir()
    for path in originals:
        shutil.copy(path, tmp_path / "xlsx" / path.name)
    columns = ["unit", "name", "field", "subject", "count", "place", "status"]
    expected = consolidate(tmp_path / "xlsx", cfg.year).registrations[columns]
    actual = consolidate(converted, cfg.year).registrations[columns]
    assert len(expected) == 4
    assert actual.astype(object).values.tolist() == expected.astype(object).values.tolist()


@needs_office
def test_comparison_and_review_print_without_their_hidden_keys(sample_workspace, tmp_path):
    from tests.helpers import consolidate_with_last_year

    _, paths = consolidate_with_last_year(sample_workspace)
    comparison = squeezed_text(to_pdf(paths["so_sanh"], tmp_path))
    assert "SOSÁNHMÔHÌNH" in comparison and "Tỷlệmôhìnhnăm2025đượcduytrì(%)" in comparison
    # Every sheet prints: per unit, per field, and the models not kept (one page each).
    assert "Trang1/3" in comparison and "Cánhđồngmẫulớn" in comparison
    review_pdf = to_pdf(paths["can_xem_xet"], tmp_path)
    assert all(w > h for w, h in page_sizes(review_pdf))
    review = squeezed_text(review_pdf)
    assert "Dịchvụbaotiêulúagiống" in review and "Làmôhìnhcũ(Có/Không)" in review
    assert "|" not in review and "Mãmôhình" not in review  # the key columns stay hidden


@needs_office
def test_scoring_results_and_template_print(outputs, cfg, tmp_path):
    """Kết quả chấm điểm prints landscape with every scored model; the scoring template prints."""
    from pipeline.report.score_template import score_template_path, write_score_template

    result, paths, workdir = outputs
    pdf = to_pdf(paths["cham_diem"], workdir)
    assert all(w > h for w, h in page_sizes(pdf))
    text = squeezed_text(pdf)
    for name in result.scores["name"]:
        assert re.sub(r"\s+", "", name) in text, name
    assert "Tiêuchí9chưađạtđiểmtốiđa(8/10)" in text
    template = score_template_path(tmp_path, cfg.year)
    write_score_template(template, cfg, cfg.scoring_rules())
    criteria = squeezed_text(to_pdf(template, tmp_path))
    assert "Hằngnăm,cánhânhoànthànhtốtnhiệmvụ" in criteria and "Tổngcộng100" in criteria
