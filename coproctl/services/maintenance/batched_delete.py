"""Deleting old rows in short batches: what ``audit purge`` and ``mail purge`` share.

Rows go by increasing id, a batch of ids per transaction (on PostgreSQL picked ``FOR
UPDATE SKIP LOCKED``, so two copies running at once share the work), which never holds a
long lock on SQLite; running it again removes nothing more. An interrupted purge says how
far it got, and the next run carries on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.exc import OperationalError

from coproctl.backoffice import Backoffice, unavailable
from coproctl.errors import BadInput, Refused
from coproctl.services import audit


@dataclass
class Deleted:
    removed: int = 0
    batches: int = 0


def check_purge_options(days: int, batch_size: int) -> None:
    if days < 1:
        raise BadInput("bad_retention", "La durée de conservation doit être d'au moins 1 jour.")
    if batch_size < 1:
        raise BadInput("bad_batch", "La taille des lots doit être positive.")


def interrupted(error: Refused, removed: int, what: str) -> Refused:
    """The refusal, saying how far the purge went (the next run carries on)."""
    if not removed:
        return error
    return Refused(
        error.code,
        f"{error.message} (purge interrompue après {removed} {what} supprimé(s) ; "
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
    **details: Any,
) -> Deleted:
    """Delete (or, dry, count) the rows of ``model`` matching ``condition``, batch by batch;
    one ``action`` audit event (with ``details`` and the count) when something went."""
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
            done.batches += 1
            done.removed += len(ids)
    except OperationalError as exc:
        raise interrupted(unavailable(exc), done.removed, what) from None
    except Refused as error:  # database_busy: another writer held the lock too long
        raise interrupted(error, done.removed, what) from None
    if done.removed and not dry_run:
        with backoffice.uow() as uow:
            audit.record(uow.session, backoffice.actor, action, **details, removed=done.removed)
            uow.commit()
    return done
