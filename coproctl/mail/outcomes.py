"""What became of each message, and when to try again.

Retries: about 1 min, 5 min, 30 min, 2 h, then every 6 h, until 24 h after the message was
queued (the last wait is cut to end there); then ``failed``. A message leaving the queue
(sent, failed, expired) loses its code (``secret``): nothing in clear stays stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from coproctl import clock
from coproctl.mail.claims import Claimed, Lease
from coproctl.models import MAIL_EXPIRED, MAIL_FAILED, MAIL_QUEUED, MAIL_SENT

# waits after the 1st, 2nd, ... failed attempt; then every 6 h until GIVE_UP after queueing
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
BACKOFF_TAIL = timedelta(hours=6)
GIVE_UP = timedelta(hours=24)


def next_wait(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return BACKOFF[attempts - 1] if attempts <= len(BACKOFF) else BACKOFF_TAIL


@dataclass(frozen=True)
class Failure:
    id: int
    to: str
    error: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "to": self.to, "error": self.error}


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0
    failures: list[Failure] = field(default_factory=list)
    # the relay could not be used (connection, TLS, login): what it said
    unreachable: str | None = None
    # the transport this run used (transports.transport_key), and what each message got
    # from it (the relay's answer, the file written)
    transport: str | None = None
    replies: dict[int, str] = field(default_factory=dict)
    # left queued after a run of the queue: for this transport (not due yet: when the
    # next is), and for other transports (key -> count), which this run cannot send
    waiting: int = 0
    next_attempt_at: datetime | None = None
    elsewhere: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "expired": self.expired,
            "failures": [failure.as_dict() for failure in self.failures],
            "server_unreachable": self.unreachable,
            "transport": self.transport,
            "waiting": self.waiting,
            "next_attempt_at": clock.paris_iso(self.next_attempt_at),
            "elsewhere": [
                {"transport": key, "count": count} for key, count in self.elsewhere.items()
            ],
        }


class Outcomes:
    """The outcomes of one batch, as the parameters of ``claims.record``."""

    def __init__(self, lease: Lease, report: DeliveryReport) -> None:
        self.lease = lease
        self.report = report
        self.rows: list[dict[str, Any]] = []

    def take(self) -> list[dict[str, Any]]:
        rows, self.rows = self.rows, []
        return rows

    def _add(self, row: Claimed, **values: Any) -> None:
        now = clock.now()
        outcome = {
            "b_id": row.id,
            "b_token": self.lease.token,
            "b_attempts": row.attempts,
            "b_error": None,
            "b_smtp_code": None,
            "b_next": now,
            "b_sent_at": None,
            "b_secret": None,  # erased, unless the message waits for another try
            "b_redacted_at": now,
        }
        outcome.update(values)
        self.rows.append(outcome)

    def sent(self, row: Claimed, reply: str | None = None) -> None:
        self._add(row, b_status=MAIL_SENT, b_attempts=row.attempts + 1, b_sent_at=clock.now())
        self.report.sent += 1
        if reply:
            self.report.replies[row.id] = reply

    def expired(self, row: Claimed, why: str) -> None:
        self._add(row, b_status=MAIL_EXPIRED, b_error=why)
        self.report.expired += 1

    def failed(self, row: Claimed, error: str, smtp_code: int | None, *, attempted: bool) -> None:
        error = error[:1000]
        self._add(
            row,
            b_status=MAIL_FAILED,
            b_attempts=row.attempts + (1 if attempted else 0),
            b_error=error,
            b_smtp_code=smtp_code,
        )
        self.report.failed += 1
        self.report.failures.append(Failure(row.id, row.to_addr, error))

    def transient(self, row: Claimed, error: str, smtp_code: int | None) -> None:
        """Try again later, or give up once the message has waited long enough."""
        now = clock.now()
        attempts = row.attempts + 1
        deadline = clock.as_utc(row.created_at) + GIVE_UP
        if now >= deadline:
            self.failed(row, error, smtp_code, attempted=True)
            return
        self._add(
            row,
            b_status=MAIL_QUEUED,
            b_attempts=attempts,
            b_error=error[:1000],
            b_smtp_code=smtp_code,
            b_next=min(now + next_wait(attempts), deadline),
            b_secret=row.secret,
            b_redacted_at=None,
        )
        self.report.retrying += 1
