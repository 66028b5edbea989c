"""Each inbox file read in a worker process, within a time and a memory bound, side by side.

A hostile or broken file must cost its unit one line of the intake, never the office its run:
a parser that aborts (calamine's Rust allocator does, on a grid it cannot allocate), loops, or
eats memory takes down only its worker. A worker reads one file at a time, with the next
already sent to it (QUEUED); the parent watches the clock and each worker's memory (psutil,
everywhere, Windows included), and replaces a worker that died or overran with a fresh one,
which is sent again the files the stopped one held. On Linux the kernel also caps each
worker's heap (RLIMIT_DATA), so a sudden allocation fails at once instead of between two
looks of the watchdog; everywhere, the bounds counted before parsing (arrivals.Limits) refuse
the known bombs before any parser sees them.

The same pool is the parallel reading of a large inbox: one worker per core.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

import psutil

from pipeline import forms
from pipeline.heap import collector_paused
from pipeline.ingest.arrivals import Arrival, Limits, archive_one, arrivals_of, displayable
from pipeline.ingest.cache import KeptBytes, ReadCache, bytes_key, put_entry
from pipeline.ingest.workbook_reader import read_workbook
from pipeline.issues import Code, Issue
from pipeline.normalize import NameParts, add_known_name_parts, clean_text, name_parts
from pipeline.records import ReadResult, rows_key

POLL_SECONDS = 0.2
# Files sent to a worker at once: the one it reads and the next, already in its pipe. With one,
# each worker waited for this process between two files, 1.5 s of each reader's 15 s on a
# province (idle in conn.recv; measured in the worker).
QUEUED = 2


@dataclass
class FileRead:
    """What one inbox file gave: its arrivals, the reading of each workbook, and the bytes of
    each workbook read (to send back marked up): for a reading kept from an earlier run, the
    bytes are read from the cache only if the workbook is sent back (workbook_bytes)."""

    arrivals: list[Arrival]
    reads: dict[str, ReadResult]
    data: dict[str, bytes | KeptBytes]
    kept: bool = False  # kept in the cache by the worker that read it, bytes and all
    # Its model names taken apart by the worker (normalize.name_parts), never kept: each
    # name is taken apart once per run, and this way the main process does not do all.
    parts: dict[str, NameParts] = field(default_factory=dict)


def workbook_bytes(data: bytes | KeptBytes) -> bytes:
    """A workbook's bytes, from a reading made now or kept (ingest.cache.KeptBytes)."""
    return data if isinstance(data, bytes) else data.load()


def read_one(path: Path, inbox: Path, year: int, limits: Limits, zone: dt.tzinfo) -> FileRead:
    """One inbox file, in this process: what a worker runs."""
    arrivals, reads, data = [], {}, {}
    for arrival in arrivals_of(path, inbox, limits, zone):
        arrivals.append(arrival)
        if arrival.kind == "workbook" and not arrival.issues:
            reads[arrival.name] = read_workbook(arrival, year)
            data[arrival.name] = arrival.data
        arrival.data, arrival.formula_free = b"", frozenset()  # needed only to read it
    return FileRead(arrivals, reads, data)


def read_files(
    paths: list[Path],
    inbox: Path,
    year: int,
    limits: Limits,
    zone: dt.tzinfo,
    on_file=None,
    workers: int | None = None,
    cache: ReadCache | None = None,
    archive_to: Path | None = None,
) -> list[FileRead]:
    """Every file, in the order given, each read in isolation (or taken from `cache`, when it
    was read before as it is now, by its SHA-256). Never raises for a file.

    With `archive_to`, each file is copied there (arrivals.archive_one) before it is read or
    looked up, and while the files before it are being read: nothing is lost, and the copying
    of a province's inbox (about a second) is not added to its reading."""
    found: dict[int, FileRead] = {}
    keys: dict[int, str] = {}

    def unread() -> Iterator[tuple[int, Path, str | None]]:
        """The files not kept, each archived and looked up as a reader is about to need it."""
        for index, path in enumerate(paths):
            if cache is None:
                if archive_to is not None:
                    archive_one(path, archive_to)
                yield index, path, None
                continue
            name = path.relative_to(inbox).as_posix()
            known = cache.known_digest(path, name)
            digest = archive_one(path, archive_to, known) if archive_to is not None else known
            digest = digest or _sha256(path)
            cache.note_digest(path, name, digest)
            key = keys[index] = cache.key(path, name, digest)
            if (kept := cache.get(key)) is None:
                yield index, path, key
                continue
            again = functools.partial(read_one, path, inbox, year, limits, zone)
            found[index] = _with_kept_bytes(kept, cache, key, again)
            if on_file:
                on_file(path)

    count = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    pool = _Pool(count, limits)
    folder = cache.folder if cache is not None else None
    try:
        with collector_paused():  # thousands of readings unpickled: none of them garbage
            reads = pool.run(unread(), inbox, year, zone, folder, on_file)
    finally:
        pool.close()
    for index, read in reads.items():
        add_known_name_parts(read.parts)
        read.parts = {}
        if read.kept:  # its bytes are in the cache now, as for a reading kept before
            again = functools.partial(read_one, paths[index], inbox, year, limits, zone)
            read = _with_kept_bytes(read, cache, keys[index], again)
        found[index] = read
    return [found[i] for i in range(len(paths))]


def _names_apart(read: FileRead) -> dict[str, NameParts]:
    """Each model name of the reading, as normalize gives it (clean_text), taken apart."""
    found = {}
    for reading in read.reads.values():
        for spec in forms.SHEETS:
            at = [c.key for c in spec.columns].index("name")
            for row in reading.rows.get(spec.name) or ():
                name = clean_text(row[at])
                found[name] = name_parts(name)
    return found


def _kept(read: FileRead, folder: Path, key: str) -> FileRead:
    """`read` kept in the cache `folder` under `key` by the worker that read it, so that the
    main process neither pickles every reading again nor receives every workbook's bytes:
    the reading and, apart, its workbooks' bytes (a re-run loads the readings of the whole
    inbox, and the bytes of only the few workbooks it sends back). What it gives back holds
    the bytes only if they could not be kept."""
    for reading in read.reads.values():
        reading.rows_keys = {sheet: rows_key(rows) for sheet, rows in reading.rows.items() if rows}
    if read.data and not put_entry(folder, bytes_key(key), read.data):
        return read
    light = FileRead(read.arrivals, read.reads, dict.fromkeys(read.data, b""))
    light.kept = put_entry(folder, key, light)
    return light if light.kept else read


def _with_kept_bytes(kept: FileRead, cache: ReadCache, key: str, again) -> FileRead:
    """A kept reading whose bytes come from the cache when needed, or from reading the file
    again (`again`) when that entry is gone or not the workbook's (checked by its SHA-256)."""

    def reread(name: str) -> bytes:
        # In this process, not a worker: these same bytes (the key is of them) were read
        # safely by the same reader when the reading was kept.
        return again().data[name]

    sha256 = {name: read.sha256 for name, read in kept.reads.items()}
    kept.data = {
        name: KeptBytes(cache.bytes_entry(key), name, sha256[name], reread) for name in kept.data
    }
    return kept


class _Worker:
    def __init__(self, context, limits: Limits):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, limits), daemon=True)
        self.process.start()
        child.close()
        # The files sent to it, (index, path, cache key) each, the first being read: the next
        # waits in its pipe, so that it starts on it without waiting for this process.
        self.queue: deque[tuple[int, Path, str | None]] = deque()
        self.started = 0.0  # when it began the first of its queue
        self.baseline = _rss(self.process.pid)  # what it holds before reading anything
        self.measured = 0.0  # when its memory was last looked at

    @property
    def task(self) -> tuple[int, Path, str | None] | None:
        """The file it is reading, if any."""
        return self.queue[0] if self.queue else None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class _Pool:
    """Up to `count` workers, each started when there is a file for it (a late run's one
    file needs one; a worker spawned on Windows takes about a second to start)."""

    def __init__(self, count: int, limits: Limits):
        # fork is quick on Linux and shares the imported modules; elsewhere, spawn (the only way
        # on Windows; macOS forks are unsafe with system libraries).
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        self.context = multiprocessing.get_context(method)
        self.limits = limits
        self.count = count
        self.workers: list[_Worker] = []

    def run(self, tasks, inbox, year, zone, folder, on_file) -> dict[int, FileRead]:
        """Each (index, path, cache key) of `tasks`, taken from it as a worker has room, read
        by a worker, which keeps its reading in the cache `folder` under the key (unless it is
        None); the readings by index."""
        self.zone = zone
        results: dict[int, FileRead] = {}
        tasks = iter(tasks)
        again: deque = deque()  # sent to a worker that was stopped before it read them
        waiting = next(tasks, None)  # taken before a worker has room: it is ready when one has
        while waiting is not None or again or any(w.queue for w in self.workers):
            while (again or waiting is not None) and (worker := self._with_room()) is not None:
                if again:
                    task = again.popleft()
                else:
                    task, waiting = waiting, next(tasks, None)
                if not worker.queue:
                    worker.started = time.monotonic()
                worker.queue.append(task)
                _, path, key = task
                worker.conn.send((path, inbox, year, zone, folder if key else None, key))
            busy = [w for w in self.workers if w.queue]
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], POLL_SECONDS)
            for worker in busy:
                process = worker.process
                done = self._collect(worker, inbox)
                if done is None:
                    continue
                index, path, _ = worker.queue.popleft()
                results[index] = done
                worker.started = time.monotonic()
                if worker.process is not process:  # replaced: the files it held are sent again
                    again.extend(worker.queue)
                    worker.queue.clear()
                if on_file:
                    on_file(path)
        return results

    def _with_room(self) -> _Worker | None:
        """A worker to send a file to: an idle one, else a new one while there are fewer than
        count, else one whose queue has room (QUEUED files each)."""
        idle = next((w for w in self.workers if not w.queue), None)
        if idle is None and len(self.workers) < self.count:
            idle = _Worker(self.context, self.limits)
            self.workers.append(idle)
        if idle is None:
            idle = next((w for w in self.workers if len(w.queue) < QUEUED), None)
        return idle

    def _collect(self, worker: _Worker, inbox: Path) -> FileRead | None:
        """The worker's answer, a stand-in for a file it could not finish, or None: not yet."""
        _, path, _ = worker.task
        if worker.conn.poll():
            try:
                answer = worker.conn.recv()
            except (EOFError, OSError):
                answer = None
            if isinstance(answer, FileRead):
                return answer
            if isinstance(answer, str):  # the worker caught the fault itself and serves on
                return self._failed(worker, path, inbox, answer, restart=False)
            return self._failed(worker, path, inbox, _stopped(worker))
        if not worker.process.is_alive():
            return self._failed(worker, path, inbox, _stopped(worker))
        now = time.monotonic()
        if now - worker.started > self.limits.seconds_per_file:
            seconds = f"{self.limits.seconds_per_file:g}"
            return self._failed(worker, path, inbox, f"đọc quá {seconds} giây nên đã dừng")
        # Its memory is looked at every POLL_SECONDS at most, as when it alone is reading: the
        # other worker's answers wake this loop once per file, and looking each time was 0.4 s
        # of the main process's time in a province's read (py-spy, sampled).
        if now - worker.measured >= POLL_SECONDS:
            worker.measured = now
            if _rss(worker.process.pid) - worker.baseline > self.limits.memory_per_file:
                return self._failed(worker, path, inbox, "tệp cần quá nhiều bộ nhớ nên đã dừng")
        return None

    def _failed(self, worker, path: Path, inbox: Path, detail: str, restart=True) -> FileRead:
        """The file's intake line; a worker that died or overran is replaced by a fresh one."""
        if restart:
            worker.stop()
            fresh = _Worker(self.context, self.limits)
            worker.conn, worker.process, worker.baseline = fresh.conn, fresh.process, fresh.baseline
        name = displayable(path.relative_to(inbox).as_posix())
        arrival = Arrival(name, _sha256(path), "other", sent=_mtime(path, self.zone))
        arrival.issues.append(Issue(file=name, code=Code.FILE_READER_STOPPED, detail=detail))
        return FileRead([arrival], {}, {})

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive() and worker.task is None:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)  # asked to stop; killed only if it does not
        for worker in self.workers:
            worker.process.join(2)
            worker.stop()


def _stopped(worker: _Worker) -> str:
    worker.process.join(1)
    code = worker.process.exitcode
    if code is not None and code < 0 and -code == 9:
        return "tệp cần quá nhiều bộ nhớ hoặc thời gian nên đã dừng"
    return "công cụ đọc tệp bị dừng đột ngột (tệp có thể bị hỏng hoặc cần quá nhiều bộ nhớ)"


def _serve(conn, limits: Limits) -> None:
    """A worker: read the files it is given, one at a time, until told to stop."""
    # Forked while the main process holds off the collector (heap.collector_paused): a
    # worker's garbage must not pile up against its memory bound, file after file.
    gc.enable()
    _cap_memory(limits.memory_per_file)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        path, inbox, year, zone, folder, key = task
        try:
            answer: FileRead | str = read_one(path, inbox, year, limits, zone)
        except MemoryError:
            answer = "tệp cần quá nhiều bộ nhớ nên không đọc"
        except PermissionError:
            answer = "không có quyền đọc tệp (tệp bị khoá hoặc đang mở ở chương trình khác)"
        except OSError:
            answer = "không đọc được tệp từ ổ đĩa"
        except Exception as error:  # any fault while reading one file is that file's line
            answer = f"lỗi khi đọc tệp ({type(error).__name__})"
        if isinstance(answer, FileRead):
            # Only to save time: any fault here leaves the reading as it was.
            with contextlib.suppress(Exception):
                if folder is not None:
                    answer = _kept(answer, folder, key)
                answer.parts = _names_apart(answer)
        try:
            conn.send(answer)
        except Exception as error:  # an answer that cannot be sent back (pickling)
            conn.send(f"lỗi khi đọc tệp ({type(error).__name__})")


def _rss(pid: int) -> int:
    """A process's resident memory in bytes; 0 when it cannot be seen (it has just ended)."""
    try:
        return psutil.Process(pid).memory_info().rss
    except (psutil.Error, OSError):
        return 0


def _cap_memory(budget: int) -> None:
    """Linux: no more than `budget` bytes of heap beyond what the worker started with."""
    if not sys.platform.startswith("linux"):
        return
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(x for x in status if x.startswith("VmData:"))
        used = int(line.split()[1]) * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (used + budget, resource.RLIM_INFINITY))
    except (OSError, ValueError, StopIteration):
        pass  # no cap: the bounds counted before parsing still apply


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _mtime(path: Path, zone: dt.tzinfo) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, zone).replace(tzinfo=None)
    except OSError:
        return None
