"""The outbox rows a deliverer holds: claimed under a lease, renewed, released, recorded.

A claim picks up to ``size`` ``queued`` rows (or ``sending`` rows whose lease ran out,
after a crash) and moves them to ``sending`` under a fresh lease token with a conditional
UPDATE ... RETURNING, in one transaction: on PostgreSQL the rows are picked with ``FOR
UPDATE SKIP LOCKED``, on SQLite every transaction already holds the write lock (``BEGIN
IMMEDIATE``). Two deliverers therefore never hold the same row. Every later write about a
row (renewal, outcome, release) is conditional on the lease token: a deliverer whose lease
ran out cannot overwrite what another one did.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, or_, select, update

from coproctl import clock
from coproctl.mail.reasons import CODE_EXPIRED, CODE_REPLACED
from coproctl.mail.transports import transport_key
from coproctl.models import (
    MAIL_EXPIRED,
    MAIL_QUEUED,
    MAIL_SENDING,
    OutboxMessage,
    VerificationCode,
)

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice

OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
CODES = VerificationCode.__table__  # type: ignore[attr-defined]

CLAIMED_COLUMNS = (
    "id",
    "kind",
    "to_addr",
    "subject",
    "body_text",
    "body_html",
    "secret",
    "attempts",
    "created_at",
    "expires_at",
    "message_id",
)


@dataclass
class Claimed:
    """What a deliverer needs of a row it holds."""

    id: int
    kind: str
    to_addr: str
    subject: str
    body_text: str
    body_html: str | None
    secret: str | None
    attempts: int
    created_at: datetime
    expires_at: datetime | None
    message_id: str | None

    def code_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and clock.as_utc(self.expires_at) < now


@dataclass
class Lease:
    token: str
    until: datetime


def lease_length(backoffice: Backoffice) -> timedelta:
    return timedelta(seconds=backoffice.settings.mail_lease_seconds)


def _claimable(now: datetime) -> Any:
    return or_(
        OUTBOX.c.status == MAIL_QUEUED,
        and_(OUTBOX.c.status == MAIL_SENDING, OUTBOX.c.lease_until < now),
    )


def _ours(key: str) -> Any:
    """Messages queued for this transport (or before messages remembered theirs)."""
    return or_(OUTBOX.c.transport.is_(None), OUTBOX.c.transport == key)


def claim(
    backoffice: Backoffice, ids: Sequence[int] | None, size: int
) -> tuple[Lease, list[Claimed]]:
    """Up to ``size`` rows, oldest first: the given ones, or the due queue."""
    now = clock.now()
    lease = Lease(secrets.token_hex(16), now + lease_length(backoffice))
    chosen = select(OUTBOX.c.id).where(_claimable(now), _ours(transport_key(backoffice.settings)))
    if ids is not None:
        chosen = chosen.where(OUTBOX.c.id.in_(list(ids)))
    else:
        chosen = chosen.where(OUTBOX.c.next_attempt_at <= now)
    # two statements, not UPDATE ... WHERE id IN (SELECT ... SKIP LOCKED): PostgreSQL may
    # evaluate such a subquery again while updating, and then claim more than ``size``
    chosen = chosen.order_by(OUTBOX.c.id).limit(size).with_for_update(skip_locked=True)
    with backoffice.uow() as uow:
        picked = list(uow.session.execute(chosen).scalars())
        rows = []
        if picked:
            rows = uow.session.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(picked), _claimable(now))
                .values(status=MAIL_SENDING, lease_token=lease.token, lease_until=lease.until)
                .returning(*(OUTBOX.c[name] for name in CLAIMED_COLUMNS))
            ).all()
        uow.commit()
    claimed = [Claimed(**row._mapping) for row in rows]
    claimed.sort(key=lambda row: row.id)
    return lease, claimed


def renew(backoffice: Backoffice, lease: Lease) -> set[int]:
    """Extend the lease; the ids still held (a lease that ran out may have been taken)."""
    until = clock.now() + lease_length(backoffice)
    with backoffice.uow() as uow:
        rows = uow.session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.lease_token == lease.token, OUTBOX.c.status == MAIL_SENDING)
            .values(lease_until=until)
            .returning(OUTBOX.c.id)
        ).all()
        uow.commit()
    lease.until = until
    return {row.id for row in rows}


def release(backoffice: Backoffice, lease: Lease) -> None:
    """Give back, untouched, the rows of a lease that were not tried."""
    with backoffice.uow() as uow:
        uow.session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.lease_token == lease.token, OUTBOX.c.status == MAIL_SENDING)
            .values(status=MAIL_QUEUED, lease_token=None, lease_until=None)
        )
        uow.commit()


# one outcome per row, all of a batch in one executemany: every column is given for every
# row, and the row is written only if it is still under the lease that sent it
_RECORD = (
    update(OUTBOX)
    .where(
        OUTBOX.c.id == bindparam("b_id"),
        OUTBOX.c.lease_token == bindparam("b_token"),
        OUTBOX.c.status == MAIL_SENDING,
    )
    .values(
        status=bindparam("b_status", type_=OUTBOX.c.status.type),
        attempts=bindparam("b_attempts", type_=OUTBOX.c.attempts.type),
        error=bindparam("b_error", type_=OUTBOX.c.error.type),
        smtp_code=bindparam("b_smtp_code", type_=OUTBOX.c.smtp_code.type),
        next_attempt_at=bindparam("b_next", type_=OUTBOX.c.next_attempt_at.type),
        sent_at=bindparam("b_sent_at", type_=OUTBOX.c.sent_at.type),
        secret=bindparam("b_secret", type_=OUTBOX.c.secret.type),
        redacted_at=bindparam("b_redacted_at", type_=OUTBOX.c.redacted_at.type),
        lease_token=None,
        lease_until=None,
    )
)


def record(backoffice: Backoffice, outcomes: list[dict[str, Any]]) -> None:
    """Write outcomes (dicts of the ``b_*`` parameters above) in one transaction."""
    if not outcomes:
        return
    with backoffice.uow() as uow:
        uow.session.execute(_RECORD, outcomes)
        uow.commit()


@dataclass
class Waiting:
    """What a run of the queue left queued: not due yet, or meant for another transport."""

    count: int = 0
    next_at: datetime | None = None
    elsewhere: dict[str, int] | None = None  # transport key -> messages


def waiting(backoffice: Backoffice) -> Waiting:
    key = transport_key(backoffice.settings)
    queued = OUTBOX.c.status == MAIL_QUEUED
    with backoffice.uow() as uow:
        count, next_at = uow.session.execute(
            select(func.count(), func.min(OUTBOX.c.next_attempt_at)).where(queued, _ours(key))
        ).one()
        others = uow.session.execute(
            select(OUTBOX.c.transport, func.count())
            .where(queued, OUTBOX.c.transport != key)
            .group_by(OUTBOX.c.transport)
            .order_by(OUTBOX.c.transport)
        ).all()
    return Waiting(count, next_at, {str(transport): number for transport, number in others})


def make_due(backoffice: Backoffice, ids: Sequence[int] | None) -> list[int]:
    """``mail retry``: the given queued messages (or all of them) due now; their ids.

    A message meant for another transport is left as it is (see :func:`waiting`).
    """
    key = transport_key(backoffice.settings)
    condition = and_(OUTBOX.c.status == MAIL_QUEUED, _ours(key))
    if ids is not None:
        condition = and_(condition, OUTBOX.c.id.in_(list(ids)))
    with backoffice.uow() as uow:
        rows = uow.session.execute(
            update(OUTBOX)
            .where(condition)
            .values(next_attempt_at=clock.now())
            .returning(OUTBOX.c.id)
        ).all()
        uow.commit()
    return sorted(row.id for row in rows)


def adopt(backoffice: Backoffice, ids: Sequence[int] | None) -> int:
    """Queued messages meant for another transport, given to this one (a deliberate move)."""
    key = transport_key(backoffice.settings)
    condition = and_(OUTBOX.c.status == MAIL_QUEUED, OUTBOX.c.transport != key)
    if ids is not None:
        condition = and_(condition, OUTBOX.c.id.in_(list(ids)))
    with backoffice.uow() as uow:
        moved = uow.session.execute(update(OUTBOX).where(condition).values(transport=key))
        uow.commit()
    return moved.rowcount or 0


def expire_stale(backoffice: Backoffice) -> int:
    """Queued code mails whose code expired or was replaced: never sent, code erased."""
    now = clock.now()
    replaced = select(CODES.c.id).where(
        or_(CODES.c.superseded_at.is_not(None), CODES.c.verified_at.is_not(None))
    )
    erase = {"secret": None, "redacted_at": now, "lease_token": None, "lease_until": None}
    with backoffice.uow() as uow:
        expired = uow.session.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.status == MAIL_QUEUED,
                OUTBOX.c.expires_at.is_not(None),
                OUTBOX.c.expires_at < now,
            )
            .values(status=MAIL_EXPIRED, error=CODE_EXPIRED, **erase)
        ).rowcount
        superseded = uow.session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == MAIL_QUEUED, OUTBOX.c.code_id.in_(replaced))
            .values(status=MAIL_EXPIRED, error=CODE_REPLACED, **erase)
        ).rowcount
        uow.commit()
    return (expired or 0) + (superseded or 0)
