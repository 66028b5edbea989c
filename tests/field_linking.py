"""Measure linking across years on the independent field set, end to end through `dvk`.

A commune's workspace is built from tests/data/field_linking_set.csv: last year's Phụ lục 1 (for
`dvk history import`) and one filled unit form per unit (for `dvk consolidate`). Then the signed
Phụ lục 1 and the review workbook are read back, and each 2026 row is scored against its label:
- in review: listed in "Cần xem xét" (a person will look; counted apart);
- silent mistake: in the wrong section and not in review, or missing from the annex;
- precision and recall of "continuing" over the rows not in review.

`python -m tests.field_linking` prints the figures quoted in the README, with each silent mistake.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine as calamine
from click.testing import CliRunner

from pipeline import forms, vocab
from pipeline.cli import main
from pipeline.config import load_config, write_default_config
from pipeline.ingest.annex_reader import annex_rows, find_table
from pipeline.normalize import ascii_slug, clean_text, match_choice
from pipeline.report.phu_luc import write_phu_luc_1
from pipeline.report.template import fill_template, write_template

SET = Path(__file__).resolve().parent / "data" / "field_linking_set.csv"
YEAR = 2026
_TRUTH = {"duy_tri": "DUY_TRI", "moi": "MOI"}


def labelled(path: Path = SET) -> pd.DataFrame:
    with path.open(encoding="utf-8") as f:
        return pd.DataFrame(list(csv.DictReader(f)))


def build_workspace(root: Path, cases: pd.DataFrame) -> Path:
    """dvk.toml, last year's Phụ lục 1 in nam_truoc/, and each unit's 2026 form in inbox/."""
    root.mkdir(parents=True, exist_ok=True)
    write_default_config(root / "dvk.toml", YEAR, "BAN XÂY DỰNG ĐẢNG", "Đông Hồ")
    cfg = load_config(root / "dvk.toml")
    last = cases[cases["nam"] == str(YEAR - 1)]
    frame = pd.DataFrame(
        {
            "unit": last["don_vi"],
            "name": last["ten"],
            "field": last["linh_vuc"].map(lambda v: match_choice("field", v)),
            "field_other": "",
            "subject": "TAP_THE",
            "person": "",
            "position": "",
            "count": 1,
            "place": "Trong xã",
            "lead": "Chi bộ",
            "scale": "",
            "status": "MOI",
        }
    )
    last_cfg = load_config(root / "dvk.toml").__class__(**{**cfg.__dict__, "year": YEAR - 1})
    (root / "nam_truoc").mkdir(exist_ok=True)
    write_phu_luc_1(root / "nam_truoc" / f"Phu_luc_1_{YEAR - 1}.xlsx", frame, last_cfg)
    template = root / "mau" / "mau.xlsx"
    write_template(template, cfg)
    this = cases[cases["nam"] == str(YEAR)]
    for unit, rows in this.groupby("don_vi", sort=False):
        registrations = [
            dict(
                name=r["ten"],
                field=r["linh_vuc"],
                subject="Tập thể",
                place="Trong xã",
                lead="Chi bộ",
                status=r["don_vi_ghi"],
                count=1,
            )
            for r in rows.to_dict("records")
        ]
        path = root / "inbox" / f"{ascii_slug(unit)}.xlsx"
        fill_template(template, path, unit, {forms.REGISTRATION.name: registrations})
    return root


def run(root: Path) -> None:
    """`dvk history import` of last year, then `dvk consolidate`, as an office runs them."""
    runner = CliRunner()
    last_year = [str(p) for p in sorted((root / "nam_truoc").glob("*.xlsx"))]
    imported = runner.invoke(main, ["history", "import", *last_year, "--year", str(YEAR - 1),
                                    "-w", str(root)])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    done = runner.invoke(main, ["consolidate", "-w", str(root)])
    assert done.exit_code in (0, 1), done.output


def printed_sections(phu_luc_1: Path) -> dict[tuple[str, str], str]:
    """(unit, name as displayed) -> the section (DUY_TRI / MOI) the printed Phụ lục 1 gives."""
    book = calamine.CalamineWorkbook.from_path(str(phu_luc_1))
    cells = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    table = find_table("Phụ lục 1", cells)
    keys = [c.key for c in forms.REGISTRATION.columns] + ["_file", "_sheet", "_row", "unit"]
    by_label = {label: code for code, label in vocab.STATUSES.items()}
    rows, _ = annex_rows(table, cells, phu_luc_1.name)
    return {
        (row[keys.index("unit")], row[keys.index("name")]): by_label[row[keys.index("status")]]
        for row in rows
    }


def listed_for_review(review: Path, sheet: str = forms.REVIEW_SHEET) -> set[tuple[str, str]]:
    """(unit, name) of every model in a sheet of the review workbook ("Cần xem xét")."""
    book = calamine.CalamineWorkbook.from_path(str(review))
    cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    header = next(i for i, row in enumerate(cells) if "Tên mô hình năm nay" in row)
    columns = {v: i for i, v in enumerate(cells[header])}
    unit, name = columns["Đơn vị"], columns["Tên mô hình năm nay"]
    return {(row[unit], row[name]) for row in cells[header + 1 :] if row[name]}


@dataclass
class Measure:
    rows: int = 0
    in_review: int = 0
    told: int = 0  # on the sheet "Đã tính cho mô hình khác": decided as ticked, and said so
    silent: int = 0
    lost: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    mistakes: list[tuple] = field(default_factory=list)
    review_kinds: Counter = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def silent_rate(self) -> float:
        return self.silent / self.rows

    @property
    def review_rate(self) -> float:
        return self.in_review / self.rows

    def summary(self) -> str:
        return (
            f"{self.rows} models: precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"(of {self.rows - self.in_review} not in review); silent mistakes {self.silent} "
            f"({self.silent_rate:.1%}, of which {self.lost} missing); in review {self.in_review} "
            f"({self.review_rate:.1%}); told that an earlier model went to another row {self.told}"
        )


def score(cases: pd.DataFrame, root: Path) -> Measure:
    outbox = root / "outbox" / str(YEAR)
    sections = printed_sections(outbox / f"Phu_luc_1_dang_ky_{YEAR}.xlsx")
    review_path = outbox / forms.REVIEW_FILENAME.format(year=YEAR)
    review = listed_for_review(review_path) if review_path.exists() else set()
    told = listed_for_review(review_path, forms.REVIEW_CLAIMED_SHEET) if review else set()
    m = Measure()
    for row in cases[cases["nam"] == str(YEAR)].to_dict("records"):
        key = (row["don_vi"], clean_text(row["ten"]))
        truth = _TRUTH[row["su_that"]]
        m.rows += 1
        if key in review:
            m.in_review += 1
            m.review_kinds[row["loai"].split("+")[0]] += 1
            continue
        m.told += key in told
        printed = sections.get(key)
        if printed is None:
            m.lost += 1
        m.tp += printed == "DUY_TRI" and truth == "DUY_TRI"
        m.fp += printed == "DUY_TRI" and truth == "MOI"
        m.fn += printed != "DUY_TRI" and truth == "DUY_TRI"
        m.tn += printed == "MOI" and truth == "MOI"
        if printed != truth:
            m.silent += 1
            m.mistakes.append((row["loai"], row["don_vi"], row["tiep_noi"], row["ten"],
                               row["don_vi_ghi"], printed))  # fmt: skip
    return m


def measure(root: Path, path: Path = SET, seed: int | None = None) -> Measure:
    """The figures on the committed set, or on a fresh draw of its generator (`seed`)."""
    cases = labelled(path) if seed is None else drawn(seed)
    build_workspace(root, cases)
    run(root)
    return score(cases, root)


def drawn(seed: int) -> pd.DataFrame:
    """Another commune from the same generator: other units' samples, retypings and ticks."""
    import random

    from tests.fixtures.build_field_set import COLUMNS, rows

    table = [[str(v) for v in row] for row in rows(random.Random(seed))]
    return pd.DataFrame(table, columns=COLUMNS)


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(Path(tmp) / "xa", seed=seed)
        print(result.summary())
        print("in review by kind:", dict(result.review_kinds.most_common()))
        for mistake in result.mistakes:
            print("  silent:", " | ".join(str(v) for v in mistake))
