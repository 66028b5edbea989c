"""Shared fixtures: the sample workspace, a test config, and the --update-golden switch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from pipeline.config import Config, load_config
from pipeline.report.template import template_path, write_template
from tests.helpers import GOLDEN, SAMPLE, dvk

# What a run leaves in a workspace: a test starts from the sample without any of it.
WORKSPACE_OUTPUTS = shutil.ignore_patterns("outbox", "luu_tru", "dvk.sqlite", ".dvk_bo_dem")

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
    shutil.copytree(SAMPLE, target, ignore=WORKSPACE_OUTPUTS)
    return target


def _sample_run(root: Path, with_last_year: bool) -> Path:
    target = root / "xa-dien-chau"
    shutil.copytree(SAMPLE, target, ignore=WORKSPACE_OUTPUTS)
    if with_last_year:
        last_year = sorted((target / "nam_truoc").glob("*.xlsx"))
        assert dvk("history", "import", *last_year, "--year", "2025", "-w", target).returncode == 0
    assert dvk("consolidate", "-w", target).returncode == 1  # the sample's errors, on purpose
    return target


@pytest.fixture(scope="module")
def _consolidated_once(tmp_path_factory) -> Path:
    return _sample_run(tmp_path_factory.mktemp("consolidated"), with_last_year=False)


@pytest.fixture(scope="module")
def _first_run_once(tmp_path_factory) -> Path:
    return _sample_run(tmp_path_factory.mktemp("first_run"), with_last_year=True)


@pytest.fixture
def consolidated(tmp_path, _consolidated_once) -> Path:
    """A private copy of the sample after one `dvk consolidate` (no earlier year on record)."""
    return Path(shutil.copytree(_consolidated_once, tmp_path / "xa-dien-chau"))


@pytest.fixture
def first_run(tmp_path, _first_run_once) -> Path:
    """A private copy of the sample after its first run with last year on record (outbox,
    review workbook, registry), for a test to answer, change and run again."""
    return Path(shutil.copytree(_first_run_once, tmp_path / "xa-dien-chau"))


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
