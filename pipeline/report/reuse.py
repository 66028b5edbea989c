"""Outputs whose inputs have not changed since the last run: copied from the outbox, not rebuilt.

After a late file, only the workbooks that depend on it change: a node's own Phụ lục 1 and 4
stay as they were for every node the file does not belong to. Each output a run builds is
recorded with a fingerprint of what it was made from (its rows, the settings, the tool's
code), the SHA-256 of the file published, and its size and time; the next run copies the
published file when the fingerprint is the same and the file is still exactly what was
published: its size and time as recorded, or else its SHA-256 (a person who opened and saved it
gets a fresh one).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PARTS_FOLDER = "phan_dung_chung"  # beside the manifest: pieces that many outputs share


def code_digest(package: Path) -> str:
    """One digest of every module of the package, not only the writers': what a workbook says
    also comes from the declared tables (vocab's labels, forms' columns) and the stages. A new
    version of the tool writes every output again, once."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_WRITER_CODE = code_digest(Path(__file__).parent.parent)


def fingerprint(*inputs: object) -> str:
    """What an output is made from, as one hash of the inputs' values (an annex's rows given
    as their digest, report._column_bytes). By repr, not pickle: a pickle's bytes also say which
    equal values are one object, and the rows of a re-run share their strings otherwise than
    the first run's."""
    text = _WRITER_CODE + repr(inputs)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class Earlier:
    """The outbox as the last run published it, and what each of its outputs was made from."""

    outbox: Path
    manifest: Path  # JSON: output path under the outbox -> {"inputs": …, "sha256": …}
    known: dict[str, dict] = field(default_factory=dict)
    made: dict[str, str] = field(default_factory=dict)  # this run: path -> inputs
    kept_digests: dict[str, str] = field(default_factory=dict)  # reused: path -> its SHA-256

    @property
    def kept(self) -> int:
        return len(self.kept_digests)

    @classmethod
    def load(cls, outbox: Path, manifest: Path) -> Earlier:
        try:
            known = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        return cls(outbox, manifest, known if isinstance(known, dict) else {})

    def reuse(self, path: Path, root: Path, inputs: str) -> bool:
        """Copy to `path` (under the run's outbox `root`) the published file, when it was made
        from the same `inputs` and nobody changed it since; False: the caller writes it."""
        name = path.relative_to(root).as_posix()
        self.made[name] = inputs
        published = self.outbox / name
        entry = self.known.get(name) or {}
        if entry.get("inputs") != inputs or not _as_published(published, entry):
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(published, path)
        self.kept_digests[name] = entry["sha256"]
        return True

    def part(self, name: str, inputs: str, make: Callable[[], bytes]) -> bytes:
        """What `make()` gives, kept beside the manifest for the next run made from the same
        `inputs`: a piece of many outputs that costs more to make than to read (the blank form
        every reminder attaches). Only the latest one of each name is kept."""
        folder = self.manifest.parent / PARTS_FOLDER
        path = folder / f"{name}-{inputs}"
        with contextlib.suppress(OSError, ValueError):
            kept = path.read_bytes()
            digest, data = kept[:64].decode("ascii"), kept[64:]
            if hashlib.sha256(data).hexdigest() == digest:  # never a damaged part
                return data
        data = make()
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob(f"{name}[-.]*"):  # and a part a stopped run left
                old.unlink()
            staged = folder / f"{name}.{os.getpid()}.part"
            staged.write_bytes(hashlib.sha256(data).hexdigest().encode("ascii") + data)
            staged.replace(path)
        return data

    def save(self) -> None:
        """After publishing: what each output now in the outbox was made from (the outputs of
        other periods, which this run did not make, stay recorded while they are there)."""
        others = {n: e for n, e in self.known.items() if (self.outbox / n).is_file()}
        made = {
            name: {"inputs": inputs, "sha256": digest, "stat": _stat(self.outbox / name)}
            for name, inputs in self.made.items()
            if (digest := self.kept_digests.get(name) or _sha256(self.outbox / name))
        }
        entries = dict(sorted((others | made).items()))
        with contextlib.suppress(OSError):  # without it, the next run only rebuilds everything
            self.manifest.parent.mkdir(parents=True, exist_ok=True)
            part = self.manifest.with_suffix(".part")
            part.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
            part.replace(self.manifest)


def _link_or_copy(published: Path, path: Path) -> None:
    """The published file under a second name: on the same disk a hard link, which costs
    nothing and which publishing then leaves where it is (staging.Staging); else a copy."""
    try:
        os.link(published, path)
    except OSError:  # a disk without hard links (FAT, some network shares)
        shutil.copy2(published, path)


def _as_published(path: Path, entry: dict) -> bool:
    """Whether the file is still the one published: by its size and time when both are as
    recorded (a person who saves a workbook changes its time), else by its SHA-256. Hashing
    every kept output was 0.2 s of a province's late run."""
    stat = _stat(path)
    if stat is not None and stat == entry.get("stat"):
        return True
    return stat is not None and _sha256(path) == entry.get("sha256")


def _stat(path: Path) -> list[int] | None:
    """Size and modification time (ns), as the manifest's JSON keeps them."""
    try:
        found = path.stat()
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns]


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
