"""Deliver outbox messages: claim rows atomically, send, record the outcome row by row.

A claim is a conditional UPDATE that moves ``queued`` rows (or ``sending`` rows whose lease
ran out, after a crash) to ``sending`` under a fresh lease token: two deliverers never
hold the same row. Each outcome is committed on its own, right after the server answered,
so a crash mid-batch never marks as sent a message the server did not accept (it is sent
again later: at least once).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from coproctl import clock
from coproctl.mail.compose import compose
from coproctl.mail.transports import DeliveryError, Transport, make_transport
from coproctl.models import (
    MAIL_EXPIRED,
    MAIL_FAILED,
    MAIL_QUEUED,
    MAIL_SENDING,
    MAIL_SENT,
    OutboxMessage,
)

if TYPE_CHECKING:
    from coproctl.services.backoffice import Backoffice

LEASE = timedelta(minutes=2)
# waits after the 1st, 2nd, ... failed attempt; then every 6 h until GIVE_UP after creation
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
BACKOFF_TAIL = timedelta(hours=6)
GIVE_UP = timedelta(hours=24)


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": len(self.sent),
            "retrying": len(self.retrying),
            "failed": len(self.failed),
            "expired": len(self.expired),
        }


def next_wait(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return BACKOFF[attempts - 1] if attempts <= len(BACKOFF) else BACKOFF_TAIL


def _claim(
    backoffice: Backoffice, ids: Sequence[int] | None, limit: int | None
) -> list[OutboxMessage]:
    now = clock.now()
    token = secrets.token_hex(16)
    claimable = or_(
        col(OutboxMessage.status) == MAIL_QUEUED,
        and_(col(OutboxMessage.status) == MAIL_SENDING, col(OutboxMessage.lease_until) < now),
    )
    with backoffice.uow() as uow:
        candidates = select(OutboxMessage.id).where(claimable)
        if ids is not None:
            candidates = candidates.where(col(OutboxMessage.id).in_(list(ids)))
        else:
            candidates = candidates.where(col(OutboxMessage.next_attempt_at) <= now)
        candidates = candidates.order_by(col(OutboxMessage.id))
        if limit is not None:
            candidates = candidates.limit(limit)
        candidates = candidates.with_for_update(skip_locked=True)
        chosen = list(uow.session.exec(candidates).all())
        if not chosen:
            return []
        uow.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(chosen), claimable)
            .values(status=MAIL_SENDING, lease_token=token, lease_until=now + LEASE)
        )
        uow.commit()
        claimed = uow.session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.lease_token == token)
            .order_by(col(OutboxMessage.id))
        ).all()
        return list(claimed)


def _finish(backoffice: Backoffice, row: OutboxMessage, **values: object) -> None:
    """Record one outcome, only if our lease still holds the row."""
    with backoffice.uow() as uow:
        uow.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.lease_token == row.lease_token,
                OutboxMessage.status == MAIL_SENDING,
            )
            .values(lease_token=None, lease_until=None, **values)
        )
        uow.commit()


def _redacted() -> dict[str, object]:
    return {"secret": None, "redacted_at": clock.now()}


def _deliver_one(
    backoffice: Backoffice, transport: Transport, row: OutboxMessage, report: DeliveryReport
) -> None:
    assert row.id is not None
    now = clock.now()
    if row.expires_at is not None and clock.as_utc(row.expires_at) < now:
        _finish(backoffice, row, status=MAIL_EXPIRED, **_redacted())
        report.expired.append(row.id)
        return
    message = compose(row, backoffice.settings)
    attempts = row.attempts + 1
    try:
        transport.send(message)
    except DeliveryError as exc:
        give_up = (
            exc.permanent or now + next_wait(attempts) > clock.as_utc(row.created_at) + GIVE_UP
        )
        if give_up:
            _finish(
                backoffice,
                row,
                status=MAIL_FAILED,
                attempts=attempts,
                error=str(exc)[:1000],
                smtp_code=exc.smtp_code,
                **_redacted(),
            )
            report.failed.append(row.id)
        else:
            _finish(
                backoffice,
                row,
                status=MAIL_QUEUED,
                attempts=attempts,
                error=str(exc)[:1000],
                smtp_code=exc.smtp_code,
                next_attempt_at=now + next_wait(attempts),
            )
            report.retrying.append(row.id)
        return
    _finish(
        backoffice,
        row,
        status=MAIL_SENT,
        attempts=attempts,
        sent_at=clock.now(),
        error=None,
        smtp_code=None,
        message_id=message["Message-ID"],
        **_redacted(),
    )
    report.sent.append(row.id)


def deliver(
    backoffice: Backoffice,
    ids: Sequence[int] | None = None,
    *,
    limit: int | None = None,
    transport: Transport | None = None,
) -> DeliveryReport:
    """Deliver the given messages (immediate delivery) or the due queue (``mail send``)."""
    report = DeliveryReport()
    rows = _claim(backoffice, ids, limit)
    if not rows:
        return report
    own_transport = transport is None
    active = transport or make_transport(backoffice.settings)
    try:
        for row in rows:
            _deliver_one(backoffice, active, row, report)
    finally:
        if own_transport:
            active.close()
    return report


def deliver_messages(backoffice: Backoffice, ids: Sequence[int]) -> DeliveryReport:
    return deliver(backoffice, ids)
