"""Deliver outbox messages: claim a batch, send it over one connection, record the outcomes.

Batches are claimed under a lease (see :mod:`coproctl.mail.claims`); a deliverer renews
its lease before it runs out. The outcomes of a batch are written together (one
executemany, one commit) once the batch has been sent, each only if the row is still
under our lease. A message is marked ``sent`` only after the relay accepted it; after a
crash mid-batch the messages sent but not yet recorded go again once the lease runs out
(at least once; never "sent" unless sent).

While a batch is being sent, a helper thread claims and composes the next one and writes
the outcomes of the previous one: the database work happens while the relay answers,
instead of between two messages.

A 5xx answer fails the message at once; a 4xx one, or a relay that cannot be reached, is
retried with backoff (see :mod:`coproctl.mail.outcomes`). A code mail whose code has
expired (or was replaced by a newer one) is not sent late: it is marked ``expired``.
"""

from __future__ import annotations

import email.errors
import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coproctl import clock
from coproctl.mail import claims, state
from coproctl.mail.claims import Claimed, Lease
from coproctl.mail.compose import Outgoing, compose
from coproctl.mail.outcomes import DeliveryReport, Outcomes
from coproctl.mail.reasons import CODE_EXPIRED, CODE_UNREADABLE, COMPOSE_FAILED
from coproctl.mail.sealing import SealError, unseal
from coproctl.mail.state import Handover
from coproctl.mail.transports import (
    DeliveryError,
    Transport,
    file_folder,
    make_transport,
    transport_key,
)

if TYPE_CHECKING:
    from coproctl.backoffice import Backoffice

log = logging.getLogger("coproctl.mail")

CLAIM_BATCH = 50


@dataclass
class _Batch:
    lease: Lease
    rows: list[Claimed]
    ready: dict[int, Outgoing | str]  # each row's message, or why it cannot be written


def _prepare(backoffice: Backoffice, ids: Sequence[int] | None, size: int) -> _Batch:
    """Claim a batch and compose its messages (runs in the helper thread)."""
    lease, rows = claims.claim(backoffice, ids, size)
    ready: dict[int, Outgoing | str] = {}
    for row in rows:
        try:
            code = (
                unseal(backoffice.secret_key, row.secret, row.message_id or "")
                if row.secret
                else None
            )
        except SealError:
            ready[row.id] = CODE_UNREADABLE
            continue
        try:
            ready[row.id] = compose(row, backoffice.settings, code=code)
        except (ValueError, TypeError, LookupError, email.errors.MessageError) as exc:
            ready[row.id] = f"{COMPOSE_FAILED} : {exc}"
    return _Batch(lease, rows, ready)


def _send_batch(
    backoffice: Backoffice, transport: Transport, batch: _Batch, report: DeliveryReport
) -> Outcomes:
    """Send what the batch holds; the outcomes are returned, to be recorded."""
    outcomes = Outcomes(batch.lease, report)
    ours = {row.id for row in batch.rows}
    renew_when = claims.lease_length(backoffice) / 2
    for index, row in enumerate(batch.rows):
        now = clock.now()
        if batch.lease.until - now < renew_when:
            claims.record(backoffice, outcomes.take())  # what is done is written first
            ours = claims.renew(backoffice, batch.lease)
        if row.id not in ours:
            continue
        if row.code_expired(now):
            outcomes.expired(row, CODE_EXPIRED)
            continue
        outgoing = batch.ready[row.id]
        if isinstance(outgoing, str):
            outcomes.failed(row, outgoing, None, attempted=False)
            continue
        try:
            reply = transport.send(outgoing)
        except DeliveryError as exc:
            if exc.unreachable:
                # nothing of this batch can go now: every remaining message waits
                report.unreachable = str(exc)
                for waiting in batch.rows[index:]:
                    if waiting.id in ours:
                        outcomes.transient(waiting, str(exc), exc.smtp_code)
                break
            if exc.permanent:
                outcomes.failed(row, str(exc), exc.smtp_code, attempted=True)
            else:
                outcomes.transient(row, str(exc), exc.smtp_code)
            continue
        outcomes.sent(row, reply)
    return outcomes


class _Sizes:
    """How many rows the next claim asks for, within ``--limit``."""

    def __init__(self, ids: Sequence[int] | None, limit: int | None) -> None:
        self.single = ids is not None
        self.left = len(ids) if ids is not None else limit

    def next(self) -> int:
        size = CLAIM_BATCH if self.left is None else min(CLAIM_BATCH, self.left)
        if self.single:
            size = self.left or 0
        if self.left is not None:
            self.left -= size
        return size

    def more(self) -> bool:
        return not self.single and (self.left is None or self.left > 0)


def deliver(
    backoffice: Backoffice,
    ids: Sequence[int] | None = None,
    *,
    limit: int | None = None,
    transport: Transport | None = None,
) -> DeliveryReport:
    """Deliver the given messages (immediate delivery), or the due queue (``mail send``).

    ``limit`` caps how many messages this call handles. The relay being unreachable ends
    the run (the report says so); the messages wait for the next one.
    """
    report = DeliveryReport(transport=transport_key(backoffice.settings))
    if ids is None:
        report.expired += claims.expire_stale(backoffice)
    elif not ids:
        return report
    sizes = _Sizes(ids, limit)
    active: Transport | None = transport
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="coproctl-mail") as helper:
        upcoming: Future[_Batch] | None = helper.submit(_prepare, backoffice, ids, sizes.next())
        recording: Future[None] | None = None
        try:
            while upcoming is not None:
                batch = upcoming.result()
                upcoming = None
                if not batch.rows:
                    break
                if sizes.more():
                    upcoming = helper.submit(_prepare, backoffice, ids, sizes.next())
                if active is None:
                    active = make_transport(backoffice.settings)
                outcomes = _send_batch(backoffice, active, batch, report)
                if recording is not None:
                    recording.result()
                recording = helper.submit(claims.record, backoffice, outcomes.take())
                if report.unreachable:
                    break
        finally:
            if upcoming is not None and upcoming.exception() is None:
                claims.release(backoffice, upcoming.result().lease)  # claimed, never tried
            if recording is not None:
                recording.result()
            if active is not None and transport is None:
                active.close()
    if ids is None:
        left = claims.waiting(backoffice)
        report.waiting, report.next_attempt_at = left.count, left.next_at
        report.elsewhere = left.elsewhere or {}
    return report


def deliver_messages(
    backoffice: Backoffice, ids: Sequence[int], background: bool = False
) -> Handover:
    """Hand over the messages a command committed, and say what became of them.

    - ``MAIL_DELIVERY=immediate``: delivered now, the command waiting for the relay (its
      answer then tells the truth: sent, written, retrying, failed);
    - ``background``: handed to a detached process (:mod:`coproctl.mail.background`), the
      command returning at once, and in the same way whatever it queued (``password
      forgot``: its answer and its duration must not tell whether a code went);
    - ``MAIL_DELIVERY=queue``: left for ``mail send`` (cron).

    Never an error for the command: what cannot go stays queued, and the answer says so.
    """
    settings = backoffice.settings
    immediate = settings.mail_delivery == "immediate"
    if background:
        if immediate:
            from coproctl.mail.background import hand_off

            hand_off(backoffice, ids)
        return Handover()
    if not ids:
        return Handover()
    replies: dict[int, str] = {}
    if immediate:
        try:
            replies = deliver(backoffice, ids).replies
        except Exception as exc:  # the queue and cron take over; the answer says "queued"
            log.warning("immediate delivery postponed (%s)", type(exc).__name__)
    try:
        messages = state.read(
            backoffice, ids, replies=replies, queued_why=None if immediate else state.QUEUE_MODE
        )
    except Exception as exc:  # the database went away meanwhile: say nothing untrue
        log.warning("delivery state unknown (%s)", type(exc).__name__)
        return Handover()
    folder = file_folder(settings)
    notice = None
    if folder is not None and any(m.status == state.WRITTEN for m in messages):
        notice = state.file_notice(str(folder))
    return Handover(messages, notice)
