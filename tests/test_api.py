"""The run API (pipeline.Office → Run → Report): a whole consolidation without click, and the
same account as the `dvk` command gives."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

import pipeline
from pipeline import DvkError, Office
from tests.helpers import ROOT, dvk


def test_the_public_surface_is_named():
    assert set(pipeline.__all__) >= {"Office", "Run", "Report", "DvkError", "init_workspace"}
    assert all(hasattr(pipeline, name) for name in pipeline.__all__)


def test_a_whole_consolidation_through_the_api(sample_workspace):
    office = Office.open(sample_workspace)
    imported = office.import_history(sorted((sample_workspace / "nam_truoc").glob("*.xlsx")), 2025)
    imported.record()
    run = office.consolidate()
    assert not (sample_workspace / "outbox" / "2026").exists()  # nothing written before publish
    outputs = run.publish()
    report = run.report
    assert (report.exit_code, report.valid) == (1, False)  # the sample's errors, on purpose
    stats = report.stats
    assert (stats["so_tep"], stats["so_mo_hinh_dang_ky"], stats["so_mo_hinh_ket_qua"]) == (
        23,
        47,
        43,
    )
    assert (stats["so_mo_hinh_can_xem_xet"], stats["so_mo_hinh_xep_khac_don_vi_ghi"]) == (1, 2)
    assert stats["tinh_hinh"]["chua_gui"] == ["Chi bộ Cơ quan Đảng", "Chi bộ xóm Hải Lộc"]
    assert all(path.exists() for path in outputs.values())
    assert {"phu_luc_1", "phu_luc_4", "tiep_nhan", "so_sanh", "can_xem_xet"} <= set(outputs)
    assert json.loads(report.to_json())["tep_ket_qua"]["phu_luc_1"] == str(outputs["phu_luc_1"])
    assert office.years_on_record() == [(2025, "lich_su", 27, 26), (2026, "tong_hop", 47, 43)]
    conn = sqlite3.connect(sample_workspace / "dvk.sqlite")
    statuses = dict(conn.execute("SELECT status, count(*) FROM files WHERE year = 2026 GROUP BY 1"))
    conn.close()
    assert statuses == {"accepted": 20, "has-errors": 2, "unreadable": 1}


def test_the_cli_says_what_the_api_reports(sample_workspace, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(sample_workspace, other)
    ran = dvk("consolidate", "-w", sample_workspace, "--json")
    by_cli = json.loads(ran.stdout)
    run = Office.open(other).consolidate()
    run.publish()
    by_api = run.report.to_dict()
    assert ran.returncode == run.report.exit_code == 1
    for summary in (by_cli, by_api):
        summary.pop("tep_ket_qua")  # paths: two workspaces
    assert json.loads(json.dumps(by_api, ensure_ascii=False)) == by_cli


def test_a_workspace_without_config_is_a_vietnamese_error(tmp_path):
    with pytest.raises(DvkError, match="Không thấy tệp cấu hình") as error:
        Office.open(tmp_path)
    assert error.value.exit_code == 3


def test_the_api_needs_no_click(sample_workspace):
    """A caller of the library (an Excel button) loads neither click nor the CLI."""
    code = (
        "import sys\n"
        "from pipeline import Office\n"
        f"run = Office.open({str(sample_workspace)!r}).consolidate()\n"
        "run.publish()\n"
        "print(run.report.exit_code, 'click' in sys.modules, 'pipeline.cli' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.stdout.split() == ["1", "False", "False"], done.stderr
    assert (sample_workspace / "outbox" / "2026" / "Phu_luc_1_dang_ky_2026.xlsx").exists()
