"""Cron purges: dead verification codes and old audit events, in short batches.

Each batch is one short transaction of a few set-based statements: pick the next
``batch_size`` dead rows past the last id seen (keyset: the whole run reads the table once),
then count them, tally them (codes), redact their mails (codes), and DELETE them. No row is
loaded into Python. On SQLite the write lock is therefore held for one batch at a time,
never for the whole purge, and a pause between two batches lets the owners' commands take
it (see :data:`~coproctl.services.maintenance.batched_delete.PAUSE_SECONDS`); on PostgreSQL
the rows are picked ``FOR UPDATE SKIP LOCKED``, so two copies running at once share the
work instead of waiting for each other. Running the purge again removes nothing more: it is
idempotent. Every run that deletes records one audit event, even when it found nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Executable,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from coproctl import clock
from coproctl.backoffice import Backoffice, unavailable
from coproctl.config import Settings
from coproctl.errors import BadInput, Refused
from coproctl.mail.transports import file_folder, purge_file_codes
from coproctl.models import (
    MAIL_EXPIRED,
    MAIL_QUEUED,
    AuditEvent,
    CodeTally,
    OutboxMessage,
    VerificationCode,
)
from coproctl.services import audit
from coproctl.services.maintenance.batched_delete import (
    PAUSE_SECONDS,
    BatchHook,
    Deleted,
    check_batch_options,
    check_purge_options,
    delete_in_batches,
    interrupted,
)

DEFAULT_GRACE = timedelta(hours=24)
# codes created within the last hour count for the resend limits (at most N per rolling
# hour, see services.codes): they are never purged, whatever the grace period
RESEND_WINDOW = timedelta(hours=1)
# Codes deleted per transaction. A batch holds SQLite's write lock while it tallies,
# redacts the mails and deletes: a millisecond or so, plus 20 to 50 us a code (more on a
# busy machine). 200 codes keep it to a few milliseconds, so that an owner's ``code
# verify`` that meets a batch waits little: bench/purge.py, 1,000,000 codes on SQLite, its
# p95 during the purge 1.7x its p95 before, max 72 ms, the purge at 4,900 codes/s (load
# 2.7 to 4.4 on 2 cores); batches of 1,000 codes (about 40 ms of lock) made that p95 5 to
# 8x, batches of 100 halved the purge's rate for no better p95.
BATCH_SIZE = 200
# Audit events deleted per transaction: a plain DELETE by ids, cheaper per row; the audit
# purge runs at night.
AUDIT_BATCH_SIZE = 1000

# kinds of dead codes, in the order a code is classified (the first that applies)
USED = "used"
SUPERSEDED = "superseded"
EXHAUSTED = "exhausted"
EXPIRED = "expired"
CODE_KINDS = (EXPIRED, USED, SUPERSEDED, EXHAUSTED)

_DURATION = re.compile(r"(\d+)\s*([jdhms])", re.IGNORECASE)
_UNITS = {"j": 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """``24h``, ``90m``, ``2d`` (or ``2j``), ``1h30m``, ``3600s``; a bare number is hours."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        return timedelta(hours=int(cleaned))
    parts = _DURATION.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise BadInput(
            "bad_duration",
            f"Durée invalide : « {text} » (exemples : 24h, 90m, 2j, 1h30m).",
        )
    return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))


@dataclass
class CodePurgeReport:
    dry_run: bool
    grace: timedelta
    cutoff: datetime
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CODE_KINDS, 0))
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "grace_seconds": int(self.grace.total_seconds()),
            "cutoff": clock.paris_iso(self.cutoff),
            "removed": dict(self.removed),
            "total": self.total,
            "batches": self.batches,
        }


@dataclass
class AuditPurgeReport:
    dry_run: bool
    older_than_days: int
    cutoff: datetime  # events strictly before this instant (a Paris midnight) go
    removed: int = 0
    batches: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "older_than_days": self.older_than_days,
            "cutoff": clock.paris_iso(self.cutoff),
            "removed": self.removed,
            "batches": self.batches,
        }


def dead_codes(settings: Settings, now: datetime, grace: timedelta) -> ColumnElement[bool]:
    """Codes that have been unusable for longer than ``grace`` at ``now``.

    A code dies when it is superseded, when its procedure completes, ``password_window``
    after it was verified (the owner had that long to choose the password), or when it
    expires unverified (an exhausted code is counted from its expiry: the time of its last
    try is not stored). Any one of these moments older than the grace period is enough.
    """
    cutoff = now - grace
    window = timedelta(minutes=settings.password_window_minutes)
    vc = VerificationCode
    return and_(
        col(vc.created_at) < now - RESEND_WINDOW,
        or_(
            col(vc.superseded_at) < cutoff,
            col(vc.completed_at) < cutoff,
            col(vc.verified_at) < cutoff - window,
            and_(col(vc.verified_at).is_(None), col(vc.expires_at) < cutoff),
        ),
    )


def expired_unused(now: datetime) -> ColumnElement[bool]:
    """Codes that ran out of time unverified (not replaced by a newer code before that)."""
    vc = VerificationCode
    return and_(
        col(vc.verified_at).is_(None),
        col(vc.expires_at) < now,
        or_(col(vc.superseded_at).is_(None), col(vc.superseded_at) >= col(vc.expires_at)),
    )


def _kind(max_attempts: int) -> ColumnElement[str]:
    vc = VerificationCode
    return case(
        (col(vc.verified_at).is_not(None), USED),
        (col(vc.superseded_at).is_not(None), SUPERSEDED),
        (col(vc.attempts) >= max_attempts, EXHAUSTED),
        else_=EXPIRED,
    )


def _hour(column: Any, dialect: str) -> ColumnElement[Any]:
    """The hour (UTC) a timestamp falls in, as the column stores it."""
    if dialect == "postgresql":
        return func.date_trunc("hour", column, "UTC")
    # SQLite: SQLAlchemy stores UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'
    return func.strftime("%Y-%m-%d %H:00:00.000000", column)


def _tally(rows: ColumnElement[bool], dialect: str, now: datetime) -> Executable:
    """Add the codes about to be deleted to the per-hour tally that ``stats`` reads."""
    vc = VerificationCode

    def events(moment: Any, issued: int, verified: int, expired: int, *where: Any) -> Any:
        return select(
            _hour(moment, dialect).label("hour"),
            literal(issued).label("issued"),
            literal(verified).label("verified"),
            literal(expired).label("expired"),
        ).where(rows, *where)

    both = union_all(
        events(vc.created_at, 1, 0, 0),
        events(vc.verified_at, 0, 1, 0, col(vc.verified_at).is_not(None)),
        events(vc.expires_at, 0, 0, 1, expired_unused(now)),
    ).subquery()
    grouped = (
        select(
            both.c.hour,
            func.sum(both.c.issued),
            func.sum(both.c.verified),
            func.sum(both.c.expired),
        )
        .where(true())  # SQLite: an upsert's SELECT needs a WHERE (parsing ambiguity)
        .group_by(both.c.hour)
    )
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(CodeTally).from_select(["hour", "issued", "verified", "expired"], grouped)
    return statement.on_conflict_do_update(
        index_elements=["hour"],
        set_={
            "issued": CodeTally.issued + statement.excluded.issued,
            "verified": CodeTally.verified + statement.excluded.verified,
            "expired": CodeTally.expired + statement.excluded.expired,
        },
    )


def _deletion(rows: ColumnElement[bool], dialect: str, now: datetime) -> list[Executable]:
    """The statements that delete the codes ``rows`` selects: tally them, redact their
    mails, then DELETE (``rows`` may hold bound parameters, given at execution)."""
    redact = (
        update(OutboxMessage)
        .where(
            col(OutboxMessage.code_id).in_(select(VerificationCode.id).where(rows)),
            or_(col(OutboxMessage.secret).is_not(None), OutboxMessage.status == MAIL_QUEUED),
        )
        .values(
            secret=None,
            redacted_at=now,
            status=case(
                (OutboxMessage.status == MAIL_QUEUED, MAIL_EXPIRED), else_=OutboxMessage.status
            ),
        )
    )
    return [_tally(rows, dialect, now), redact, delete(VerificationCode).where(rows)]


def delete_codes(session: Session, rows: ColumnElement[bool]) -> None:
    """Delete the codes ``rows`` selects: tally them, redact their mails, then DELETE.

    A mail still holding its code in ``secret`` has it erased (and is not sent any more if
    it was still queued), as the outbox does once a code mail is delivered.
    """
    connection = session.connection()
    for statement in _deletion(rows, connection.dialect.name, clock.now()):
        connection.execute(statement)


@dataclass
class _CodeBatches:
    """The statements of a codes purge, built once for the run and executed for each batch
    with its parameters: a batch holds the SQLite write lock for its SQL alone, not for
    building and compiling statements (which cost more than the SQL for small batches).

    PostgreSQL: the batch is the ids picked (and locked, ``SKIP LOCKED``: a concurrent purge
    takes others). SQLite: every transaction holds the write lock from its start (``BEGIN
    IMMEDIATE``), so the batch is an id range: past the last id seen, up to the last of the
    next ``batch_size`` dead codes.
    """

    postgresql: bool
    pick: Executable
    count: Executable
    deletion: list[Executable]

    @classmethod
    def build(
        cls, dialect: str, dead: ColumnElement[bool], kind: ColumnElement[str], size: int,
        now: datetime, *, lock: bool,
    ) -> _CodeBatches:  # fmt: skip
        vc = VerificationCode
        after = bindparam("after", type_=Integer)
        picked = select(vc.id).where(col(vc.id) > after, dead).order_by(col(vc.id)).limit(size)
        if dialect == "postgresql":
            pick: Executable = picked.with_for_update(skip_locked=True) if lock else picked
            rows = col(vc.id) == any_(bindparam("ids", type_=ARRAY(Integer)))
        else:
            pick = select(func.max(picked.subquery().c.id))
            rows = and_(col(vc.id) > after, col(vc.id) <= bindparam("last", type_=Integer), dead)
        count = select(kind, func.count()).where(rows).group_by(kind)
        return cls(dialect == "postgresql", pick, count, _deletion(rows, dialect, now))

    def next(self, connection: Connection, after: int) -> dict[str, Any] | None:
        """The parameters of the next batch past id ``after`` (None: no dead code left)."""
        if self.postgresql:
            ids = list(connection.execute(self.pick, {"after": after}).scalars())
            return {"ids": ids, "after": ids[-1]} if ids else None
        last = connection.execute(self.pick, {"after": after}).scalar_one()
        return None if last is None else {"after": after, "last": last}


def purge_codes(
    backoffice: Backoffice,
    *,
    grace: timedelta = DEFAULT_GRACE,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    pause: float = PAUSE_SECONDS,
    between_batches: BatchHook | None = None,
) -> CodePurgeReport:
    """Delete the codes dead for longer than ``grace``; ``dry_run`` only counts them.

    Never touches a code that can still be used, nor one issued within the last hour (the
    resend limits count those). Pauses ``pause`` seconds after each batch. Records one
    ``codes.purge`` audit event per run that deletes, 0 codes included (cron shows it ran).
    ``between_batches``: a test-only seam, see
    :data:`~coproctl.services.maintenance.batched_delete.BatchHook`.
    """
    if grace < timedelta(0):
        raise BadInput("bad_duration", "Le délai de grâce ne peut pas être négatif.")
    check_batch_options(batch_size, pause)
    now = clock.now()
    report = CodePurgeReport(dry_run, grace, now - grace)
    batches = _CodeBatches.build(
        backoffice.engine.dialect.name,
        dead_codes(backoffice.settings, now, grace),
        _kind(backoffice.settings.code_max_attempts),
        batch_size,
        now,
        lock=not dry_run,
    )
    after = 0
    done = Deleted()
    try:
        while True:
            with backoffice.uow() as uow:
                connection = uow.session.connection()
                batch = batches.next(connection, after)
                if batch is None:
                    break
                counts = connection.execute(batches.count, batch).all()
                if not dry_run:
                    for statement in batches.deletion:
                        connection.execute(statement, batch)
                    uow.commit()
            after = batch.get("last", batch["after"])
            for name, count in counts:
                report.removed[name] += count
            done.step(sum(n for _, n in counts), between_batches, pause, backoffice.engine)
            report.batches = done.batches
        purge_file_codes(file_folder(backoffice.settings), report.cutoff, dry_run=dry_run)
        if not dry_run:
            with backoffice.uow() as uow:
                audit.record(
                    uow.session,
                    backoffice.actor,
                    "codes.purge",
                    grace_seconds=int(grace.total_seconds()),
                    **report.removed,
                )
                uow.commit()
    except OperationalError as exc:
        raise interrupted(unavailable(exc), report.total, "code") from None
    except Refused as error:  # database_busy: another writer held the lock too long
        raise interrupted(error, report.total, "code") from None
    return report


def audit_cutoff(older_than_days: int, now: datetime) -> datetime:
    """Midnight (Paris) of the day ``older_than_days`` days ago: that day is kept whole."""
    boundary_day = clock.in_paris(now).date() - timedelta(days=older_than_days)
    return clock.as_utc(datetime.combine(boundary_day, time(0), tzinfo=clock.PARIS))


def purge_audit(
    backoffice: Backoffice,
    *,
    older_than_days: int | None = None,
    dry_run: bool = False,
    batch_size: int = AUDIT_BATCH_SIZE,
    pause: float = PAUSE_SECONDS,
    between_batches: BatchHook | None = None,
) -> AuditPurgeReport:
    """Delete the audit events of the days before the boundary day (default retention:
    the ``audit_retention_days`` setting). The boundary day itself is kept, and so is the
    ``audit.purge`` event this run records (it is recorded after the deletion).
    """
    days = backoffice.settings.audit_retention_days if older_than_days is None else older_than_days
    check_purge_options(days, batch_size)
    report = AuditPurgeReport(dry_run, days, audit_cutoff(days, clock.now()))
    done = delete_in_batches(
        backoffice,
        AuditEvent,
        col(AuditEvent.at) < report.cutoff,
        dry_run=dry_run,
        batch_size=batch_size,
        pause=pause,
        between_batches=between_batches,
        what="événement",
        action="audit.purge",
        older_than_days=days,
        before=clock.paris_iso(report.cutoff),
    )
    report.removed, report.batches = done.removed, done.batches
    return report
