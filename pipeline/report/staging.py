"""Outputs written aside and moved into the outbox together, or not at all."""

from __future__ import annotations

import os
import shutil
import uuid
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
        folder = self.staged_outbox
        return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []

    def changes(self, stale: list[Path]) -> list[Path]:
        """Every outbox file this run would replace or remove."""
        replaced = [self.final(p) for p in self.new_files() if not self._kept(p)]
        return [p for p in replaced if p.exists()] + [p for p in stale if p.exists()]

    def _kept(self, staged: Path) -> bool:
        """The staged file is the published one itself (report.reuse linked it): it stays."""
        try:
            return os.path.samefile(staged, self.final(staged))
        except OSError:
            return False

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
            for staged in self.new_files():
                if self._kept(staged):
                    continue
                target = self.final(staged)
                if target.exists():
                    self._move_aside(target, backup)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
                self._done.append((target, None))
        except OSError:
            self.undo()
            raise

    def final_of(self, target: Path) -> Path | None:
        staged = self.staged_outbox / target.relative_to(self.outbox)
        return staged if staged.exists() else None

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
