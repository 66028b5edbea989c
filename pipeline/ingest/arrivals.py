"""What arrived: inbox files, and the workbooks inside e-mails and zips, unpacked within bounds."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import functools
import hashlib
import io
import os
import shutil
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from xml.parsers import expat
from zoneinfo import ZoneInfo

import pipeline.ingest.outlook as outlook
import pipeline.ingest.xml_scan as xml_scan
from pipeline.issues import Code, Issue

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CONTAINER_SUFFIXES = (".zip", ".eml", ".msg")  # .msg: Outlook's own, dragged out of it
# Files the operating system or Excel leaves in any folder; nobody sent them.
SYSTEM_FILES = ("thumbs.db", "desktop.ini")
SYSTEM_PREFIXES = (".", "~$")  # hidden files, Excel's lock files of open workbooks
# A signed e-mail's signature travels as an attachment; nobody sent it as a form.
SIGNATURE_SUFFIXES = (".p7s", ".p7m", ".asc", ".sig")
_ZIP_UTF8_FLAG = 0x800
OFFICE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the default; dvk.toml's mui_gio overrides it


@dataclass(frozen=True)
class Limits:
    """Bounds checked before anything is parsed, so no file can hang the run or fill memory."""

    max_file_bytes: int = 50 * 2**20  # one file or member, as stored
    max_unpacked_bytes: int = 300 * 2**20  # a zip's members, or a workbook's XML parts, together
    max_members: int = 300  # files inside one zip
    # A reader allocates a sheet by the addresses its cells claim: the grid of one sheet, and of
    # all sheets of a workbook, counted from the XML before any reader sees it. The template
    # is 300 rows by 16 columns; a province's whole Phụ lục is a few hundred thousand cells.
    max_cells: int = 2_000_000
    max_workbook_cells: int = 5_000_000
    max_sheets: int = 100  # a unit's form has 3; 300 sparse sheets is an attack, not a report
    # Each file is read in a worker (ingest/isolated.py): the time it may take, and on Linux
    # the heap it may use. A 50 MB workbook reads in a few seconds.
    seconds_per_file: float = 60.0
    memory_per_file: int = 1 << 30
    max_depth: int = 3  # an e-mail holding a zip holding a workbook is depth 2
    max_mime_depth: int = 12  # parts within parts of one e-mail; signed mail is 3 or 4


@dataclass
class Arrival:
    """One thing that arrived: a file of the inbox, or a member of an e-mail or zip in it."""

    name: str  # "sub/a.xlsx", or "thu.eml/b.zip/c.xlsx" for a member
    sha256: str
    kind: str  # workbook | container | other
    data: bytes = b""
    parent: str = ""  # the container it came out of
    sender: str = ""  # the e-mail's From, for every member of an e-mail
    sent: dt.datetime | None = None  # the e-mail's Date, a zip entry's or a file's time
    issues: list[Issue] = field(default_factory=list)  # why it was refused, if it was
    members: list[str] = field(default_factory=list)  # for a container: what it held
    # A workbook's sheet parts the bounds check unpacked and found without a formula: the
    # formula scan (ingest.formulas) need not unpack them again.
    formula_free: frozenset[str] = frozenset()


def find_inbox_files(inbox: Path) -> list[Path]:
    """Every file in the inbox, in a stable order (by its path in the inbox), less the
    system's own files. One walk of names, not a Path made and asked about for each: a
    province's inbox holds 5,000 files, and a re-run lists them all."""
    found: list[tuple[str, Path]] = []
    for folder, subfolders, names in os.walk(inbox):  # as rglob: no symlinked folder entered
        subfolders[:] = [d for d in subfolders if not d.startswith(SYSTEM_PREFIXES)]
        here = Path(folder)
        inside = here.relative_to(inbox).as_posix()
        for name in names:
            if name.lower() in SYSTEM_FILES or name.startswith(SYSTEM_PREFIXES):
                continue
            path = here / name
            if path.is_file():
                found.append((name if inside == "." else f"{inside}/{name}", path))
    return [path for _name, path in sorted(found, key=_first)]


def _first(pair: tuple) -> str:
    return pair[0]


DEFAULT_LIMITS = Limits()


def arrivals_of(
    path: Path, inbox: Path, limits: Limits = DEFAULT_LIMITS, zone: dt.tzinfo = OFFICE_ZONE
) -> list[Arrival]:
    """The file itself, then, for an e-mail or a zip, everything inside it (depth first).

    Every time is the office's wall-clock time in `zone` (naive): an e-mail's Date is
    converted to it, a file's time is read in it, and a zip entry's time already is one.
    """
    name = displayable(path.relative_to(inbox).as_posix())
    sent = dt.datetime.fromtimestamp(path.stat().st_mtime, zone).replace(tzinfo=None)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return [_refused(name, "", Code.FILE_TOO_LARGE, _mb(size), sent=sent)]
    return _unpack(name, path.read_bytes(), "", "", sent, limits, zone, depth=0)


def displayable(name: str) -> str:
    """A file name any report, terminal or registry can hold: bytes of a name that were not
    UTF-8 (a zip from an old tool, a disk from elsewhere) become �."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def archive_one(path: Path, folder: Path, known: str | None = None) -> str:
    """Copy an inbox file, unchanged, to folder/<sha256>/<its name>, before it is read; its
    SHA-256 (the reading cache's key: no need to hash it again), or "" when it cannot be read.
    `known`: its SHA-256 as an earlier run worked it out, the file unchanged since (by its
    size, time and inode: ingest.cache.ReadCache.known_digest), so it is not read again here.

    A copy is written beside its place, hashed as it is written, and renamed into it only if
    that hash is the file's, so a crash leaves no half copy under the right name. A copy of
    another size found there (a crash of an older version, which copied in place) is written
    again; one of the right size is taken as written, which spares a re-run hashing the whole
    archive again. A file that cannot be read is left to the reader, which says so on its
    intake line."""
    try:
        digest = known or _sha256_file(path)
    except OSError:
        return ""
    try:
        target = folder / digest / path.name
        if _is_file_of_size(target, path.stat().st_size):
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.dang_chep")
        if _copy_hashing(path, partial) != digest:
            partial.unlink(missing_ok=True)
            if known:  # the file is not what the earlier run hashed: hashed and copied anew
                with contextlib.suppress(OSError):
                    target.parent.rmdir()  # the folder made for it, if it holds nothing else
                return archive_one(path, folder)
            return digest  # changed while copied: the next run retries
        shutil.copystat(path, partial)
        os.replace(partial, target)
    except OSError:
        pass
    return digest


def _is_file_of_size(path: Path, size: int) -> bool:
    try:
        found = os.stat(path)  # one look, not is_file() and then stat()
    except OSError:
        return False
    return stat.S_ISREG(found.st_mode) and found.st_size == size


def _unpack(name, data, parent, sender, sent, limits, zone, depth) -> list[Arrival]:
    suffix = PurePosixPath(name).suffix.lower()
    digest = hashlib.sha256(data).hexdigest()
    if suffix in WORKBOOK_SUFFIXES:
        arrival = Arrival(name, digest, "workbook", data, parent, sender, sent)
        problem, arrival.formula_free = _oversized_workbook(data, limits)
        if problem:
            arrival.issues.append(Issue(file=name, code=Code.FILE_TOO_LARGE, value=problem))
        return [arrival]
    if suffix not in CONTAINER_SUFFIXES:
        return [_refused(name, parent, Code.FILE_NOT_WORKBOOK, digest=digest, sent=sent)]
    container = Arrival(name, digest, "container", b"", parent, sender, sent)
    if depth >= limits.max_depth:
        container.issues.append(Issue(file=name, code=Code.CONTAINER_TOO_DEEP))
        return [container]
    opened = {".eml": _open_email, ".msg": _open_outlook, ".zip": _open_zip}[suffix]
    members, problem, container.sender, container.sent = opened(
        name, data, sender, sent, limits, zone
    )
    if problem:
        container.issues.append(problem)
        return [container]
    found = []
    for member_name, member_data, member_sender, member_sent in members:
        full = f"{name}/{member_name}"
        container.members.append(member_name)
        if isinstance(member_data, Issue):  # refused on its own line; its neighbours are read
            refused = Arrival(full, "", "other", b"", name, member_sender, member_sent)
            refused.issues.append(member_data)
            found.append(refused)
            continue
        found += _unpack(
            full, member_data, name, member_sender, member_sent, limits, zone, depth + 1
        )
    if not found:
        container.issues.append(Issue(file=name, code=Code.CONTAINER_EMPTY))
    return [container, *found]


def _open_zip(name, data, sender, sent, limits, zone):
    """The members of a zip. One unsafe, locked, oversized or damaged member is refused on its
    own (a member with an Issue instead of bytes); only a bomb or a broken index refuses all."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        entries = [i for i in book.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return (
            [],
            Issue(file=name, code=Code.FILE_UNREADABLE, detail="tệp nén bị hỏng"),
            sender,
            sent,
        )
    refused = None
    total = sum(i.file_size for i in entries)
    if len(entries) > limits.max_members:
        refused = Issue(file=name, code=Code.ZIP_TOO_MANY, value=str(len(entries)))
    elif total > limits.max_unpacked_bytes:
        refused = Issue(file=name, code=Code.ZIP_TOO_LARGE, value=_mb(total))
    if refused:
        return [], refused, sender, sent
    members = []
    for info in entries:
        member = _zip_name(info)
        if _skipped(member) and not _escapes(member):
            continue
        payload, problem = _zip_member(book, info, member, f"{name}/{member}", limits)
        when = _zip_time(info) or sent
        members.append((member, payload if problem is None else problem, sender, when))
    return members, None, sender, sent


def _zip_member(book, info, member, full, limits) -> tuple[bytes, Issue | None]:
    if _escapes(member):
        return b"", Issue(file=full, code=Code.ZIP_UNSAFE_PATH, value=member)
    if info.flag_bits & 0x1:
        return b"", Issue(file=full, code=Code.FILE_PASSWORD, detail="tệp nén")
    if info.file_size > limits.max_file_bytes:
        return b"", Issue(file=full, code=Code.FILE_TOO_LARGE, value=_mb(info.file_size))
    try:
        # zipfile stops at the declared size, so a lying header cannot inflate memory.
        with book.open(info) as stream:
            payload = stream.read(limits.max_file_bytes + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
        return b"", Issue(file=full, code=Code.FILE_UNREADABLE, detail="hỏng khi giải nén")
    if len(payload) > limits.max_file_bytes:
        return b"", Issue(file=full, code=Code.FILE_TOO_LARGE, value=_mb(len(payload)))
    return payload, None


def _zip_time(info: zipfile.ZipInfo) -> dt.datetime | None:
    """A zip entry's time is the sender's wall clock already; a zero or invalid one is None."""
    try:
        return dt.datetime(*info.date_time)
    except (ValueError, TypeError):
        return None


class _MailPolicy(email.policy.EmailPolicy):
    """policy.default (RFC 2047 and RFC 2231 names decoded), each header parsed once.

    policy.default parses a header each time it is asked for, and walking a mail's parts
    asks for each part's Content-Type and Content-Disposition several times: that was most
    of the time of opening a mail (about 5 ms of 8). Parsed headers are immutable."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):  # set by a program, already parsed
            return value
        return _parsed_header(self, name, value)


@functools.lru_cache(maxsize=4096)
def _parsed_header(policy: email.policy.EmailPolicy, name: str, value: str):
    return email.policy.EmailPolicy.header_fetch_parse(policy, name, value)


_MAIL_POLICY = _MailPolicy()


def _open_email(name, data, sender, sent, limits, zone):
    """The attachments of an e-mail, wherever they sit: in nested parts (signed mail, Apple's
    alternative > mixed), or as a forwarded message (read as an .eml of its own)."""
    try:
        message = email.message_from_bytes(data, policy=_MAIL_POLICY)
        # The signed content of a signed .msg has no From of its own: its sender is the mail's.
        sender = str(message.get("From", "") or "") or sender
    except RecursionError:  # parts nested thousands deep
        return [], Issue(file=name, code=Code.CONTAINER_TOO_DEEP), "", sent
    except Exception:  # the parser gives up on some damaged mail: say so, keep the run
        return (
            [],
            Issue(file=name, code=Code.FILE_UNREADABLE, detail="thư điện tử bị hỏng"),
            "",
            sent,
        )
    # No usable Date: keep the file's time. A Date without a zone ("-0000") is taken as UTC.
    with contextlib.suppress(TypeError, ValueError, OverflowError, IndexError):
        stamp = parsedate_to_datetime(str(message["Date"]))
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
        sent = _trusted(stamp.astimezone(zone).replace(tzinfo=None))
    members = []
    for part, too_deep in _mail_parts(message, limits.max_mime_depth):
        if too_deep:
            members.append(("(phần lồng nhau)", Issue(file=name, code=Code.CONTAINER_TOO_DEEP),
                            sender, sent))  # fmt: skip
            continue
        member = _attachment(part, name)
        if member is not None:
            filename, payload = member
            if isinstance(payload, Issue) or not _skipped(filename):
                members.append((filename, payload, sender, sent))
    return members, None, sender, sent


def _open_outlook(name, data, sender, sent, limits, zone):
    """The attachments of an Outlook .msg; a message attached to it becomes an .eml member,
    unpacked as a forwarded e-mail is."""
    try:
        message = outlook.open_msg(data)
        sender = message.sender
        stamp = message.sent
        attached = message.attachments()
    except Exception:  # olefile gives up on a damaged compound file: say so, keep the run
        problem = Issue(file=name, code=Code.FILE_UNREADABLE, detail="thư Outlook bị hỏng")
        return [], problem, "", sent
    if stamp is not None:
        sent = _trusted(stamp.astimezone(zone).replace(tzinfo=None))
    members = []
    for filename, content in attached:
        filename = unicodedata.normalize("NFC", filename).replace("\\", "/")
        if isinstance(content, outlook.Message):
            filename = f"{PurePosixPath(filename or content.subject or 'thu').stem}.eml"
            content = _forwarded(content, f"{name}/{filename}", limits)
        elif _escapes(filename):
            content = Issue(file=f"{name}/{filename}", code=Code.ZIP_UNSAFE_PATH, value=filename)
        elif message.encrypted and filename.lower().endswith(".p7m"):
            detail = "thư được mã hoá (S/MIME); đề nghị đơn vị gửi lại không mã hoá"
            content = Issue(file=f"{name}/{filename}", code=Code.FILE_UNREADABLE, detail=detail)
        else:
            filename = PurePosixPath(filename).name or "(tệp đính kèm)"
        if isinstance(content, Issue) or not _skipped(filename):
            members.append((filename, content, sender, sent))
    return members, None, sender, sent


def _forwarded(message: outlook.Message, full: str, limits: Limits) -> bytes | Issue:
    try:
        return message.as_eml(limits.max_depth)
    except outlook.TooDeep:
        return Issue(file=full, code=Code.CONTAINER_TOO_DEEP)
    except Exception:  # a damaged message inside: its neighbours are still read
        return Issue(file=full, code=Code.FILE_UNREADABLE, detail="thư đính kèm")


def _trusted(sent: dt.datetime) -> dt.datetime | None:
    """A sending time from a wrong clock (1601, 2099) is no time to judge a deadline by."""
    return sent if 2000 <= sent.year <= dt.date.today().year + 1 else None


def _mail_parts(message, max_depth: int):
    """(part, False) for every leaf part and forwarded message, depth first and without
    recursion; (None, True) once where the nesting passes max_depth."""
    stack = [(message, 0)]
    warned = False
    while stack:
        part, depth = stack.pop()
        if part.get_content_type() == "message/rfc822" and depth > 0:
            yield part, False  # a forwarded message: unpacked as an .eml of its own
        elif part.is_multipart():
            if depth >= max_depth:
                if not warned:
                    warned = True
                    yield None, True
                continue
            children = part.get_payload()
            stack += [(child, depth + 1) for child in reversed(children)]
        elif depth > 0 or part.get_filename():
            yield part, False


def _attachment(part, container: str) -> tuple[str, bytes | Issue] | None:
    """An attached file's name and bytes (or why it is refused); None for the mail's text."""
    try:
        filename = unicodedata.normalize("NFC", part.get_filename() or "")
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()[0]
            subject = str(inner.get("Subject", "") or "thu_chuyen_tiep")
            return (filename or f"{subject}.eml").replace("/", "_"), inner.as_bytes()
        if not filename:
            return None
        if _escapes(filename):
            return filename, Issue(
                file=f"{container}/{filename}", code=Code.ZIP_UNSAFE_PATH, value=filename
            )
        return PurePosixPath(filename.replace("\\", "/")).name, part.get_payload(decode=True) or b""
    except Exception:  # a part the parser cannot decode: the e-mail's other parts are read
        name = f"{container}/(tệp đính kèm hỏng)"
        return "(tệp đính kèm hỏng)", Issue(
            file=name, code=Code.FILE_UNREADABLE, detail="tệp đính kèm"
        )


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Windows zips store Vietnamese names as UTF-8 without saying so; Python reads cp437."""
    name = info.filename
    if not info.flag_bits & _ZIP_UTF8_FLAG:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _escapes(member: str) -> bool:
    path = PurePosixPath(member)
    parts = path.parts or ("",)  # an attachment may have no name at all
    return path.is_absolute() or ".." in parts or ":" in parts[0]


def _skipped(member: str) -> bool:
    """Members nobody meant to send: macOS resource forks, lock files, thumbnails."""
    parts = PurePosixPath(member).parts
    return (
        "__MACOSX" in parts
        or PurePosixPath(member).name.lower() in SYSTEM_FILES
        or PurePosixPath(member).suffix.lower() in SIGNATURE_SUFFIXES
        or any(p.startswith(SYSTEM_PREFIXES) for p in parts)
    )


def _oversized_workbook(data: bytes, limits: Limits) -> tuple[str, frozenset[str]]:
    """A .xlsx/.xlsm/.ods is a zip: refuse one whose parts unpack past the bound, or whose
    sheets, counted from the cells they really hold (xml_scan), a reader could not allocate.
    With it, the sheet parts found to hold no formula."""
    if len(data) > limits.max_file_bytes:
        return _mb(len(data)), frozenset()
    if not data.startswith(b"PK"):
        return "", frozenset()
    scanned = _Scanned()
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = book.infolist()
        total = sum(i.file_size for i in infos)
        if total > limits.max_unpacked_bytes:
            return _mb(total), frozenset()
        areas = _sheet_areas(book, infos, limits, scanned)
        if sum(areas) > limits.max_workbook_cells:  # bounds: count the cells themselves
            areas = _sheet_areas(book, infos, limits, _Scanned(), exact=True)
    except xml_scan.TooLarge as e:
        return f"{_count(e.area)} ô", frozenset()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, zlib.error):
        return "", frozenset()  # damaged or encrypted: the reader says so in its own words
    except expat.ExpatError:
        return "", frozenset()
    if len(areas) > limits.max_sheets:
        return f"hơn {limits.max_sheets} trang", frozenset()
    if sum(areas) > limits.max_workbook_cells:
        return f"{_count(sum(areas))} ô", frozenset()
    return "", scanned.formula_free


@dataclass
class _Scanned:
    """The sheet parts unpacked whole, and those of them with a formula tag."""

    parts: set[str] = field(default_factory=set)
    with_formulas: set[str] = field(default_factory=set)

    def note(self, name: str, xml: bytes | None) -> None:
        """One part unpacked (None: streamed, so not known): a zip may name two parts alike,
        and only a name all of whose parts hold no formula is free of them."""
        self.parts.add(name)
        if xml is None or xml_scan.has_formula(xml):
            self.with_formulas.add(name)

    @property
    def formula_free(self) -> frozenset[str]:
        return frozenset(self.parts - self.with_formulas)


def _sheet_areas(
    book: zipfile.ZipFile, infos, limits: Limits, scanned: _Scanned, exact=False
) -> list[int]:
    """The grid each sheet would take in a reader, for .xlsx parts and an .ods content.xml:
    for a small .xlsx sheet, a bound of it unless `exact`. Each part unpacked is `scanned`."""
    areas = []
    for info in infos:
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            if len(areas) >= limits.max_sheets:
                return [*areas, 0]  # enough to refuse: no need to read the rest
            with book.open(info) as stream:
                xml = stream.read(limits.max_file_bytes + 1)
            if len(xml) > limits.max_file_bytes:  # a huge part: streamed instead
                scanned.note(name, None)
                with book.open(info) as stream:
                    areas.append(xml_scan.scan_worksheet(stream, limits.max_cells).area)
                continue
            scanned.note(name, xml)
            if exact:
                areas.append(xml_scan.worksheet_extent(xml, limits.max_cells).area)
            else:
                areas.append(xml_scan.worksheet_area_bound(xml, limits.max_cells))
        elif name == "content.xml":
            with book.open(info) as stream:
                areas += [t.area for t in xml_scan.scan_ods(stream, limits.max_cells)]
    return areas


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _refused(name, parent, code, value="", digest="", sent=None) -> Arrival:
    arrival = Arrival(name, digest, "other", b"", parent, sent=sent)
    arrival.issues.append(Issue(file=name, code=code, value=value))
    return arrival


def _copy_hashing(source: Path, target: Path) -> str:
    """Copy source to target; the SHA-256 of the bytes written."""
    digest = hashlib.sha256()
    with source.open("rb") as f, target.open("wb") as out:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB".replace(",", ".")
