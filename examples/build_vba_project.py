"""Build pipeline/data/vbaProject.bin, the macros of the control workbook, from xlwings' own.

    python examples/build_vba_project.py   (needs the test extras and xlwings installed)

xlwings ships quickstart.xlsm (BSD-3-Clause), a macro workbook Excel made: its VBA project has
the document modules of a workbook with two sheets and the MSForms and Office references. This
script keeps all of it but two things, as [MS-OVBA] says a writer may:
- Module1's source becomes pipeline/data/dvk_dieu_khien.bas (ASCII: the project's code page
  is 1252, so every Vietnamese word the macros show comes from a cell of the workbook);
- the reference to the xlwings add-in goes, since the macros call it late (a missing add-in
  then gives the workbook's own message, not "Can't find project or library").
Every module's compiled cache is dropped (module offsets 0, `_VBA_PROJECT` of version 0xFFFF
with no cache, as [MS-OVBA] 2.3.4.1 requires of a writer), so Excel compiles the source. That is
what LibreOffice's own VBA export writes (`exportVBAProjectStream` in oox/source/ole/
vbaexport.cxx: 0x61CC, 0xFFFF, 0x00, 0x0000, then each module's compressed source alone).
The compound file is written by aspose-email-foss's CFB writer (MIT).
"""

from __future__ import annotations

import importlib.util
import io
import struct
import sys
import zipfile
from pathlib import Path

import olefile
from aspose.email_foss.cfb.writer import CFBDocument, CFBStorage, CFBStream, CFBWriter

DATA = Path(__file__).resolve().parent.parent / "pipeline" / "data"
SOURCE = DATA / "dvk_dieu_khien.bas"
TARGET = DATA / "vbaProject.bin"
# dir stream record ids ([MS-OVBA] 2.3.4.2)
PROJECTVERSION, REFERENCENAME, MODULENAME, MODULEOFFSET, TERMINATOR = 0x09, 0x16, 0x19, 0x31, 0x10
REFERENCE_RECORDS = (0x0D, 0x0E, 0x2F, 0x33)
REFERENCE_DROPPED = b"xlwings"
NO_CACHE = b"\xcc\x61\xff\xff\x00\x00\x00"  # _VBA_PROJECT: reserved, version 0xFFFF, reserved


def decompress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.1: a CompressedContainer to its bytes."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed container")
    out, pos = bytearray(), 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        chunk = data[pos + 2 : pos + (header & 0x0FFF) + 3]
        pos += (header & 0x0FFF) + 3
        start = len(out)
        if not header & 0x8000:
            out += chunk
            continue
        i = 0
        while i < len(chunk):
            flags, i = chunk[i], i + 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if flags >> bit & 1:
                    token, i = struct.unpack_from("<H", chunk, i)[0], i + 2
                    bits = _offset_bits(len(out) - start)
                    length, offset = (token & (0xFFFF >> bits)) + 3, (token >> (16 - bits)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(chunk[i])
                    i += 1
    return bytes(out)


def compress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.6: bytes to a CompressedContainer, matching greedily in each chunk."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = _compress_chunk(chunk)
        if len(body) > 4096 and len(chunk) == 4096:  # a raw chunk is shorter
            out += struct.pack("<H", 0x3FFF) + chunk
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


def _offset_bits(position: int) -> int:
    return max(4, (position - 1).bit_length())


def _compress_chunk(chunk: bytes) -> bytes:
    body, pos = bytearray(), 0
    while pos < len(chunk):
        flag_at, flags = len(body), 0
        body.append(0)
        for bit in range(8):
            if pos >= len(chunk):
                break
            bits = _offset_bits(pos) if pos else 4
            longest = (0xFFFF >> bits) + 3
            length, offset = 0, 0
            for candidate in range(pos - 1, -1, -1):
                n = 0
                while (
                    pos + n < len(chunk) and n < longest and chunk[candidate + n] == chunk[pos + n]
                ):
                    n += 1
                if n > length:
                    length, offset = n, pos - candidate
            if length >= 3:
                body += struct.pack("<H", ((offset - 1) << (16 - bits)) | (length - 3))
                flags |= 1 << bit
                pos += length
            else:
                body.append(chunk[pos])
                pos += 1
        body[flag_at] = flags
    return bytes(body)


def dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """The dir stream's records as (id, data)."""
    records, pos = [], 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        size = 6 if rid == PROJECTVERSION else size  # its Size says 4, but 6 bytes follow
        records.append((rid, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    return records


def pack_records(records: list[tuple[int, bytes]]) -> bytes:
    out = bytearray()
    for rid, data in records:
        size = 4 if rid == PROJECTVERSION else len(data)
        out += struct.pack("<HI", rid, size) + data
    return bytes(out)


def modules(records) -> list[tuple[str, int]]:
    """Each module's stream name and the offset of its source in that stream."""
    found, name = [], None
    for rid, data in records:
        if rid == MODULENAME:
            name = data.decode("cp1252")
        elif rid == MODULEOFFSET:
            found.append((name, struct.unpack("<I", data)[0]))
    return found


def without_reference(records, name: bytes) -> list[tuple[int, bytes]]:
    """The records less one reference: its name, its Unicode name and its reference record."""
    kept, skipping = [], False
    for rid, data in records:
        if rid == REFERENCENAME:
            skipping = data == name
        if skipping and rid in REFERENCE_RECORDS:
            skipping = False
            continue
        if not skipping:
            kept.append((rid, data))
    return kept


def build(quickstart: bytes, source: str) -> bytes:
    ole = olefile.OleFileIO(quickstart)
    records = dir_records(decompress(ole.openstream("VBA/dir").read()))
    sources = {
        name: decompress(ole.openstream(f"VBA/{name}").read()[offset:])
        for name, offset in modules(records)
    }
    sources["Module1"] = source.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")
    records = without_reference(records, REFERENCE_DROPPED)
    records = [(r, struct.pack("<I", 0) if r == MODULEOFFSET else d) for r, d in records]
    vba = CFBStorage("VBA", children=[CFBStream("_VBA_PROJECT", NO_CACHE)])
    vba.add_stream(CFBStream("dir", compress(pack_records(records))))
    for name, text in sources.items():
        vba.add_stream(CFBStream(name, compress(text)))
    root = CFBStorage("Root Entry", children=[vba])
    for stream in ("PROJECT", "PROJECTwm"):
        root.add_stream(CFBStream(stream, ole.openstream(stream).read()))
    return CFBWriter.to_bytes(CFBDocument(root))


def quickstart_project() -> bytes:
    spec = importlib.util.find_spec("xlwings")  # found, not imported: no Excel needed
    if spec is None or not spec.submodule_search_locations:
        sys.exit("xlwings is not installed: pip install xlwings")
    book = Path(spec.submodule_search_locations[0]) / "quickstart.xlsm"
    with zipfile.ZipFile(io.BytesIO(book.read_bytes())) as xlsm:
        return xlsm.read("xl/vbaProject.bin")


def main() -> None:
    TARGET.write_bytes(build(quickstart_project(), SOURCE.read_text(encoding="ascii")))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
