"""Outlook's .msg files read like .eml: sender, sent time, attachments, forwarded messages.

A .msg is a compound file ([MS-CFB]) of MAPI properties ([MS-OXMSG]); olefile (BSD) reads the
compound file, and this module reads the few properties an intake needs. extract-msg would do
more, but it is GPL-3.0. A forwarded message (an attachment that is itself a message) becomes an
.eml member, so the inbox unpacks it as it unpacks a forwarded e-mail.
"""

from __future__ import annotations

import datetime as dt
import struct
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import HeaderParser
from email.policy import SMTP
from email.utils import format_datetime

import olefile

PROPERTIES = "__properties_version1.0"
ATTACHMENT_PREFIX = "__attach_version1.0_#"
# [MS-OXMSG] 2.4: the fixed-size property stream starts with a header of this many bytes.
HEADER_BYTES = {"message": 32, "embedded": 24, "attachment": 8}
# MAPI property ids ([MS-OXPROPS]) an intake reads, and their types.
MESSAGE_CLASS, SUBJECT, SENDER_NAME, SENDER_ADDRESS, SENDER_SMTP = (
    0x001A,
    0x0037,
    0x0C1A,
    0x0C1F,
    0x5D01,
)
SENT_REPRESENTING_ADDRESS, HEADERS = 0x0065, 0x007D
SUBMIT_TIME, DELIVERY_TIME = 0x0039, 0x0E06
CODEPAGE, INTERNET_CODEPAGE = 0x3FFD, 0x3FDE
ATTACH_DATA, ATTACH_SHORT_NAME, ATTACH_LONG_NAME, ATTACH_METHOD = 0x3701, 0x3704, 0x3707, 0x3705
DISPLAY_NAME = 0x3001
UNICODE, ANSI, BINARY, OBJECT, SYSTIME, LONG = 0x001F, 0x001E, 0x0102, 0x000D, 0x0040, 0x0003
EMBEDDED_MESSAGE = 5  # PidTagAttachMethod: afEmbeddedMessage
# A digitally signed message ([MS-OXOSMIME]): Outlook keeps the whole signed MIME message, its
# attachments in clear, as one attachment "smime.p7m"; an encrypted one keeps it enciphered.
SIGNED_CLASS, SMIME_CLASS = "ipm.note.smime.multipartsigned", "ipm.note.smime"
SIGNED_CONTENT = "thu_ky_so.eml"  # the name the signed MIME message is read under
FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)


class NotOutlookMail(Exception):
    "The bytes are not an Outlook message olefile can read"


class TooDeep(Exception):
    "Messages forwarded inside messages past the depth allowed"


class Message:
    """One message of a .msg file: the whole file, or a message attached inside it."""

    def __init__(self, ole: olefile.OleFileIO, path: list[str], kind: str = "message"):
        self.ole, self.path, self.kind = ole, path, kind
        self.fixed = _fixed_properties(ole, [*path, PROPERTIES], HEADER_BYTES[kind])
        self.codepage = _codepage(self.fixed)

    def text(self, prop: int) -> str:
        return _text(self.ole, self.path, prop, self.codepage)

    @property
    def message_class(self) -> str:
        return self.text(MESSAGE_CLASS).lower()

    @property
    def encrypted(self) -> bool:
        """S/MIME encrypted: its attachments are enciphered in smime.p7m, unreadable here."""
        kind = self.message_class
        return kind.startswith(SMIME_CLASS) and not kind.startswith(SIGNED_CLASS)

    @property
    def subject(self) -> str:
        return self.text(SUBJECT)

    @property
    def sender(self) -> str:
        """The sender as "Name <address>", the SMTP address preferred: an Exchange sender's
        own address is an X.500 path ("/O=EXCHANGELABS/…"), no good for a reply."""
        addresses = (SENDER_SMTP, SENDER_ADDRESS, SENT_REPRESENTING_ADDRESS)
        candidates = [self.text(p) for p in addresses]
        address = next((a for a in candidates if _smtp(a)), "")
        if not address:
            address = _header(self.text(HEADERS), "From")
            if _smtp(address):
                return address
            address = ""
        name = self.text(SENDER_NAME)
        if not address:
            return name
        try:  # as the .eml reader gives a From: Unicode, quoted where a comma needs it
            return str(Address(display_name=name, addr_spec=address))
        except (ValueError, IndexError, HeaderParseError):
            return f"{name} <{address}>"

    @property
    def sent(self) -> dt.datetime | None:
        """When it was sent (UTC), else when it was delivered; None if neither is there."""
        for prop in (SUBMIT_TIME, DELIVERY_TIME):
            value = self.fixed.get((prop, SYSTIME))
            if value:
                ticks = struct.unpack("<Q", value)[0]
                try:
                    return FILETIME_EPOCH + dt.timedelta(microseconds=ticks // 10)
                except OverflowError:
                    return None
        return None

    def attachments(self) -> list[tuple[str, bytes | Message]]:
        """(file name, bytes) for each attached file, (name, Message) for an attached message."""
        found = []
        for storage in self._attachment_storages():
            path = [*self.path, storage]
            fixed = _fixed_properties(self.ole, [*path, PROPERTIES], HEADER_BYTES["attachment"])
            codepage = _codepage(fixed) or self.codepage
            name = next(
                (
                    n
                    for p in (ATTACH_LONG_NAME, ATTACH_SHORT_NAME, DISPLAY_NAME)
                    if (n := _text(self.ole, path, p, codepage))
                ),
                "",
            )
            method = fixed.get((ATTACH_METHOD, LONG), b"\0" * 4)[:4]
            inner = [*path, _stream_name(ATTACH_DATA, OBJECT)]
            if struct.unpack("<I", method)[0] == EMBEDDED_MESSAGE and self.ole.exists(
                "/".join(inner)
            ):
                found.append((name, Message(self.ole, inner, "embedded")))
                continue
            data = _stream(self.ole, [*path, _stream_name(ATTACH_DATA, BINARY)])
            if name.lower().endswith(".p7m") and self.message_class.startswith(SIGNED_CLASS):
                name = SIGNED_CONTENT  # read as the e-mail it is, signature and all
            found.append((name, data))
        return found

    def _attachment_storages(self) -> list[str]:
        depth = len(self.path)
        names = {
            entry[depth]
            for entry in self.ole.listdir(streams=True, storages=True)
            if len(entry) > depth
            and entry[:depth] == self.path
            and entry[depth].startswith(ATTACHMENT_PREFIX)
        }
        return sorted(names)

    def as_eml(self, depth_left: int) -> bytes:
        """This message as an .eml: sender, date, subject and attachments (a message inside
        it, in turn, as an attached .eml), for a forwarded message read as e-mail is."""
        if depth_left <= 0:
            raise TooDeep
        eml = EmailMessage()
        eml["From"] = self.sender
        if sent := self.sent:
            eml["Date"] = format_datetime(sent)
        eml["Subject"] = self.subject
        eml.set_content("")
        for name, content in self.attachments():
            if isinstance(content, Message):
                data = content.as_eml(depth_left - 1)
                name = f"{(name or content.subject or 'thu_chuyen_tiep').removesuffix('.msg')}.eml"
            else:
                data = content
            eml.add_attachment(data, "application", "octet-stream", filename=name or "tep")
        return eml.as_bytes(policy=SMTP)


def open_msg(data: bytes) -> Message:
    if not olefile.isOleFile(data):
        raise NotOutlookMail
    try:
        ole = olefile.OleFileIO(data)
    except (OSError, ValueError, struct.error, IndexError) as e:
        raise NotOutlookMail from e
    if not ole.exists(PROPERTIES):
        raise NotOutlookMail
    return Message(ole, [])


def _stream_name(prop: int, kind: int) -> str:
    return f"__substg1.0_{prop:04X}{kind:04X}"


def _stream(ole: olefile.OleFileIO, path: list[str]) -> bytes:
    name = "/".join(path)
    if not ole.exists(name) or ole.get_type(name) != olefile.STGTY_STREAM:
        return b""
    return ole.openstream(name).read()


def _text(ole: olefile.OleFileIO, path: list[str], prop: int, codepage: str) -> str:
    """A string property: UTF-16 in a Unicode .msg, the message's code page in an older one."""
    data = _stream(ole, [*path, _stream_name(prop, UNICODE)])
    if data:
        return data.decode("utf-16-le", "replace").rstrip("\0")
    data = _stream(ole, [*path, _stream_name(prop, ANSI)])
    return data.decode(codepage or "cp1252", "replace").rstrip("\0")


def _fixed_properties(ole, path: list[str], header: int) -> dict[tuple[int, int], bytes]:
    """(property id, type) -> its 8 value bytes, from a property stream ([MS-OXMSG] 2.4.2)."""
    data = _stream(ole, path)
    found = {}
    for start in range(header, len(data) - 15, 16):
        tag = struct.unpack_from("<I", data, start)[0]
        found[(tag >> 16, tag & 0xFFFF)] = data[start + 8 : start + 16]
    return found


def _codepage(fixed: dict[tuple[int, int], bytes]) -> str:
    for prop in (INTERNET_CODEPAGE, CODEPAGE):
        value = fixed.get((prop, LONG))
        if value:
            number = struct.unpack("<I", value[:4])[0]
            if number == 65001:
                return "utf-8"
            name = f"cp{number}"
            try:
                "".encode(name)
            except LookupError:
                continue
            return name
    return ""


def _smtp(address: str) -> bool:
    return "@" in address and not address.startswith("/")


def _header(headers: str, name: str) -> str:
    """One header of the message's transport headers, as the receiving server wrote them."""
    return str(HeaderParser().parsestr(headers, headersonly=True).get(name, "") or "")
