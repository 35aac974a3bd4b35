"""Stage 4, write: the plan's owners in batches, each compared, hashed, then written whole.

Each batch (whole owners, about ``batch_size`` accounts) is first compared with the
database in a short read (:mod:`~coproctl.services.importing.compare`); if it changes
anything, its passwords go to the hashing pool and the batch is written later, in one
transaction where it is read and compared again with the hashes (so a concurrent change is
never overwritten blindly), with Core ``insert()``/``update()`` executemany and one audit
row per account. Writes lag ``LOOKAHEAD`` batches behind the reads so that the pool always
has work while the database is written. A batch is whole or absent: an interrupted import
leaves every committed batch intact, and a re-run finds them unchanged.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from coproctl import clock
from coproctl.backoffice import Backoffice
from coproctl.models import AuditEvent, audit_identifiant_key
from coproctl.services.importing import erased
from coproctl.services.importing.compare import (
    ACCOUNT,
    OWNER,
    Changes,
    Context,
    Hashes,
    Stored,
    compare,
    load,
)
from coproctl.services.importing.hashes import AnyJob, Hasher, Results, Wrap, compute, wrap
from coproctl.services.importing.kinds import ImportKind
from coproctl.services.importing.notes import LineNote
from coproctl.services.importing.plan import OwnerDraft

AUDIT: Table = AuditEvent.__table__  # type: ignore[attr-defined]

LOOKAHEAD = 2  # batches whose passwords are being hashed while an earlier one is written
WRITE_RETRIES = 3  # PostgreSQL: another process created the same owner meanwhile
Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    """What the write stage did (or, in a dry run, would do)."""

    written: bool  # False for a dry run
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # accounts of erased owners left out
    rejected: list[LineNote] = field(default_factory=list)
    warnings: list[LineNote] = field(default_factory=list)

    def add(self, changes: Changes) -> None:
        self.created += changes.created
        self.updated += changes.updated
        self.unchanged += changes.unchanged
        self.skipped += changes.skipped
        self.rejected.extend(changes.rejected)
        self.warnings.extend(changes.warnings)


def batches(owners: Sequence[OwnerDraft], size: int) -> Iterator[list[OwnerDraft]]:
    """Consecutive owners, about ``size`` accounts each; an owner is never split."""
    batch: list[OwnerDraft] = []
    count = 0
    for owner in owners:
        batch.append(owner)
        count += len(owner.accounts)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def accounts_in(batch: Iterable[OwnerDraft]) -> int:
    return sum(len(owner.accounts) for owner in batch)


class Writer:
    """One pass over the plan's owners: a dry run, the strict pre-check, or the import.

    ``outcome`` grows batch by batch, so that an interrupted pass still tells what it wrote.
    """

    def __init__(
        self,
        backoffice: Backoffice,
        kind: ImportKind,
        *,
        source: str,
        update_passwords: bool,
        batch_size: int,
        workers: int | None,
        dry_run: bool,
        restore: bool = False,
    ) -> None:
        self.backoffice = backoffice
        self.kind = kind
        self.source = source
        self.update_passwords = update_passwords
        self.batch_size = max(1, batch_size)
        self.workers = workers
        self.dry_run = dry_run
        self.restore = restore
        self.outcome = Outcome(written=not dry_run)
        self.erasure_key: bytes | None = None  # set when some owner was ever erased

    def _context(self) -> Context:
        return Context(self.kind, self.update_passwords, clock.now(), self.restore)

    def run(self, owners: Sequence[OwnerDraft], progress: Progress | None = None) -> Outcome:
        total, done = accounts_in(owners), 0

        def advance(accounts: int) -> None:
            nonlocal done
            done += accounts
            if progress is not None:
                progress(done, total)

        advance(0)
        with self.backoffice.uow() as uow:
            if erased.any_erased(uow.session.connection()):
                self.erasure_key = self.backoffice.secret_key
        hasher = Hasher(self.workers)
        queue: deque[tuple[list[OwnerDraft], list[tuple[str, AnyJob]], Results]] = deque()
        interrupted = False
        try:
            for batch in batches(owners, self.batch_size):
                with self.backoffice.uow() as uow:
                    stored = load(uow.session.connection(), batch, self.erasure_key)
                changes = compare(batch, stored, self._context(), {})
                if self.dry_run or not changes.writes:
                    self.outcome.add(changes)
                    advance(accounts_in(batch))
                    continue
                jobs = changes.jobs
                queue.append((batch, jobs, hasher.submit([job for _, job in jobs])))
                while len(queue) > LOOKAHEAD:
                    advance(self._write(*queue.popleft()))
            while queue:
                advance(self._write(*queue.popleft()))
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            hasher.close(cancel=interrupted)
        return self.outcome

    def _write(
        self, batch: list[OwnerDraft], jobs: list[tuple[str, AnyJob]], pending: Results
    ) -> int:
        hashes: dict[str, tuple[AnyJob, str | None]] = {
            key: (job, hashed) for (key, job), hashed in zip(jobs, pending.get(), strict=True)
        }
        for attempt in range(WRITE_RETRIES):
            context = self._context()
            try:
                with self.backoffice.uow() as uow:
                    conn = uow.session.connection()
                    stored = load(conn, batch, self.erasure_key)
                    changes = _compared(batch, stored, context, hashes)
                    if changes.writes:
                        _store(conn, changes, self._audit(context))
                        uow.commit()
                break
            except IntegrityError:
                if attempt == WRITE_RETRIES - 1:
                    raise
        self.outcome.add(changes)
        return accounts_in(batch)

    def _audit(self, context: Context) -> Stamp:
        return Stamp(context.now, self.backoffice.actor, self.kind.name, self.source)


@dataclass(frozen=True)
class Stamp:
    """What every audit row of a batch shares."""

    at: datetime
    actor: str
    kind: str
    source: str


def _compared(batch: list[OwnerDraft], stored: Stored, context: Context, hashes: Hashes) -> Changes:
    """The batch compared with its hashes; a job the pool did not do (the row changed since
    it was first read: rare) is done here."""
    changes = compare(batch, stored, context, hashes)
    if changes.complete:
        return changes
    done = dict(hashes)
    for key, job in changes.jobs:
        if key not in done or done[key][0] != job:
            done[key] = (job, wrap(job) if isinstance(job, Wrap) else compute(*job))
    return compare(batch, stored, context, done)


def _store(conn: Connection, changes: Changes, stamp: Stamp) -> None:
    """Write one batch's changes: owners, then accounts, then one audit row per account."""
    owner_ids: dict[str, int] = {}
    if changes.owner_inserts:
        result = conn.execute(
            insert(OWNER).returning(OWNER.c.id, OWNER.c.owner_ref, sort_by_parameter_order=True),
            changes.owner_inserts,
        )
        owner_ids = {ref: id_ for id_, ref in result}
    if changes.owner_updates:
        conn.execute(update(OWNER).where(OWNER.c.id == bindparam("_id")), changes.owner_updates)
    account_ids: dict[str, int] = {}
    if changes.account_inserts:
        missing = {
            row["owner_ref"] for row in changes.account_inserts if row["owner_ref"] not in owner_ids
        }
        if missing:
            found = conn.execute(
                select(OWNER.c.id, OWNER.c.owner_ref).where(OWNER.c.owner_ref.in_(missing))
            )
            owner_ids.update({ref: id_ for id_, ref in found})
        rows = []
        for row in changes.account_inserts:
            values = dict(row)
            values["owner_id"] = owner_ids[values.pop("owner_ref")]
            rows.append(values)
        result = conn.execute(
            insert(ACCOUNT).returning(
                ACCOUNT.c.id, ACCOUNT.c.identifiant_key, sort_by_parameter_order=True
            ),
            rows,
        )
        account_ids = {key: id_ for id_, key in result}
    if changes.account_updates:
        conn.execute(
            update(ACCOUNT).where(ACCOUNT.c.id == bindparam("_id")), changes.account_updates
        )
    erased.forget(conn, changes.forget)
    if changes.events:
        conn.execute(
            insert(AUDIT),
            [
                {
                    "at": stamp.at,
                    "actor": stamp.actor,
                    "action": "import.account",
                    "outcome": "ok",
                    "account_id": account_id if account_id is not None else account_ids[key],
                    "identifiant": identifiant,
                    "identifiant_key": audit_identifiant_key(identifiant),
                    "details": {**details, "kind": stamp.kind, "file": stamp.source},
                }
                for key, (account_id, identifiant, details) in changes.events.items()
            ],
        )
