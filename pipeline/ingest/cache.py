"""Each inbox file's reading kept by its content, so that a re-run reads only what is new.

A file is looked up by a key made of its bytes (SHA-256), its name and time in the inbox (the
time is when it was sent, for a file not e-mailed) and the reader's fingerprint: the template
version, the declared tables it reads by (vocab, forms), the source of the reading code, and the
run's year, bounds and zone. Any of these changed, and the file is read again. Beside the
readings, four memos that only save time: each file's checked rows and problems, by its rows
as read (pipeline.checking: no rule of dvk.toml bears on them); the names taken apart
(normalize.model_key); the sort keys of the texts the annexes order (normalize.sort_key);
and each unit's links to earlier years under all they rest on
(link.years). Each is kept for the code (and rules, and libraries) that made it. Accepting and
scoring run on every row each time, so a rule in dvk.toml always applies to the whole inbox.

The entries are pickles in the workspace (.dvk_bo_dem/): the office's own folder, which
only the tool writes; a broken or foreign entry is read again, never trusted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera

from pipeline import forms, vocab
from pipeline.heap import collector_paused
from pipeline.ingest.arrivals import Limits
from pipeline.link.years import add_kept_outcomes, used_outcomes
from pipeline.normalize import (
    add_known_model_keys,
    add_known_sort_keys,
    known_model_keys,
    known_sort_keys,
    sort_key,
)

CACHE_FORMAT = 3  # bump when what an entry holds changes shape
NAMES_ENTRY = "ten_mo_hinh"  # each model name's key (normalize.model_key), beside the readings
SORT_ENTRY = "thu_tu"  # each text's sort key (normalize.sort_key), as the annexes order them
LINKS_ENTRY = "so_khop"  # how each unit's rows were linked to earlier years (link.years)
CHECKED_ENTRY = "kiem_tra"  # each file's checked rows and problems (pipeline.checking)
BUNDLE_ENTRY = "tat_ca"  # the bytes of the readings a run took from the cache, in one entry
DIGESTS_ENTRY = "ma_bam"  # each inbox file's SHA-256, by its name, size, time and inode
BYTES_ENTRY = "tep"  # <key>.tep.pickle: the workbooks' bytes of the reading <key>.pickle
MEMO_ENTRIES = (NAMES_ENTRY, SORT_ENTRY, LINKS_ENTRY, CHECKED_ENTRY, DIGESTS_ENTRY, BUNDLE_ENTRY)
# Every module linking depends on (tests/test_cache.py follows the imports to check it).
_LINK_CODE = ("link", "normalize.py", "rules.py", "vocab.py", "forms.py", "issues.py", "records.py",
              "frames.py", "heap.py")  # fmt: skip
# Every module checking depends on (tests/test_cache.py follows the imports to check it).
_CHECK_CODE = ("checking.py", "normalize.py", "validate.py", "vocab.py", "forms.py", "issues.py",
               "records.py", "frames.py", "rules.py")  # fmt: skip
_CODE = ("ingest", "normalize.py", "vocab.py", "forms.py", "records.py", "issues.py")


def fingerprint(year: int, limits: Limits, zone: dt.tzinfo) -> str:
    """What a reading depends on besides the file itself."""
    digest = hashlib.sha256(
        f"{CACHE_FORMAT}|{forms.TEMPLATE_VERSION}|{year}|{limits}|{zone}".encode()
    )
    for name in sorted(n for n in dir(vocab) if n.isupper()):
        digest.update(f"{name}={getattr(vocab, name)!r}".encode())
    digest.update(repr((forms.SHEETS, forms.TEMPLATE_ID)).encode())
    package = Path(__file__).parent.parent
    for part in _CODE:
        for source in (
            sorted((package / part).glob("*.py")) if part == "ingest" else [package / part]
        ):
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _source(parts: tuple[str, ...]) -> str:
    """One digest of the source of `parts` (modules and folders of pipeline/): the code whose
    results a memo keeps."""
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    package = Path(__file__).parent.parent
    for part in parts:
        path = package / part
        for source in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _check_code(year: int) -> str:
    """What the checking memo rests on besides each file's rows: the year, the code, and the
    libraries that parse and validate."""
    return f"{year}|{pd.__version__}|{pandera.__version__}|{_source(_CHECK_CODE)}"


def _worth_writing(kept: int, added: int) -> bool:
    """Whether a memo of `kept` entries is written again for `added` more: not for a few (at
    most 100, or 1%), which the next run works out again quicker than this one writes a
    province's tens of thousands."""
    return added > max(100, kept // 100)


def _places(memo) -> dict:
    return {key: place[:2] for key, place in memo.files.items()}


def put_entry(folder: Path, key: str, value) -> bool:
    """Keep `value` as folder/<key>.pickle, written whole or not at all; whether it was (a
    cache that cannot be written only makes the next run slower). What a reader worker
    calls for the file it has just read (ingest.isolated), as the main process does."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f"{key}.{os.getpid()}.part"
        with part.open("wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        part.replace(folder / f"{key}.pickle")
    except (OSError, pickle.PicklingError):
        return False
    return True


def bytes_key(key: str) -> str:
    """The entry of the bytes of a reading's workbooks, apart from it (KeptBytes)."""
    return f"{key}.{BYTES_ENTRY}"


@dataclass(frozen=True)
class KeptBytes:
    """A workbook's bytes kept beside its reading (ReadCache.put_bytes), read when needed.

    They are checked against the workbook's SHA-256; an entry gone or damaged since the run
    began gives the bytes of the file read again (`reread`), so no return is ever lost."""

    entry: Path
    name: str
    sha256: str
    reread: Callable[[str], bytes]

    def load(self) -> bytes:
        with contextlib.suppress(Exception):
            with self.entry.open("rb") as f:
                data = pickle.load(f)[self.name]
            if hashlib.sha256(data).hexdigest() == self.sha256:
                return data
        data = self.reread(self.name)
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise OSError(f"{self.name}: the file changed while the run read it")
        return data


@dataclass
class ReadCache:
    """The kept readings of one workspace, for one fingerprint; counts its hits and misses."""

    folder: Path
    fingerprint: str
    hits: int = 0
    misses: int = 0
    used: set[str] = field(default_factory=set)
    names_loaded: int = -1  # how many names were loaded; -1: none kept
    sort_keys_loaded: int = -1
    links_loaded: set | None = None  # the units whose links were loaded; None: none kept
    checked_loaded: dict | None = None  # each sheet's files and their places, as loaded

    bundled: dict = field(default_factory=dict)  # key -> a reading's pickle (load_bundle)
    raw: dict = field(default_factory=dict)  # key -> the pickle of each reading taken
    from_entries: int = 0  # readings taken from their own entries, not from the bundle
    digests_loaded: dict = field(default_factory=dict)  # name -> (size, time, inode, SHA-256)
    digests_seen: dict = field(default_factory=dict)  # the same, for this run's files
    # When this cache was opened: a file changed less than two seconds before it may change
    # again within one tick of a coarse clock (FAT's is 2 s) and look the same: not trusted.
    opened_ns: int = field(default_factory=time.time_ns)
    _stats: dict = field(default_factory=dict)

    def _stat(self, path: Path) -> os.stat_result | None:
        if path not in self._stats:
            try:
                self._stats[path] = path.stat()
            except OSError:
                self._stats[path] = None
        return self._stats[path]

    def known_digest(self, path: Path, name: str) -> str | None:
        """The file's SHA-256 as an earlier run worked it out, if it has kept the same size,
        time and inode since (as git trusts its index): a re-run reads only its new files.
        None when not known, or not trusted."""
        found = self._stat(path)
        kept = self.digests_loaded.get(name)
        if found is None or kept is None:
            return None
        return kept[3] if kept[:3] == (found.st_size, found.st_mtime_ns, found.st_ino) else None

    def note_digest(self, path: Path, name: str, digest: str) -> None:
        """Remember the file's SHA-256 for the next run, unless it changed just now."""
        found = self._stat(path)
        if found is not None and found.st_mtime_ns < self.opened_ns - 2_000_000_000:
            stamp = (found.st_size, found.st_mtime_ns, found.st_ino, digest)
            self.digests_seen[name] = stamp

    def load_digests(self) -> None:
        self.digests_loaded = self._load_memo(DIGESTS_ENTRY) or {}

    def save_digests(self) -> None:
        """Keep this run's files' digests, unless all but a few are the ones loaded (a late
        file is hashed again at the next run; a name gone from the inbox is never asked)."""
        seen, loaded = self.digests_seen, self.digests_loaded
        changed = sum(loaded.get(name) != stamp for name, stamp in seen.items())
        if changed and (not loaded or _worth_writing(len(loaded), changed)):
            self.put(DIGESTS_ENTRY, (self.fingerprint, seen))

    def key(self, path: Path, name: str, content: str) -> str:
        """The entry of the file at `path`, `name` in the inbox, whose SHA-256 is `content`."""
        found = self._stat(path)
        mtime = found.st_mtime_ns if found is not None else 0
        # A name may hold bytes that were not UTF-8 (surrogates): hashed as they were.
        text = f"{self.fingerprint}|{name}|{mtime}|{content}"
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def get(self, key: str):
        """The kept reading, or None (never kept, or not readable: then it is read again)."""
        self.used.add(key)
        found = None
        if (data := self.bundled.pop(key, None)) is not None:
            with contextlib.suppress(Exception):  # a broken one: its own entry is read
                found = pickle.loads(data)
        if found is None:
            entry = self.folder / f"{key}.pickle"
            try:
                data = entry.read_bytes()
                found = pickle.loads(data)
                self.from_entries += 1
            except FileNotFoundError:
                pass
            except Exception:  # a broken entry (a run stopped while writing it, a disk fault)
                with contextlib.suppress(OSError):
                    entry.unlink()
                found = None
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self.raw[key] = data
        return found

    def load_bundle(self) -> None:
        """The kept readings' bytes an earlier run put in one entry (save_bundle)."""
        with contextlib.suppress(Exception):  # none, or broken: each is read from its own
            with (self.folder / f"{BUNDLE_ENTRY}.pickle").open("rb") as f, collector_paused():
                kept_for, bundled = pickle.load(f)
            if kept_for == self.fingerprint:
                self.bundled = bundled

    def save_bundle(self) -> None:
        """Put the bytes of every reading this run took from the cache in one entry, when
        many came from their own: a re-run then opens one file, not one per inbox file (a
        province's 5,000 took a third of a second to open). Each reading is still kept in
        its own entry too, and one the bundle lacks (a late file's) is read from there."""
        if _worth_writing(self.hits - self.from_entries, self.from_entries):
            self._save_memo(BUNDLE_ENTRY, self.raw, -1)
        self.raw = {}
        self.bundled = {}

    def put(self, key: str, reading) -> None:
        """Keep a reading; a cache that cannot be written only makes the next run slower."""
        self.used.add(key)
        put_entry(self.folder, key, reading)

    def bytes_entry(self, key: str) -> Path:
        return self.folder / f"{bytes_key(key)}.pickle"

    def load_names(self) -> None:
        """Give normalize the names' keys an earlier run worked out by the same rules."""
        if (known := self._load_memo(NAMES_ENTRY)) is not None:
            add_known_model_keys(known)
            self.names_loaded = len(known)

    def save_names(self) -> None:
        """Keep the names' keys this run worked out (at most normalize.MAX_KNOWN_NAMES of
        them), unless all but a few were kept already: working out a late file's again at the
        next run is quicker than writing a province's 90,000 again now."""
        self._save_memo(NAMES_ENTRY, known_model_keys(), self.names_loaded)

    def load_sort_keys(self) -> None:
        """Give normalize the sort keys an earlier run worked out by the same rules."""
        if (known := self._load_memo(SORT_ENTRY)) is not None:
            add_known_sort_keys(known)
            self.sort_keys_loaded = len(known)

    def save_sort_keys(self, *texts: pd.Series) -> None:
        """Work out the sort keys of `texts` (the names and units the annexes order), and
        keep them all unless all but a few were kept already. Worked out here, before the
        annexes are written: a writer process forked later finds them in its memory."""
        with collector_paused():
            for values in texts:
                for value in values.tolist():
                    sort_key(value)
        self._save_memo(SORT_ENTRY, known_sort_keys(), self.sort_keys_loaded)

    def _load_memo(self, entry: str) -> dict | None:
        """A memo kept under this fingerprint; None when there is none, or it is broken or
        foreign (then it is worked out again)."""
        with contextlib.suppress(Exception):
            with (self.folder / f"{entry}.pickle").open("rb") as f, collector_paused():
                kept_for, known = pickle.load(f)
            if kept_for == self.fingerprint:
                return known
        return None

    def _save_memo(self, entry: str, known: dict, loaded: int) -> None:
        """Keep `known` unless it is what was loaded (`loaded` entries; -1: none) and a few."""
        added = len(known) - loaded  # fewer: some were forgotten, so write
        if loaded < 0 or added < 0 or _worth_writing(loaded, added):
            self.put(entry, (self.fingerprint, known))

    def load_links(self) -> None:
        """Give link.years the units' links an earlier run decided with the same code."""
        rules, kept = None, {}
        with contextlib.suppress(Exception):  # none kept, or broken: they are decided again
            with (self.folder / f"{LINKS_ENTRY}.pickle").open("rb") as f, collector_paused():
                kept_for, rules, kept = pickle.load(f)
            if kept_for != _source(_LINK_CODE):
                rules, kept = None, {}
        add_kept_outcomes(rules, kept)
        if rules is not None:
            self.links_loaded = set(kept)

    def save_links(self) -> None:
        """Keep the links of the units linked in this run, unless all but a few were kept
        already (as save_names: a late file's units are linked again at the next run)."""
        found = used_outcomes()
        if found is None:
            return
        loaded = self.links_loaded
        if loaded is None or _worth_writing(len(loaded), len(found[1].keys() - loaded)):
            self.put(LINKS_ENTRY, (_source(_LINK_CODE), *found))

    def load_checked(self, year: int) -> dict:
        """Each sheet's checked rows of the last run (pipeline.checking), for the same year,
        code and libraries; empty when there are none."""
        with contextlib.suppress(Exception):  # none kept, or broken: every row is checked
            with (self.folder / f"{CHECKED_ENTRY}.pickle").open("rb") as f, collector_paused():
                kept_for, memo = pickle.load(f)
            if kept_for == _check_code(year):
                self.checked_loaded = {k: _places(m) for k, m in memo.items()}
                return memo
        return {}

    def save_checked(self, year: int, memo: dict) -> None:
        """Keep this run's checked rows, unless they are the ones loaded, file for file."""
        if {k: _places(m) for k, m in memo.items()} != self.checked_loaded:
            self.put(CHECKED_ENTRY, (_check_code(year), memo))

    def prune(self) -> None:
        """Forget the readings of files no longer in the inbox (or read by an older tool)."""
        if not self.folder.is_dir():
            return
        keep = {*self.used, *MEMO_ENTRIES}
        with os.scandir(self.folder) as entries:  # one listing, no Path per entry
            names = [e.name for e in entries if e.name.endswith((".pickle", ".part"))]
        for name in names:
            if name.split(".")[0] not in keep:
                with contextlib.suppress(OSError):
                    (self.folder / name).unlink()
