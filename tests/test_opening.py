"""Opening results: Excel through xlwings, else the system's viewer, else where the files are.

The operating system is the boundary: sys.platform, os.startfile, the opener command and the
xlwings module are replaced, so every branch runs on Linux."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

from pipeline import opening

FILES = [Path("Phu_luc_1_dang_ky_2026.xlsx"), Path("Phu_luc_4_ket_qua_2026.xlsx")]


def test_the_first_opener_that_works_is_used_and_the_others_say_why_not():
    def cannot(_paths):
        raise opening.CannotOpen("không có.")

    seen = []
    used, failures = opening.open_files(FILES, (("Excel", cannot), ("máy", seen.extend)))
    assert (used, failures, seen) == ("máy", ["Excel: không có."], FILES)
    used, failures = opening.open_files(FILES, (("Excel", cannot), ("máy", cannot)))
    assert used == "" and failures == ["Excel: không có.", "máy: không có."]


def test_excel_is_not_tried_on_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(opening.CannotOpen, match="chỉ có trên Windows"):
        opening.with_excel(FILES)


def test_excel_without_xlwings_or_without_excel_falls_through(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "xlwings", None)  # not installed: import fails
    with pytest.raises(opening.CannotOpen, match="chưa cài xlwings"):
        opening.with_excel(FILES)

    def no_excel(_path):  # what xlwings raises where WPS or LibreOffice stands in for Excel
        raise OSError("Invalid class string")

    monkeypatch.setitem(sys.modules, "xlwings", types.SimpleNamespace(Book=no_excel))
    with pytest.raises(opening.CannotOpen, match="không điều khiển được Excel"):
        opening.with_excel(FILES)
    opened = []
    monkeypatch.setitem(sys.modules, "xlwings", types.SimpleNamespace(Book=opened.append))
    opening.with_excel(FILES)
    assert opened == [str(p) for p in FILES]


def test_windows_opens_each_file_with_its_default_application(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    started = []
    monkeypatch.setattr(opening.os, "startfile", started.append, raising=False)
    opening.with_system(FILES)
    assert started == FILES

    def no_association(_path):
        raise OSError(1155, "No application is associated")

    monkeypatch.setattr(opening.os, "startfile", no_association, raising=False)
    with pytest.raises(opening.CannotOpen, match="No application is associated"):
        opening.with_system(FILES)


@pytest.mark.parametrize(("platform", "command"), [("linux", "xdg-open"), ("darwin", "open")])
def test_linux_and_macos_use_their_opener_command(monkeypatch, platform, command):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(opening.shutil, "which", lambda name: f"/usr/bin/{name}")
    ran = []

    def run(args, **_kwargs):
        ran.append(args)
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(opening.subprocess, "run", run)
    opening.with_system(FILES)
    assert ran == [[command, str(p)] for p in FILES]
    monkeypatch.setattr(
        opening.subprocess, "run", lambda args, **_k: subprocess.CompletedProcess(args, 3)
    )
    with pytest.raises(opening.CannotOpen, match="không tìm được chương trình"):
        opening.with_system(FILES)
    monkeypatch.setattr(opening.shutil, "which", lambda _name: None)
    with pytest.raises(opening.CannotOpen, match=f"không có lệnh {command}"):
        opening.with_system(FILES)


def test_nothing_but_the_opener_imports_xlwings():
    """xlwings stays an optional extra: the CLI and a whole run load without it."""
    code = (
        "import sys; import pipeline.cli, pipeline.office, pipeline.consolidate; "
        "assert 'xlwings' not in sys.modules, 'xlwings imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    root = Path(opening.__file__).parent
    importers = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if "import xlwings" in p.read_text(encoding="utf-8")
    )
    assert importers == ["desk.py", "opening.py"]
