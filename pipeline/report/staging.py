"""Outputs written aside and moved into the outbox together, or not at all."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

STAGING_FOLDER = ".dvk_dang_ghi"  # inside the workspace: same disk, so a move is a rename
EXCEL_OWNER_PREFIX = "~$"  # Excel's owner file beside a workbook it has open


class OutputLocked(Exception):
    "An output the run must replace is open in another program (message in Vietnamese)"

    def __init__(self, paths: list[Path]):
        self.paths = paths
        names = ", ".join(p.name for p in paths)
        super().__init__(
            f"Tệp đang mở trong Excel hoặc chương trình khác: {names}. Đóng tệp rồi chạy lại; "
            "lần chạy này chưa thay đổi gì trong outbox và sổ theo dõi."
        )


@dataclass
class Staging:
    """A run's outputs, written under `root` as they will sit under `outbox`.

    `publish` replaces each output in the outbox, keeping what it replaced, and removes the
    outputs of an earlier run that this run no longer makes (`stale`); `undo` puts everything
    back. Only files the tool writes are touched (`owned`): a person's own files stay.
    """

    workspace: Path
    outbox: Path
    root: Path = field(init=False)
    _done: list[tuple[Path, Path | None]] = field(default_factory=list, init=False)
    _planned: list[tuple[Path, Path, bool]] | None = field(default=None, init=False)
    _targets: dict[Path, Path] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.root = self.workspace / STAGING_FOLDER / uuid.uuid4().hex
        self.root.mkdir(parents=True)

    @property
    def staged_outbox(self) -> Path:
        return self.root / "outbox"

    def final(self, staged: Path) -> Path:
        """Where a staged file goes in the outbox."""
        return self.outbox / staged.relative_to(self.staged_outbox)

    def new_files(self) -> list[Path]:
        return [staged for staged, _target, _kept in self._plan()]

    def _plan(self) -> list[tuple[Path, Path, bool]]:
        """Each staged file, where it goes, and whether it is the published file itself
        (report.reuse linked it: it stays). Worked out once, in one walk: a province's run
        stages 3,000 files, and path by path it took most of a second each time."""
        if self._planned is None:
            self._planned = sorted(_walk(self.staged_outbox, self.outbox))
        return self._planned

    def changes(self, stale: list[Path]) -> list[Path]:
        """Every outbox file this run would replace or remove."""
        replaced = [target for _staged, target, kept in self._plan() if not kept]
        return [p for p in replaced if p.exists()] + [p for p in stale if p.exists()]

    def check_unlocked(self, stale: list[Path]) -> None:
        """Refuse before anything changes when any file to replace or remove is open."""
        locked = [p for p in self.changes(stale) if is_locked(p)]
        if locked:
            raise OutputLocked(locked)

    def publish(self, stale: list[Path]) -> None:
        backup = self.root / "truoc"
        try:
            for target in stale:
                if target.exists() and self.final_of(target) is None:
                    self._move_aside(target, backup)
            made = set()
            for staged, target, kept in self._plan():
                if kept:
                    continue
                if target.exists():
                    self._move_aside(target, backup)
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                os.replace(staged, target)
                self._done.append((target, None))
        except OSError:
            self.undo()
            raise

    def final_of(self, target: Path) -> Path | None:
        """The staged file that replaces `target`, or None when this run makes none."""
        if self._targets is None:
            self._targets = {target: staged for staged, target, _kept in self._plan()}
        return self._targets.get(target)

    def _move_aside(self, target: Path, backup: Path) -> None:
        kept = backup / target.relative_to(self.outbox)
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, kept)
        self._done.append((target, kept))

    def undo(self) -> None:
        """Put the outbox back as it was before `publish`."""
        for target, kept in reversed(self._done):
            if kept is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(kept, target)
        self._done.clear()

    def clean(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        parent = self.root.parent
        if parent.exists() and not any(parent.iterdir()):
            parent.rmdir()


def _walk(staged_root: Path, outbox: Path) -> Iterator[tuple[Path, Path, bool]]:
    """(staged, target, kept) for every file under `staged_root`; kept when the target is
    the staged file itself (the same inode: a hard link)."""
    if not staged_root.is_dir():
        return
    for folder, _subfolders, names in os.walk(staged_root):
        here = Path(folder)
        there = outbox / here.relative_to(staged_root)
        for name in names:
            staged, target = here / name, there / name
            yield staged, target, _same_file(staged, target)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def is_locked(path: Path) -> bool:
    """Whether a workbook is open elsewhere: Excel leaves "~$name" beside it, and Windows
    refuses to open a file another program holds."""
    owners = (EXCEL_OWNER_PREFIX + path.name, EXCEL_OWNER_PREFIX + path.name[2:])
    if any((path.parent / owner).exists() for owner in owners):
        return True
    try:
        with path.open("r+b"):
            return False
    except PermissionError:
        return True
    except OSError:
        return False
