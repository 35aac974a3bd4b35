"""Turn an outbox row into an RFC 5322 message (UTF-8, text part and HTML alternative)."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from coproctl import clock
from coproctl.config import Settings
from coproctl.mail.templates import CODE_PLACEHOLDER
from coproctl.models import OutboxMessage


def sender_domain(settings: Settings) -> str:
    _, address = parseaddr(settings.mail_from)
    return address.rpartition("@")[2] or "localhost"


def compose(row: OutboxMessage, settings: Settings) -> EmailMessage:
    secret = row.secret or ""
    text = row.body_text.replace(CODE_PLACEHOLDER, secret)
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=row.to_addr)
    if settings.mail_reply_to:
        message["Reply-To"] = settings.mail_reply_to
    message["Subject"] = row.subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = row.message_id or make_msgid(
        idstring=f"outbox{row.id}", domain=sender_domain(settings)
    )
    message["Auto-Submitted"] = "auto-generated"
    message["X-Coproctl-Outbox-Id"] = str(row.id)
    message["X-Coproctl-Kind"] = row.kind
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    if row.body_html:
        html = row.body_html.replace(CODE_PLACEHOLDER, secret)
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message
