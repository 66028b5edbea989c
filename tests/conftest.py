"""Shared fixtures: the sample workspace, a test config, and the --update-golden switch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from pipeline import forms
from pipeline.config import Config, load_config
from pipeline.consolidate import RunResult, consolidate, read_history
from pipeline.ingest.roster_reader import read_roster
from pipeline.registry import load_history, open_registry, record_year
from pipeline.report import write_outputs
from pipeline.report.template import template_path, write_template
from pipeline.roster import Roster, build_roster

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "xa-dien-chau"
GOLDEN = Path(__file__).resolve().parent / "golden"

# pandas in the loop: a busy 2-core CI machine must not turn slow examples into failures.
settings.register_profile("dvk", deadline=None)
settings.load_profile("dvk")


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/*.json from the current output (review the diff).",
    )


@pytest.fixture
def sample_workspace(tmp_path) -> Path:
    """A private copy of the bundled sample, so a test can write its outbox."""
    target = tmp_path / "xa-dien-chau"
    shutil.copytree(
        SAMPLE, target, ignore=shutil.ignore_patterns("outbox", "luu_tru", "dvk.sqlite")
    )
    return target


@pytest.fixture(scope="session")
def cfg() -> Config:
    return load_config(SAMPLE / "dvk.toml")


@pytest.fixture(scope="session")
def blank_template(tmp_path_factory, cfg) -> Path:
    path = template_path(tmp_path_factory.mktemp("template"), cfg.year)
    write_template(path, cfg)
    return path


@pytest.fixture
def golden(request):
    """Compare a JSON-ready value with tests/golden/NAME.json, or rewrite it."""

    def check(name: str, actual) -> None:
        path = GOLDEN / f"{name}.json"
        text = json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        if request.config.getoption("--update-golden") or not path.exists():
            if not request.config.getoption("--update-golden"):
                pytest.fail(f"{path.name} is missing: run pytest --update-golden and review it")
            path.write_text(text, encoding="utf-8")
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)

    return check


def workspace_roster(workspace: Path, cfg: Config) -> Roster:
    """The workspace's roster as the CLI reads it (an empty one when it has none)."""
    rows, issues = read_roster(workspace / forms.ROSTER_FILENAME)
    roster, found = build_roster(rows, cfg.quotas)
    assert issues == found == []
    return roster


def consolidate_with_last_year(workspace: Path, outbox: Path | None = None):
    """The sample's 2025 annexes imported, then its 2026 inbox consolidated, as the CLI does."""
    cfg = load_config(workspace / "dvk.toml")
    conn = open_registry(workspace / "dvk.sqlite")
    last_year = sorted((workspace / "nam_truoc").glob("*.xlsx"))
    imported = read_history(last_year, 2025, load_history(conn, 2025))
    assert not imported.issues, imported.issues
    record_year(
        conn,
        2025,
        "lich_su",
        registrations=imported.registrations,
        results=imported.results,
        replace=False,
    )
    history = load_history(conn, cfg.year, cfg.renamed_units())
    conn.close()
    result: RunResult = consolidate(
        workspace / "inbox",
        cfg.year,
        history=history,
        scoring=cfg.scoring_rules(),
        roster=workspace_roster(workspace, cfg),
    )
    return result, write_outputs(result, cfg, outbox or workspace / "outbox")
