"""Deleting old rows in short batches: what ``audit purge`` and ``mail purge`` share.

Rows go by increasing id, a batch of ids per transaction (on PostgreSQL picked ``FOR
UPDATE SKIP LOCKED``, so two copies running at once share the work), with a pause between
two batches (see :data:`PAUSE_SECONDS`): on SQLite the write lock is held for one batch at
a time and the owners' commands get it in between; running it again removes nothing more.
An interrupted purge says how far it got, and the next run carries on.

Every run that deletes (not a dry run) records one audit event, even when it found
nothing: ``audit list --actor cron`` shows that cron runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, delete, select
from sqlalchemy.exc import OperationalError

from coproctl.backoffice import Backoffice, unavailable
from coproctl.errors import BadInput, Refused
from coproctl.services import audit
from coproctl.typography import count

# The pause after each batch. On SQLite a batch holds the write lock, and a writer that
# finds it taken (an owner's ``code verify``) sleeps in SQLite's busy-handler steps: 1, 2,
# 5, 10, 15, 20, 25, 25, 25 ms, then 50 and 100 ms. A pause at least as long as those
# steps is a window that writer cannot sleep through: it waits for one batch at most, not
# for a run of batches. 25 ms covers every step of the first 228 ms of waiting, far more
# than a batch lasts (a few milliseconds for the codes purge's 200 rows); a longer pause
# only slows the purge. On PostgreSQL nothing waits for a lock (the purge takes other
# rows), but the purge shares the server's CPU and disk with the owners' commands: the same
# pause leaves them room. bench/purge.py measures code verify during the purge against
# its targets (p95 <= 3x its p95 before, max <= 100 ms), on both engines.
PAUSE_SECONDS = 0.025


@dataclass(frozen=True)
class Progress:
    """Where a purge stands after a batch committed (given to ``between_batches``)."""

    batches: int  # batches committed so far by this run
    removed: int  # rows removed so far by this run (counted, on a dry run)
    last: int  # rows removed by the batch just committed


# Called after each batch has committed and before the next one starts, in the purge's
# thread: a test-only seam (a test holds the purge there to run a command between two
# batches, or makes two purges meet); nothing in production passes one.
BatchHook = Callable[[Progress], None]


@dataclass
class Deleted:
    removed: int = 0
    batches: int = 0

    def step(self, rows: int, hook: BatchHook | None, pause: float, engine: Engine) -> None:
        """Account for a committed batch, call the hook, checkpoint (SQLite), then pause
        before the next batch."""
        self.batches += 1
        self.removed += rows
        if hook is not None:
            hook(Progress(self.batches, self.removed, rows))
        checkpoint(engine)
        if pause > 0:
            time.sleep(pause)


def checkpoint(engine: Engine) -> None:
    """SQLite: copy the pages the purge just wrote from the write-ahead log into the
    database (a passive checkpoint: it waits for nobody and holds no write lock).

    Otherwise SQLite's automatic checkpoint, every 1,000 pages of log, falls on whichever
    connection commits then, as often an owner's ``code verify`` as the purge: that owner
    would wait for the copy of a dozen batches (bench/purge.py saw 150 ms).
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:  # no transaction: a checkpoint runs outside one
        connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            "PRAGMA wal_checkpoint(PASSIVE)"
        )


def check_purge_options(days: int, batch_size: int) -> None:
    if days < 1:
        raise BadInput("bad_retention", "La durée de conservation doit être d'au moins 1 jour.")
    check_batch_options(batch_size)


def check_batch_options(batch_size: int, pause: float = 0.0) -> None:
    if batch_size < 1:
        raise BadInput("bad_batch", "La taille des lots doit être positive.")
    if pause < 0:
        raise BadInput("bad_batch", "La pause entre deux lots ne peut pas être négative.")


def interrupted(error: Refused, removed: int, what: str) -> Refused:
    """The refusal, saying how far the purge went (the next run carries on); ``what``: the
    rows' noun, singular and masculine (``message``, ``code``, ``événement``)."""
    if not removed:
        return error
    return Refused(
        error.code,
        f"{error.message} (purge interrompue après {count(removed, what)} "
        f"{'supprimés' if removed > 1 else 'supprimé'} ; "
        "le prochain passage reprendra où elle s'est arrêtée)",
        removed=removed,
    )


def delete_in_batches(
    backoffice: Backoffice,
    model: Any,
    condition: ColumnElement[bool],
    *,
    dry_run: bool,
    batch_size: int,
    what: str,
    action: str,
    pause: float = PAUSE_SECONDS,
    between_batches: BatchHook | None = None,
    **details: Any,
) -> Deleted:
    """Delete (or, dry, count) the rows of ``model`` matching ``condition``, batch by batch,
    pausing ``pause`` seconds after each; one ``action`` audit event per run that deletes
    (with ``details`` and the count, 0 included). ``between_batches``: see :data:`BatchHook`.
    """
    check_batch_options(batch_size, pause)
    done = Deleted()
    after = 0
    try:
        while True:
            with backoffice.uow() as uow:
                query = (
                    select(model.id)
                    .where(model.id > after, condition)
                    .order_by(model.id)
                    .limit(batch_size)
                )
                if not dry_run:
                    query = query.with_for_update(skip_locked=True)
                ids = list(uow.session.execute(query).scalars())
                if not ids:
                    break
                if not dry_run:
                    uow.session.execute(delete(model).where(model.id.in_(ids)))
                    uow.commit()
            after = ids[-1]
            done.step(len(ids), between_batches, pause, backoffice.engine)
        if not dry_run:
            with backoffice.uow() as uow:
                audit.record(uow.session, backoffice.actor, action, **details, removed=done.removed)
                uow.commit()
    except OperationalError as exc:
        raise interrupted(unavailable(exc), done.removed, what) from None
    except Refused as error:  # database_busy: another writer held the lock too long
        raise interrupted(error, done.removed, what) from None
    return done
