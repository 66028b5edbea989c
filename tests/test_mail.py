"""Opening e-mails: the quicker policy reads every attachment as policy.default does."""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
from email.message import EmailMessage
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest import arrivals
from pipeline.ingest.arrivals import Limits

_VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọ"
_NAME_CHARS = _VIETNAMESE + _VIETNAMESE.upper() + " _-.()0123456789"
_ZONE = dt.timezone(dt.timedelta(hours=7))


def _mail(names: list[str], styles: list[int], sender: str) -> bytes:
    """A mail with one attachment per name, its name given in one of three ways mail clients
    use: RFC 2231 (policy.default), an RFC 2047 word in quotes (Gmail, Outlook), or only a
    Content-Type name."""
    message = EmailMessage()
    message["From"] = f"{sender} <don.vi@example.vn>"
    message["Subject"] = f"Gửi biểu đăng ký {sender}"
    message["Date"] = "Tue, 31 Mar 2026 16:45:00 +0700"
    message.set_content("Kính gửi Ban Dân vận")
    for index, (name, style) in enumerate(zip(names, styles, strict=True)):
        data = f"tệp {index}".encode()
        message.add_attachment(data, maintype="application", subtype="octet-stream")
        part = message.get_payload()[-1]
        del part["Content-Disposition"]
        word = "=?utf-8?b?" + base64.b64encode(f"{name}.xlsx".encode()).decode() + "?="
        if style == 0:
            part.add_header("Content-Disposition", "attachment", filename=f"{name}.xlsx")
        elif style == 1:
            part["Content-Disposition"] = f'attachment; filename="{word}"'
        else:
            part.replace_header("Content-Type", f'application/octet-stream; name="{word}"')
    return message.as_bytes(policy=email.policy.SMTP)


def _opened(data: bytes, policy):
    with mock.patch.object(arrivals, "_MAIL_POLICY", policy):
        return arrivals._open_email("thu.eml", data, "", None, Limits(), _ZONE)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(
        st.tuples(st.sampled_from(_VIETNAMESE), st.text(_NAME_CHARS, max_size=40)).map("".join),
        max_size=4,
    ),
    styles=st.data(),
    # A display name of "." makes the stdlib's own header builder fail: begun by a letter.
    sender=st.tuples(st.sampled_from(_VIETNAMESE), st.text(_NAME_CHARS, max_size=20)).map("".join),
)
def test_the_quicker_policy_opens_every_mail_as_the_default_one(names, styles, sender):
    names = [n.rstrip(" .") for n in names]
    chosen = styles.draw(st.lists(st.integers(0, 2), min_size=len(names), max_size=len(names)))
    data = _mail(names, chosen, sender)
    expected = _opened(
        data,
        email.policy.default,
    )
    assert (
        _opened(
            data,
            arrivals._MailPolicy(),
        )
        == expected
    )
    # Opened again, from the headers parsed the first time: the same.
    assert (
        _opened(
            data,
            arrivals._MAIL_POLICY,
        )
        == expected
    )
    assert [m[0] for m in expected[0]] == [f"{n}.xlsx" for n in names]
