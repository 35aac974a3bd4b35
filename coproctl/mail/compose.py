"""Turn an outbox row into the bytes handed to a transport (RFC 5322, UTF-8).

A text part and its HTML alternative, both UTF-8 quoted-printable (accents survive any
relay, 7-bit or not); ``From``, ``Reply-To`` and the envelope sender from the settings;
``Date`` at sending time, in Paris time; the ``Message-ID`` chosen when the mail was
queued; ``Auto-Submitted: auto-generated`` so that vacation responders keep quiet.

The common case (an ASCII address, which is what address normalisation produces) is
written directly: the ``email`` package's generator costs more than an SMTP exchange with
a local relay. Anything else goes through ``EmailMessage``; a test checks that both give
the same message once parsed.
"""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from functools import lru_cache
from typing import Protocol

from coproctl import clock
from coproctl.config import Settings
from coproctl.mail.templates import CODE_PLACEHOLDER, one_line

CRLF = "\r\n"
# ASCII values on one short line, written as they are (the others are cached)
_PLAIN_HEADERS = frozenset({"To", "Date", "Message-ID", "X-Coproctl-Outbox-Id"})


class Composable(Protocol):
    id: int | None
    kind: str
    to_addr: str
    subject: str
    body_text: str
    body_html: str | None
    message_id: str | None


@dataclass(frozen=True)
class Outgoing:
    """A message ready for a transport: envelope and bytes."""

    id: int
    kind: str
    sender: str
    recipient: str
    data: bytes


def sender_address(settings: Settings) -> str:
    return _address_of(settings.mail_from)


@lru_cache(maxsize=16)
def _address_of(header: str) -> str:
    return parseaddr(header)[1]


def sender_domain(settings: Settings) -> str:
    return sender_address(settings).rpartition("@")[2] or "localhost"


@lru_cache(maxsize=256)
def _folded(name: str, value: str) -> str:
    """One header as the ``email`` package writes it (RFC 2047 words, folded), cached:
    From, Reply-To and the subjects are the same for many messages."""
    return SMTP.fold(name, SMTP.header_factory(name, value))


def _qp(text: str) -> str:
    """Quoted-printable with CRLF line ends (binascii keeps the data's first line end)."""
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    data = text.replace("\n", CRLF).encode("utf-8")
    return binascii.b2a_qp(data, istext=True).decode("ascii")


def _part(subtype: str, text: str) -> str:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}" + _qp(text)
    )


def _simple_address(address: str) -> bool:
    return (
        address.isascii()
        and address.count("@") == 1
        and not any(c in address for c in '\r\n <>",;')
    )


def _headers(row: Composable, settings: Settings, message_id: str) -> list[tuple[str, str]]:
    headers = [("From", settings.mail_from), ("To", row.to_addr)]
    if settings.mail_reply_to:
        headers.append(("Reply-To", settings.mail_reply_to))
    headers += [
        ("Subject", one_line(row.subject)),
        ("Date", format_datetime(clock.in_paris(clock.now()))),
        ("Message-ID", message_id),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-Coproctl-Outbox-Id", str(row.id)),
        ("X-Coproctl-Kind", row.kind),
    ]
    return headers


def _direct(headers: list[tuple[str, str]], text: str, html: str | None) -> bytes:
    head = "".join(
        f"{name}: {value}{CRLF}" if name in _PLAIN_HEADERS else _folded(name, value)
        for name, value in headers
    )
    head += f"MIME-Version: 1.0{CRLF}"
    if html is None:
        return (head + _part("plain", text)).encode("ascii")
    # "=_" never occurs in quoted-printable text: the boundary cannot appear in a part
    boundary = "=_coproctl_" + secrets.token_hex(12)
    body = (
        f'Content-Type: multipart/alternative; boundary="{boundary}"{CRLF}{CRLF}'
        f"--{boundary}{CRLF}{_part('plain', text)}{CRLF}"
        f"--{boundary}{CRLF}{_part('html', html)}{CRLF}"
        f"--{boundary}--{CRLF}"
    )
    return (head + body).encode("ascii")


def _with_email_package(headers: list[tuple[str, str]], text: str, html: str | None) -> bytes:
    message = EmailMessage(policy=SMTP)
    for name, value in headers:
        message[name] = Address(addr_spec=value) if name == "To" else value
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message.as_bytes()


def grouped(code: str) -> str:
    """``67761939`` as an owner reads and types it back: ``6776 1939``."""
    if len(code) == 8 and code.isdigit():
        return f"{code[:4]} {code[4:]}"
    return code


def compose(
    row: Composable, settings: Settings, *, code: str | None = None, direct: bool = True
) -> Outgoing:
    """The message of ``row``, ``code`` (if any, grouped) put in place of its placeholder.

    Raises ``ValueError`` (or ``email.errors.HeaderParseError``) for an address or a
    header the message cannot carry.
    """
    assert row.id is not None
    secret = grouped(code) if code else ""
    text = row.body_text.replace(CODE_PLACEHOLDER, secret)
    html = row.body_html.replace(CODE_PLACEHOLDER, secret) if row.body_html else None
    headers = _headers(row, settings, row.message_id or make_msgid(domain=sender_domain(settings)))
    if direct and _simple_address(row.to_addr) and "\n" not in row.kind:
        data = _direct(headers, text, html)
    else:
        data = _with_email_package(headers, text, html)
    return Outgoing(
        id=row.id,
        kind=row.kind,
        sender=sender_address(settings),
        recipient=row.to_addr,
        data=data,
    )
