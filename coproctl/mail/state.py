"""What became of a message, as a command tells staff: sent, written, queued, retrying, failed.

One reading of an outbox row for every place that reports on it: the answer of a command
that queued mail (``update start``, ``code resend``...), ``account show``'s procedure line.
It is read back from the database after delivery, so a command never says more than what
happened ("envoyé" only once a relay accepted the message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from coproctl import clock
from coproctl.mail.diagnosis import hint
from coproctl.mail.reasons import CODE_EXPIRED
from coproctl.models import MAIL_EXPIRED, MAIL_FAILED, MAIL_SENT, OutboxMessage

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice

SENT = "sent"  # a relay accepted it
WRITTEN = "written"  # the file (or console) transport: nothing left the machine
QUEUED = "queued"  # not tried yet: `mail send` (cron) will
RETRYING = "retrying"  # tried, refused for now (relay down, 4xx): tried again later
FAILED = "failed"  # refused for good (5xx, unusable address), or never sent (code expired)
# the worst first: several messages are told by the worst of them
SEVERITY = (FAILED, RETRYING, QUEUED, WRITTEN, SENT)

QUEUE_MODE = "en file d'attente (MAIL_DELIVERY=queue) : « coproctl mail send » (cron) l'enverra"
WAITING = "en file d'attente : « coproctl mail send » (cron) l'enverra"


class Row(Protocol):
    id: int | None
    to_addr: str
    kind: str
    status: str
    attempts: int
    error: str | None
    smtp_code: int | None
    next_attempt_at: datetime
    sent_at: datetime | None
    transport: str | None


@dataclass(frozen=True)
class Delivery:
    id: int
    to: str
    kind: str
    status: str
    detail: str
    hint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "to": self.to,
            "kind": self.kind,
            "status": self.status,
            "detail": self.detail,
            "hint": self.hint,
        }


def _written(transport: str | None) -> str | None:
    if transport is None:
        return None
    if transport.startswith("file:"):
        return f"écrit dans {transport.removeprefix('file:')} : rien n'est envoyé (MAIL_TRANSPORT)"
    if transport == "console":
        return "affiché sur la console : rien n'est envoyé (MAIL_TRANSPORT)"
    return None


def delivery_of(row: Row, *, reply: str | None = None, queued_why: str | None = None) -> Delivery:
    """The state of one outbox row; ``reply``: the relay's answer, when this run has it."""
    assert row.id is not None
    why = hint(row.status, row.smtp_code, row.error)
    if row.status == MAIL_SENT:
        written = _written(row.transport)
        if written is not None:
            return Delivery(row.id, row.to_addr, row.kind, WRITTEN, written)
        where = (row.transport or "smtp:").removeprefix("smtp:") or "relais SMTP"
        detail = f"accepté par le serveur d'envoi {where} le {clock.paris_text(row.sent_at)}"
        if reply:
            detail += f" ({reply})"
        return Delivery(row.id, row.to_addr, row.kind, SENT, detail)
    if row.status in (MAIL_FAILED, MAIL_EXPIRED):
        error = row.error or (CODE_EXPIRED if row.status == MAIL_EXPIRED else "échec")
        return Delivery(row.id, row.to_addr, row.kind, FAILED, f"non envoyé : {error}", why)
    # queued, or being sent by another process
    if row.attempts == 0 and not row.error:
        return Delivery(row.id, row.to_addr, row.kind, QUEUED, queued_why or WAITING)
    detail = (
        f"pas encore envoyé : {row.error or 'envoi interrompu'} ; nouvel essai automatique à "
        f"partir du {clock.paris_text(row.next_attempt_at)} (« coproctl mail send »)"
    )
    return Delivery(row.id, row.to_addr, row.kind, RETRYING, detail, why)


def worst(statuses: Sequence[str]) -> str | None:
    for status in SEVERITY:
        if status in statuses:
            return status
    return None


@dataclass
class Handover:
    """What became of the mails a command queued, once handed over (or not) to a transport."""

    messages: list[Delivery] = field(default_factory=list)
    # the file transport, announced on every command that delivers
    notice: str | None = None

    @property
    def status(self) -> str | None:
        return worst([message.status for message in self.messages])

    @property
    def detail(self) -> str:
        if len(self.messages) == 1:
            return self.messages[0].detail
        return " ; ".join(f"{message.to} : {message.detail}" for message in self.messages)

    def as_dict(self) -> dict[str, Any] | None:
        """``{"status": ..., "detail": ..., "messages": [...]}``; None when no mail was queued."""
        if not self.messages:
            return None
        return {
            "status": self.status,
            "detail": self.detail,
            "messages": [message.as_dict() for message in self.messages],
        }


def read(
    backoffice: Backoffice,
    ids: Sequence[int],
    *,
    replies: dict[int, str] | None = None,
    queued_why: str | None = None,
) -> list[Delivery]:
    """The state of the given messages, as the database has it now."""
    if not ids:
        return []
    with backoffice.uow() as uow:
        rows = uow.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)))  # type: ignore[union-attr]
            .order_by(OutboxMessage.id)  # type: ignore[arg-type]
        ).scalars()
        replies = replies or {}
        return [
            delivery_of(row, reply=replies.get(row.id or 0), queued_why=queued_why) for row in rows
        ]


def file_notice(folder: str) -> str:
    return f"E-mails écrits dans {folder}, rien n'est envoyé (MAIL_TRANSPORT=file:...)."


def code_mail_state(session: Session, code_id: int) -> Delivery | None:
    """What became of the newest mail of a code (``account show``'s procedure line)."""
    row = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.code_id == code_id)
        .order_by(OutboxMessage.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).scalar_one_or_none()
    return delivery_of(row) if row is not None else None
